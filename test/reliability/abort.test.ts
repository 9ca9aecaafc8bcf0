/**
 * Abort and worker faults: an `AbortSignal` fired at many points of `fitAsync` (before the call, during worker start
 * and bind, between iterations, after j blocks of an iteration) and of `fitStream` (scan, init and EM passes) stops
 * the fit within a block, rejects with `AbortError`, leaves the model as it was (bit for bit) and no worker behind.
 * A worker that throws, exits or dies of an uncaught error rejects with `WorkerError` naming it, never hangs.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  AbortError, BernoulliMixture, GaussianHMM, GaussianMixture, WorkerError, type GaussianMixtureOptions,
} from '../../src/index.js';
import { BLOCK_ROWS } from '../../src/em/driver.js';
import { liveWorkers, setWorkerScript } from '../../src/parallel/platform.js';
import { poolTestHooks } from '../../src/parallel/pool.js';
import { generateMixture } from '../helpers/gen-mixture.js';

const WORKER = new URL('../../dist/worker.js', import.meta.url);
const EXITING = new URL('./fixtures/exiting-worker.mjs', import.meta.url);
const n = 5 * BLOCK_ROWS;
const d = 2;
const { X } = generateMixture(n, d, 3, 5, 4);
const OPTIONS: GaussianMixtureOptions = { nComponents: 3, seed: 2, initCandidates: 1, maxIter: 40, tol: 0 };

beforeAll(() => {
  expect(existsSync(WORKER), 'dist/worker.js: run npm run build').toBe(true);
  setWorkerScript(WORKER);
});
afterAll(() => setWorkerScript(null));
afterEach(async () => {
  poolTestHooks.fault = null;
  setWorkerScript(WORKER);
  await noWorkerLeft();
});

/** Waits (at most 2 s) for every worker to be gone. */
async function noWorkerLeft(): Promise<void> {
  for (let t = 0; t < 200 && liveWorkers() > 0; t++) await new Promise((r) => setTimeout(r, 10));
  expect(liveWorkers()).toBe(0);
}

