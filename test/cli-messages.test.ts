/**
 * CLI messages in the CLI's terms: a model file of a kind the CLI does not read is named for what it is, and library
 * option names (`options.nComponents`, `regCovar`) become the flags (`-k`, `--reg-covar`) wherever they appear.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flagNames } from '../src/cli/errors.js';
import { CategoricalHMM, GaussianHMM, PoissonHMM } from '../src/index.js';
import { cliInProcess } from './helpers/cli-in-process.js';

const FAITHFUL = fileURLToPath(new URL('./fixtures/reference/faithful.csv', import.meta.url));

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wasm-em-messages-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function save(name: string, json: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(json));
  return path;
}

/** One line on stderr, exit 1, nothing on stdout. */
function expectDataError(run: { code: number; out: string; err: string }, pattern: RegExp): void {
  expect(run.code, run.err).toBe(1);
  expect(run.out).toBe('');
  expect(run.err).toMatch(/^wasm-em: [^\n]+\n$/);
  expect(run.err).toMatch(pattern);
}

describe('model files the CLI does not read', () => {
  const gaussian = () =>
    new GaussianHMM({ nStates: 2, seed: 1 }).fit({ data: new Float64Array([0, 0.1, 5, 5.2, 0.2, 5.1, 0, 4.9]), rows: 8, cols: 1 });
  const poisson = () => new PoissonHMM({ nStates: 2, seed: 1 }).fit({ data: new Float64Array([0, 1, 9, 8, 0, 10, 1, 9]), rows: 8, cols: 1 });
  const categorical = () => new CategoricalHMM({ nStates: 2, seed: 1 }).fit([[0, 1, 2, 2, 0, 1, 2, 0]]);

  it.each([
    ['GaussianHMM', gaussian],
    ['PoissonHMM', poisson],
    ['CategoricalHMM', categorical],
  ] as const)('a %s model file is named as an HMM, with the library class that loads it', async (name, make) => {
    const model = save(`${name}.json`, make().toJSON());
    for (const command of ['predict', 'score', 'impute']) {
      const run = await cliInProcess([command, model, FAITHFUL]);
      expectDataError(run, new RegExp(`${name}\\.json is a hidden Markov model file \\(wasm-em/\\w+-hmm\\).*mixture models only.*${name}\\.fromJSON`));
      expect(run.err).not.toMatch(/json\.\w+|expected one of the options/);
    }
  });

  it.each([
    ['no format', { nComponents: 2 }, /not a valid wasm-em model: it has no "format" field; expected a file written by "wasm-em fit"/],
    ['a foreign format', { format: 'sklearn', nComponents: 2 }, /it has "format": "sklearn"/],
    ['an array', [1, 2], /expected a JSON object written by "wasm-em fit", got an array/],
    ['a number', 3, /got a number/],
  ])('%s is named as not a model, listing the formats read', async (_, json, pattern) => {
    const run = await cliInProcess(['predict', save('foreign.json', json), FAITHFUL]);
    expectDataError(run, pattern);
  });
});

describe('library option names become flags', () => {
  it('select names -k (not options.-k) in the reason of a fit that failed', async () => {
    const data = join(dir, 'four.csv');
    writeFileSync(data, '1,2\n3,4\n5,6\n7,8\n');
    const run = await cliInProcess(['select', data, '-k', '1..5', '--covariance', 'full', '--seed', '1']);
    expect(run.code, run.err).toBe(0);
    expect(run.out).toMatch(/\nK=5 full failed: -k: /);
    expect(run.out).not.toMatch(/options\./);
  });

  it('every option the CLI has a flag for, prefixed or bare, is replaced by the flag', () => {
    expect(flagNames('options.nComponents: expected an integer ≤ 4 (the number of rows), got 5')).toBe(
      '-k: expected an integer ≤ 4 (the number of rows), got 5');
    expect(flagNames('options.covarianceTypes[1]: bad')).toBe('--covariance[1]: bad');
    for (const [word, flag] of [
      ['options.seed', '--seed'], ['options.tol', '--tol'], ['options.init', '--init'], ['options.backend', '--backend'],
      ['options.dtype', '--dtype'], ['options.workers', '--workers'], ['options.criterion', '--criterion'],
      ['options.initCandidates', '--init-candidates'], ['options.alpha', '--alpha'],
      ['maxIter', '--max-iter'], ['regCovar', '--reg-covar'], ['nInit', '--n-init'], ['tol', '--tol'],
    ]) {
      expect(flagNames(`${word}: x`)).toBe(`${flag}: x`);
    }
    // English words that are also option names stay words without the prefix.
    expect(flagNames('check the initialization, the seed and the backend')).toBe(
      'check the initialization, the seed and the backend');
  });
});
