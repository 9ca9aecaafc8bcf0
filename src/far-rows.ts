/**
 * Log-densities of rows far from every Gaussian component. A row 1e160 standard deviations away has a squared
 * Mahalanobis distance of 1e320, which overflows: every kernel log-density is −Infinity (or NaN) and the posteriors
 * become 0/0. Here such a row is computed again with its differences and the precision factor scaled by powers of two
 * (exact), so that `log δ²_c` stays finite, and its log-densities are written relative to a reference component:
 *   `log w_c + log N(x | c) = offset + g_c`,  `g_ref = 0`,
 *   `g_c = (λ_c − λ_ref) − ½ (δ²_c − δ²_ref)`,  `δ²_c − δ²_ref = δ²_ref · expm1(log δ²_c − log δ²_ref)`,
 * with λ_c the component's log-normaliser (its log weight included) and the reference the component with the smallest
 * distance. For a complete row the gaps `δ²_c − δ²_ref` are computed exactly from the whitened differences instead
 * (`pairGap`), so that components whose distances agree to rounding (a tied model's) are told apart as the exact
 * posterior tells them. The g_c are finite for the nearest component, so posteriors (`softmax g`) and labels are valid
 * and put the mass on the component nearest in Mahalanobis distance; `offset = λ_ref − ½ δ²_ref` is −Infinity only when the log-density itself is
 * below −Number.MAX_VALUE, which no float represents. Missing (NaN) entries use the marginal of the observed ones, as
 * the kernels do. Shared by every model whose emissions are Gaussian (mixtures and HMMs alike).
 */
import type { KernelParams } from './backend/kernel.js';
import { InputError } from './errors.js';
import { timesPowerOfTwo } from './fit-weights.js';
import { choleskyLower } from './linalg.js';

const LOG_2PI = Math.log(2 * Math.PI);

/**
 * Rewrites, in the count×k log-densities `lp` of rows `[start, start + count)` of the row-major n×d `X`, every row
 * where some component with a finite log-normaliser has a non-finite log-density, as described in the module comment.
 * Returns the rows' offsets (length count, 0 for rows left unchanged, so that `offset + lp` is the log-density), or
 * null when no row needed it. The `'linear'` shape (discrete families) never overflows this way and is left as it is.
 * @param offsets scratch of at least `count` entries to return the offsets in (allocated when absent)
 */
export function repairFarRows(
  X: Float64Array, d: number, start: number, count: number, p: KernelParams, lp: Float64Array,
  offsets?: Float64Array,
): Float64Array | null {
  if (p.shape === 'linear') return null;
  const { k } = p;
  let out: Float64Array | null = null;
  const dist = new Float64Array(k);
  const norm = new Float64Array(k);
  for (let i = 0; i < count; i++) {
    let far = false;
    for (let c = 0; c < k && !far; c++) {
      const v = lp[i * k + c];
      far = Number.isNaN(v) || (v === -Infinity && Number.isFinite(p.logConst[c]));
    }
    if (!far) continue;
    if (out === null) {
      out = offsets ?? new Float64Array(count);
      out.fill(0, 0, count);
    }
    const row = X.subarray((start + i) * d, (start + i + 1) * d);
    for (let c = 0; c < k; c++) scaledDistance(row, c, p, dist, norm);
    out[i] = row.some(Number.isNaN) ? relativeLogDensities(dist, norm, k, lp, i * k)
      : exactRelativeLogDensities(row, p, dist, norm, lp, i * k);
  }
  return out;
}

/**
 * `relativeLogDensities` for a complete row, with each `δ²_c − δ²_ref` computed from the difference of the whitened
 * vectors, `δ²_c − δ²_r = (y_c − y_r)·(y_c + y_r)`, `y_c = U_cᵀ(x − μ_c)` (`pairGap`), not from `log δ²_c − log δ²_r`:
 * two components whose distances agree to rounding — every pair of a tied model, whose gap is the linear
 * `2 (μ_r − μ_c)ᵀ Σ⁻¹ (x − (μ_c + μ_r)/2)` — are then still told apart, as the exact posterior tells them. The
 * reference is the component with the largest `λ_c − ½ δ²_c`, found by comparing each component with the best so far.
 */
