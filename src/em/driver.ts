/**
 * The EM loop (DESIGN.md, "The loop"): accumulate statistics block by block with the backend kernel, maximize, and
 * stop when the per-sample mean log-likelihood changes by less than `tol` (scikit-learn `BaseMixture.fit_predict`).
 */
import type { BoundData, KernelParams } from '../backend/kernel.js';

/**
 * Rows per statistics block. Statistics are summed per block and the block sums added in block order, so the result
 * does not depend on how blocks are spread over threads or calls.
 */
export const BLOCK_ROWS = 4096;

/** What the driver needs from a model family. */
export interface EmFamily<P> {
  /** Length of the statistics array. */
  readonly statsLength: number;
  /** Parameters in the kernels' form. */
  kernelParams(params: P): KernelParams;
  /** The M-step: new parameters from the statistics accumulated under `params`. */
  maximize(stats: Float64Array, params: P): P;
}

/** Progress of one EM iteration. */
export interface IterationInfo {
  /** Restart index, 0-based. */
  readonly init: number;
  /** Iteration number, 1-based. */
  readonly iter: number;
  /** Per-sample mean log-likelihood of the parameters before this iteration's M-step. */
  readonly logLikelihood: number;
  /** Change from the previous iteration (`Infinity` on the first). */
  readonly change: number;
}

/** Options of one EM run. */
export interface EmRunOptions {
  readonly maxIter: number;
  readonly tol: number;
  readonly init: number;
  readonly onIteration?: ((info: IterationInfo) => void) | undefined;
  readonly onWarning?: ((message: string) => void) | undefined;
}

/** The outcome of one EM run. */
export interface EmRunResult<P> {
  /** Parameters after the last M-step. */
  readonly params: P;
  /** Per-sample mean log-likelihood from the last E-step (scikit-learn's `lower_bound_`). */
  readonly lowerBound: number;
  readonly nIter: number;
  readonly converged: boolean;
  /** Per-sample mean log-likelihood at every iteration. */
  readonly history: number[];
}

/**
 * Sums the statistics of all rows of `bound` under the parameters last set on it, in blocks of `BLOCK_ROWS` rows.
 * @param out the array to fill (zeroed first), of the family's statistics length
 */
export function accumulateAll(bound: BoundData, out: Float64Array): Float64Array {
  out.fill(0);
  const block = new Float64Array(out.length);
  for (let start = 0; start < bound.n; start += BLOCK_ROWS) {
    block.fill(0);
    bound.accumulate(start, Math.min(BLOCK_ROWS, bound.n - start), block);
    for (let p = 0; p < out.length; p++) out[p] += block[p];
  }
  return out;
}

/** Runs EM from `start` until convergence or `maxIter` iterations. */
export function runEm<P>(bound: BoundData, family: EmFamily<P>, start: P, options: EmRunOptions): EmRunResult<P> {
  const stats = new Float64Array(family.statsLength);
  const llIndex = family.statsLength - 2;
  const history: number[] = [];
  let params = start;
  let lowerBound = -Infinity;
  let converged = false;
  let iter = 0;
  while (iter < options.maxIter) {
    iter++;
    const previous = lowerBound;
    bound.setParams(family.kernelParams(params));
    accumulateAll(bound, stats);
    lowerBound = stats[llIndex] / stats[llIndex + 1];
    params = family.maximize(stats, params);
    history.push(lowerBound);
    const change = lowerBound - previous;
    options.onIteration?.({ init: options.init, iter, logLikelihood: lowerBound, change });
    // EM never lowers the likelihood (Dempster, Laird & Rubin 1977); more than rounding means a numerical problem.
    if (change < -1e-9 * Math.max(1, Math.abs(lowerBound))) {
      options.onWarning?.(`the log-likelihood decreased by ${-change} at iteration ${iter} (restart ${options.init})`);
    }
    if (Math.abs(change) < options.tol) {
      converged = true;
      break;
    }
  }
  return { params, lowerBound, nIter: iter, converged, history };
}
