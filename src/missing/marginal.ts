/**
 * The E-step of a Gaussian mixture on incomplete rows (Ghahramani & Jordan 1994, "Supervised learning from incomplete
 * data via an EM approach", §3), by pattern. For rows whose observed columns are `o` and missing columns `m`:
 * - the responsibilities come from the marginal density of the observed entries, `N(x_o | μ_o, Σ_oo)`: the ordinary
 *   kernels run on the packed observed entries with the marginal parameters (`marginalParams`);
 * - the statistics use the conditional mean `x̂_m = μ_m + B (x_o − μ_o)`, `B = Σ_mo Σ_oo⁻¹`, and add the conditional
 *   covariance `C = Σ_mm − B Σ_om` to the missing block's second moment. Since `x̂ − μ` is linear in `x_o − μ_o`, the
 *   full statistics follow from the kernels' observed ones (`expandStats`):
 *   `S1_m = B S1_o`, `S2_mo = B S2_oo`, `S2_mm = B S2_oo Bᵀ + N C`.
 * Diagonal and spherical covariances are the special case `B = 0`, `C = diag(σ²_m)`.
 */
import { componentStatsLength, statsLength, type KernelParams } from '../backend/kernel.js';
import { DegenerateComponentError } from '../errors.js';
import { choleskyLower, precisionCholeskyFromLower } from '../linalg.js';
import type { Pattern } from './patterns.js';

const LOG_2PI = Math.log(2 * Math.PI);

/** The marginal parameters of one pattern, and what `expandStats` needs. */
export interface PatternParams {
  /** Kernel parameters over the observed columns (d = |o|). */
  readonly params: KernelParams;
  /** full: per factor (k, or 1 when tied) the |m|×|o| matrix B, row-major; diag: empty. */
  readonly B: Float64Array;
  /** full: per factor the |m|×|m| conditional covariance C; diag: per component the |m| variances σ²_m. */
  readonly C: Float64Array;
}

/** The covariance `Σ = (U Uᵀ)⁻¹ = Vᵀ V`, `V = U⁻¹`, of the upper-triangular precision factor at `prec[off…]` (d×d). */
export function covarianceFromPrecChol(prec: Float64Array, off: number, d: number, out: Float64Array): void {
  // V = U⁻¹, upper triangular: solve U V = I column by column, from the bottom.
  const V = new Float64Array(d * d);
  for (let col = 0; col < d; col++) {
    for (let i = col; i >= 0; i--) {
      let s = i === col ? 1 : 0;
      for (let t = i + 1; t <= col; t++) s -= prec[off + i * d + t] * V[t * d + col];
      V[i * d + col] = s / prec[off + i * d + i];
    }
  }
  for (let a = 0; a < d; a++) {
    for (let b = a; b < d; b++) {
      let s = 0;
      for (let r = 0; r <= a; r++) s += V[r * d + a] * V[r * d + b];
      out[a * d + b] = s;
      out[b * d + a] = s;
    }
  }
}

/** `log det U` of the d×d upper-triangular factor at `prec[off…]` (full) or of the d values `1/σ` (diag). */
function logDetPrec(p: KernelParams, c: number): number {
  let s = 0;
  if (p.shape === 'full') {
    const off = c * p.precStride;
    for (let j = 0; j < p.d; j++) s += Math.log(p.prec[off + j * p.d + j]);
  } else {
    for (let j = 0; j < p.d; j++) s += Math.log(p.prec[c * p.d + j]);
  }
  return s;
}

/** What every pattern's marginal parameters share, computed once per parameters (`prepareMarginals`). */
export interface MarginalBase {
  /** full: the covariance of each factor (k, or 1 when tied), d×d row-major; diag: the variances σ², k×d. */
  readonly sigmas: Float64Array;
  /** `log w_c`, recovered from `logConst`. */
  readonly logWeights: Float64Array;
  /** diag: `log(1/σ_cj)`, k×d; full: empty. */
  readonly logPrec: Float64Array;
}

