/**
 * The WASM kernels against their plain-TS twins, called directly on a memory laid out by hand: every shape (full,
 * tied = full with precStride 0, diag, spherical-like diag), row counts around the lane width and the block size,
 * with and without weights (including zero weights on rows holding NaN), start > 0, data offset by 1e6, statistics
 * added into non-zero initial values, and scratch poisoned with NaN.
 */
import { describe, expect, it } from 'vitest';
import { WASM_BLOCK_ROWS } from '../src/backend/wasm/load.js';
import { s2Tiles, wasmScratchBytes } from '../src/backend/wasm/index.js';
import { accumulateGaussFull, logProbGaussFull } from '../src/backend/js/gaussian-full.js';
import { accumulateGaussDiag, logProbGaussDiag } from '../src/backend/js/gaussian-diag.js';
import { componentStatsLength, statsLength } from '../src/backend/kernel.js';
import {
  Harness, KINDS, expectStatsClose, makeCase, makeWeights, normal, rng, type Case, type WeightMode,
} from './helpers/kernel-cases.js';

const B = WASM_BLOCK_ROWS;
const COUNTS = [1, 2, 3, B - 1, B, B + 1, 3 * B + 5];
const DIMS = [1, 2, 3, 4, 5, 16];
const KS = [1, 3, 7];
const START = 3;

function wasmAccumulate(h: Harness, t: Case, weights: Float64Array | null, start: number, count: number,
  initial: Float64Array): Float64Array {
  const x = h.put(t.X);
  const w = weights === null ? 0 : h.put(weights);
  const lc = h.put(t.logConst);
  const mu = h.put(t.means);
  const pr = h.put(t.prec);
  const stats = h.put(initial);
  const scratch = h.put(wasmScratchBytes(t.shape, t.d, t.k) / 8);
  const hw = weights === null ? 0 : 1;
  if (t.shape === 'full') {
    h.kernels.accumulate_gauss_full_f64(x, w, hw, start, count, t.d, t.k, lc, mu, pr, t.precStride, stats, scratch);
  } else {
    h.kernels.accumulate_gauss_diag_f64(x, w, hw, start, count, t.d, t.k, lc, mu, pr, stats, scratch);
  }
  return h.get(stats, initial.length);
}

function jsAccumulate(t: Case, weights: Float64Array | null, start: number, count: number,
  initial: Float64Array): Float64Array {
  const stats = initial.slice();
  const lp = new Float64Array(t.k);
  if (t.shape === 'full') {
    accumulateGaussFull(t.X, weights, start, count, t.d, t.k, t.logConst, t.means, t.prec, t.precStride, stats, lp,
      new Float64Array(t.d));
  } else {
    accumulateGaussDiag(t.X, weights, start, count, t.d, t.k, t.logConst, t.means, t.prec, stats, lp);
  }
  return stats;
}

function wasmLogProb(h: Harness, t: Case, start: number, count: number): Float64Array {
  const x = h.put(t.X);
  const lc = h.put(t.logConst);
  const mu = h.put(t.means);
  const pr = h.put(t.prec);
  const out = h.put(count * t.k + 2); // two sentinels past the end must stay NaN
  const scratch = h.put(wasmScratchBytes(t.shape, t.d, t.k) / 8);
  if (t.shape === 'full') {
    h.kernels.logprob_gauss_full_f64(x, start, count, t.d, t.k, lc, mu, pr, t.precStride, out, scratch);
  } else {
    h.kernels.logprob_gauss_diag_f64(x, start, count, t.d, t.k, lc, mu, pr, out, scratch);
  }
  return h.get(out, count * t.k + 2);
}

function jsLogProb(t: Case, start: number, count: number): Float64Array {
  const out = new Float64Array(count * t.k);
  if (t.shape === 'full') {
    logProbGaussFull(t.X, start, count, t.d, t.k, t.logConst, t.means, t.prec, t.precStride, out,
      new Float64Array(t.d));
  } else {
    logProbGaussDiag(t.X, start, count, t.d, t.k, t.logConst, t.means, t.prec, out);
  }
  return out;
}


function expectLogProbClose(got: Float64Array, want: Float64Array, what: string): void {
  for (let i = 0; i < want.length; i++) {
    const err = Math.abs(got[i]! - want[i]!);
    if (!(err <= 1e-12 * Math.abs(want[i]!))) expect.fail(`${what}: out[${i}] = ${got[i]}, expected ${want[i]}`);
  }
  expect(Number.isNaN(got[want.length]!) && Number.isNaN(got[want.length + 1]!), `${what}: wrote past count×k`)
    .toBe(true);
}


