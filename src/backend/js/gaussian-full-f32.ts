/**
 * Plain-TypeScript twin of `assembly/gaussian-full-f32.ts`: the fused E-step and statistics for full (and tied)
 * covariances on float32 data. Scalar loops that round with `Math.fround` (or a `Float32Array` store) wherever the
 * kernel computes in f32, so that the log-densities agree to the bit; the statistics are the f64 sums of the same
 * f32-rounded factors, which the kernel sums per block in f32 lanes (its error bound is stated there).
 */
import { responsibilitiesF32 } from './responsibilities-f32.js';

const fround = Math.fround;

/**
 * Weighted log-densities of rows `[start, start + count)` of the row-major n×d float32 matrix `X`, into `out` (count×k,
 * f64): `out[i·k + c] = logConst_c − ½ m`, `m = Σ_j y_j²`, `y_j = Σ_{a≤j} diff_a U_c[a][j]`, `diff = x_i − μ_c`, all in
 * f32 with the f32 parameters `means` (k×d) and `prec` (`U_c` at `c·precStride`). `diff` is scratch of length d.
 */
export function logProbGaussFullF32(
  X: Float32Array, start: number, count: number, d: number, k: number,
  logConst: Float64Array, means: Float32Array, prec: Float32Array, precStride: number,
  out: Float64Array, diff: Float32Array,
): void {
  for (let i = 0; i < count; i++) {
    const row = (start + i) * d;
    for (let c = 0; c < k; c++) {
      const mu = c * d;
      const u = c * precStride;
      for (let j = 0; j < d; j++) diff[j] = X[row + j] - means[mu + j];
      let maha = 0;
      for (let j = 0; j < d; j++) {
        let y = 0;
        for (let a = 0; a <= j; a++) y = fround(y + fround(diff[a] * prec[u + a * d + j]));
        maha = fround(maha + fround(y * y));
      }
      out[i * k + c] = logConst[c] - 0.5 * maha;
    }
  }
}

/**
 * Adds the full-covariance statistics (layout in `src/backend/kernel.ts`, f64) of rows `[start, start + count)` of the
 * float32 matrix `X` into `stats`: with `r` the f32 responsibility and `rd_a = fround(r·diff_a)`, `N += r`,
 * `S1_a += rd_a`, `S2_ab += rd_a·diff_b` (exact f64 products of f32 values). `weights` is null for unit weights; `lp` is
 * scratch of length k, `r` of length k, `diff` of length d.
 */
export function accumulateGaussFullF32(
  X: Float32Array, weights: Float64Array | null, start: number, count: number, d: number, k: number,
  logConst: Float64Array, means: Float32Array, prec: Float32Array, precStride: number,
  stats: Float64Array, lp: Float64Array, r: Float32Array, diff: Float32Array,
): void {
  const block = 1 + d + (d * (d + 1)) / 2;
  let ll = 0;
  let wsum = 0;
  for (let i = 0; i < count; i++) {
    const w = weights === null ? 1 : weights[start + i];
    if (w === 0) continue;
    logProbGaussFullF32(X, start + i, 1, d, k, logConst, means, prec, precStride, lp, diff);
    ll += responsibilitiesF32(lp, k, w, r);
    wsum += w;
    const row = (start + i) * d;
    for (let c = 0; c < k; c++) {
      const rc = r[c];
      if (rc === 0) continue;
      const s = c * block;
      stats[s] += rc;
      for (let j = 0; j < d; j++) diff[j] = X[row + j] - means[c * d + j];
      for (let a = 0; a < d; a++) {
        const ra = fround(rc * diff[a]);
        stats[s + 1 + a] += ra;
        const base = s + 1 + d + a * d - (a * (a - 1)) / 2 - a;
        for (let b = a; b < d; b++) stats[base + b] += ra * diff[b];
      }
    }
  }
  stats[k * block] += ll;
  stats[k * block + 1] += wsum;
}
