/**
 * Plain-TypeScript twin of `assembly/gaussian-diag-f32.ts`: the fused E-step and statistics for diagonal (and
 * spherical) covariances on float32 data, rounding with `Math.fround` (or a `Float32Array` store) wherever the kernel
 * computes in f32. Log-densities agree to the bit; the statistics are the f64 sums of the same f32-rounded factors.
 */
import { responsibilitiesF32 } from './responsibilities-f32.js';

const fround = Math.fround;

/**
 * Weighted log-densities of rows `[start, start + count)` of the row-major n×d float32 matrix `X`, into `out` (count×k,
 * f64): `out[i·k + c] = logConst_c − ½ Σ_j y_j²`, `y_j = (x_ij − μ_cj)·p_cj`, in f32 with the f32 parameters `means`
 * and `prec` (k×d, `p = 1/σ`).
 */
export function logProbGaussDiagF32(
  X: Float32Array, start: number, count: number, d: number, k: number,
  logConst: Float64Array, means: Float32Array, prec: Float32Array, out: Float64Array,
): void {
  for (let i = 0; i < count; i++) {
    const row = (start + i) * d;
    for (let c = 0; c < k; c++) {
      const mu = c * d;
      let maha = 0;
      for (let j = 0; j < d; j++) {
        const y = fround(fround(X[row + j] - means[mu + j]) * prec[mu + j]);
        maha = fround(maha + fround(y * y));
      }
      out[i * k + c] = logConst[c] - 0.5 * maha;
    }
  }
}

/**
 * Adds the diagonal statistics (layout in `src/backend/kernel.ts`, f64) of rows `[start, start + count)` of the float32
 * matrix `X` into `stats`: with `r` the f32 responsibility, `diff_j = fround(x_j − μ_j)`, `rd_j = fround(r·diff_j)`:
 * `N += r`, `S1_j += rd_j`, `S2_j += rd_j·diff_j` (exact f64 products). `weights` is null for unit weights; `lp` and `r`
 * are scratch of length k.
 */
export function accumulateGaussDiagF32(
  X: Float32Array, weights: Float64Array | null, start: number, count: number, d: number, k: number,
  logConst: Float64Array, means: Float32Array, prec: Float32Array, stats: Float64Array, lp: Float64Array,
  r: Float32Array,
): void {
  const block = 1 + 2 * d;
  let ll = 0;
  let wsum = 0;
  for (let i = 0; i < count; i++) {
    const w = weights === null ? 1 : weights[start + i];
    if (w === 0) continue;
    logProbGaussDiagF32(X, start + i, 1, d, k, logConst, means, prec, lp);
    ll += responsibilitiesF32(lp, k, w, r);
    wsum += w;
    const row = (start + i) * d;
    for (let c = 0; c < k; c++) {
      const rc = r[c];
      if (rc === 0) continue;
      const s = c * block;
      stats[s] += rc;
      for (let j = 0; j < d; j++) {
        const dj = fround(X[row + j] - means[c * d + j]);
        const rd = fround(rc * dj);
        stats[s + 1 + j] += rd;
        stats[s + 1 + d + j] += rd * dj;
      }
    }
  }
  stats[k * block] += ll;
  stats[k * block + 1] += wsum;
}