function exactRelativeLogDensities(
  row: Float64Array, p: KernelParams, dist: Float64Array, norm: Float64Array, lp: Float64Array, off: number,
): number {
  const { k } = p;
  let ref = -1;
  for (let c = 0; c < k; c++) {
    if (!Number.isFinite(norm[c])) continue;
    if (ref < 0 || norm[c] - norm[ref] - pairGap(row, c, ref, p) / 2 > 0) ref = c;
  }
  if (ref < 0) {
    lp.fill(-Infinity, off, off + k);
    return -Infinity;
  }
  let top = 0;
  for (let c = 0; c < k; c++) {
    const g = !Number.isFinite(norm[c]) ? -Infinity : c === ref ? 0 : norm[c] - norm[ref] - pairGap(row, c, ref, p) / 2;
    lp[off + c] = g;
    if (g > top) top = g;
  }
  // The comparisons are not transitive to the last bit: keep the largest at 0.
  if (top > 0) for (let c = 0; c < k; c++) lp[off + c] -= top;
  return norm[ref] - Math.exp(dist[ref] - Math.LN2) + top;
}

/**
 * `δ²_c − δ²_r` for a complete `row`, never NaN (±Infinity past the float range). Everything is scaled by powers of
 * two shared by both components (x, μ by 2^−e1, the precision factors by 2^−e2), so that nothing overflows, and
 * `y_c − y_r` is computed as `(U_c − U_r)ᵀ x − (U_cᵀ μ_c − U_rᵀ μ_r)`: its first term is exactly 0 when the factors
 * are equal (tied), so the small linear gap is not lost in the rounding of the large `x`.
 */
function pairGap(row: Float64Array, c: number, r: number, p: KernelParams): number {
  const { d } = p;
  const full = p.shape === 'full';
  const factorOf = (q: number): Float64Array => (full ? p.prec.subarray(q * p.precStride, q * p.precStride + d * d)
    : p.prec.subarray(q * d, (q + 1) * d));
  const Uc = factorOf(c);
  const Ur = factorOf(r);
  const mc = p.means.subarray(c * d, (c + 1) * d);
  const mr = p.means.subarray(r * d, (r + 1) * d);
  let big = 0;
  for (let j = 0; j < d; j++) big = Math.max(big, Math.abs(row[j]), Math.abs(mc[j]), Math.abs(mr[j]));
  let fmax = 0;
  for (let a = 0; a < Uc.length; a++) fmax = Math.max(fmax, Math.abs(Uc[a]), Math.abs(Ur[a]));
  const e1 = exponentOf(big);
  const e2 = exponentOf(fmax);
  const x = Float64Array.from(row, (v) => timesPowerOfTwo(v, -e1));
  const uc = Float64Array.from(mc, (v) => timesPowerOfTwo(v, -e1));
  const ur = Float64Array.from(mr, (v) => timesPowerOfTwo(v, -e1));
  const fc = Float64Array.from(Uc, (v) => timesPowerOfTwo(v, -e2));
  const fr = Float64Array.from(Ur, (v) => timesPowerOfTwo(v, -e2));
  let gap = 0;
  for (let j = 0; j < d; j++) {
    // Column j of Uᵀ(·): Σ_{a ≤ j} U[a, j] (·)_a for the upper-triangular full factor, U_j (·)_j for diag.
    let dx = 0;
    let dm = 0;
    let yc = 0;
    let yr = 0;
    for (let a = full ? 0 : j; a <= j; a++) {
      const ic = full ? a * d + j : j;
      dx += (fc[ic] - fr[ic]) * x[a];
      dm += fc[ic] * uc[a] - fr[ic] * ur[a];
      yc += fc[ic] * (x[a] - uc[a]);
      yr += fr[ic] * (x[a] - ur[a]);
    }
    gap += (dx - dm) * (yc + yr);
  }
  return gap === 0 ? 0 : timesPowerOfTwo(gap, 2 * (e1 + e2));
}

