/**
 * The `'linear'` kernels (`assembly/discrete.ts`) against their plain-TS twin (`src/backend/js/linear.ts`), called
 * directly on a memory laid out by hand and through both backends: binary rows, counts and one-hot rows, row counts
 * around the lane width and the block size, with and without weights (including zero weights on rows holding NaN),
 * start > 0, statistics added into non-zero initial values, scratch poisoned with NaN.
 */
import { describe, expect, it } from 'vitest';
import { WASM_BLOCK_ROWS } from '../src/backend/wasm/load.js';
import { wasmBackend, wasmScratchBytes, wasmScratchBytesLinear } from '../src/backend/wasm/index.js';
import { jsBackend } from '../src/backend/js/index.js';
import { accumulateLinear, logProbLinear } from '../src/backend/js/linear.js';
import { statsLength, type KernelParams } from '../src/backend/kernel.js';
import { Harness, expectStatsClose, makeWeights, rng, type Case, type WeightMode } from './helpers/kernel-cases.js';

const B = WASM_BLOCK_ROWS;
const COUNTS = [1, 2, 3, 31, 32, 33, B - 1, B, B + 1, 101, 3 * B + 5];
const DIMS = [1, 2, 5, 16, 33];
const KS = [1, 2, 3, 8];
const START = 3;
type DataKind = 'binary' | 'counts' | 'onehot';
const DATA_KINDS: DataKind[] = ['binary', 'counts', 'onehot'];

/**
 * A random linear case: rows of 0/1, Poisson-like counts or one-hot groups of 4 columns (d rounded up to a multiple
 * of 4 for one-hot), θ the log-odds / log-rates / log-probabilities of random parameters, logConst random.
 */
function makeLinearCase(kind: DataKind, n: number, d0: number, k: number, seed: number): Case {
  const u = rng(seed);
  const d = kind === 'onehot' ? 4 * Math.ceil(d0 / 4) : d0;
  const X = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    if (kind === 'onehot') {
      for (let g = 0; g < d; g += 4) X[i * d + g + Math.floor(u() * 4)] = 1;
    } else {
      for (let j = 0; j < d; j++) X[i * d + j] = kind === 'binary' ? (u() < 0.4 ? 1 : 0) : Math.floor(-Math.log(1 - u()) * 6);
    }
  }
  const prec = new Float64Array(k * d);
  for (let p = 0; p < k * d; p++) {
    const v = 0.02 + 0.96 * u();
    prec[p] = kind === 'binary' ? Math.log(v / (1 - v)) : kind === 'counts' ? Math.log(10 * v) : Math.log(v / 2);
  }
  const logConst = Float64Array.from({ length: k }, () => -5 * u());
  return { shape: 'linear', n, d, k, X, logConst, means: new Float64Array(0), prec, precStride: d };
}

function wasmAccumulate(h: Harness, t: Case, weights: Float64Array | null, start: number, count: number,
  initial: Float64Array): Float64Array {
  const x = h.put(t.X);
  const w = weights === null ? 0 : h.put(weights);
  const lc = h.put(t.logConst);
  const th = h.put(t.prec);
  const stats = h.put(initial);
  const scratch = h.put(wasmScratchBytesLinear(t.d, t.k) / 8);
  h.kernels.accumulate_linear_f64(x, w, weights === null ? 0 : 1, start, count, t.d, t.k, lc, th, stats, scratch);
  return h.get(stats, initial.length);
}

function jsAccumulate(t: Case, weights: Float64Array | null, start: number, count: number,
  initial: Float64Array): Float64Array {
  const stats = initial.slice();
  accumulateLinear(t.X, weights, start, count, t.d, t.k, t.logConst, t.prec, stats, new Float64Array(t.k));
  return stats;
}

function wasmLogProb(h: Harness, t: Case, start: number, count: number): Float64Array {
  const x = h.put(t.X);
  const lc = h.put(t.logConst);
  const th = h.put(t.prec);
  const out = h.put(count * t.k + 2); // two sentinels past the end must stay NaN
  const scratch = h.put(wasmScratchBytesLinear(t.d, t.k) / 8);
  h.kernels.logprob_linear_f64(x, start, count, t.d, t.k, lc, th, out, scratch);
  return h.get(out, count * t.k + 2);
}