describe.each(KINDS)('%s kernels match the TS twin', (kind) => {
  for (const d of DIMS) {
    for (const k of KS) {
      it(`d=${d}, k=${k}`, () => {
        const h = new Harness();
        let seed = 1000 * d + 10 * k + KINDS.indexOf(kind);
        for (const count of COUNTS) {
          for (const offset of [0, 1e6]) {
            const what = `${kind} d=${d} k=${k} count=${count} offset=${offset}`;
            const t = makeCase(kind, START + count + 2, d, k, offset, ++seed);
            expectLogProbClose(wasmLogProb(h, t, START, count), jsLogProb(t, START, count), `${what} logprob`);
            for (const mode of ['none', 'weights', 'zeros'] as WeightMode[]) {
              const weights = makeWeights(mode, t, ++seed);
              const u = rng(++seed);
              const initial = Float64Array.from({ length: statsLength(t.shape, d, k) }, () => u() - 0.5);
              const want = jsAccumulate(t, weights, START, count, initial);
              const got = wasmAccumulate(h, t, weights, START, count, initial);
              expectStatsClose(got, want, t.shape, d, k, 1e-9, `${what} weights=${mode}`);
            }
          }
        }
      });
    }
  }
});

describe('kernel edge cases', () => {
  it('count 0 adds nothing but zeros', () => {
    const h = new Harness();
    for (const kind of KINDS) {
      const t = makeCase(kind, 5, 3, 2, 0, 7);
      const initial = Float64Array.from({ length: statsLength(t.shape, 3, 2) }, (_, i) => i + 0.5);
      expect(Array.from(wasmAccumulate(h, t, null, 2, 0, initial))).toEqual(Array.from(initial));
      const out = wasmLogProb(h, t, 2, 0);
      expect(out.every(Number.isNaN)).toBe(true);
    }
  });

  it('a block whose rows all have weight 0 contributes nothing', () => {
    const h = new Harness();
    const t = makeCase('full', 3 * B + 7, 4, 3, 0, 11);
    const weights = new Float64Array(t.n);
    weights[0] = 1.5; // one row before, a run of more than a block of zero weights, one row after
    weights[t.n - 1] = 0.5;
    for (let i = 1; i < t.n - 1; i++) t.X[i * 4 + 1] = NaN;
    const initial = new Float64Array(statsLength('full', 4, 3));
    const got = wasmAccumulate(h, t, weights, 0, t.n, initial);
    const want = jsAccumulate(t, weights, 0, t.n, initial);
    expectStatsClose(got, want, 'full', 4, 3, 1e-12, 'zero-weight run');
    expect(got[got.length - 1]).toBe(2);
  });

  it('log-densities are bit-identical to the twin (same operations in the same order)', () => {
    const h = new Harness();
    for (const kind of KINDS) {
      const t = makeCase(kind, 3 * B + 5, 16, 7, 1e6, 99);
      const got = wasmLogProb(h, t, 0, t.n).subarray(0, t.n * 7);
      expect(Array.from(got)).toEqual(Array.from(jsLogProb(t, 0, t.n)));
    }
  });

  it('responsibilities over the whole range of exp: gaps from 0 to 800 nats, and exactly 0 beyond 52·ln 2', () => {
    // d = 1, two components with the same mean and precisions 1 and 2: lp_0 − lp_1 = x²/2 − log(2)/2 grows with x.
    const h = new Harness();
    const n = 201;
    const X = Float64Array.from({ length: n }, (_, i) => (i / (n - 1)) * 40);
    const prec = Float64Array.of(1, Math.SQRT2);
    const logConst = Float64Array.of(Math.log(0.5) - 0.5 * Math.log(2 * Math.PI), Math.log(0.5) - 0.5 * Math.log(2 * Math.PI) + Math.log(Math.SQRT2));
    const t: Case = { shape: 'diag', n, d: 1, k: 2, X, logConst, means: Float64Array.of(0, 0), prec, precStride: 1 };
    let flushed = 0;
    let kept = 0;
    for (let i = 0; i < n; i++) {
      const zero = new Float64Array(statsLength('diag', 1, 2));
      const got = wasmAccumulate(h, t, null, i, 1, zero);
      const want = jsAccumulate(t, null, i, 1, zero);
      const gap = 0.5 * X[i]! ** 2 - Math.log(Math.SQRT2);
      const r1 = got[componentStatsLength('diag', 1)]!;
      if (gap > 52 * Math.LN2 + 1e-9) {
        // Both flush on the same argument (the log-densities agree to the bit).
        expect(r1, `row ${i}, gap ${gap}`).toBe(0);
        expect(want[componentStatsLength('diag', 1)], `row ${i}, gap ${gap}`).toBe(0);
        flushed++;
      } else if (gap < 52 * Math.LN2 - 1e-9) {
        // Relative error: a few ulp of exp, plus the rounding of its argument (ulp of lp, up to ~1e-13 at 800 nats).
        const r1Twin = want[componentStatsLength('diag', 1)]!;
        expect(Math.abs(r1 - r1Twin), `row ${i}, gap ${gap}`).toBeLessThanOrEqual(1e-15 * (8 + gap) * r1Twin);
        expect(r1).toBeGreaterThan(0);
        kept++;
      }
      expect(Math.abs(got[got.length - 2]! - want[want.length - 2]!)).toBeLessThanOrEqual(1e-15 * Math.abs(want[want.length - 2]!));
    }
    expect(flushed).toBeGreaterThan(10);
    expect(kept).toBeGreaterThan(10);
  });

  it.each(['full', 'diag'] as const)(
    '%s: blocks that switch between mostly flushed and all-live exponentials, and full and partial stages, match the twin',
    (shape) => {
      // k = 8 unit Gaussians 60 apart on a circle (in the first two of d = 12 features, so that full statistics go
      // through the stages). Blocks of rows near the centres, 8 rows in turn near each (7 of 8 exponentials flushed:
      // the kernel then tests each row pair before its exp) alternate with blocks of rows at the centre of the circle (every exponential
      // live: it takes them all), so the kernel changes path several times in one call.
      const d = 12;
      const k = 8;
      const u = rng(77);
      const means = new Float64Array(k * d);
      for (let c = 0; c < k; c++) {
        means[c * d] = 60 * Math.cos((2 * Math.PI * c) / k);
        means[c * d + 1] = 60 * Math.sin((2 * Math.PI * c) / k);
      }
      const blocks = [0, 0, 1, 0, 1, 1, 0, 0, 0, 1, 0];
      const n = blocks.length * B + 13;
      const X = new Float64Array(n * d);
      for (let i = 0; i < n; i++) {
        const near = blocks[Math.floor(i / B)] !== 1;
        const c = Math.floor(i / 8) % k;
        for (let j = 0; j < d; j++) X[i * d + j] = (near ? means[c * d + j]! : 0) + normal(u);
      }
      const prec = new Float64Array(shape === 'full' ? k * d * d : k * d);
      for (let c = 0; c < k; c++) {
        for (let j = 0; j < d; j++) prec[shape === 'full' ? c * d * d + j * d + j : c * d + j] = 1;
      }
      const logConst = new Float64Array(k).fill(Math.log(1 / k) - (d / 2) * Math.log(2 * Math.PI));
      const t: Case = { shape, n, d, k, X, logConst, means, prec, precStride: shape === 'full' ? d * d : d };
      const h = new Harness();
      const zero = new Float64Array(statsLength(shape, d, k));
      for (const [start, count] of [[0, n], [5, n - 5], [B - 3, 2 * B + 7]] as const) {
        const got = wasmAccumulate(h, t, null, start, count, zero);
        const want = jsAccumulate(t, null, start, count, zero);
        expectStatsClose(got, want, shape, d, k, 1e-12, `${shape} rows ${start}+${count}`);
      }
    },
  );

  it('scratch size formula: planes of B rows, two-lane accumulators per component, full: a stage per component', () => {
    // d = 16: row pairs a = 0, 2, …, 14 start ⌈(16 − a)/4⌉ = 4, 4, 3, 3, 2, 2, 1, 1 tiles.
    expect(s2Tiles(16)).toBe(20);
    expect(s2Tiles(1)).toBe(1);
    expect(wasmScratchBytes('full', 16, 16))
      .toBe(8 * B * (3 * 16 + 16 + 9) + 4 * B + 16 * 16 * (1 + 16 + 8 * 20) + 8 * B * 16 * 17 + 4 * 16);
    expect(wasmScratchBytes('diag', 5, 3)).toBe(8 * B * (5 + 3 + 1) + 2 * B + 16 * 3 * (1 + 2 * 5));
  });
});