/**
 * Writes `g_c` (module comment) into `lp[off…off+k)` from each component's `log δ²_c` (`dist`) and log-normaliser
 * (`norm`); returns the offset. Components with a log-normaliser of −Infinity (weight 0) get −Infinity.
 */
function relativeLogDensities(dist: Float64Array, norm: Float64Array, k: number, lp: Float64Array, off: number): number {
  let ref = -1;
  for (let c = 0; c < k; c++) {
    if (!Number.isFinite(norm[c])) continue;
    if (ref < 0 || dist[c] < dist[ref] || (dist[c] === dist[ref] && norm[c] > norm[ref])) ref = c;
  }
  if (ref < 0) {
    lp.fill(-Infinity, off, off + k);
    return -Infinity;
  }
  for (let c = 0; c < k; c++) {
    if (!Number.isFinite(norm[c])) {
      lp[off + c] = -Infinity;
      continue;
    }
    const delta = dist[c] === dist[ref] ? 0 : dist[c] - dist[ref];
    // log(δ²_c − δ²_ref); expm1 overflows past δ ≈ 709, where log expm1(δ) = δ to the last bit long before.
    const logGap = delta === 0 ? -Infinity : dist[ref] + (delta > 40 ? delta : Math.log(Math.expm1(delta)));
    lp[off + c] = norm[c] - norm[ref] - Math.exp(logGap - Math.LN2);
  }
  return norm[ref] - Math.exp(dist[ref] - Math.LN2);
}

/** 2^e with 2^e ≤ m < 2^(e+1) for m > 0 (0 for m = 0). */
function exponentOf(m: number): number {
  if (!(m > 0) || !Number.isFinite(m)) return 0;
  let e = Math.floor(Math.log2(m));
  while (timesPowerOfTwo(m, -e) >= 2) e++;
  while (timesPowerOfTwo(m, -e) < 1) e--;
  return e;
}

/**
 * `log δ²_c` of `row` under component c into `dist[c]` and its log-normaliser (log weight, −(d_o/2) log 2π, log det
 * of the observed block's precision factor) into `norm[c]`, with the differences scaled by 2^−e1 and the factor by
 * 2^−e2 so that nothing overflows: `δ² = 2^(2(e1+e2)) ‖y'‖²`.
 */