function jsLogProb(t: Case, start: number, count: number): Float64Array {
  const out = new Float64Array(count * t.k);
  logProbLinear(t.X, start, count, t.d, t.k, t.logConst, t.prec, out);
  return out;
}

function params(t: Case): KernelParams {
  return { shape: 'linear', k: t.k, d: t.d, logConst: t.logConst, means: t.means, prec: t.prec, precStride: t.d };
}

describe.each(DATA_KINDS)('linear kernels on %s rows match the TS twin', (kind) => {
  for (const d of DIMS) {
    for (const k of KS) {
      it(`d=${d}, k=${k}`, () => {
        const h = new Harness();
        let seed = 1000 * d + 10 * k + DATA_KINDS.indexOf(kind);
        for (const count of COUNTS) {
          const what = `${kind} d=${d} k=${k} count=${count}`;
          const t = makeLinearCase(kind, START + count + 2, d, k, ++seed);
          // Same operations in the same order: the log-densities agree to the bit.
          const lp = wasmLogProb(h, t, START, count);
          expect(Array.from(lp.subarray(0, count * k)), `${what} logprob`).toEqual(Array.from(jsLogProb(t, START, count)));
          expect(Number.isNaN(lp[count * k]!) && Number.isNaN(lp[count * k + 1]!), `${what}: wrote past count×k`).toBe(true);
          for (const mode of ['none', 'weights', 'zeros'] as WeightMode[]) {
            const weights = makeWeights(mode, t, ++seed);
            const u = rng(++seed);
            const initial = Float64Array.from({ length: statsLength('linear', t.d, k) }, () => u() - 0.5);
            const want = jsAccumulate(t, weights, START, count, initial);
            const got = wasmAccumulate(h, t, weights, START, count, initial);
            expectStatsClose(got, want, 'linear', t.d, k, 1e-12, `${what} weights=${mode}`);
          }
        }
      });
    }
  }
});

describe('linear kernels through the backends', () => {
  it('wasm (resident and streamed) and js give the same statistics and log-densities', () => {
    const t = makeLinearCase('counts', 3 * 4096 + 77, 7, 5, 42);
    const weights = Float64Array.from({ length: t.n }, (_, i) => (i % 11 === 0 ? 0 : 1 + (i % 3)));
    const length = statsLength('linear', t.d, t.k);
    const run = (bound: ReturnType<typeof jsBackend.bind>): { stats: Float64Array; lp: Float64Array } => {
      bound.setParams(params(t));
      const stats = new Float64Array(length);
      for (let s = 0; s < t.n; s += 4096) bound.accumulate(s, Math.min(4096, t.n - s), stats);
      const lp = new Float64Array(t.n * t.k);
      bound.logProb(0, t.n, lp);
      bound.dispose();
      return { stats, lp };
    };
    const js = run(jsBackend.bind(t.X, t.n, t.d, weights));
    const resident = run(wasmBackend().bind(t.X, t.n, t.d, weights));
    const streamed = run(wasmBackend().bind(t.X, t.n, t.d, weights, { maxResidentBytes: 1024 }));
    expectStatsClose(resident.stats, js.stats, 'linear', t.d, t.k, 1e-12, 'resident');
    expect(Array.from(streamed.stats)).toEqual(Array.from(resident.stats));
    expect(Array.from(resident.lp)).toEqual(Array.from(js.lp));
    expect(Array.from(streamed.lp)).toEqual(Array.from(js.lp));
  });

  it("float32 rows with the 'linear' shape are a clear error on both backends", () => {
    const t = makeLinearCase('binary', 10, 3, 2, 7);
    for (const backend of [jsBackend, wasmBackend()]) {
      const bound = backend.bind(Float32Array.from(t.X), t.n, t.d, null);
      expect(() => bound.setParams(params(t))).toThrow(/float64 rows only/);
      bound.dispose();
    }
  });

  it('scratch size formula: planes of B rows, pair offsets, then two-lane accumulators per component', () => {
    expect(wasmScratchBytesLinear(16, 8)).toBe(8 * B * (16 + 8 + 1) + 2 * B + 16 * 8 * (1 + 16));
    expect(wasmScratchBytes('linear', 5, 3)).toBe(wasmScratchBytesLinear(5, 3));
    expect(statsLength('linear', 5, 3)).toBe(3 * 6 + 2);
  });
});