/** The shared part of the marginal parameters of every pattern under `p`. */
export function prepareMarginals(p: KernelParams): MarginalBase {
  const { k, d } = p;
  const logWeights = new Float64Array(k);
  for (let c = 0; c < k; c++) logWeights[c] = p.logConst[c] + 0.5 * d * LOG_2PI - logDetPrec(p, c);
  if (p.shape === 'diag') {
    const sigmas = new Float64Array(k * d);
    const logPrec = new Float64Array(k * d);
    for (let i = 0; i < k * d; i++) {
      sigmas[i] = 1 / p.prec[i] ** 2;
      logPrec[i] = Math.log(p.prec[i]);
    }
    return { sigmas, logWeights, logPrec };
  }
  const factors = p.precStride === 0 ? 1 : k;
  const sigmas = new Float64Array(factors * d * d);
  for (let f = 0; f < factors; f++) {
    covarianceFromPrecChol(p.prec, f * p.precStride, d, sigmas.subarray(f * d * d, (f + 1) * d * d));
  }
  return { sigmas, logWeights, logPrec: new Float64Array(0) };
}

/** Work arrays of `marginalParams`, reused across calls (grown to the largest |o| seen). */
let scratch = { size: 0, sOO: new Float64Array(0), L: new Float64Array(0), T: new Float64Array(0) };

function scratchFor(dO: number): { sOO: Float64Array; L: Float64Array; T: Float64Array } {
  if (scratch.size < dO) {
    scratch = { size: dO, sOO: new Float64Array(dO * dO), L: new Float64Array(dO * dO), T: new Float64Array(dO) };
  }
  return scratch;
}

/**
 * Marginal kernel parameters of `pattern` under the full-dimensional `p` (see the module comment); `base` is
 * `prepareMarginals(p)` (computed here when not given). Throws `DegenerateComponentError` if a marginal covariance is
 * not positive definite (it is whenever Σ is).
 */
export function marginalParams(p: KernelParams, pattern: Pattern, base: MarginalBase = prepareMarginals(p)): PatternParams {
  const { k, d } = p;
  const o = pattern.observed;
  const m = pattern.missing;
  const dO = o.length;
  const dM = m.length;
  const means = new Float64Array(k * dO);
  for (let c = 0; c < k; c++) for (let t = 0; t < dO; t++) means[c * dO + t] = p.means[c * d + o[t]];
  const logConst = new Float64Array(k);
  const { sigmas, logWeights } = base;
  if (p.shape === 'diag') {
    const prec = new Float64Array(k * dO);
    const C = new Float64Array(k * dM);
    for (let c = 0; c < k; c++) {
      let ld = 0;
      for (let t = 0; t < dO; t++) {
        prec[c * dO + t] = p.prec[c * d + o[t]];
        ld += base.logPrec[c * d + o[t]];
      }
      for (let s = 0; s < dM; s++) C[c * dM + s] = sigmas[c * d + m[s]];
      logConst[c] = logWeights[c] - 0.5 * dO * LOG_2PI + ld;
    }
    return { params: { shape: 'diag', k, d: dO, logConst, means, prec, precStride: dO }, B: new Float64Array(0), C };
  }

  const factors = p.precStride === 0 ? 1 : k;
  const prec = new Float64Array(factors * dO * dO);
  const B = new Float64Array(factors * dM * dO);
  const C = new Float64Array(factors * dM * dM);
  const logDetO = new Float64Array(factors);
  const { sOO, L, T } = scratchFor(dO);
  for (let f = 0; f < factors; f++) {
    const S = f * d * d;
    for (let a = 0; a < dO; a++) for (let b = 0; b < dO; b++) sOO[a * dO + b] = sigmas[S + o[a] * d + o[b]];
    if (!choleskyLower(sOO, 0, dO, L)) {
      throw new DegenerateComponentError(factors === 1 ? -1 : f, 'the covariance of its observed entries is not positive definite');
    }
    const U = f * dO * dO;
    logDetO[f] = precisionCholeskyFromLower(L, dO, prec, U);
    // B = Σ_mo Σ_oo⁻¹ = (Σ_mo U_o) U_oᵀ, then C = Σ_mm − B Σ_om.
    for (let s = 0; s < dM; s++) {
      // T = Σ_m[s],o U_o, row by row of U_o (contiguous reads).
      const row = S + m[s] * d;
      T.fill(0);
      for (let a = 0; a < dO; a++) {
        const v = sigmas[row + o[a]];
        const ua = U + a * dO;
        for (let t = a; t < dO; t++) T[t] += v * prec[ua + t];
      }
      const out = (f * dM + s) * dO;
      for (let b = 0; b < dO; b++) {
        let v = 0;
        for (let t = b; t < dO; t++) v += T[t] * prec[U + b * dO + t];
        B[out + b] = v;
      }
    }
    for (let s = 0; s < dM; s++) {
      const bs = (f * dM + s) * dO;
      for (let u = s; u < dM; u++) {
        let v = sigmas[S + m[s] * d + m[u]];
        const col = S + m[u];
        for (let b = 0; b < dO; b++) v -= B[bs + b] * sigmas[col + o[b] * d];
        C[(f * dM + s) * dM + u] = v;
        C[(f * dM + u) * dM + s] = v;
      }
    }
  }
  for (let c = 0; c < k; c++) logConst[c] = logWeights[c] - 0.5 * dO * LOG_2PI + logDetO[factors === 1 ? 0 : c];
  return {
    params: { shape: 'full', k, d: dO, logConst, means, prec, precStride: factors === 1 ? 0 : dO * dO },
    B, C,
  };
}

