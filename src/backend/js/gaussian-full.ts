/**
 * Plain-TypeScript twin of `assembly/gaussian-full.ts`: the fused E-step and statistics for full (and tied) covariances.
 * Scalar loops written for clarity; the oracle for the WASM kernel and the pure-JS yardstick.
 */
import { weightedResponsibilities } from './exp-flush';
import { forGivenResponsibilities } from './given-responsibilities';

/**
 * Weighted log-densities of rows `[start, start + count)` of the row-major n×d matrix `X`, into `out` (count×k):
 * `out[i·k + c] = logConst_c − ½‖(x_i − μ_c)ᵀ U_c‖²` with `U_c` upper triangular at `prec[c·precStride]` (d×d).
 * `diff` is scratch of length d.
 */
export function logProbGaussFull(
  X: Float64Array, start: number, count: number, d: number, k: number,
  logConst: Float64Array, means: Float64Array, prec: Float64Array, precStride: number,
  out: Float64Array, diff: Float64Array,
): void {
  for (let i = 0; i < count; i++) {
    const row = (start + i) * d;
    for (let c = 0; c < k; c++) {
      const mu = c * d;
      const u = c * precStride;
      for (let j = 0; j < d; j++) diff[j] = X[row + j] - means[mu + j];
      let maha = 0;
      for (let j = 0; j < d; j++) {
        // y_j = Σ_{a ≤ j} diff_a U[a][j]  (column j of the upper-triangular factor)
        let y = 0;
        for (let a = 0; a <= j; a++) y += diff[a] * prec[u + a * d + j];
        maha += y * y;
      }
      out[i * k + c] = logConst[c] - 0.5 * maha;
    }
  }
}

/**
 * Adds the full-covariance statistics (layout in `src/backend/kernel.ts`) of rows `[start, start + count)` into `stats`.
 * `weights` is null for unit weights. `lp` is scratch of length k, `diff` of length d.
 */
export function accumulateGaussFull(
  X: Float64Array, weights: Float64Array | null, start: number, count: number, d: number, k: number,
  logConst: Float64Array, means: Float64Array, prec: Float64Array, precStride: number,
  stats: Float64Array, lp: Float64Array, diff: Float64Array,
): void {
  const q = (d * (d + 1)) / 2;
  const block = 1 + d + q;
  let ll = 0;
  let wsum = 0;
  for (let i = 0; i < count; i++) {
    const w = weights === null ? 1 : weights[start + i];
    if (w === 0) continue;
    logProbGaussFull(X, start + i, 1, d, k, logConst, means, prec, precStride, lp, diff);
    ll += w * weightedResponsibilities(lp, k, w);
    wsum += w;
    const row = (start + i) * d;
    for (let c = 0; c < k; c++) {
      const r = lp[c];
      if (r === 0) continue;
      addStatsFull(X, row, d, r, means, c * d, stats, c * block, diff);
    }
  }
  stats[k * block] += ll;
  stats[k * block + 1] += wsum;
}

/**
 * Adds one row's terms `r, r·(x − μ_c)` and the packed upper triangle of `r·(x − μ_c)(x − μ_c)ᵀ` (x at `X[row…]`, μ_c
 * at `means[mu…]`) to the block at `stats[s…]`; `diff` is scratch of length d.
 */
function addStatsFull(
  X: Float64Array, row: number, d: number, r: number, means: Float64Array, mu: number, stats: Float64Array, s: number,
  diff: Float64Array,
): void {
  stats[s] += r;
  for (let j = 0; j < d; j++) diff[j] = X[row + j] - means[mu + j];
  for (let a = 0; a < d; a++) {
    const ra = r * diff[a];
    stats[s + 1 + a] += ra;
    const base = s + 1 + d + a * d - (a * (a - 1)) / 2 - a;
    for (let b = a; b < d; b++) stats[base + b] += ra * diff[b];
  }
}

/**
 * `accumulateGaussFull` with the responsibilities given (`BoundData.accumulateWeighted`): `resp` is count×k, row
 * weights included; rows whose bound weight is 0 are skipped; the log-likelihood entry is unchanged and the weight-sum
 * entry adds Σ_i Σ_c r_ic. `diff` is scratch of length d.
 */
export function accumulateWeightedGaussFull(
  X: Float64Array, weights: Float64Array | null, start: number, count: number, d: number, k: number,
  means: Float64Array, resp: Float64Array, stats: Float64Array, diff: Float64Array,
): void {
  const block = 1 + d + (d * (d + 1)) / 2;
  stats[k * block + 1] += forGivenResponsibilities(weights, start, count, k, resp,
    (row, c, r) => addStatsFull(X, row * d, d, r, means, c * d, stats, c * block, diff));
}
