/**
 * A conjugate prior for the four models to which mclust gives none — VEE, EVE, VVE and EVV — and the MAP M-step
 * under it. mclust 6 refuses a prior for these models ("… model is not available with prior"); what follows is this
 * library's own derivation, not a port of mclust code, and no mclust result exists to compare it with.
 *
 * The prior is Fraley & Raftery's (2007, "Bayesian regularization for normal mixture estimation and model-based
 * clustering", J. Classification 24, 155–181, §2–3): independently for each component c,
 * `μ_c | Σ_c ~ N(μ_P, Σ_c / κ)` and `Σ_c ~ IW(ν, Λ)`, here restricted to the covariances the model allows
 * (`Σ_c = λ_c D_c A_c D_cᵀ` with the model's equalities; the restriction changes the normalizing constant, not the
 * mode). With `N_c`, `x̄_c`, `W_c` the weighted statistics, δ = 1 when κ > 0 (else 0, no mean term), the part of the
 * expected complete-data log posterior that holds component c is, up to constants,
 *
 *   −½ (N_c + δ + ν + d + 1) log|Σ_c| − ½ tr(Σ_c⁻¹ [W_c + Λ + N_c (x̄_c − μ_c)(x̄_c − μ_c)ᵀ + κ (μ_c − μ_P)(μ_c − μ_P)ᵀ]).
 *
 * Its maximum over μ_c is `μ̂_c = (N_c x̄_c + κ μ_P) / (N_c + κ)` whatever Σ_c is, and there the bracket becomes
 *
 *   W̃_c = W_c + Λ + κ_c (x̄_c − μ_P)(x̄_c − μ_P)ᵀ,   κ_c = κ N_c / (N_c + κ),   ñ_c = N_c + ν + d + 1 + δ,
 *
 * so the covariance part is `−½ Σ_c [ñ_c log|Σ_c| + tr(Σ_c⁻¹ W̃_c)]`: the Gaussian log-likelihood's covariance
 * part with (N_c, W_c) replaced by (ñ_c, W̃_c). Hence a model's MAP covariance step is its maximum-likelihood step on
 * (ñ_c, W̃_c), for every model whose ML step reads the data only through (N_c, W_c) — as VEE, EVE, VVE and EVV do.
 * The constant ñ_c is mclust's own for VVV (`msvvvp` divides by ν + N_c + d + 1 + δ). The weights carry no prior
 * and stay `N_c / N`.
 *
 * The iterations are those of the ML steps (`mclust-iterative.ts`: VEE's alternation of Celeux & Govaert 1995 §3.3;
 * EVE's and VVE's orientation updates, the MM algorithms of Browne & McNicholas 2014, "Estimating common principal
 * components in high dimensions", ADAC 8, 217–226), with their warm starts and stopping rules, run on (ñ_c, W̃_c).
 * With Λ positive definite every W̃_c is, so the estimates stay proper where the ML step is singular (a component
 * with fewer than d + 1 points).
 *
 * VVE is the exception: mclust's `msvve` updates the common orientation with EVE's weights `A_c⁻¹`, leaving out
 * `1/λ_c`, so its D is EVE's and its step does not maximize VVE's likelihood (a small rotation of D raises it; see
 * `test/mclust-prior-derived.test.ts`). The MAP step of VVE here uses Browne & McNicholas's (2014) VVE update,
 * weights `(λ_c A_c)⁻¹` (`mstepVVEWeighted`).
 *
 * Where a model shares a parameter (EVE's λ and D), this prior still puts one IW factor on each Σ_c: the shared
 * parameter is shrunk by k copies of Λ and counts k(ν + d + 1 + δ). mclust's EEE instead places a single IW on the
 * one Σ (`mseeep`: Λ once, ν + d + 1 once). The product prior is chosen because under it every model's MAP step is its
 * ML step on the same per-component (ñ_c, W̃_c), whatever the model shares. A one-number scale ς² (mclust's prior for
 * EII … VVI, on variances) is taken here as Λ = ς² I with the IW counts above, not mclust's variance-prior counts.
 */
import { DegenerateComponentError, InputError } from '../errors.js';
import {
  composeRotated, geometricMean, MCLUST_FLMAX, MCLUST_RTEPS, spdInverse,
} from './mclust-linalg.js';
import {
  mclustMStep, type MclustDecomposition, type MclustInnerInfo, type MclustModel, type MclustMStepResult, type MclustPrior, type MclustStatistics,
} from './mclust-models.js';
import {
  axisVariance, largestEigenvalues, orientationUpdate, orientationWork, startOrientation,
} from './mclust-iterative.js';