function scaledDistance(row: Float64Array, c: number, p: KernelParams, dist: Float64Array, norm: Float64Array): void {
  const { d } = p;
  const mu = p.means.subarray(c * d, (c + 1) * d);
  const factor = p.shape === 'full' ? p.prec.subarray(c * p.precStride, c * p.precStride + d * d)
    : p.prec.subarray(c * d, (c + 1) * d);
  const obs: number[] = [];
  for (let j = 0; j < d; j++) if (!Number.isNaN(row[j])) obs.push(j);
  let big = 0;
  for (const j of obs) big = Math.max(big, Math.abs(row[j]), Math.abs(mu[j]));
  const e1 = exponentOf(big);
  // x·2^−e1 − μ·2^−e1: both scaled exactly, so the difference cannot overflow.
  const diff = obs.map((j) => timesPowerOfTwo(row[j], -e1) - timesPowerOfTwo(mu[j], -e1));
  let fmax = 0;
  for (let a = 0; a < factor.length; a++) fmax = Math.max(fmax, Math.abs(factor[a]));
  const e2 = exponentOf(fmax);
  const f = Float64Array.from(factor, (v) => timesPowerOfTwo(v, -e2));
  // The log weight: the kernels' logConst is log w − (d/2) log 2π + log det U.
  let logDetU = 0;
  for (let j = 0; j < d; j++) logDetU += Math.log(Math.abs(p.shape === 'full' ? factor[j * d + j] : factor[j]));
  const logWeight = p.logConst[c] + 0.5 * d * LOG_2PI - logDetU;
  const dO = obs.length;
  let sum = 0;
  let logDetObs = 0;
  if (p.shape === 'diag') {
    obs.forEach((j, a) => {
      const y = diff[a] * f[j];
      sum += y * y;
      logDetObs += Math.log(Math.abs(factor[j]));
    });
  } else if (dO === d) {
    // yᵀ = diffᵀ U (U upper triangular).
    for (let j = 0; j < d; j++) {
      let y = 0;
      for (let a = 0; a <= j; a++) y += diff[a] * f[a * d + j];
      sum += y * y;
    }
    logDetObs = logDetU;
  } else {
    // The observed block of Σ' = (U' U'ᵀ)⁻¹ = V'ᵀ V' (V' = U'⁻¹) = 2^(2e2) Σ, its Cholesky L', z = L'⁻¹ diff.
    const V = upperInverse(f, d);
    const S = new Float64Array(dO * dO);
    for (let a = 0; a < dO; a++) {
      for (let b = 0; b < dO; b++) {
        let s = 0;
        for (let m = 0; m <= Math.min(obs[a], obs[b]); m++) s += V[m * d + obs[a]] * V[m * d + obs[b]];
        S[a * dO + b] = s;
      }
    }
    const L = new Float64Array(dO * dO);
    choleskyLower(S, 0, dO, L);
    for (let a = 0; a < dO; a++) {
      let z = diff[a];
      for (let m = 0; m < a; m++) z -= L[a * dO + m] * diff[m];
      z /= L[a * dO + a];
      diff[a] = z;
      sum += z * z;
      // log det of the observed precision factor = −Σ log L_aa (L = 2^e2 × the true factor of Σ_oo).
      logDetObs -= Math.log(L[a * dO + a]) - e2 * Math.LN2;
    }
  }
  dist[c] = Math.log(sum) + 2 * (e1 + e2) * Math.LN2;
  norm[c] = logWeight - 0.5 * dO * LOG_2PI + logDetObs;
}

/** The inverse of the upper-triangular d×d `U` (row-major), upper triangular. */
function upperInverse(U: Float64Array, d: number): Float64Array {
  const V = new Float64Array(d * d);
  for (let j = 0; j < d; j++) {
    V[j * d + j] = 1 / U[j * d + j];
    for (let i = j - 1; i >= 0; i--) {
      let s = 0;
      for (let m = i + 1; m <= j; m++) s += U[i * d + m] * V[m * d + j];
      V[i * d + j] = -s / U[i * d + i];
    }
  }
  return V;
}

/**
 * Throws an `InputError` naming `label` (the data) when the statistics of an E-step hold a NaN. Every entry of them
 * is a finite sum for rows that pass the feature-range check, except for a row whose squared Mahalanobis distance to
 * every component overflows: its responsibilities are then 0/0. That needs starting parameters that no component of
 * covers the row with, a given start (`init: { means, covariances }`) or a warm start refitted on other data; a start
 * computed from the data, and every M-step, gives each row a component whose covariance holds it.
 */
export function checkEStepStats(stats: Float64Array, label: string): void {
  for (let a = 0; a < stats.length; a++) {
    if (!Number.isNaN(stats[a])) continue;
    throw new InputError(label,
      "rows within about 1e154 standard deviations (1e19 with dtype: 'float32') of some component of the starting " +
        'parameters',
      'a row whose squared Mahalanobis distance to every component overflows (its responsibilities are 0/0)',
      "Start from the data (init: 'kmeans', no warmStart), give starting covariances that cover every row, " +
        'or scale the features');
  }
}
