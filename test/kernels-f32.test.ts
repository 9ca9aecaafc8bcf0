/**
 * The float32 WASM kernels against their plain-TS twins (and, more loosely, against the f64 twins on the same rounded
 * data), called directly on a memory laid out by hand: every shape, row counts around the f32x4 lane width, the
 * 16-row tile and the block size, d = 1, k = 1, with and without weights (zero weights on rows holding NaN), start > 0,
 * statistics added into non-zero initial values, and scratch poisoned with NaN.
 */
import { describe, expect, it } from 'vitest';
import { WASM_BLOCK_ROWS } from '../src/backend/wasm/load.js';
import { wasmScratchBytesF32 } from '../src/backend/wasm/index.js';
import { accumulateGaussFullF32, logProbGaussFullF32 } from '../src/backend/js/gaussian-full-f32.js';
import { accumulateGaussDiagF32, logProbGaussDiagF32 } from '../src/backend/js/gaussian-diag-f32.js';
import { accumulateGaussFull } from '../src/backend/js/gaussian-full.js';
import { accumulateGaussDiag } from '../src/backend/js/gaussian-diag.js';
import { statsLength, type KernelParams } from '../src/backend/kernel.js';
import { jsBackend } from '../src/backend/js/index.js';
import { wasmBackend } from '../src/backend/wasm/index.js';
import { accumulateAll } from '../src/em/driver.js';
import {
  Harness, KINDS, expectStatsClose, makeCase, makeWeights, rng, type Case, type WeightMode,
} from './helpers/kernel-cases.js';

const B = WASM_BLOCK_ROWS;
const COUNTS = [1, 3, 4, 5, 15, 16, 17, B, B + 1, 3 * B + 5, 40 * B + 7];
const DIMS = [1, 2, 3, 4, 5, 16];
const KS = [1, 3, 7];
const START = 3;

/** A case with its data rounded to float32. */
interface Case32 extends Case {
  readonly X32: Float32Array;
}

function toCase32(t: Case): Case32 {
  return { ...t, X32: Float32Array.from(t.X) };
}

function wasmAccumulate32(h: Harness, t: Case32, weights: Float64Array | null, start: number, count: number,
  initial: Float64Array): Float64Array {
  const x = h.putF32(t.X32);
  const w = weights === null ? 0 : h.put(weights);
  const lc = h.put(t.logConst);
  const mu = h.put(t.means);
  const pr = h.put(t.prec);
  const stats = h.put(initial);
  const scratch = h.put(Math.ceil(wasmScratchBytesF32(t.shape, t.d, t.k) / 8));
  const hw = weights === null ? 0 : 1;
  if (t.shape === 'full') {
    h.kernels.accumulate_gauss_full_f32(x, w, hw, start, count, t.d, t.k, lc, mu, pr, t.precStride, stats, scratch);
  } else {
    h.kernels.accumulate_gauss_diag_f32(x, w, hw, start, count, t.d, t.k, lc, mu, pr, stats, scratch);
  }
  return h.get(stats, initial.length);
}

function jsAccumulate32(t: Case32, weights: Float64Array | null, start: number, count: number,
  initial: Float64Array): Float64Array {
  const stats = initial.slice();
  const lp = new Float64Array(t.k);
  const r = new Float32Array(t.k);
  const means = Float32Array.from(t.means);
  const prec = Float32Array.from(t.prec);
  if (t.shape === 'full') {
    accumulateGaussFullF32(t.X32, weights, start, count, t.d, t.k, t.logConst, means, prec, t.precStride, stats, lp, r,
      new Float32Array(t.d));
  } else {
    accumulateGaussDiagF32(t.X32, weights, start, count, t.d, t.k, t.logConst, means, prec, stats, lp, r);
  }
  return stats;
}

/** The f64 twin on the f32-rounded data: the statistics the f32 kernels approximate. */
function jsAccumulate64(t: Case32, weights: Float64Array | null, start: number, count: number,
  initial: Float64Array): Float64Array {
  const stats = initial.slice();
  const X = Float64Array.from(t.X32);
  const lp = new Float64Array(t.k);
  if (t.shape === 'full') {
    accumulateGaussFull(X, weights, start, count, t.d, t.k, t.logConst, t.means, t.prec, t.precStride, stats, lp,
      new Float64Array(t.d));
  } else {
    accumulateGaussDiag(X, weights, start, count, t.d, t.k, t.logConst, t.means, t.prec, stats, lp);
  }
  return stats;
}