/**
 * The models to which mclust 6 gives no prior (its `mstep` and `me` refuse one) and for which this module derives the
 * MAP M-step under Fraley & Raftery's (2007, §2–3) normal–inverse-Wishart prior: the library's own derivation.
 */
export const MCLUST_DERIVED_PRIOR_MODELS: readonly MclustModel[] = ['VEE', 'EVE', 'VVE', 'EVV'];

/** Options of `mclustDerivedMapMStep`: as `MclustMStepOptions` (`tol`, `maxIterations`, `start`). */
export interface MclustDerivedMapOptions {
  /** Relative change at which the inner iterations stop [√ε]; each model keeps its ML step's rule. */
  readonly tol?: number;
  /** Inner iteration cap [2³¹ − 1]. */
  readonly maxIterations?: number;
  /**
   * The previous M-step's decomposition, carried by EM from one M-step to the next: EVE (shape, orientation), VVE
   * (scale, shape, orientation). VEE restarts from unit volumes and EVV is closed-form, as in their ML steps.
   */
  readonly start?: MclustDecomposition;
}

/** The prior's scale as a d×d matrix: `Λ` itself, or `ς² I` for a one-number scale. */
function scaleMatrix(prior: MclustPrior, d: number): Float64Array {
  if (prior.scale.length === d * d) return prior.scale;
  if (prior.scale.length === 1) {
    const L = new Float64Array(d * d);
    for (let j = 0; j < d; j++) L[j * d + j] = prior.scale[0];
    return L;
  }
  throw new InputError('prior.scale', `${d * d} (d×d) or 1 values`, String(prior.scale.length));
}

/**
 * The posterior's augmented statistics (Fraley & Raftery 2007, §3): `n` = ñ_c = N_c + ν + d + 1 + δ, `means` =
 * μ̂_c = (N_c x̄_c + κ μ_P)/(N_c + κ), `scatter` = W̃_c = W_c + Λ + κ_c (x̄_c − μ_P)(x̄_c − μ_P)ᵀ with
 * κ_c = κ N_c / (N_c + κ) and δ = 1 if κ > 0 else 0. Λ is `prior.scale` (d×d, or ς² I for one number).
 */
export function mclustPosteriorStatistics(stats: MclustStatistics, prior: MclustPrior): MclustStatistics {
  const { k, d, n, means: xbar, scatter: W } = stats;
  const kappa = Math.max(prior.shrinkage, 0);
  const delta = kappa > 0 ? 1 : 0;
  const L = scaleMatrix(prior, d);
  const nTilde = new Float64Array(k);
  const means = new Float64Array(k * d);
  const scatter = new Float64Array(k * d * d);
  const m = new Float64Array(d);
  for (let c = 0; c < k; c++) {
    nTilde[c] = n[c] + prior.dof + d + 1 + delta;
    const kc = (kappa * n[c]) / (n[c] + kappa);
    for (let j = 0; j < d; j++) {
      m[j] = xbar[c * d + j] - prior.mean[j];
      means[c * d + j] = (n[c] * xbar[c * d + j] + kappa * prior.mean[j]) / (n[c] + kappa);
    }
    for (let a = 0; a < d; a++) {
      for (let b = 0; b < d; b++) scatter[c * d * d + a * d + b] = W[c * d * d + a * d + b] + L[a * d + b] + kc * m[a] * m[b];
    }
  }
  return { k, d, n: nTilde, means, scatter };
}

/**
 * The MAP M-step of `model` under the product prior of this module (Fraley & Raftery 2007, §2–3, one N–IW factor
 * per component): the model's maximum-likelihood M-step on `mclustPosteriorStatistics(stats, prior)` —
 * `Σ̂ = argmax −½ Σ_c [ñ_c log|Σ_c| + tr(Σ_c⁻¹ W̃_c)]` within the model — with the weights `N_c / N` and the means
 * `μ̂_c = (N_c x̄_c + κ μ_P)/(N_c + κ)`. The ML step is `mclustMStep`'s (VEE, EVE, EVV: Celeux & Govaert 1995 §3;
 * EVE's orientation: Browne & McNicholas 2014), except VVE's, `mstepVVEWeighted`. Meant for VEE, EVE, VVE and EVV
 * (`MCLUST_DERIVED_PRIOR_MODELS`): mclust has no prior for these models, so the result is the library's own and has
 * no mclust counterpart. For VVV it equals mclust's `msvvvp`. Throws as `mclustMStep` (`DegenerateComponentError`)
 * and `InputError` for a zero weight sum or a scale that is neither d×d nor one number.
 */
