/**
 * Kernel test cases shared by the f64 and f32 kernel suites: seeded random data and parameters of every shape, a
 * memory laid out by hand for direct kernel calls, row weights, and a scale-aware comparison of statistics.
 */
import { expect } from 'vitest';
import { instantiateKernels, type KernelExports } from '../../src/backend/wasm/load.js';
import { componentStatsLength, type KernelShape } from '../../src/backend/kernel.js';

/** The four covariance types as kernel cases (tied: full with precStride 0; spherical: diag with equal entries). */
export type Kind = 'full' | 'tied' | 'diag' | 'spherical';

/** mulberry32: a small seeded generator for reproducible cases. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal draw (Box–Muller). */
export function normal(u: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

/**
 * The upper-triangular U with U Uᵀ = P for a random SPD precision P (d×d row-major): the lower Cholesky factor of the
 * index-reversed P, reversed back.
 */
export function randomUpperFactor(d: number, u: () => number): Float64Array {
  const A = Array.from({ length: d * d }, () => normal(u));
  const P = new Float64Array(d * d);
  for (let a = 0; a < d; a++) {
    for (let b = 0; b < d; b++) {
      let s = a === b ? 0.5 : 0;
      for (let t = 0; t < d; t++) s += (A[a * d + t]! * A[b * d + t]!) / d;
      P[a * d + b] = s;
    }
  }
  const R = (i: number): number => d - 1 - i;
  const L = new Float64Array(d * d); // Cholesky of Q = J P J, Q[i][j] = P[R(i)][R(j)]
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let s = P[R(i) * d + R(j)]!;
      for (let t = 0; t < j; t++) s -= L[i * d + t]! * L[j * d + t]!;
      L[i * d + j] = i === j ? Math.sqrt(s) : s / L[j * d + j]!;
    }
  }
  const U = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) U[i * d + j] = L[R(i) * d + R(j)]!;
  // Fill the ignored lower part with garbage: the kernels must not read it.
  for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) U[i * d + j] = 1e300;
  return U;
}

/** A kernel call's data and parameters (all f64; X is n×d row-major). */
export interface Case {
  shape: KernelShape;
  n: number;
  d: number;
  k: number;
  X: Float64Array;
  logConst: Float64Array;
  means: Float64Array;
  prec: Float64Array;
  precStride: number;
}

/** A random case: k means around `offset`, n rows drawn near them, random weights and precision factors. */
export function makeCase(kind: Kind, n: number, d: number, k: number, offset: number, seed: number): Case {
  const u = rng(seed);
  const means = new Float64Array(k * d);
  for (let i = 0; i < k * d; i++) means[i] = offset + 3 * normal(u);
  const X = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    const c = Math.floor(u() * k);
    for (let j = 0; j < d; j++) X[i * d + j] = means[c * d + j]! + 1.5 * normal(u);
  }
  const w = Array.from({ length: k }, () => 0.2 + u());
  const wTotal = w.reduce((s, v) => s + v, 0);
  const logConst = new Float64Array(k);
  let prec: Float64Array;
  let precStride: number;
  const shape: KernelShape = kind === 'full' || kind === 'tied' ? 'full' : 'diag';
  if (shape === 'full') {
    const factors = Array.from({ length: kind === 'tied' ? 1 : k }, () => randomUpperFactor(d, u));
    prec = new Float64Array(factors.length * d * d);
    factors.forEach((f, c) => prec.set(f, c * d * d));
    precStride = kind === 'tied' ? 0 : d * d;
    for (let c = 0; c < k; c++) {
      const f = factors[kind === 'tied' ? 0 : c]!;
      let logDet = 0;
      for (let j = 0; j < d; j++) logDet += Math.log(f[j * d + j]!);
      logConst[c] = Math.log(w[c]! / wTotal) - (d / 2) * Math.log(2 * Math.PI) + logDet;
    }
  } else {
    prec = new Float64Array(k * d);
    precStride = d;
    for (let c = 0; c < k; c++) {
      const s = 0.5 + u();
      let logDet = 0;
      for (let j = 0; j < d; j++) {
        prec[c * d + j] = kind === 'spherical' ? s : 0.5 + u();
        logDet += Math.log(prec[c * d + j]!);
      }
      logConst[c] = Math.log(w[c]! / wTotal) - (d / 2) * Math.log(2 * Math.PI) + logDet;
    }
  }
  return { shape, n, d, k, X, logConst, means, prec, precStride };
}