function wasmLogProb32(h: Harness, t: Case32, start: number, count: number): Float64Array {
  const x = h.putF32(t.X32);
  const lc = h.put(t.logConst);
  const mu = h.put(t.means);
  const pr = h.put(t.prec);
  const out = h.put(count * t.k + 2); // two sentinels past the end must stay NaN
  const scratch = h.put(Math.ceil(wasmScratchBytesF32(t.shape, t.d, t.k) / 8));
  if (t.shape === 'full') {
    h.kernels.logprob_gauss_full_f32(x, start, count, t.d, t.k, lc, mu, pr, t.precStride, out, scratch);
  } else {
    h.kernels.logprob_gauss_diag_f32(x, start, count, t.d, t.k, lc, mu, pr, out, scratch);
  }
  return h.get(out, count * t.k + 2);
}

function jsLogProb32(t: Case32, start: number, count: number): Float64Array {
  const out = new Float64Array(count * t.k);
  const means = Float32Array.from(t.means);
  const prec = Float32Array.from(t.prec);
  if (t.shape === 'full') {
    logProbGaussFullF32(t.X32, start, count, t.d, t.k, t.logConst, means, prec, t.precStride, out,
      new Float32Array(t.d));
  } else {
    logProbGaussDiagF32(t.X32, start, count, t.d, t.k, t.logConst, means, prec, out);
  }
  return out;
}

function expectLogProbClose(got: Float64Array, want: Float64Array, rtol: number, what: string): void {
  for (let i = 0; i < want.length; i++) {
    const err = Math.abs(got[i]! - want[i]!);
    if (!(err <= rtol * Math.abs(want[i]!))) expect.fail(`${what}: out[${i}] = ${got[i]}, expected ${want[i]}`);
  }
  expect(Number.isNaN(got[want.length]!) && Number.isNaN(got[want.length + 1]!), `${what}: wrote past count×k`)
    .toBe(true);
}

describe.each(KINDS)('%s f32 kernels match the f32 TS twin', (kind) => {
  for (const d of DIMS) {
    for (const k of KS) {
      it(`d=${d}, k=${k}`, () => {
        const h = new Harness();
        let seed = 5000 + 1000 * d + 10 * k + KINDS.indexOf(kind);
        for (const count of COUNTS) {
          for (const offset of [0, 100]) {
            const what = `${kind} d=${d} k=${k} count=${count} offset=${offset}`;
            const base = makeCase(kind, START + count + 2, d, k, offset, ++seed);
            const t0 = toCase32(base);
            expectLogProbClose(wasmLogProb32(h, t0, START, count), jsLogProb32(t0, START, count), 1e-5,
              `${what} logprob`);
            for (const mode of ['none', 'weights', 'zeros'] as WeightMode[]) {
              const weights = makeWeights(mode, base, ++seed);
              const t = toCase32(base);
              const u = rng(++seed);
              const initial = Float64Array.from({ length: statsLength(t.shape, d, k) }, () => u() - 0.5);
              const got = wasmAccumulate32(h, t, weights, START, count, initial);
              expectStatsClose(got, jsAccumulate32(t, weights, START, count, initial), t.shape, d, k, 1e-6,
                `${what} weights=${mode}`);
              if (mode !== 'zeros') {
                expectStatsClose(got, jsAccumulate64(t, weights, START, count, initial), t.shape, d, k, 1e-3,
                  `${what} weights=${mode} against f64`);
              }
            }
          }
        }
      });
    }
  }
});

