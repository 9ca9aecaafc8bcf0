/**
 * The progress of an in-memory `wasm-em fit` within long iterations: the E-step's rows and the M-step's components
 * of a wide full covariance, redrawn in place on a terminal, one line each with `--progress` elsewhere, and nothing
 * on a non-terminal without it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/run.js';
import { LONG_E_STEP_MS, fitProgress, fitProgressText } from '../src/cli/progress.js';
import type { ProgressInfo } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'wasm-em-cli-progress-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(argv: string[], isTTY = false): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, {
    stdin: Readable.from([]), stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) },
    isTTY,
  });
  return { code, out, err };
}

/** A CSV of n rows of d columns: two groups, the second shifted by 3, plus seeded uniform noise. */
function wideCsv(n: number, d: number): string {
  let s = 7;
  const lines = [Array.from({ length: d }, (_, j) => `x${j}`).join(',')];
  for (let i = 0; i < n; i++) {
    lines.push(Array.from({ length: d }, () => {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      return (s / 2 ** 32 + (i % 2) * 3).toFixed(4);
    }).join(','));
  }
  return lines.join('\n') + '\n';
}

describe('fit progress in memory, wide full covariances', () => {
  const path = join(dir, 'wide.csv');
  writeFileSync(path, wideCsv(1000, 250));
  const args = ['fit', path, '-k', '2', '--seed', '1', '--init-candidates', '1', '--max-iter', '1'];

  it('--progress off a terminal: a line per M-step component, then the iteration', async () => {
    const run = await cli([...args, '--progress']);
    expect(run.code).toBe(0);
    const lines = run.err.trimEnd().split('\n').filter((l) => !l.startsWith('wasm-em: warning'));
    const mSteps = lines.filter((l) => l.includes('M-step'));
    expect(mSteps).toEqual([
      'restart 1/1  start 1  iteration 1  M-step: component 1/2 factorized  mean log-likelihood -',
      'restart 1/1  start 1  iteration 1  M-step: component 2/2 factorized  mean log-likelihood -',
    ]);
    expect(lines.at(-1)).toMatch(/^restart 1\/1 {2}start 1 {2}iteration 1 {2}mean log-likelihood -?\d+\.\d{6}$/);
    expect(lines.indexOf(mSteps[1]!)).toBe(lines.length - 2);
  });

  it('nothing off a terminal without --progress; redrawn in place on a terminal, E-step and M-step', async () => {
    const quiet = await cli(args);
    expect(quiet.code).toBe(0);
    expect(quiet.err).toMatch(/^wasm-em: warning: EM did not converge in 1 iterations[^\n]*\n$/);
    const tty = await cli(args, true);
    expect(tty.code).toBe(0);
    expect(tty.err).toContain('\r\x1b[Krestart 1/1  start 1  iteration 1  [####################] E-step 1000/1000 rows');
    expect(tty.err).toContain('\r\x1b[Krestart 1/1  start 1  iteration 1  M-step: component 2/2 factorized');
    expect(tty.out).toBe(quiet.out);
  });
});

describe('fitProgress', () => {
  const at = (rowsDone: number, extra: Partial<ProgressInfo> = {}): ProgressInfo => ({
    phase: 'em', init: 0, candidate: 0, iter: 2, logLikelihood: -1.5, rowsDone, rowsTotal: 8192, ...extra,
  });

  it('gives the end of an E-step a line of its own only when the E-step was long', () => {
    let clock = 0;
    const shown: [string, boolean | undefined][] = [];
    const report = fitProgress((text, done) => shown.push([text, done]), 3, () => clock);
    clock = 10;
    report(at(4096));
    clock = 20;
    report(at(8192));
    clock = 20 + LONG_E_STEP_MS;
    report(at(8192, { iter: 3 }));
    expect(shown.map(([, done]) => done)).toEqual([false, false, true]);
    expect(shown[0]![0]).toBe(
      'restart 1/3  start 1  iteration 2  [##########..........] E-step 4096/8192 rows  mean log-likelihood -1.500000');
  });

  it('names a tied M-step\'s single factorization', () => {
    expect(fitProgressText(at(8192, { phase: 'm-step', mStep: { component: 1, of: 1 } }), 1))
      .toBe('restart 1/1  start 1  iteration 2  M-step: shared covariance factorized  mean log-likelihood -1.500000');
  });
});
