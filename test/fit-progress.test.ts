/**
 * Progress within long iterations: `fit` reports each block of rows of each E-step and, for wide full (or tied)
 * covariances, each component of the M-step (one d×d Cholesky factorization, O(d³), apiece); `fitAsync` and
 * `fitStream` report the same M-step. Both backends.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BernoulliMixture, GaussianMixture, InputError, type ProgressInfo, type StreamProgressInfo } from '../src/index.js';
import { BLOCK_ROWS } from '../src/em/driver.js';
import { isLongMStep } from '../src/em/progress.js';
import { setWorkerScript } from '../src/parallel/platform.js';

const WORKER = new URL('../dist/worker.js', import.meta.url);
beforeAll(() => {
  expect(existsSync(WORKER), 'dist/worker.js: run npm run build').toBe(true);
  setWorkerScript(WORKER);
});
afterAll(() => setWorkerScript(null));

/** n×d values: two groups of rows, the second shifted by 3 in every feature, plus seeded uniform noise. */
function twoGroups(n: number, d: number, seed: number): Float64Array {
  let s = seed >>> 0;
  return Float64Array.from({ length: n * d }, (_, p) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 + (Math.floor(p / d) % 2 === 0 ? 0 : 3);
  });
}

/** The E-step reports of each (restart, candidate, iteration), in order. */
function byIteration(reports: ProgressInfo[]): Map<string, ProgressInfo[]> {
  const out = new Map<string, ProgressInfo[]>();
  for (const r of reports) {
    if (r.phase !== 'em') continue;
    const key = `${r.init}/${r.candidate}/${r.iter}`;
    out.set(key, [...(out.get(key) ?? []), r]);
  }
  return out;
}

