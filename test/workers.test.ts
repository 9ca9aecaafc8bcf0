/**
 * `fitAsync` on a worker pool (Node `worker_threads`): the same model as `fit`, bit for bit, for any number of
 * workers; abort, worker failure and bad options. The workers run the built bundle (`dist/worker.js`, made by
 * `npm run build`, which `npm test` runs first).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AbortError, GaussianMixture, InputError, WorkerError, type GaussianMixtureOptions } from '../src/index.js';
import { BLOCK_ROWS } from '../src/em/driver.js';
import { liveWorkers, setWorkerScript } from '../src/parallel/platform.js';
import { poolTestHooks } from '../src/parallel/pool.js';
import { generateMixture } from './helpers/gen-mixture.js';

const WORKER = new URL('../dist/worker.js', import.meta.url);
const root = fileURLToPath(new URL('..', import.meta.url));

// Three full blocks and a short fourth, so 1, 2 and 3 workers split the blocks differently.
const n = 3 * BLOCK_ROWS + 517;
const d = 3;
const { X } = generateMixture(n, d, 3, 11, 3);
const weights = Float64Array.from({ length: n }, (_, i) => (i % 13 === 0 ? 0 : 0.5 + ((i * 7) % 5) / 2));

beforeAll(() => {
  expect(existsSync(WORKER), 'dist/worker.js: run npm run build').toBe(true);
  setWorkerScript(WORKER);
});
afterAll(() => setWorkerScript(null));
afterEach(() => {
  poolTestHooks.fault = null;
  expect(liveWorkers()).toBe(0);
});

/** A model fitted with `fit`, and a fresh one with the same options. */
function pair(options: GaussianMixtureOptions): [GaussianMixture, GaussianMixture] {
  return [new GaussianMixture(options), new GaussianMixture(options)];
}

describe('fitAsync gives the model of fit', () => {
  const cases: { name: string; options: GaussianMixtureOptions; weighted: boolean }[] = [
    { name: 'full', options: { nComponents: 3, covarianceType: 'full', seed: 3, initCandidates: 2 }, weighted: false },
    { name: 'diag', options: { nComponents: 3, covarianceType: 'diag', seed: 4, initCandidates: 2 }, weighted: false },
    { name: 'full, weighted', options: { nComponents: 3, seed: 5, initCandidates: 1 }, weighted: true },
    { name: 'diag, weighted, nInit 3', options: { nComponents: 4, covarianceType: 'diag', seed: 6, nInit: 3 }, weighted: true },
    { name: 'full, float32', options: { nComponents: 3, seed: 7, initCandidates: 2, dtype: 'float32' }, weighted: false },
    { name: 'diag, float32, weighted', options: { nComponents: 3, covarianceType: 'diag', seed: 8, dtype: 'float32' }, weighted: true },
  ];
  for (const { name, options, weighted } of cases) {
    for (const workers of [1, 2, 3]) {
      it(`${name}, ${workers} worker(s)`, async () => {
        const [sync, parallel] = pair(options);
        const sampleWeight = weighted ? weights : undefined;
        sync.fit(X, { nFeatures: d, sampleWeight });
        expect(await parallel.fitAsync(X, { nFeatures: d, sampleWeight, workers })).toBe(parallel);
        expect(parallel.toJSON()).toEqual(sync.toJSON());
        expect(parallel.logLikelihoodHistory).toEqual(sync.logLikelihoodHistory);
        expect(parallel.logLikelihoodHistory.length).toBeGreaterThan(1);
      });
    }
  }

  it('with the js backend, workers "auto", and the same iteration reports', async () => {
    const options: GaussianMixtureOptions = { nComponents: 2, seed: 8, backend: 'js', initCandidates: 1, maxIter: 5, tol: 0 };
    const [sync, parallel] = pair(options);
    const seen: [string[], string[]] = [[], []];
    sync.fit(X, { nFeatures: d, onIteration: (i) => seen[0].push(JSON.stringify(i)) });
    await parallel.fitAsync(X, { nFeatures: d, workers: 'auto', onIteration: (i) => seen[1].push(JSON.stringify(i)) });
    expect(parallel.toJSON()).toEqual(sync.toJSON());
    expect(seen[1]).toEqual(seen[0]);
    expect(seen[0]).toHaveLength(5);
  });

  it('with more workers than blocks (one block of rows)', async () => {
    const small = X.subarray(0, 600 * d);
    const [sync, parallel] = pair({ nComponents: 2, seed: 9 });
    sync.fit(small, { nFeatures: d });
    await parallel.fitAsync(small, { nFeatures: d, workers: 4 });
    expect(parallel.toJSON()).toEqual(sync.toJSON());
  });

  it('through the CommonJS build, which finds its worker beside it', () => {
    const rows = Array.from({ length: 5000 }, (_, i) => [Math.sin(i) + (i % 3) * 4, Math.cos(i * 1.3) - (i % 3)]);
    const script = `const m = require('wasm-em');
const X = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
new m.GaussianMixture({ nComponents: 3, seed: 1 }).fitAsync(X, { workers: 2 })
  .then((gm) => console.log(JSON.stringify(gm.toJSON())), (e) => { console.error(e); process.exit(1); });`;
    const json = JSON.parse(execFileSync(process.execPath, ['-e', script], {
      cwd: root, encoding: 'utf8', input: JSON.stringify(rows),
    }));
    expect(json).toEqual(new GaussianMixture({ nComponents: 3, seed: 1 }).fit(rows).toJSON());
  });
});

