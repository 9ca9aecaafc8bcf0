/**
 * The `dtype` option: float32 storage of the data for the f32x4 kernels (DESIGN.md, "Precision"). The data are centred
 * in f64 before the conversion, so that data far from the origin keep their precision: an offset of 10⁶ would
 * otherwise leave about 0.06 of resolution in f32.
 */
import type { GaussianParams } from './families/gaussian.js';
import type { Matrix } from './matrix.js';

/** Storage precision of the data during `fit`. */
export type Dtype = 'float64' | 'float32';

/** All dtype option values. */
export const DTYPES: readonly Dtype[] = ['float64', 'float32'];

/**
 * Column means of a rows×cols matrix over its observed (non-NaN) entries, in f64 (the centre subtracted before
 * conversion to float32).
 */
export function columnMeans(m: Matrix): Float64Array {
  const centre = new Float64Array(m.cols);
  const count = new Float64Array(m.cols);
  addColumnSums(m, centre, count);
  return meansOfSums(centre, count);
}

/**
 * Adds the observed entries of each column of `m` to `sums` and their number to `counts`, row by row: `columnMeans`
 * in pieces, for rows that arrive block by block (`fitStream`), with the same sums in the same order.
 */
export function addColumnSums(m: Matrix, sums: Float64Array, counts: Float64Array): void {
  for (let i = 0; i < m.rows; i++) {
    for (let j = 0; j < m.cols; j++) {
      const v = m.data[i * m.cols + j];
      if (v !== v) continue;
      sums[j] += v;
      counts[j]++;
    }
  }
}

/** `sums[j] / max(1, counts[j])`, in place in `sums`, which it returns. */
export function meansOfSums(sums: Float64Array, counts: Float64Array): Float64Array {
  for (let j = 0; j < sums.length; j++) sums[j] /= Math.max(1, counts[j]);
  return sums;
}

/** `Math.fround(x_ij − centre_j)`, row-major, as a `Float32Array`. */
export function centredFloat32(m: Matrix, centre: Float64Array): Float32Array {
  const out = new Float32Array(m.rows * m.cols);
  for (let i = 0; i < m.rows; i++) {
    for (let j = 0; j < m.cols; j++) out[i * m.cols + j] = m.data[i * m.cols + j] - centre[j];
  }
  return out;
}

/**
 * The same mixture moved by `sign·centre`: means `μ_c + sign·centre`, everything else (weights, covariances, precision
 * factors) unchanged, since a translation changes no covariance. `sign` −1 takes parameters into centred coordinates,
 * +1 back.
 */
export function shiftMeans(p: GaussianParams, centre: Float64Array, sign: 1 | -1): GaussianParams {
  const means = p.means.slice();
  for (let c = 0; c < p.k; c++) for (let j = 0; j < p.d; j++) means[c * p.d + j] += sign * centre[j];
  return { ...p, means };
}
