/**
 * The kernel table: one row per kernel key (a kernel shape of `kernel.ts` and the dtype of the rows), one key per
 * `assembly/` kernel file, its plain-TypeScript twin keyed alike. A backend dispatches by looking its key up here
 * (`kernelRow`), not by branching on shapes: a new kernel is a new file in `assembly/`, its twin in `src/backend/js/`,
 * and a row below.
 *
 * Every entry has one argument list per backend: `JsCall` (the rows where they are) and `WasmCall` (pointers into
 * WebAssembly memory, the layout `src/backend/wasm/index.ts` writes). `accumulateWeighted` is the statistics given
 * responsibilities (`BoundData.accumulateWeighted`), for float64 rows only; the linear kernels' twin serves both
 * backends there (raw sums r·t(x) need no kernel of their own).
 */
import type { KernelParams, KernelShape } from './kernel.js';
import { accumulateGaussFull, accumulateWeightedGaussFull, logProbGaussFull } from './js/gaussian-full.js';
import { accumulateGaussDiag, accumulateWeightedGaussDiag, logProbGaussDiag } from './js/gaussian-diag.js';
import { accumulateGaussFullF32, logProbGaussFullF32 } from './js/gaussian-full-f32.js';
import { accumulateGaussDiagF32, logProbGaussDiagF32 } from './js/gaussian-diag-f32.js';
import { accumulateLinear, accumulateWeightedLinear, logProbLinear } from './js/linear.js';
import type { KernelExports } from './wasm/load.js';

/** A kernel key: `<shape>-<dtype>`. */
export type KernelKey = 'full-f64' | 'full-f32' | 'diag-f64' | 'diag-f32' | 'linear-f64';

/** f32 copies of the means and precision factors, and f32 scratch, that the float32 twins read. */
export interface F32Params {
  readonly means: Float32Array;
  readonly prec: Float32Array;
  readonly r: Float32Array;
  readonly diff: Float32Array;
}

/** The arguments of a js twin: rows `[start, start + count)` of n×d `X` with optional weights, under `p`. */
export interface JsCall {
  readonly X: Float64Array | Float32Array;
  readonly weights: Float64Array | null;
  readonly start: number;
  readonly count: number;
  readonly d: number;
  readonly p: KernelParams;
  /** The f32 copies, for float32 rows (null for float64). */
  readonly q: F32Params | null;
  /** Scratch of k log-densities and of d differences. */
  readonly lp: Float64Array;
  readonly diff: Float64Array;
}

/** Byte offsets of a wasm call's parameters, statistics, output and scratch in WebAssembly memory. */
export interface WasmLayout {
  readonly k: number;
  readonly precStride: number;
  readonly logConst: number;
  readonly means: number;
  readonly prec: number;
  readonly stats: number;
  readonly out: number;
  readonly scratch: number;
}

/** The arguments of a wasm kernel: rows `[first, first + m)` of the rows at `x` (weights at `w` when `hasWeights`). */
export interface WasmCall {
  readonly x: number;
  readonly w: number;
  readonly hasWeights: number;
  readonly first: number;
  readonly m: number;
  readonly d: number;
  readonly L: WasmLayout;
}

/** One kernel: its `assembly/` file and the entry points of both backends. */
export interface KernelRow {
  /** The AssemblyScript source of the wasm kernels (the twins are in `src/backend/js/`). */
  readonly assembly: string;
  readonly js: {
    /** Adds the statistics of the rows into `stats`. */
    accumulate(a: JsCall, stats: Float64Array): void;
    /** Writes the rows' count×k weighted log-densities into `out`. */
    logProb(a: JsCall, out: Float64Array): void;
    /** Adds the statistics given count×k responsibilities `resp` (float64 rows). */
    accumulateWeighted?(a: JsCall, resp: Float64Array, stats: Float64Array): void;
  };
  readonly wasm: {
    /** Adds the statistics of the rows into the statistics at `L.stats`. */
    accumulate(K: KernelExports, a: WasmCall): void;
    /** Writes the rows' m×k log-densities at `L.out`. */
    logProb(K: KernelExports, a: WasmCall): void;
    /** Adds the statistics given the m×k responsibilities at `L.out` (float64 rows); absent: the js twin's. */
    accumulateWeighted?(K: KernelExports, a: WasmCall): void;
  };
}

