/**
 * Aborting a fit takes effect at once at any stage, including while the starts are computed (k-means++ with many
 * components on many rows took seconds on the calling thread); the signal's own reason is what the fit rejects with;
 * and `fitAsync` reads its data when it is called, so that a change to the caller's arrays afterwards does not reach
 * the model. Latency bounds are generous (1 s for a target of 200 ms on a busy machine); the figures are logged.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AbortError, BernoulliMixture, GaussianHMM, GaussianMixture, wasmMemoryBytes } from '../src/index.js';
import { setWorkerScript } from '../src/parallel/platform.js';

const WORKER = new URL('../dist/worker.js', import.meta.url);
beforeAll(() => {
  expect(existsSync(WORKER), 'dist/worker.js: run npm run build').toBe(true);
  setWorkerScript(WORKER);
});
afterAll(() => setWorkerScript(null));

/** n×d values from a seeded linear congruential stream, in 8 loose clusters. */
function rows(n: number, d: number, seed: number): Float64Array {
  const X = new Float64Array(n * d);
  let s = seed >>> 0;
  const u = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  for (let i = 0; i < n; i++) {
    const c = i % 8;
    for (let j = 0; j < d; j++) X[i * d + j] = c * ((j % 3) + 1) + u() * 2;
  }
  return X;
}

function within<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/**
 * The time from when `abort()` was due (`arm` calls `abortIn(ms)` when it chooses) to the rejection of `fit`, and what
 * it rejected with. Measured from when the timer was due, not from when it ran: a thread blocked by the fit delays
 * the timer itself, which is the latency a caller sees.
 */
async function latency(fit: (signal: AbortSignal) => Promise<unknown>, arm: (abortIn: (ms: number) => void) => void,
  reason?: unknown): Promise<{ ms: number; error: unknown }> {
  const ac = new AbortController();
  let due = -1;
  arm((ms) => {
    if (due >= 0) return;
    due = performance.now() + ms;
    if (ms === 0) ac.abort(reason);
    else setTimeout(() => ac.abort(reason), ms);
  });
  const error = await within(fit(ac.signal).then(() => null, (e: unknown) => e), 60_000);
  return { ms: due < 0 ? NaN : performance.now() - due, error };
}

describe('abort during the starts (k-means++ on 100 000 rows of 32 features, 64 components)', () => {
  const n = 200_000;
  const d = 32;
  const X = rows(n, d, 1);
  // Diagonal covariances on the wasm kernels: an EM iteration takes a fraction of a second, a start seconds, so that
  // most of the fit's time is spent in its starts.
  const options = { nComponents: 64, covarianceType: 'diag' as const, seed: 1, initCandidates: 4, maxIter: 3 };

  it('fitAsync rejects within 1 s (target 200 ms)', async () => {
    const { ms, error } = await latency(
      (signal) => new GaussianMixture(options).fitAsync(X, { nFeatures: d, workers: 1, signal }),
      // Validation and the workers' start take a few hundred milliseconds; then the starts take seconds each.
      (abortIn) => abortIn(2000));
    console.log(`fitAsync: rejected ${ms.toFixed(1)} ms after abort() during the starts`);
    expect(error).toBeInstanceOf(AbortError);
    expect(ms).toBeLessThan(1000);
  }, 60_000);

  it('fitAsync from given means rejects within 1 s and releases the rows its start bound', async () => {
    // The start assigns the rows to the given means on the kernels, block by block; an abort between blocks ends it.
    const means = Array.from({ length: 64 }, (_, c) => Array.from(X.subarray(c * 997 * d, (c * 997 + 1) * d)));
    const { ms, error } = await latency(
      (signal) => new GaussianMixture({ ...options, init: { means } }).fitAsync(X, { nFeatures: d, workers: 1, signal }),
      (abortIn) => abortIn(300));
    console.log(`fitAsync from given means: rejected ${ms.toFixed(1)} ms after abort()`);
    expect(error).toBeInstanceOf(AbortError);
    expect(ms).toBeLessThan(1000);
    expect(wasmMemoryBytes()).toBe(0);
  }, 60_000);

  it('a Bernoulli mixture\'s fitAsync rejects within 1 s (target 200 ms)', async () => {
    // Each row's bits: its cluster's pattern with a random fraction flipped (the fractional part of the values).
    const B = Float64Array.from(X, (v, p) => (((p % d) + Math.floor(p / d)) % 8 < 4) !== (v % 1 < 0.2) ? 1 : 0);
    const { ms, error } = await latency(
      (signal) => new BernoulliMixture({ nComponents: 64, seed: 1, nInit: 4, maxIter: 3 })
        .fitAsync({ data: B, rows: n, cols: d }, { workers: 1, signal }),
      (abortIn) => abortIn(2000));
    console.log(`BernoulliMixture.fitAsync: rejected ${ms.toFixed(1)} ms after abort() during the starts`);
    expect(error).toBeInstanceOf(AbortError);
    expect(ms).toBeLessThan(1000);
  }, 60_000);

  it('fitStream rejects within 1 s (target 200 ms)', async () => {
    const source = function* () {
      for (let i = 0; i < n; i += 10_000) yield { data: X.subarray(i * d, (i + 10_000) * d), rows: 10_000, cols: d };
    };
    let armed = false;
    const { ms, error } = await latency(
      (signal) => new GaussianMixture(options).fitStream(source, { signal, onProgress: (p) => {
        // Once the sample of the first start is gathered, k-means++ runs on it.
        if (!armed && p.phase === 'init' && p.rowsSeen === n) {
          armed = true;
          abortNow(100);
        }
      } }),
      (abortIn) => {
        abortNow = abortIn;
      });
    console.log(`fitStream: rejected ${ms.toFixed(1)} ms after abort() during the starts`);
    expect(armed).toBe(true);
    expect(error).toBeInstanceOf(AbortError);
    expect(ms).toBeLessThan(1000);
  }, 60_000);
});