describe.each(['js', 'wasm'] as const)('fit onProgress (%s backend)', (backend) => {
  it('reports every block of every E-step: rowsDone rising to rowsTotal, the run and the previous log-likelihood', () => {
    const n = 2 * BLOCK_ROWS + 5;
    const d = 2;
    const X = twoGroups(n, d, 3);
    const weights = Float64Array.from({ length: n }, (_, i) => (i % 7 === 0 ? 0 : 1));
    const rowsTotal = weights.filter((w) => w > 0).length;
    const reports: ProgressInfo[] = [];
    const iterations: { init: number; iter: number; logLikelihood: number }[] = [];
    new GaussianMixture({ backend, nComponents: 2, seed: 2, nInit: 2, initCandidates: 1, maxIter: 3, tol: 0 }).fit(X, {
      nFeatures: d, sampleWeight: weights, onProgress: (p) => reports.push(p), onIteration: (i) => iterations.push(i),
    });
    const blocks = Math.ceil(rowsTotal / BLOCK_ROWS);
    expect(reports).toHaveLength(iterations.length * blocks);
    // A short M-step (d = 2) is not reported.
    expect(reports.every((r) => r.phase === 'em' && r.mStep === undefined)).toBe(true);
    const runs = byIteration(reports);
    expect(runs.size).toBe(iterations.length);
    for (const [i, info] of iterations.entries()) {
      const mine = runs.get(`${info.init}/0/${info.iter}`)!;
      expect(mine.map((r) => r.rowsDone)).toEqual(
        Array.from({ length: blocks }, (_, b) => Math.min((b + 1) * BLOCK_ROWS, rowsTotal)));
      expect(mine.every((r) => r.rowsTotal === rowsTotal)).toBe(true);
      const previous = info.iter === 1 ? -Infinity : iterations[i - 1]!.logLikelihood;
      expect(mine.every((r) => r.logLikelihood === previous)).toBe(true);
    }
    expect(new Set(iterations.map((i) => i.init))).toEqual(new Set([0, 1]));
  });

  it('reports each component of a wide full M-step (d = 300, n = 2000, K = 2), after its E-step', () => {
    const n = 2000;
    const d = 300;
    const X = twoGroups(n, d, 5);
    const reports: ProgressInfo[] = [];
    const t0 = performance.now();
    new GaussianMixture({ backend, nComponents: 2, seed: 1, initCandidates: 1, maxIter: 1 }).fit(X, {
      nFeatures: d, onProgress: (p) => reports.push(p),
    });
    const seconds = (performance.now() - t0) / 1000;
    expect(seconds).toBeLessThan(10);
    expect(reports.map((r) => [r.phase, r.rowsDone, r.mStep?.component, r.mStep?.of])).toEqual([
      ['em', 2000, undefined, undefined], ['m-step', 2000, 1, 2], ['m-step', 2000, 2, 2],
    ]);
    expect(reports.every((r) => r.init === 0 && r.candidate === 0 && r.iter === 1 && r.rowsTotal === n)).toBe(true);
    expect(reports.every((r) => r.logLikelihood === -Infinity)).toBe(true);
  });

  it('reports a tied M-step as one part, and neither diag nor spherical', () => {
    const n = 600;
    const d = 250;
    const X = twoGroups(n, d, 7);
    for (const [covarianceType, parts] of [['tied', [1]], ['diag', []], ['spherical', []]] as const) {
      const reports: ProgressInfo[] = [];
      new GaussianMixture({ backend, covarianceType, nComponents: 2, seed: 1, initCandidates: 1, maxIter: 2, tol: 0 })
        .fit(X, { nFeatures: d, onProgress: (p) => reports.push(p) });
      const mSteps = reports.filter((r) => r.phase === 'm-step');
      expect(mSteps.map((r) => [r.iter, r.mStep!.component, r.mStep!.of]), covarianceType)
        .toEqual([1, 2].flatMap((iter) => parts.map((c) => [iter, c, 1])));
    }
  });

  it('fitAsync reports the same M-step parts after the workers\' E-step', async () => {
    const n = 2000;
    const d = 300;
    const X = twoGroups(n, d, 5);
    const reports: ProgressInfo[] = [];
    await new GaussianMixture({ backend, nComponents: 2, seed: 1, initCandidates: 1, maxIter: 1 }).fitAsync(X, {
      nFeatures: d, workers: 1, onProgress: (p) => reports.push(p),
    });
    expect(reports.map((r) => [r.phase, r.rowsDone, r.mStep?.component])).toEqual([
      ['em', 2000, undefined], ['m-step', 2000, 1], ['m-step', 2000, 2],
    ]);
  });

  it('fitStream reports the M-step after the pass of its iteration, with the pass\'s numbers', async () => {
    const n = 500;
    const d = 220;
    const X = twoGroups(n, d, 9);
    const rows = Array.from({ length: n }, (_, i) => Array.from(X.subarray(i * d, (i + 1) * d)));
    const source = async function* () {
      for (let i = 0; i < n; i += 100) yield rows.slice(i, i + 100);
    };
    const reports: StreamProgressInfo[] = [];
    await new GaussianMixture({ backend, nComponents: 2, seed: 1, initCandidates: 1, maxIter: 1 }).fitStream(
      source, { onProgress: (p) => reports.push(p) });
    const mSteps = reports.filter((r) => r.phase === 'm-step');
    const lastEm = reports.filter((r) => r.phase === 'em').at(-1)!;
    expect(mSteps.map((r) => [r.pass, r.iteration, r.rowsSeen, r.rowsTotal, r.mStep?.component, r.mStep?.of]))
      .toEqual([[lastEm.pass, 1, n, n, 1, 2], [lastEm.pass, 1, n, n, 2, 2]]);
    expect(reports.at(-1)!.phase).toBe('m-step');
  });

  it('the discrete mixtures report their E-step blocks too', () => {
    const n = BLOCK_ROWS + 1;
    const X = Float64Array.from({ length: n * 3 }, (_, p) => ((p * 2654435761) >>> 0) % 3 === 0 ? 1 : 0);
    const reports: ProgressInfo[] = [];
    new BernoulliMixture({ backend, nComponents: 2, seed: 1, maxIter: 2, tol: 0 }).fit(X, {
      nFeatures: 3, onProgress: (p) => reports.push(p),
    });
    expect(reports.map((r) => [r.phase, r.iter, r.rowsDone, r.rowsTotal])).toEqual([
      ['em', 1, BLOCK_ROWS, n], ['em', 1, n, n], ['em', 2, BLOCK_ROWS, n], ['em', 2, n, n],
    ]);
  });

  it('a callback that is not a function is an InputError naming options.onProgress', () => {
    const gm = new GaussianMixture({ backend, nComponents: 1 });
    expect(() => gm.fit([[0], [1]], { onProgress: 'yes' as never })).toThrow(InputError);
    try {
      gm.fit([[0], [1]], { onProgress: 1 as never });
    } catch (e) {
      expect((e as InputError).argument).toBe('options.onProgress');
    }
  });
});

describe('isLongMStep', () => {
  it('is about 1e7 multiply-adds of factorizations: d = 16 or K = 16 × d = 64 are short, d = 300 is long', () => {
    expect(isLongMStep(16, 16)).toBe(false);
    expect(isLongMStep(16, 64)).toBe(false);
    expect(isLongMStep(1, 300)).toBe(true);
    expect(isLongMStep(2, 200)).toBe(true);
  });
});