describe('fitAsync on incomplete rows (NaN)', () => {
  // Entries missing at random, with a few rows missing entirely: workers group rows by pattern within their blocks,
  // as fit does, so the model is the same bit for bit.
  const masked = Float64Array.from(X, (v, i) => ((i * 2654435761) % 97 < 15 ? NaN : v));
  masked.fill(NaN, 7 * d, 8 * d);
  for (const workers of [1, 2, 3]) {
    it(`${workers} worker(s) give fit's model`, async () => {
      const [sync, parallel] = pair({ nComponents: 3, covarianceType: 'full', seed: 9, initCandidates: 2 });
      sync.fit(masked, { nFeatures: d, sampleWeight: weights });
      await parallel.fitAsync(masked, { nFeatures: d, sampleWeight: weights, workers });
      expect(parallel.toJSON()).toEqual(sync.toJSON());
      expect(parallel.logLikelihoodHistory).toEqual(sync.logLikelihoodHistory);
      expect(parallel.nRowsAllMissing).toBe(sync.nRowsAllMissing);
      expect(sync.nRowsAllMissing).toBeGreaterThanOrEqual(1);
    });
  }

  it('float32 and incomplete rows, 2 workers', async () => {
    const [sync, parallel] = pair({ nComponents: 3, covarianceType: 'diag', seed: 10, dtype: 'float32' });
    sync.fit(masked, { nFeatures: d });
    await parallel.fitAsync(masked, { nFeatures: d, workers: 2 });
    expect(parallel.toJSON()).toEqual(sync.toJSON());
  });
});

describe('fitAsync progress', () => {
  it('reports every block of every iteration, rows adding up to the rows with positive weight', async () => {
    const reports: { iter: number; rowsDone: number; rowsTotal: number; logLikelihood: number }[] = [];
    const lls: number[] = [];
    const gm = new GaussianMixture({ nComponents: 2, seed: 2, initCandidates: 1, maxIter: 4, tol: 0 });
    await gm.fitAsync(X, {
      nFeatures: d, sampleWeight: weights, workers: 2, onProgress: (p) => reports.push(p),
      onIteration: (i) => lls.push(i.logLikelihood),
    });
    const rowsTotal = weights.filter((w) => w > 0).length;
    const blocks = Math.ceil(rowsTotal / BLOCK_ROWS);
    expect(reports).toHaveLength(4 * blocks);
    for (let iter = 1; iter <= 4; iter++) {
      const mine = reports.filter((r) => r.iter === iter);
      expect(mine.map((r) => r.rowsDone)).toEqual([...mine.map((r) => r.rowsDone)].sort((a, b) => a - b));
      expect(mine[mine.length - 1]!.rowsDone).toBe(rowsTotal);
      expect(mine.every((r) => r.rowsTotal === rowsTotal)).toBe(true);
      expect(mine[0]!.logLikelihood).toBe(iter === 1 ? -Infinity : lls[iter - 2]);
    }
  });
});

describe('fitAsync callbacks that throw', () => {
  it('reject the fit with their error and stop the workers', async () => {
    const oops = new Error('progress display failed');
    const gm = new GaussianMixture({ nComponents: 2, seed: 1 });
    await expect(gm.fitAsync(X, { nFeatures: d, workers: 2, onProgress: () => { throw oops; } })).rejects.toBe(oops);
    await expect(gm.fitAsync(X, { nFeatures: d, workers: 2, onIteration: () => { throw oops; } })).rejects.toBe(oops);
    expect(gm.isFitted).toBe(false);
    expect(liveWorkers()).toBe(0);
  });
});