describe('f32 kernel edge cases', () => {
  it('log-densities are bit-identical to the twin (same f32 operations in the same order)', () => {
    const h = new Harness();
    for (const kind of KINDS) {
      const t = toCase32(makeCase(kind, 3 * B + 5, 16, 7, 0, 199));
      const got = wasmLogProb32(h, t, 0, t.n).subarray(0, t.n * 7);
      expect(Array.from(got)).toEqual(Array.from(jsLogProb32(t, 0, t.n)));
    }
  });

  it('count 0 adds nothing; a run of zero-weight rows longer than a block contributes nothing', () => {
    const h = new Harness();
    for (const kind of KINDS) {
      const t = toCase32(makeCase(kind, 5, 3, 2, 0, 7));
      const initial = Float64Array.from({ length: statsLength(t.shape, 3, 2) }, (_, i) => i + 0.5);
      expect(Array.from(wasmAccumulate32(h, t, null, 2, 0, initial))).toEqual(Array.from(initial));
    }
    const base = makeCase('full', 3 * B + 7, 4, 3, 0, 11);
    const weights = new Float64Array(base.n);
    weights[0] = 1.5;
    weights[base.n - 1] = 0.5;
    for (let i = 1; i < base.n - 1; i++) base.X[i * 4 + 1] = NaN;
    const t = toCase32(base);
    const initial = new Float64Array(statsLength('full', 4, 3));
    const got = wasmAccumulate32(h, t, weights, 0, t.n, initial);
    expectStatsClose(got, jsAccumulate32(t, weights, 0, t.n, initial), 'full', 4, 3, 1e-6, 'zero-weight run');
    expect(got[got.length - 1]).toBe(2);
  });

  it('a component more than 60 below the best gets a responsibility of exactly 0', () => {
    const h = new Harness();
    const t = toCase32(makeCase('diag', 40, 2, 2, 0, 3));
    t.logConst[1] = t.logConst[0]! - 1000; // component 1 far below component 0 on every row
    const initial = new Float64Array(statsLength('diag', 2, 2));
    const got = wasmAccumulate32(h, t, null, 0, t.n, initial);
    expect(Array.from(got.subarray(5, 10))).toEqual([0, 0, 0, 0, 0]);
    expect(got[0]).toBe(40);
  });

  it('scratch size formula: planes, f32 parameters, quad offsets, and for full a stage of B rows per component', () => {
    const stages = (d: number, k: number) => 4 * B * k * (d + 1) + 4 * k;
    expect(wasmScratchBytesF32('full', 16, 16))
      .toBe(4 * B * (3 * 16 + 16 + 8) + 8 * B * 17 + 4 * 16 * 16 + 4 * 16 * 256 + 2 * B + stages(16, 16));
    // 4kd = 60 bytes of μ32, rounded up to 64.
    expect(wasmScratchBytesF32('diag', 5, 3)).toBe(4 * B * (5 + 3) + 8 * B * 4 + 64 + 4 * 15 + B);
  });
});

describe('float32 rows bound through the Backend interface', () => {
  it.each(KINDS)('%s: wasm and js agree on statistics and log-densities over several driver blocks', (kind) => {
    const base = makeCase(kind, 9000, 6, 5, 0, 4242);
    const weights = makeWeights('zeros', base, 77)!;
    const X32 = Float32Array.from(base.X);
    const params: KernelParams = { shape: base.shape, k: base.k, d: base.d, logConst: base.logConst,
      means: base.means, prec: base.prec, precStride: base.precStride };
    const results = [jsBackend, wasmBackend()].map((backend) => {
      const bound = backend.bind(X32, base.n, base.d, weights);
      bound.setParams(params);
      const stats = accumulateAll(bound, new Float64Array(statsLength(base.shape, base.d, base.k)));
      const lp = new Float64Array(100 * base.k);
      bound.logProb(8000, 100, lp);
      bound.dispose();
      return { stats, lp };
    });
    expectStatsClose(results[1]!.stats, results[0]!.stats, base.shape, base.d, base.k, 1e-6, `${kind} statistics`);
    const [js, wasm] = [results[0]!.lp, results[1]!.lp];
    js.forEach((v, i) => {
      if (weights[8000 + Math.floor(i / base.k)] === 0) return; // rows holding NaN or Infinity
      expect(Math.abs(wasm[i]! - v), `${kind} logProb[${i}]`).toBeLessThanOrEqual(1e-5 * Math.abs(v));
    });
  });
});