export function mclustDerivedMapMStep(
  model: MclustModel, stats: MclustStatistics, prior: MclustPrior, options: MclustDerivedMapOptions = {},
): MclustMStepResult {
  let total = 0;
  for (let c = 0; c < stats.k; c++) total += stats.n[c];
  if (!(total > 0)) throw new InputError('stats.n', 'a positive total weight', String(total));
  const posterior = mclustPosteriorStatistics(stats, prior);
  const tol = options.tol ?? Math.sqrt(Number.EPSILON);
  const maxIterations = options.maxIterations ?? 2147483647;
  const weights = stats.n.map((v) => v / total);
  if (model === 'VVE') {
    const r = mstepVVEWeighted(posterior, tol, maxIterations, options.start);
    return { model, k: stats.k, d: stats.d, weights, means: posterior.means, ...r };
  }
  const fit = mclustMStep(model, posterior, { tol, maxIterations, start: options.start });
  return { ...fit, weights, means: posterior.means };
}

/**
 * VVE, `Σ_c = λ_c D A_c Dᵀ`, maximizing `−½ Σ_c [N_c log|Σ_c| + tr(Σ_c⁻¹ W_c)]` (called with the posterior's
 * (ñ_c, W̃_c) by `mclustDerivedMapMStep`). With `Ψ_c = λ_c A_c` and ω_c the largest eigenvalue of W_c, each
 * iteration is Browne & McNicholas's (2014, §3) pair of MM updates of the orientation for variable volumes:
 * `D ← Q(F₁)ᵀ`, `F₁ = Σ_c Ψ_c⁻¹ Dᵀ (W_c − ω_c I)`, then `D ← Q(F₂)`, `F₂ = Σ_c W_c D (Ψ_c⁻¹ − max_j(1/ψ_cj) I)`
 * (Q the orthogonal polar factor), then `Ψ_c = diag(Dᵀ W_c D) / N_c`. Each step lowers
 * `Σ_c tr(Dᵀ W_c D Ψ_c⁻¹) + N_c log|Ψ_c|`, so the iterations never decrease the likelihood. They stop as EVE's
 * (`mstepEVE`): relative change of the target `Σ_c N_c Σ_j log ψ_cj` at most `tol`, or `maxIterations`. Start: the
 * given D, λ_c and A_c (EM's previous M-step) [I, ones]. This differs from mclust's `msvve`, which weighs by `A_c⁻¹`
 * alone (EVE's update) and so does not reach VVE's maximum.
 */
export function mstepVVEWeighted(
  stats: MclustStatistics, tol: number, maxIterations: number, start?: MclustDecomposition,
): { covariances: Float64Array; decomposition: MclustDecomposition; inner: MclustInnerInfo } {
  const { k, d, n, scatter: W } = stats;
  const omega = largestEigenvalues(W, k, d);
  const D = startOrientation(start, d);
  const psi = new Float64Array(k * d).fill(1);
  if (start?.shape && start.shape.length === k * d && start.scale && start.scale.length === k) {
    for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) psi[c * d + j] = start.scale[c] * start.shape[c * d + j];
  }
  const work = orientationWork(d);
  let iterations = 0;
  let error = MCLUST_FLMAX;
  let previous = MCLUST_FLMAX / 2;
  do {
    iterations++;
    orientationUpdate(W, k, d, D, psi, omega, work);
    let target = 0;
    for (let c = 0; c < k; c++) {
      for (let j = 0; j < d; j++) {
        const s = axisVariance(W, c, d, D, j);
        if (!(s > 0)) throw new DegenerateComponentError(c, 'a variance along the common axes is not positive');
        psi[c * d + j] = s / n[c];
        target += n[c] * Math.log(psi[c * d + j]);
      }
    }
    error = Math.abs(target - previous) / (1 + Math.abs(target));
    previous = target;
  } while (error > tol && iterations < maxIterations);
  const scale = new Float64Array(k);
  const shape = new Float64Array(k * d);
  const cov = new Float64Array(k * d * d);
  for (let c = 0; c < k; c++) {
    scale[c] = geometricMean(psi, c * d, d, c);
    if (!(scale[c] > MCLUST_RTEPS)) throw new DegenerateComponentError(c, 'its volume is at or below √ε');
    for (let j = 0; j < d; j++) {
      shape[c * d + j] = psi[c * d + j] / scale[c];
      if (!(shape[c * d + j] > MCLUST_RTEPS)) throw new DegenerateComponentError(c, 'its shape is at or below √ε');
    }
    composeRotated(cov, c, D, 0, d, (j) => psi[c * d + j]);
  }
  return { covariances: cov, decomposition: { scale, shape, orientation: D }, inner: { iterations, error } };
}