const fullF64: KernelRow = {
  assembly: 'assembly/gaussian-full.ts',
  js: {
    accumulate: (a, stats) => accumulateGaussFull(a.X as Float64Array, a.weights, a.start, a.count, a.d, a.p.k,
      a.p.logConst, a.p.means, a.p.prec, a.p.precStride, stats, a.lp, a.diff),
    logProb: (a, out) => logProbGaussFull(a.X as Float64Array, a.start, a.count, a.d, a.p.k, a.p.logConst, a.p.means,
      a.p.prec, a.p.precStride, out, a.diff),
    accumulateWeighted: (a, resp, stats) => accumulateWeightedGaussFull(a.X as Float64Array, a.weights, a.start,
      a.count, a.d, a.p.k, a.p.means, resp, stats, a.diff),
  },
  wasm: {
    accumulate: (K, { x, w, hasWeights, first, m, d, L }) => K.accumulate_gauss_full_f64(x, w, hasWeights, first, m, d,
      L.k, L.logConst, L.means, L.prec, L.precStride, L.stats, L.scratch),
    logProb: (K, { x, first, m, d, L }) => K.logprob_gauss_full_f64(x, first, m, d, L.k, L.logConst, L.means, L.prec,
      L.precStride, L.out, L.scratch),
    accumulateWeighted: (K, { x, w, hasWeights, first, m, d, L }) => K.accumulate_weighted_gauss_full_f64(x, w,
      hasWeights, L.out, first, m, d, L.k, L.means, L.stats, L.scratch),
  },
};

const fullF32: KernelRow = {
  assembly: 'assembly/gaussian-full-f32.ts',
  js: {
    accumulate: (a, stats) => accumulateGaussFullF32(a.X as Float32Array, a.weights, a.start, a.count, a.d, a.p.k,
      a.p.logConst, a.q!.means, a.q!.prec, a.p.precStride, stats, a.lp, a.q!.r, a.q!.diff),
    logProb: (a, out) => logProbGaussFullF32(a.X as Float32Array, a.start, a.count, a.d, a.p.k, a.p.logConst,
      a.q!.means, a.q!.prec, a.p.precStride, out, a.q!.diff),
  },
  wasm: {
    accumulate: (K, { x, w, hasWeights, first, m, d, L }) => K.accumulate_gauss_full_f32(x, w, hasWeights, first, m, d,
      L.k, L.logConst, L.means, L.prec, L.precStride, L.stats, L.scratch),
    logProb: (K, { x, first, m, d, L }) => K.logprob_gauss_full_f32(x, first, m, d, L.k, L.logConst, L.means, L.prec,
      L.precStride, L.out, L.scratch),
  },
};

const diagF64: KernelRow = {
  assembly: 'assembly/gaussian-diag.ts',
  js: {
    accumulate: (a, stats) => accumulateGaussDiag(a.X as Float64Array, a.weights, a.start, a.count, a.d, a.p.k,
      a.p.logConst, a.p.means, a.p.prec, stats, a.lp),
    logProb: (a, out) => logProbGaussDiag(a.X as Float64Array, a.start, a.count, a.d, a.p.k, a.p.logConst, a.p.means,
      a.p.prec, out),
    accumulateWeighted: (a, resp, stats) => accumulateWeightedGaussDiag(a.X as Float64Array, a.weights, a.start,
      a.count, a.d, a.p.k, a.p.means, resp, stats),
  },
  wasm: {
    accumulate: (K, { x, w, hasWeights, first, m, d, L }) => K.accumulate_gauss_diag_f64(x, w, hasWeights, first, m, d,
      L.k, L.logConst, L.means, L.prec, L.stats, L.scratch),
    logProb: (K, { x, first, m, d, L }) => K.logprob_gauss_diag_f64(x, first, m, d, L.k, L.logConst, L.means, L.prec,
      L.out, L.scratch),
    accumulateWeighted: (K, { x, w, hasWeights, first, m, d, L }) => K.accumulate_weighted_gauss_diag_f64(x, w,
      hasWeights, L.out, first, m, d, L.k, L.means, L.stats, L.scratch),
  },
};