describe('an HMM\'s fitAsync: abort within its starts and between the sequences of an E-step', () => {
  // k-means on 100 000 of 200 000 observations of 32 features with 64 states takes seconds on the calling thread.
  const n = 200_000;
  const d = 32;
  const X = rows(n, d, 2);

  it('during the k-means start: rejects within 1 s (target 200 ms)', async () => {
    let iterations = 0;
    const { ms, error } = await latency(
      (signal) => new GaussianHMM({ nStates: 64, covarianceType: 'diag', seed: 1, maxIter: 2 })
        .fitAsync({ data: X, rows: n, cols: d }, { signal, onIteration: () => { iterations++; } }),
      (abortIn) => abortIn(300));
    console.log(`GaussianHMM.fitAsync: rejected ${ms.toFixed(1)} ms after abort() during the starts`);
    expect(error).toBeInstanceOf(AbortError);
    expect(iterations).toBe(0);
    expect(ms).toBeLessThan(1000);
  }, 60_000);

  it('during an E-step over many sequences: rejects within 1 s (target 200 ms)', async () => {
    // 10 000 sequences of 100 observations, 128 states from given means: one E-step takes seconds, the abort comes
    // 1.5 s after the call, within the first one (it used to be seen only before the next E-step).
    const m = 1_000_000;
    const K = 128;
    const Y = rows(m, 4, 3);
    const means = Array.from({ length: K }, (_, c) => [0, 1, 2, 3].map((j) => (c % 8) * (j + 1) + Math.floor(c / 8) / 4));
    const lengths = new Array<number>(m / 100).fill(100);
    let iterations = 0;
    const { ms, error } = await latency(
      (signal) => new GaussianHMM({ nStates: K, covarianceType: 'diag', seed: 1, maxIter: 5, tol: 0, means, init: 'stc' })
        .fitAsync({ data: Y, rows: m, cols: 4 }, { lengths, signal, onIteration: () => { iterations++; } }),
      // Validation and the copy of the rows take a few hundred milliseconds on a busy machine; the E-step seconds.
      (abortIn) => abortIn(1500));
    console.log(`GaussianHMM.fitAsync: rejected ${ms.toFixed(1)} ms after abort() within an E-step (${iterations} iterations done)`);
    expect(error).toBeInstanceOf(AbortError);
    expect(iterations).toBe(0);
    expect(ms).toBeLessThan(1000);
  }, 60_000);
});
let abortNow: (ms: number) => void = () => undefined;

