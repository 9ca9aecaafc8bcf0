/**
 * Plain-TypeScript twin of `assembly/discrete.ts`: the fused E-step and statistics of the `'linear'` kernel shape
 * (Bernoulli, categorical and Poisson mixtures), whose weighted log-density is `logConst_c + Σ_j t_j θ_cj`. Scalar
 * loops written for clarity; the oracle for the WASM kernel and the pure-JS yardstick.
 */
import { weightedResponsibilities } from './exp-flush';
import { forGivenResponsibilities } from './given-responsibilities';

/**
 * Weighted log-densities (without the per-row constant h(x)) of rows `[start, start + count)` of the row-major n×d
 * matrix `T`, into `out` (count×k): `out[i·k + c] = logConst_c + Σ_j t_ij θ_cj` with `θ_cj = theta[c·d + j]`.
 */
export function logProbLinear(
  T: Float64Array, start: number, count: number, d: number, k: number,
  logConst: Float64Array, theta: Float64Array, out: Float64Array,
): void {
  for (let i = 0; i < count; i++) {
    const row = (start + i) * d;
    for (let c = 0; c < k; c++) {
      const th = c * d;
      let s = 0;
      for (let j = 0; j < d; j++) s += T[row + j] * theta[th + j];
      out[i * k + c] = logConst[c] + s;
    }
  }
}

/**
 * Adds the linear statistics (layout in `src/backend/kernel.ts`: `[N_c, S1_c]` with `S1_c = Σ_i w_i r_ic t_i`, raw)
 * of rows `[start, start + count)` into `stats`. `weights` is null for unit weights; `lp` is scratch of length k.
 */
export function accumulateLinear(
  T: Float64Array, weights: Float64Array | null, start: number, count: number, d: number, k: number,
  logConst: Float64Array, theta: Float64Array, stats: Float64Array, lp: Float64Array,
): void {
  const block = 1 + d;
  let ll = 0;
  let wsum = 0;
  for (let i = 0; i < count; i++) {
    const w = weights === null ? 1 : weights[start + i];
    if (w === 0) continue;
    logProbLinear(T, start + i, 1, d, k, logConst, theta, lp);
    ll += w * weightedResponsibilities(lp, k, w);
    wsum += w;
    const row = (start + i) * d;
    for (let c = 0; c < k; c++) {
      const r = lp[c];
      if (r === 0) continue;
      const s = c * block;
      stats[s] += r;
      for (let j = 0; j < d; j++) stats[s + 1 + j] += r * T[row + j];
    }
  }
  stats[k * block] += ll;
  stats[k * block + 1] += wsum;
}

/**
 * `accumulateLinear` with the responsibilities given (`BoundData.accumulateWeighted`): `resp` is count×k, row weights
 * included; rows whose bound weight is 0 are skipped; adds `[N_c, S1_c = Σ_i r_ic t_i]` and Σ_i Σ_c r_ic to the
 * weight-sum entry, leaving the log-likelihood entry.
 */
export function accumulateWeightedLinear(
  T: Float64Array, weights: Float64Array | null, start: number, count: number, d: number, k: number,
  resp: Float64Array, stats: Float64Array,
): void {
  const block = 1 + d;
  stats[k * block + 1] += forGivenResponsibilities(weights, start, count, k, resp, (row, c, r) => {
    const s = c * block;
    stats[s] += r;
    for (let j = 0; j < d; j++) stats[s + 1 + j] += r * T[row * d + j];
  });
}