const diagF32: KernelRow = {
  assembly: 'assembly/gaussian-diag-f32.ts',
  js: {
    accumulate: (a, stats) => accumulateGaussDiagF32(a.X as Float32Array, a.weights, a.start, a.count, a.d, a.p.k,
      a.p.logConst, a.q!.means, a.q!.prec, stats, a.lp, a.q!.r),
    logProb: (a, out) => logProbGaussDiagF32(a.X as Float32Array, a.start, a.count, a.d, a.p.k, a.p.logConst,
      a.q!.means, a.q!.prec, out),
  },
  wasm: {
    accumulate: (K, { x, w, hasWeights, first, m, d, L }) => K.accumulate_gauss_diag_f32(x, w, hasWeights, first, m, d,
      L.k, L.logConst, L.means, L.prec, L.stats, L.scratch),
    logProb: (K, { x, first, m, d, L }) => K.logprob_gauss_diag_f32(x, first, m, d, L.k, L.logConst, L.means, L.prec,
      L.out, L.scratch),
  },
};

const linearF64: KernelRow = {
  assembly: 'assembly/discrete.ts',
  js: {
    accumulate: (a, stats) => accumulateLinear(a.X as Float64Array, a.weights, a.start, a.count, a.d, a.p.k,
      a.p.logConst, a.p.prec, stats, a.lp),
    logProb: (a, out) => logProbLinear(a.X as Float64Array, a.start, a.count, a.d, a.p.k, a.p.logConst, a.p.prec, out),
    accumulateWeighted: (a, resp, stats) => accumulateWeightedLinear(a.X as Float64Array, a.weights, a.start, a.count,
      a.d, a.p.k, resp, stats),
  },
  wasm: {
    accumulate: (K, { x, w, hasWeights, first, m, d, L }) => K.accumulate_linear_f64(x, w, hasWeights, first, m, d, L.k,
      L.logConst, L.prec, L.stats, L.scratch),
    logProb: (K, { x, first, m, d, L }) => K.logprob_linear_f64(x, first, m, d, L.k, L.logConst, L.prec, L.out,
      L.scratch),
  },
};

/** The kernels, by key. */
export const KERNELS: Readonly<Record<KernelKey, KernelRow>> = {
  'full-f64': fullF64,
  'full-f32': fullF32,
  'diag-f64': diagF64,
  'diag-f32': diagF32,
  'linear-f64': linearF64,
};

/**
 * The kernel row of a shape on float64 or float32 rows. Throws `RangeError` for a pair no kernel serves (the linear
 * kernels of the discrete families run on float64 rows only).
 * @example
 * kernelRow('full', false).assembly; // 'assembly/gaussian-full.ts'
 */
export function kernelRow(shape: KernelShape, f32: boolean): KernelRow {
  if (shape !== 'full' && shape !== 'diag' && shape !== 'linear') {
    throw new RangeError(`params.shape: expected 'full', 'diag' or 'linear', got ${String(shape)}`);
  }
  const row = (KERNELS as Record<string, KernelRow | undefined>)[`${shape}-${f32 ? 'f32' : 'f64'}`];
  if (row === undefined) {
    throw new RangeError(`params.shape: the '${shape}' kernels (discrete families) run on float64 rows only; bind a Float64Array`);
  }
  return row;
}