/** Lays a case out in a fresh memory and runs the kernels there. */
export class Harness {
  readonly memory = new WebAssembly.Memory({ initial: 1 });
  readonly kernels: KernelExports = instantiateKernels(this.memory);
  private top: number;
  constructor() {
    this.top = Math.ceil(this.kernels.heap_base() / 16) * 16;
  }
  /** Allocates and fills `values` (or `length` NaNs); returns the byte offset. */
  put(values: ArrayLike<number> | number): number {
    const length = typeof values === 'number' ? values : values.length;
    const ptr = this.top;
    this.top += Math.ceil((length * 8) / 16) * 16 + 16;
    const need = Math.ceil(this.top / 65536) - this.memory.buffer.byteLength / 65536;
    if (need > 0) this.memory.grow(need);
    const view = new Float64Array(this.memory.buffer, ptr, length);
    if (typeof values === 'number') view.fill(NaN);
    else view.set(values);
    return ptr;
  }
  /** Allocates and fills float32 `values`; returns the byte offset. */
  putF32(values: ArrayLike<number>): number {
    const ptr = this.put(Math.ceil(values.length / 2));
    new Float32Array(this.memory.buffer, ptr, values.length).set(values);
    return ptr;
  }
  /** A copy of `length` doubles at `ptr`. */
  get(ptr: number, length: number): Float64Array {
    return new Float64Array(this.memory.buffer, ptr, length).slice();
  }
}

/**
 * Scale-aware comparison of two statistics arrays: each entry of component c's block within `rtol` of the largest
 * magnitude in that block (S1 entries are sums of signed terms and may cancel to near 0); the log-likelihood within
 * `rtol` relative, the weight sum exactly.
 */
export function expectStatsClose(got: Float64Array, want: Float64Array, shape: KernelShape, d: number, k: number,
  rtol: number, what: string): void {
  expect(got.length).toBe(want.length);
  const m = componentStatsLength(shape, d);
  for (let c = 0; c < k; c++) {
    let scale = 0;
    for (let i = c * m; i < (c + 1) * m; i++) scale = Math.max(scale, Math.abs(want[i]!));
    for (let i = c * m; i < (c + 1) * m; i++) {
      const err = Math.abs(got[i]! - want[i]!);
      if (!(err <= rtol * scale)) {
        expect.fail(`${what}: stats[${i}] (component ${c}, entry ${i - c * m}) = ${got[i]}, expected ${want[i]} ` +
          `(error ${err.toExponential(3)}, allowed ${(rtol * scale).toExponential(3)})`);
      }
    }
  }
  const ll = k * m;
  const llErr = Math.abs(got[ll]! - want[ll]!);
  expect(llErr, `${what}: loglik ${got[ll]} vs ${want[ll]}`).toBeLessThanOrEqual(rtol * Math.abs(want[ll]!));
  expect(got[ll + 1], `${what}: weight sum`).toBe(want[ll + 1]);
}

/** No weights, positive weights, or weights with about 30 % zeros (on rows holding NaN or Infinity). */
export type WeightMode = 'none' | 'weights' | 'zeros';

/** Row weights for a mode; zero-weight rows get a non-finite first entry in `t.X`. */
export function makeWeights(mode: WeightMode, t: Case, seed: number): Float64Array | null {
  if (mode === 'none') return null;
  const u = rng(seed);
  const w = new Float64Array(t.n);
  for (let i = 0; i < t.n; i++) {
    w[i] = mode === 'zeros' && u() < 0.3 ? 0 : 0.1 + 2 * u();
    // A zero-weight row contributes nothing, even where its data would give NaN or 0·∞.
    if (w[i] === 0) t.X[i * t.d] = i % 2 === 0 ? NaN : Infinity;
  }
  return w;
}

/** Every kernel case kind. */
export const KINDS: Kind[] = ['full', 'tied', 'diag', 'spherical'];