describe('the signal\'s reason is what an aborted fit rejects with', () => {
  const n = 9000;
  const d = 2;
  const X = rows(n, d, 2);
  const reason = new Error('the user closed the tab');

  it('fitAsync, fitStream, a discrete mixture\'s and an HMM\'s fitAsync', async () => {
    const gm = (signal: AbortSignal, onIteration: () => void) =>
      new GaussianMixture({ nComponents: 2, seed: 1, maxIter: 100, tol: 0 })
        .fitAsync(X, { nFeatures: d, workers: 1, signal, onIteration });
    const stream = (signal: AbortSignal, onIteration: () => void) =>
      new GaussianMixture({ nComponents: 2, seed: 1, maxIter: 100, tol: 0 })
        .fitStream(() => [{ data: X, rows: n, cols: d }], { signal, onIteration });
    const B = Float64Array.from(X, (v) => (v > 2 ? 1 : 0));
    const bm = (signal: AbortSignal, onIteration: () => void) =>
      new BernoulliMixture({ nComponents: 2, seed: 1, maxIter: 100, tol: 0 })
        .fitAsync({ data: B, rows: n, cols: d }, { workers: 1, signal, onIteration });
    const hmm = (signal: AbortSignal, onIteration: () => void) =>
      new GaussianHMM({ nStates: 2, seed: 1, maxIter: 100, tol: 0 }).fitAsync({ data: X, rows: n, cols: d }, { signal, onIteration });
    for (const fit of [gm, stream, bm, hmm]) {
      let abort: (ms: number) => void = () => undefined;
      const { error } = await latency((signal) => fit(signal, () => abort(0)), (a) => {
        abort = a;
      }, reason);
      expect(error).toBe(reason);
    }
    // Without a reason: an AbortError, as before.
    const { error } = await latency((signal) => gm(signal, () => undefined), (a) => a(1));
    expect(error).toBeInstanceOf(AbortError);
  }, 60_000);
});

describe('fitAsync reads its arguments when called', () => {
  const n = 5000;
  const d = 2;
  const X = rows(n, d, 3);
  const weights = Float64Array.from({ length: n }, (_, i) => 1 + (i % 3));

  it('a Gaussian mixture: X and sampleWeight changed right after the call', async () => {
    const options = { nComponents: 3, seed: 4, maxIter: 30 };
    const expected = JSON.stringify(new GaussianMixture(options).fit(X, { nFeatures: d, sampleWeight: weights }).toJSON());
    for (const form of ['flat', 'matrix', 'rows'] as const) {
      const data = X.slice();
      const w = Array.from(weights);
      const nested = form === 'rows' ? Array.from({ length: n }, (_, i) => Array.from(data.subarray(i * d, (i + 1) * d))) : null;
      const input = form === 'flat' ? data : form === 'matrix' ? { data, rows: n, cols: d } : nested!;
      const p = new GaussianMixture(options).fitAsync(input, { nFeatures: form === 'flat' ? d : undefined, sampleWeight: w, workers: 2 });
      data.fill(7);
      nested?.forEach((r) => r.fill(7));
      w.fill(1);
      expect(JSON.stringify((await p).toJSON()), form).toBe(expected);
    }
  }, 60_000);

  it('a discrete mixture and an HMM', async () => {
    const B = Float64Array.from(X, (v) => (v > 2 ? 1 : 0));
    const bOptions = { nComponents: 2, seed: 1, maxIter: 30 };
    const bExpected = JSON.stringify(new BernoulliMixture(bOptions).fit({ data: B, rows: n, cols: d }).toJSON());
    const b = B.slice();
    const bp = new BernoulliMixture(bOptions).fitAsync({ data: b, rows: n, cols: d }, { workers: 1 });
    b.fill(0);
    expect(JSON.stringify((await bp).toJSON())).toBe(bExpected);

    const hOptions = { nStates: 2, seed: 1, maxIter: 10, backend: 'js' as const };
    const lengths = [2000, 3000];
    const hExpected = JSON.stringify(new GaussianHMM(hOptions).fit({ data: X, rows: n, cols: d }, { lengths }).toJSON());
    const h = X.slice();
    const hl = lengths.slice();
    const hp = new GaussianHMM(hOptions).fitAsync({ data: h, rows: n, cols: d }, { lengths: hl });
    h.fill(3);
    hl[0] = 1000;
    hl[1] = 4000;
    expect(JSON.stringify((await hp).toJSON())).toBe(hExpected);
  }, 60_000);
});