/** Parameters whose log posterior is scored: weights (k), means (k×d row-major), covariances (k×d×d row-major). */
export interface MclustParameters {
  readonly weights: ArrayLike<number>;
  readonly means: ArrayLike<number>;
  readonly covariances: ArrayLike<number>;
}

function inverseOf(covariances: ArrayLike<number>, c: number, d: number): { inverse: Float64Array; logDet: number } {
  const S = Float64Array.from({ length: d * d }, (_, p) => covariances[c * d * d + p]);
  const r = spdInverse(S, d);
  if (r === null) throw new InputError('covariances', 'positive definite matrices', `component ${c} not`);
  return r;
}

/**
 * The log prior density of the means and covariances, up to a constant (Fraley & Raftery 2007, §2):
 * `Σ_c [−½ (δ + ν + d + 1) log|Σ_c| − ½ tr(Σ_c⁻¹ Λ) − (κ/2)(μ_c − μ_P)ᵀ Σ_c⁻¹ (μ_c − μ_P)]`. Added to the
 * log-likelihood it is the log posterior that an EM with the MAP M-step never decreases.
 */
export function mclustLogPrior(prior: MclustPrior, k: number, d: number, params: MclustParameters): number {
  const kappa = Math.max(prior.shrinkage, 0);
  const delta = kappa > 0 ? 1 : 0;
  const L = scaleMatrix(prior, d);
  let s = 0;
  for (let c = 0; c < k; c++) {
    const { inverse, logDet } = inverseOf(params.covariances, c, d);
    let tr = 0;
    let q = 0;
    for (let a = 0; a < d; a++) {
      const ma = params.means[c * d + a] - prior.mean[a];
      for (let b = 0; b < d; b++) {
        tr += inverse[a * d + b] * L[b * d + a];
        q += ma * inverse[a * d + b] * (params.means[c * d + b] - prior.mean[b]);
      }
    }
    s += -0.5 * (delta + prior.dof + d + 1) * logDet - 0.5 * tr - 0.5 * kappa * q;
  }
  return s;
}

/**
 * The M-step's objective, the expected complete-data log posterior up to a constant (Dempster, Laird & Rubin 1977 §4;
 * the prior of Fraley & Raftery 2007, §2–3):
 * `Σ_c [N_c log π_c − ½ N_c log|Σ_c| − ½ tr(Σ_c⁻¹ (W_c + N_c (x̄_c − μ_c)(x̄_c − μ_c)ᵀ))] + mclustLogPrior`
 * (the `d/2 log 2π` terms dropped). The MAP M-step maximizes it within the model.
 */
export function mclustMapObjective(stats: MclustStatistics, prior: MclustPrior, params: MclustParameters): number {
  const { k, d, n, means: xbar, scatter: W } = stats;
  let s = mclustLogPrior(prior, k, d, params);
  for (let c = 0; c < k; c++) {
    const { inverse, logDet } = inverseOf(params.covariances, c, d);
    let tr = 0;
    for (let a = 0; a < d; a++) {
      const ea = xbar[c * d + a] - params.means[c * d + a];
      for (let b = 0; b < d; b++) {
        const eb = xbar[c * d + b] - params.means[c * d + b];
        tr += inverse[a * d + b] * (W[c * d * d + b * d + a] + n[c] * eb * ea);
      }
    }
    s += n[c] * Math.log(params.weights[c]) - 0.5 * n[c] * logDet - 0.5 * tr;
  }
  return s;
}
