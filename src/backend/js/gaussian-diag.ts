/**
 * Plain-TypeScript twin of `assembly/gaussian-diag.ts`: the fused E-step and statistics for diagonal (and spherical)
 * covariances. Scalar loops written for clarity; the oracle for the WASM kernel and the pure-JS yardstick.
 */
import { weightedResponsibilities } from './exp-flush';
import { forGivenResponsibilities } from './given-responsibilities';

/**
 * Weighted log-densities of rows `[start, start + count)` of the row-major n×d matrix `X`, into `out` (count×k):
 * `out[i·k + c] = logConst_c − ½ Σ_j ((x_ij − μ_cj) · p_cj)²` with `p_cj = 1/σ_cj = prec[c·d + j]`.
 */
export function logProbGaussDiag(
  X: Float64Array, start: number, count: number, d: number, k: number,
  logConst: Float64Array, means: Float64Array, prec: Float64Array, out: Float64Array,
): void {
  for (let i = 0; i < count; i++) {
    const row = (start + i) * d;
    for (let c = 0; c < k; c++) {
      const mu = c * d;
      let maha = 0;
      for (let j = 0; j < d; j++) {
        const y = (X[row + j] - means[mu + j]) * prec[mu + j];
        maha += y * y;
      }
      out[i * k + c] = logConst[c] - 0.5 * maha;
    }
  }
}

/**
 * Adds the diagonal statistics (layout in `src/backend/kernel.ts`: `[N_c, S1_c, S2_c]` with S2 the d squared
 * deviations) of rows `[start, start + count)` into `stats`. `weights` is null for unit weights; `lp` is scratch of
 * length k.
 */
export function accumulateGaussDiag(
  X: Float64Array, weights: Float64Array | null, start: number, count: number, d: number, k: number,
  logConst: Float64Array, means: Float64Array, prec: Float64Array, stats: Float64Array, lp: Float64Array,
): void {
  const block = 1 + 2 * d;
  let ll = 0;
  let wsum = 0;
  for (let i = 0; i < count; i++) {
    const w = weights === null ? 1 : weights[start + i];
    if (w === 0) continue;
    logProbGaussDiag(X, start + i, 1, d, k, logConst, means, prec, lp);
    ll += w * weightedResponsibilities(lp, k, w);
    wsum += w;
    const row = (start + i) * d;
    for (let c = 0; c < k; c++) {
      const r = lp[c];
      if (r === 0) continue;
      addStatsDiag(X, row, d, r, means, c * d, stats, c * block);
    }
  }
  stats[k * block] += ll;
  stats[k * block + 1] += wsum;
}

/** Adds one row's terms `r, r·(x − μ_c), r·(x − μ_c)²` (x at `X[row…]`, μ_c at `means[mu…]`) to the block at `stats[s…]`. */
function addStatsDiag(
  X: Float64Array, row: number, d: number, r: number, means: Float64Array, mu: number, stats: Float64Array, s: number,
): void {
  stats[s] += r;
  for (let j = 0; j < d; j++) {
    const dj = X[row + j] - means[mu + j];
    stats[s + 1 + j] += r * dj;
    stats[s + 1 + d + j] += r * dj * dj;
  }
}

/**
 * `accumulateGaussDiag` with the responsibilities given (`BoundData.accumulateWeighted`): `resp` is count×k, row
 * weights included; rows whose bound weight is 0 are skipped; the log-likelihood entry is unchanged and the weight-sum
 * entry adds Σ_i Σ_c r_ic.
 */
export function accumulateWeightedGaussDiag(
  X: Float64Array, weights: Float64Array | null, start: number, count: number, d: number, k: number,
  means: Float64Array, resp: Float64Array, stats: Float64Array,
): void {
  const block = 1 + 2 * d;
  stats[k * block + 1] += forGivenResponsibilities(weights, start, count, k, resp,
    (row, c, r) => addStatsDiag(X, row * d, d, r, means, c * d, stats, c * block));
}