/** Work arrays of `expandStats` (the dense second moment and B·S2_oo), reused across calls. */
let expandScratch = { size: 0, M: new Float64Array(0), BS: new Float64Array(0) };

function expandScratchFor(d: number): { M: Float64Array; BS: Float64Array } {
  if (expandScratch.size < d) expandScratch = { size: d, M: new Float64Array(d * d), BS: new Float64Array(d * d) };
  return expandScratch;
}

/**
 * Adds to `out` (full statistics, layout of `backend/kernel.ts` for `p`) the statistics of the pattern's rows given
 * their observed statistics `obs` (the kernels' output under `pp.params`): see the module comment.
 */
export function expandStats(
  p: KernelParams, pattern: Pattern, pp: PatternParams, obs: Float64Array, out: Float64Array,
): void {
  const { k, d, shape } = p;
  const o = pattern.observed;
  const m = pattern.missing;
  const dO = o.length;
  const dM = m.length;
  const full = componentStatsLength(shape, d);
  const part = componentStatsLength(shape, dO);
  const { M, BS } = expandScratchFor(shape === 'full' ? d : 0);
  for (let c = 0; c < k; c++) {
    const src = c * part;
    const dst = c * full;
    const nc = obs[src];
    out[dst] += nc;
    for (let t = 0; t < dO; t++) out[dst + 1 + o[t]] += obs[src + 1 + t];
    if (shape === 'diag') {
      // x̂_m = μ_m: no first moment; the second moment is N σ²_m.
      for (let t = 0; t < dO; t++) out[dst + 1 + d + o[t]] += obs[src + 1 + dO + t];
      for (let s = 0; s < dM; s++) out[dst + 1 + d + m[s]] += nc * pp.C[c * dM + s];
      continue;
    }
    const f = p.precStride === 0 ? 0 : c;
    const B = pp.B.subarray(f * dM * dO, (f + 1) * dM * dO);
    const C = pp.C.subarray(f * dM * dM, (f + 1) * dM * dM);
    // The observed block S2_oo (packed upper, d_o) into M (d×d, symmetric), then its products with B.
    const s2 = src + 1 + dO;
    for (let a = 0, q = s2; a < dO; a++) {
      for (let b = a; b < dO; b++, q++) {
        M[o[a] * d + o[b]] = obs[q];
        M[o[b] * d + o[a]] = obs[q];
      }
    }
    for (let s = 0; s < dM; s++) {
      let v = 0;
      for (let t = 0; t < dO; t++) v += B[s * dO + t] * obs[src + 1 + t];
      out[dst + 1 + m[s]] += v;
      // BS = B S2_oo (row s), which is S2_mo.
      for (let b = 0; b < dO; b++) {
        let w = 0;
        for (let t = 0; t < dO; t++) w += B[s * dO + t] * M[o[t] * d + o[b]];
        BS[s * dO + b] = w;
        M[m[s] * d + o[b]] = w;
        M[o[b] * d + m[s]] = w;
      }
    }
    for (let s = 0; s < dM; s++) {
      for (let u = s; u < dM; u++) {
        let v = nc * C[s * dM + u];
        for (let b = 0; b < dO; b++) v += BS[s * dO + b] * B[u * dO + b];
        M[m[s] * d + m[u]] = v;
        M[m[u] * d + m[s]] = v;
      }
    }
    for (let a = 0, q = dst + 1 + d; a < d; a++) for (let b = a; b < d; b++, q++) out[q] += M[a * d + b];
  }
  const tail = statsLength(shape, dO, k) - 2;
  const outTail = statsLength(shape, d, k) - 2;
  out[outTail] += obs[tail];
  out[outTail + 1] += obs[tail + 1];
}