/** Rejects after `ms` so that a hanging fit fails the test instead of stalling it. */
function within<T>(p: Promise<T>, ms = 20_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** A model already fitted (so its JSON can be checked to the bit after an aborted refit), with its JSON. */
function fittedModel(): { gm: GaussianMixture; json: string } {
  const gm = new GaussianMixture({ ...OPTIONS, seed: 9, maxIter: 5 }).fit(X, { nFeatures: d });
  return { gm, json: JSON.stringify(gm.toJSON()) + JSON.stringify(gm.logLikelihoodHistory) };
}

function state(gm: GaussianMixture): string {
  return JSON.stringify(gm.toJSON()) + JSON.stringify(gm.logLikelihoodHistory);
}

async function expectAbort(p: Promise<unknown>): Promise<void> {
  const e = await within(p).then(() => null, (err: unknown) => err);
  expect(e).toBeInstanceOf(AbortError);
  expect((e as Error).name).toBe('AbortError');
}

describe('fitAsync aborted', () => {
  it('before the call: rejects at once, nothing starts', async () => {
    const gm = new GaussianMixture(OPTIONS);
    await expectAbort(gm.fitAsync(X, { nFeatures: d, workers: 2, signal: AbortSignal.abort() }));
    expect(gm.isFitted).toBe(false);
    expect(liveWorkers()).toBe(0);
  });

  // 0 ms: while the module loads and the fit is prepared; a few ms: while workers start and bind their rows; later:
  // during the iterations.
  for (const delay of [0, 1, 3, 8, 15, 30, 60, 120]) {
    for (const fitted of [false, true]) {
      it(`by a timer after ${delay} ms (${fitted ? 'fitted' : 'unfitted'} model)`, async () => {
        const { gm, json } = fitted ? fittedModel() : { gm: new GaussianMixture(OPTIONS), json: '' };
        const ac = new AbortController();
        let after = 0;
        setTimeout(() => ac.abort(), delay);
        // 1000 iterations: the fit is still running when the last timer fires, however fast the machine.
        (gm as unknown as { options: { maxIter: number } }).options.maxIter = 1000;
        const p = gm.fitAsync(X, { nFeatures: d, workers: 2, signal: ac.signal, onProgress: () => {
          if (ac.signal.aborted) after++;
        } });
        await expectAbort(p);
        expect(after).toBe(0);
        if (fitted) expect(state(gm)).toBe(json);
        else expect(gm.isFitted).toBe(false);
        expect(liveWorkers()).toBe(0);
      });
    }
  }

  // 5 blocks per iteration: j = 1 … 5 fall in the first iteration, the others in later ones.
  for (const j of [1, 2, 3, 4, 5, 6, 9, 12, 23]) {
    it(`after block ${j} arrived: no progress after the abort, model unchanged`, async () => {
      const { gm, json } = fittedModel();
      const ac = new AbortController();
      let seen = 0;
      let after = 0;
      const p = gm.fitAsync(X, { nFeatures: d, workers: 2, signal: ac.signal, onProgress: () => {
        if (ac.signal.aborted) after++;
        else if (++seen === j) ac.abort();
      } });
      await expectAbort(p);
      expect(seen).toBe(j);
      expect(after).toBe(0);
      expect(state(gm)).toBe(json);
      expect(liveWorkers()).toBe(0);
    });
  }

  it('between iterations (from onIteration)', async () => {
    const { gm, json } = fittedModel();
    const ac = new AbortController();
    let iterations = 0;
    let progressAfter = 0;
    await expectAbort(gm.fitAsync(X, {
      nFeatures: d, workers: 2, signal: ac.signal,
      onIteration: () => {
        if (++iterations === 3) ac.abort();
      },
      onProgress: () => {
        if (ac.signal.aborted) progressAfter++;
      },
    }));
    expect(iterations).toBe(3);
    expect(progressAfter).toBe(0);
    expect(state(gm)).toBe(json);
  });

  // Regression: an HMM's fitAsync given an aborted signal validated the data and computed its starts (k-means) first.
  it('an HMM before the call: rejects before any work', async () => {
    const hmm = new GaussianHMM({ nStates: 2, seed: 1 });
    // The rows are never even read (a count of reads, not a time bound, so a busy machine cannot make it flaky).
    let reads = 0;
    const data = { get data() { reads++; return X; }, rows: n, cols: d };
    const p = hmm.fitAsync(data, { signal: AbortSignal.abort() });
    await expectAbort(p);
    expect(reads).toBe(0);
    expect(hmm.isFitted).toBe(false);
  });

  it('a discrete mixture and an HMM, mid-fit', async () => {
    const B = Float64Array.from(X, (v) => (v > 0 ? 1 : 0));
    const bm = new BernoulliMixture({ nComponents: 2, seed: 1, maxIter: 50, tol: 0 });
    const ac = new AbortController();
    let seen = 0;
    await expectAbort(bm.fitAsync({ data: B, rows: n, cols: d }, { workers: 2, signal: ac.signal, onProgress: () => {
      if (++seen === 7) ac.abort();
    } }));
    expect(bm.isFitted).toBe(false);
    const hmm = new GaussianHMM({ nStates: 3, seed: 1, maxIter: 200, tol: 0 });
    const ac2 = new AbortController();
    let iterations = 0;
    await expectAbort(hmm.fitAsync({ data: X, rows: n, cols: d }, { signal: ac2.signal, onIteration: () => {
      if (++iterations === 2) ac2.abort();
    } }));
    expect(hmm.isFitted).toBe(false);
  });

  it('many fits at once, every other one aborted, do not disturb each other', async () => {
    const expected = new GaussianMixture({ ...OPTIONS, maxIter: 8 }).fit(X, { nFeatures: d });
    const runs = Array.from({ length: 8 }, (_, i) => {
      const gm = new GaussianMixture({ ...OPTIONS, maxIter: 8 });
      const ac = new AbortController();
      let seen = 0;
      const p = gm.fitAsync(X, { nFeatures: d, workers: 1 + (i % 2), signal: ac.signal, onProgress: () => {
        if (i % 2 === 1 && ++seen === 2 + i) ac.abort();
      } });
      return { gm, p: p.then(() => 'done', (e: Error) => e.name) };
    });
    const outcomes = await within(Promise.all(runs.map((r) => r.p)));
    outcomes.forEach((o, i) => {
      expect(o).toBe(i % 2 === 1 ? 'AbortError' : 'done');
      if (i % 2 === 0) expect(runs[i]!.gm.toJSON()).toEqual(expected.toJSON());
      else expect(runs[i]!.gm.isFitted).toBe(false);
    });
    expect(liveWorkers()).toBe(0);
  });
});

describe('fitStream aborted', () => {
  // Rows with missing entries: the starts gather their mean-filled sample in an 'init' pass.
  const masked = Float64Array.from(X, (v, i) => (i % 17 === 0 ? NaN : v));
  /** A source of 1000-row chunks that counts the passes opened and closed. */
  function source(rows: Float64Array): { open: () => AsyncGenerator<{ data: Float64Array; rows: number; cols: number }>; passes: { opened: number; closed: number } } {
    const passes = { opened: 0, closed: 0 };
    return {
      passes,
      open: async function* () {
        passes.opened++;
        try {
          for (let i = 0; i < n; i += 1000) {
            const m = Math.min(1000, n - i);
            await Promise.resolve();
            yield { data: rows.subarray(i * d, (i + m) * d), rows: m, cols: d };
          }
        } finally {
          passes.closed++;
        }
      },
    };
  }

  for (const [phase, j] of [['scan', 1], ['scan', 3], ['init', 1], ['init', 2], ['em', 1], ['em', 4], ['em', 11]] as const) {
    it(`in the ${phase} pass after block ${j}: stops there, source closed, model unchanged`, async () => {
      const { gm, json } = fittedModel();
      const { open, passes } = source(masked);
      const ac = new AbortController();
      let seen = 0;
      let after = 0;
      await expectAbort(gm.fitStream(open, { signal: ac.signal, onProgress: (info) => {
        if (ac.signal.aborted) after++;
        else if (info.phase === phase && ++seen === j) ac.abort();
      } }));
      expect(seen).toBe(j);
      expect(after).toBe(0);
      expect(passes.closed).toBe(passes.opened);
      expect(state(gm)).toBe(json);
    });
  }

  // Regression: the passes over a source read from memory never returned to the event loop (its blocks came as
  // microtasks), so a timer's abort ran only once the whole fit had ended.
  for (const delay of [0, 2, 10, 40]) {
    it(`by a timer after ${delay} ms, on a source whose blocks come as microtasks`, async () => {
      const gm = new GaussianMixture({ ...OPTIONS, maxIter: 200 });
      const { open, passes } = source(masked);
      const ac = new AbortController();
      setTimeout(() => ac.abort(), delay);
      let after = 0;
      await expectAbort(gm.fitStream(open, { signal: ac.signal, onProgress: () => {
        if (ac.signal.aborted) after++;
      } }));
      expect(after).toBeLessThanOrEqual(1);
      expect(passes.closed).toBe(passes.opened);
      expect(gm.isFitted).toBe(false);
    });
  }

  it('reading a CSV file: the file is closed after the abort', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wasm-em-abort-'));
    const file = join(dir, 'rows.csv');
    const lines: string[] = [];
    for (let i = 0; i < n; i++) lines.push(`${X[i * d]},${X[i * d + 1]}`);
    writeFileSync(file, lines.join('\n') + '\n');
    const handles = (): number => process.getActiveResourcesInfo().filter((r) => r === 'FileHandle' || r === 'FSReqCallback').length;
    const before = handles();
    try {
      for (const phase of ['scan', 'em'] as const) {
        const { gm, json } = fittedModel();
        const ac = new AbortController();
        await expectAbort(gm.fitStream(file, { signal: ac.signal, onProgress: (info) => {
          if (info.phase === phase) ac.abort();
        } }));
        expect(state(gm)).toBe(json);
        for (let t = 0; t < 50 && handles() > before; t++) await new Promise((r) => setTimeout(r, 10));
        expect(handles()).toBeLessThanOrEqual(before);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('before the call', async () => {
    const gm = new GaussianMixture(OPTIONS);
    const { open, passes } = source(masked);
    await expectAbort(gm.fitStream(open, { signal: AbortSignal.abort() }));
    expect(passes.opened).toBe(0);
  });
});

describe('worker faults reject with WorkerError, never hang, leave no worker', () => {
  async function expectWorkerError(gm: GaussianMixture, pattern: RegExp, worker?: number): Promise<void> {
    const before = gm.isFitted ? state(gm) : '';
    const e = await within(gm.fitAsync(X, { nFeatures: d, workers: 2 })).then(() => null, (err: unknown) => err);
    expect(e).toBeInstanceOf(WorkerError);
    expect((e as Error).message).toMatch(pattern);
    if (worker !== undefined) expect((e as WorkerError).worker).toBe(worker);
    expect(gm.isFitted ? state(gm) : '').toBe(before);
    expect(liveWorkers()).toBe(0);
  }

  // Regression: a `node -e` script (CommonJS, whose global __dirname is '.') importing the ESM bundle made its workers
  // load ./worker.js from the working directory: every fitAsync failed with "Cannot find module".
  it('not from a node -e script that imports the ESM bundle (workers found beside the bundle)', () => {
    const bundle = new URL('../../dist/index.js', import.meta.url).href;
    const script = `import(${JSON.stringify(bundle)}).then(async (m) => {
  const X = Array.from({ length: 9000 }, (_, i) => [Math.sin(i), Math.cos(i * 7)]);
  await new m.GaussianMixture({ nComponents: 2, seed: 1 }).fitAsync(X, { workers: 2 });
  console.log('live ' + m.liveWorkers());
}, (e) => { console.error(e); process.exit(1); });`;
    const out = execFileSync(process.execPath, ['-e', script], { cwd: tmpdir(), encoding: 'utf8', timeout: 30_000 });
    expect(out.trim()).toBe('live 0');
  });

  it('the fault hook: a worker throws', async () => {
    poolTestHooks.fault = 'throw';
    await expectWorkerError(new GaussianMixture(OPTIONS), /^worker \d of the fit threw: failure requested/);
  });

  it('the fault hook: a worker exits', async () => {
    poolTestHooks.fault = 'exit';
    await expectWorkerError(fittedModel().gm, /^worker \d of the fit exited with code 3/);
  });

  it('worker 1 calls process.exit at its third statistics request', async () => {
    setWorkerScript(EXITING);
    await expectWorkerError(fittedModel().gm, /^worker 1 of the fit exited with code 7/, 1);
  });

  it('worker 1 calls process.exit on receiving its rows (during bind)', async () => {
    setWorkerScript(EXITING);
    process.env.WASM_EM_FAULT = 'bind';
    try {
      await expectWorkerError(new GaussianMixture(OPTIONS), /^worker 1 of the fit exited with code 5/, 1);
    } finally {
      delete process.env.WASM_EM_FAULT;
    }
  });

  it('worker 1 dies of an uncaught error thrown from a timer mid-fit', async () => {
    setWorkerScript(EXITING);
    process.env.WASM_EM_FAULT = 'uncaught';
    try {
      await expectWorkerError(fittedModel().gm, /^worker 1 of the fit threw: uncaught in a timer/, 1);
    } finally {
      delete process.env.WASM_EM_FAULT;
    }
  });

  it('a fault and an abort in two fits at once: each gets its own error', async () => {
    setWorkerScript(EXITING);
    const ac = new AbortController();
    let seen = 0;
    const [a, b] = await within(Promise.all([
      new GaussianMixture(OPTIONS).fitAsync(X, { nFeatures: d, workers: 2 }).then(() => null, (e: Error) => e),
      new GaussianMixture(OPTIONS).fitAsync(X, { nFeatures: d, workers: 2, signal: ac.signal, onProgress: () => {
        if (++seen === 3) ac.abort();
      } }).then(() => null, (e: Error) => e),
    ]));
    expect(a).toBeInstanceOf(WorkerError);
    expect(b).toBeInstanceOf(AbortError);
    expect(liveWorkers()).toBe(0);
  });
});