describe('fitAsync abort', () => {
  it('rejects before any work when the signal is already aborted, leaving a fitted model unchanged', async () => {
    const gm = new GaussianMixture({ nComponents: 2, seed: 1 }).fit(X, { nFeatures: d });
    const before = gm.toJSON();
    const controller = new AbortController();
    controller.abort();
    let iterations = 0;
    const error = await gm.fitAsync(X, { nFeatures: d, signal: controller.signal, onIteration: () => iterations++ })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect((error as Error).name).toBe('AbortError');
    expect(iterations).toBe(0);
    expect(gm.toJSON()).toEqual(before);
  });

  it('rejects when aborted during the fit (from onIteration), terminating the workers', async () => {
    const gm = new GaussianMixture({ nComponents: 3, seed: 1, initCandidates: 1 }).fit(X.subarray(0, 900), { nFeatures: d });
    const before = gm.toJSON();
    const controller = new AbortController();
    const iterations: number[] = [];
    const running = gm.fitAsync(X, {
      nFeatures: d, workers: 2, signal: controller.signal, onIteration: (i) => {
        iterations.push(i.iter);
        if (i.iter === 2) controller.abort();
      },
    });
    await expect(running).rejects.toMatchObject({ name: 'AbortError' });
    expect(iterations).toEqual([1, 2]);
    expect(gm.toJSON()).toEqual(before);
    expect(liveWorkers()).toBe(0);
  });

  it('rejects within a block when aborted in the middle of an iteration', async () => {
    const gm = new GaussianMixture({ nComponents: 3, seed: 1 });
    const controller = new AbortController();
    let blocksAfterAbort = 0;
    const running = gm.fitAsync(X, {
      nFeatures: d, workers: 2, signal: controller.signal, onProgress: (p) => {
        if (controller.signal.aborted) blocksAfterAbort++;
        if (p.iter === 1 && p.rowsDone === BLOCK_ROWS) controller.abort();
      },
    });
    await expect(running).rejects.toBeInstanceOf(AbortError);
    expect(blocksAfterAbort).toBe(0);
    expect(gm.isFitted).toBe(false);
    expect(liveWorkers()).toBe(0);
  });
});

describe('fitAsync worker failures', () => {
  it('rejects with a WorkerError naming what the worker threw, and stops the others', async () => {
    poolTestHooks.fault = 'throw';
    const gm = new GaussianMixture({ nComponents: 2, seed: 1 });
    const error = await gm.fitAsync(X, { nFeatures: d, workers: 3 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkerError);
    expect((error as Error).message).toMatch(/^worker [0-2] of the fit threw: failure requested by the test hook; all workers were stopped/);
    expect(gm.isFitted).toBe(false);
    expect(liveWorkers()).toBe(0);
  });

  it('rejects with a WorkerError when a worker exits', async () => {
    poolTestHooks.fault = 'exit';
    const error = await new GaussianMixture({ nComponents: 2, seed: 1 }).fitAsync(X, { nFeatures: d, workers: 2 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkerError);
    expect((error as Error).message).toMatch(/^worker [01] of the fit exited with code 3/);
    expect(liveWorkers()).toBe(0);
  });

  it('rejects with a WorkerError when the worker script cannot be loaded', async () => {
    setWorkerScript(new URL('./no-such-worker.js', WORKER));
    try {
      const error = await new GaussianMixture({ nComponents: 2 }).fitAsync(X, { nFeatures: d, workers: 2 })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WorkerError);
      expect((error as Error).message).toMatch(/no-such-worker/);
    } finally {
      setWorkerScript(WORKER);
    }
  });
});

describe('fitAsync options', () => {
  for (const workers of [0, -1, 1.5, 'two', null, Infinity, NaN]) {
    it(`rejects workers ${String(workers)} with an InputError naming options.workers`, async () => {
      const running = new GaussianMixture().fitAsync(X, { nFeatures: d, workers: workers as number });
      await expect(running).rejects.toBeInstanceOf(InputError);
      await expect(running).rejects.toMatchObject({ argument: 'options.workers' });
    });
  }

  it('rejects a signal that is not an AbortSignal, an unknown option and bad data, like fit', async () => {
    const gm = new GaussianMixture();
    await expect(gm.fitAsync(X, { nFeatures: d, signal: {} as AbortSignal })).rejects.toMatchObject({ argument: 'options.signal' });
    await expect(gm.fitAsync(X, { nFeatures: d, onProgress: 1 as never })).rejects.toMatchObject({ argument: 'options.onProgress' });
    await expect(gm.fitAsync(X, { nFeatures: d, threads: 2 } as never)).rejects.toMatchObject({ argument: 'options.threads' });
    await expect(gm.fitAsync([[1, 2], [3]])).rejects.toBeInstanceOf(InputError);
    await expect(gm.fitAsync(X, { nFeatures: d, sampleWeight: [1] })).rejects.toBeInstanceOf(InputError);
  });
});
