/**
 * Plain-TypeScript twin of `assembly/gaussian-diag.ts`: the fused E-step and statistics for diagonal (and spherical)
 * covariances. Scalar loops written for clarity; the oracle for the WASM kernel and the pure-JS yardstick.
 */
import { EXP_FLUSH } from './exp-flush';

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
    let max = -Infinity;
    for (let c = 0; c < k; c++) if (lp[c] > max) max = lp[c];
    let sum = 0;
    for (let c = 0; c < k; c++) if (lp[c] - max >= EXP_FLUSH) sum += Math.exp(lp[c] - max);
    const lse = max + Math.log(sum);
    ll += w * lse;
    wsum += w;
    const row = (start + i) * d;
    for (let c = 0; c < k; c++) {
      if (lp[c] - max < EXP_FLUSH) continue;
      const r = w * Math.exp(lp[c] - lse);
      if (r === 0) continue;
      const s = c * block;
      const mu = c * d;
      stats[s] += r;
      for (let j = 0; j < d; j++) {
        const dj = X[row + j] - means[mu + j];
        stats[s + 1 + j] += r * dj;
        stats[s + 1 + d + j] += r * dj * dj;
      }
    }
  }
  stats[k * block] += ll;
  stats[k * block + 1] += wsum;
}
