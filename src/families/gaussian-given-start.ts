/**
 * The statistics of a start from given means on the backend's kernels: every row assigned to its nearest mean, and the
 * statistics of that hard assignment about the means (what `hardAssignmentStats` computes in plain TypeScript), in
 * the kernels' time rather than a JavaScript loop over the rows.
 *
 * The nearest mean comes from the diagonal kernel's log-densities under unit precisions and zero constants,
 * `−½ Σ_j ((x_ij − μ_cj)·u_j)²`: the same squared distances, summed in the same order, as `nearestCenter` (its unit
 * `u` is 1, or the power of two `distanceUnit` picks for data near the limits of float64), so the labels are its
 * labels, ties to the lower index (the optional relaxed-SIMD build fuses the multiply-adds, which may move an exact
 * tie). The statistics are the kernels' `accumulateWeighted` with one-hot
 * responsibilities (times the row weights), block by block of `blockRows` rows summed in order, so a streamed fit
 * that feeds the same blocks gets the same sums.
 */
import { componentStatsLength, statsLength, type Backend } from '../backend/kernel.js';
import { distanceUnit } from '../kmeans.js';
import type { InitData } from '../matrix.js';
import { runToEnd, type Resumable } from '../parallel/abort.js';
import { kernelShape, type CovarianceType } from './gaussian.js';

/**
 * Adds to `stats` (the kernel layout of `type`, k components) the statistics of the rows of `data`, each assigned to
 * its nearest mean of `means` (k×d), about that mean. `data` must be complete (no NaN); its rows are bound to
 * `backend` for the call and released after it.
 * @returns `stats`
 * @example
 * const stats = addGivenMeansStatsOnBackend(wasmBackend(), { X, weights: null }, means, 3, 'full', 4096,
 *   new Float64Array(statsLength('full', X.cols, 3)));
 */
export function addGivenMeansStatsOnBackend(
  backend: Backend, data: InitData, means: Float64Array, k: number, type: CovarianceType, blockRows: number,
  stats: Float64Array,
): Float64Array {
  return runToEnd(givenMeansStatsSteps(backend, data, means, k, type, blockRows, stats));
}

/**
 * `addGivenMeansStatsOnBackend` as a resumable computation: it yields after every block of rows, so that a fit
 * computing its start in slices sees an abort within a block; the rows are released when it ends or is returned.
 */
export function* givenMeansStatsSteps(
  backend: Backend, data: InitData, means: Float64Array, k: number, type: CovarianceType, blockRows: number,
  stats: Float64Array,
): Resumable<Float64Array> {
  const { X, weights } = data;
  const { rows: n, cols: d } = X;
  if (n === 0) return stats;
  const unit = distanceUnit(X, means) ?? new Float64Array(d).fill(1);
  const prec = new Float64Array(k * d);
  for (let c = 0; c < k; c++) prec.set(unit, c * d);
  const zero = new Float64Array(k);
  const bound = backend.bind(X.data.subarray(0, n * d), n, d, weights);
  try {
    bound.setParams({ shape: 'diag', k, d, logConst: zero, means, prec, precStride: d });
    const labels = new Int32Array(n);
    const lp = new Float64Array(Math.min(blockRows, n) * k);
    for (let s = 0; s < n; s += blockRows) {
      const m = Math.min(blockRows, n - s);
      bound.logProb(s, m, lp);
      for (let i = 0; i < m; i++) {
        let best = 0;
        for (let c = 1; c < k; c++) if (lp[i * k + c] > lp[i * k + best]) best = c;
        labels[s + i] = best;
      }
      yield;
    }
    const shape = kernelShape(type);
    // The statistics read only the means of the parameters.
    const statsPrec = shape === 'full' ? new Float64Array(k * d * d) : prec;
    bound.setParams({ shape, k, d, logConst: zero, means, prec: statsPrec, precStride: shape === 'full' ? d * d : d });
    const resp = new Float64Array(Math.min(blockRows, n) * k);
    const block = new Float64Array(statsLength(shape, d, k));
    const used = k * componentStatsLength(shape, d);
    for (let s = 0; s < n; s += blockRows) {
      const m = Math.min(blockRows, n - s);
      resp.fill(0);
      for (let i = 0; i < m; i++) resp[i * k + labels[s + i]] = weights === null ? 1 : weights[s + i];
      block.fill(0);
      bound.accumulateWeighted(s, m, resp.subarray(0, m * k), block);
      for (let p = 0; p < used; p++) stats[p] += block[p];
      yield;
    }
  } finally {
    bound.dispose();
  }
  return stats;
}
