/**
 * mclust's fourteen Gaussian covariance models and their M-steps from weighted statistics, as mclust 6 computes them
 * (Fraley & Raftery's R package; its Fortran routines `ms<model>` in `src/mclust.f` and, for VEE, EVE, VVE and EVV,
 * `src/mclust2.f`).
 *
 * Each model writes the covariance of component c as `Σ_c = λ_c D_c A_c D_cᵀ` (Banfield & Raftery 1993; Celeux &
 * Govaert 1995, "Gaussian parsimonious clustering models", Pattern Recognition 28, 781–793): the volume λ_c, the shape
 * A_c (diagonal, `|A_c| = 1`) and the orientation D_c (orthogonal), each Equal or Variable across components, or I
 * (identity) for the shape and orientation of spherical and diagonal models. The three letters of a name say which:
 * VEI has variable volume, equal shape and axes along the coordinates.
 *
 * The M-step reads, per component c, the weight sum `N_c = Σ_i z_ic`, the weighted mean `x̄_c` and the weighted
 * scatter about it `W_c = Σ_i z_ic (x_i − x̄_c)(x_i − x̄_c)ᵀ` (`MclustStatistics`); `N = Σ_c N_c`. The weights are
 * `N_c / N` and the means `x̄_c` (MAP: shrunk towards the prior mean). Most models have closed forms (Celeux &
 * Govaert 1995, §3 and Table 1); VEI, VEV and VEE alternate between volume and shape, EVE and VVE update the common
 * orientation with the MM algorithms of Browne & McNicholas (2014, "Estimating common principal components in high
 * dimensions", Advances in Data Analysis and Classification 8, 217–226): these iterate to mclust's own stopping rule,
 * from the start mclust uses (`MclustMStepOptions.start`). The iterative models' code is in `mclust-iterative.ts`, the
 * MAP M-steps in `mclust-prior.ts`.
 */
import { DegenerateComponentError, InputError } from '../errors.js';
import { CHOLESKY_RELATIVE_PIVOT, choleskyLower } from '../linalg.js';
import { assertNever } from '../errors.js';
import { composeRotated, fillDiagonal, geometricMean, MCLUST_RTEPS, symmetricEigen, trace } from './mclust-linalg.js';

export { MCLUST_RTEPS } from './mclust-linalg.js';
import { mstepEVE, mstepVEE, mstepVEI, mstepVEV, mstepVVE } from './mclust-iterative.js';
import { mclustMapMStep, type MclustPrior } from './mclust-prior.js';

export type { MclustPrior } from './mclust-prior.js';

/** mclust's fourteen models, in its order (`mclust.options("emModelNames")`). */
export const MCLUST_MODELS = [
  'EII', 'VII', 'EEI', 'VEI', 'EVI', 'VVI', 'EEE', 'VEE', 'EVE', 'VVE', 'EEV', 'VEV', 'EVV', 'VVV',
] as const;

/** One of mclust's covariance models: volume, shape, orientation each Equal, Variable or I(dentity). */
export type MclustModel = (typeof MCLUST_MODELS)[number];

/** scikit-learn's covariance types as mclust's models. */
export const MCLUST_ALIASES = { spherical: 'VII', diag: 'VVI', tied: 'EEE', full: 'VVV' } as const;

/**
 * The models whose M-step takes mclust's conjugate prior: mclust 6's `mstep` refuses EVE, VVE, VEE and EVV with a
 * prior ("… model is not available with prior") and so does `mclustMStep`.
 */
export const MCLUST_PRIOR_MODELS: readonly MclustModel[] = [
  'EII', 'VII', 'EEI', 'VEI', 'EVI', 'VVI', 'EEE', 'EEV', 'VEV', 'VVV',
];

/** A model name or one of the aliases of `MCLUST_ALIASES` as the model; `InputError` for anything else. */
export function resolveMclustModel(name: string, argument = 'covarianceType'): MclustModel {
  if ((MCLUST_MODELS as readonly string[]).includes(name)) return name as MclustModel;
  if (Object.prototype.hasOwnProperty.call(MCLUST_ALIASES, name)) {
    return MCLUST_ALIASES[name as keyof typeof MCLUST_ALIASES];
  }
  throw new InputError(argument, `one of ${MCLUST_MODELS.join(', ')} or ${Object.keys(MCLUST_ALIASES).join(', ')}`,
    JSON.stringify(name));
}

/**
 * The models whose maximum-likelihood M-step, as mclust 6 computes it, need not maximize the expected complete-data
 * log-likelihood: `msvve` (VVE) updates the common orientation with EVE's weights `A_c⁻¹` alone, leaving out the
 * variable volumes, so an EM iteration can lower the likelihood (by 3e-5 per row on a three-group sample).
 */
export const MCLUST_INEXACT_ML_MODELS: readonly MclustModel[] = ['VVE'];

/**
 * The models whose MAP M-step, as mclust 6 computes it (`mclust-prior.ts`), is not the exact posterior mode of the
 * prior whose log density is reported (`mclustLogPrior`): `mseiip`, `mseeip`, `mseevp`, `msvevp` and the EM routines'
 * steps of EVI depart from the mode in the ways `mclust-prior.ts` lists, and VEI's alternation follows them. EM with
 * them can lower the log posterior slightly.
 */
export const MCLUST_INEXACT_MAP_MODELS: readonly MclustModel[] = ['EII', 'EEI', 'VEI', 'EVI', 'EEV', 'VEV'];

/**
 * Free covariance parameters of a model with k components in d dimensions (mclust's `nVarParams`): volumes
 * (1 or k), shapes (0, d − 1 or k(d − 1)), orientations (0, d(d − 1)/2 or k·d(d − 1)/2); EEE and VVV have d(d + 1)/2
 * and k·d(d + 1)/2.
 */
export function mclustCovarianceParameterCount(model: MclustModel, k: number, d: number): number {
  const orientation = (d * (d - 1)) / 2;
  switch (model) {
    case 'EII': return 1;
    case 'VII': return k;
    case 'EEI': return d;
    case 'VEI': return k + (d - 1);
    case 'EVI': return 1 + k * (d - 1);
    case 'VVI': return k * d;
    case 'EEE': return (d * (d + 1)) / 2;
    case 'VEE': return k + (d - 1) + orientation;
    case 'EVE': return 1 + k * (d - 1) + orientation;
    case 'VVE': return k + k * (d - 1) + orientation;
    case 'EEV': return 1 + (d - 1) + k * orientation;
    case 'VEV': return k + (d - 1) + k * orientation;
    case 'EVV': return 1 + k * (d - 1) + k * orientation;
    case 'VVV': return (k * d * (d + 1)) / 2;
    default: return assertNever(model);
  }
}

/**
 * Free parameters as mclust counts them (`nMclustParams(model, d, G)`): the covariance parameters, k·d means and,
 * unless `weights` is false (mclust's `equalPro = TRUE`), k − 1 weights. mclust's BIC is `2 loglik − count · log n`.
 */
export function mclustParameterCount(model: MclustModel, k: number, d: number, weights = true): number {
  return mclustCovarianceParameterCount(model, k, d) + k * d + (weights ? k - 1 : 0);
}

/** mclust's BIC with the library's sign: `count · log n − 2 loglik` (mclust's `bic()` is its negative). */
export function mclustBic(model: MclustModel, logLikelihood: number, n: number, k: number, d: number): number {
  return mclustParameterCount(model, k, d) * Math.log(n) - 2 * logLikelihood;
}

/** The weighted statistics an M-step reads: per component the weight sum, the mean and the scatter about it. */
export interface MclustStatistics {
  readonly k: number;
  readonly d: number;
  /** `N_c = Σ_i z_ic`, length k. */
  readonly n: Float64Array;
  /** `x̄_c = Σ_i z_ic x_i / N_c`, k×d row-major. */
  readonly means: Float64Array;
  /** `W_c = Σ_i z_ic (x_i − x̄_c)(x_i − x̄_c)ᵀ`, k×d×d row-major (full, symmetric). */
  readonly scatter: Float64Array;
}

/**
 * Statistics of the rows `X` (n×d row-major) under responsibilities `z` (n×k row-major), in two passes (means, then
 * the scatter about them) as mclust's Fortran computes them.
 */
export function mclustStatistics(X: ArrayLike<number>, nRows: number, d: number, z: ArrayLike<number>, k: number): MclustStatistics {
  const n = new Float64Array(k);
  const means = new Float64Array(k * d);
  const scatter = new Float64Array(k * d * d);
  for (let i = 0; i < nRows; i++) {
    for (let c = 0; c < k; c++) {
      const w = z[i * k + c];
      n[c] += w;
      for (let j = 0; j < d; j++) means[c * d + j] += w * X[i * d + j];
    }
  }
  for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) means[c * d + j] /= n[c];
  const delta = new Float64Array(d);
  for (let i = 0; i < nRows; i++) {
    for (let c = 0; c < k; c++) {
      const w = z[i * k + c];
      if (w === 0) continue;
      for (let j = 0; j < d; j++) delta[j] = X[i * d + j] - means[c * d + j];
      const out = c * d * d;
      for (let a = 0; a < d; a++) {
        const wa = w * delta[a];
        for (let b = a; b < d; b++) scatter[out + a * d + b] += wa * delta[b];
      }
    }
  }
  for (let c = 0; c < k; c++) {
    for (let a = 0; a < d; a++) for (let b = 0; b < a; b++) scatter[c * d * d + a * d + b] = scatter[c * d * d + b * d + a];
  }
  return { k, d, n, means, scatter };
}

/**
 * The decomposition `Σ_c = λ_c D_c A_c D_cᵀ` as mclust reports it (its `parameters$variance`), each part null where the
 * model has none: `scale` λ (1 value for E volumes, k for V; EII/VII: σ²), `shape` the diagonal of A (d values, or
 * k×d for variable shapes; normalized to `|A| = 1`), `orientation` D (d×d, or k×d×d; columns the axes, each up to
 * sign). For VEI, VEV, EVE and VVE it is also the warm start of the next M-step (`MclustMStepOptions.start`).
 */
export interface MclustDecomposition {
  readonly scale: Float64Array | null;
  readonly shape: Float64Array | null;
  readonly orientation: Float64Array | null;
}

/** What an iterative M-step did: its iterations and the last relative change, mclust's `attr(, "info")`. */
export interface MclustInnerInfo {
  readonly iterations: number;
  readonly error: number;
}

/** An M-step's estimates. */
export interface MclustMStepResult {
  readonly model: MclustModel;
  readonly k: number;
  readonly d: number;
  /** `N_c / N`, length k. */
  readonly weights: Float64Array;
  /** k×d. */
  readonly means: Float64Array;
  /** `Σ_c`, k×d×d row-major (mclust's `sigma`, transposed to component-major). */
  readonly covariances: Float64Array;
  readonly decomposition: MclustDecomposition;
  /** The inner iterations of VEI, VEV, VEE, EVE, VVE; null for closed forms. */
  readonly inner: MclustInnerInfo | null;
}

/** Options of `mclustMStep`. */
export interface MclustMStepOptions {
  /**
   * Relative change at which the inner iterations stop [√ε ≈ 1.49e-8, mclust's `emControl()$tol[2]`]; each routine
   * applies its own rule (see `mclust-iterative.ts`).
   */
  readonly tol?: number;
  /** Inner iteration cap [2³¹ − 1, mclust's `emControl()$itmax[2]`]. */
  readonly maxIterations?: number;
  /**
   * The previous M-step's decomposition, where mclust's EM carries it from one M-step to the next: VEI (scale and
   * shape), VEV (scale and shape), EVE and VVE (shape and orientation). Absent, the start of mclust's `mstep`: VEI
   * ones, EVE/VVE `A = I`, `D = I`, VEV the pooled eigenvalues. Ignored by the other models (VEE restarts from unit
   * volumes at every M-step, as mclust's `mevee` does).
   */
  readonly start?: MclustDecomposition;
  /** mclust's conjugate prior (`priorControl()`): the MAP M-step; only for `MCLUST_PRIOR_MODELS`. */
  readonly prior?: MclustPrior;
  /**
   * Whose M-step to reproduce ['me']: mclust's EM routines (`me<model>`, `me<model>p`) or its `mstep()` (`ms<model>`,
   * `ms<model>p`). They differ in the MAP M-steps of EII, EEI, EVI and EEV (`mclust-prior.ts`) and in VEV's start
   * without `start` (λ_c = g / N in EM, g / (N_c N) in `mstep`, g = |Σ_c Ω_c|^{1/d}).
   */
  readonly routine?: MclustRoutine;
}

/** Which of mclust's routines an M-step reproduces (`MclustMStepOptions.routine`). */
export type MclustRoutine = 'me' | 'mstep';

/**
 * The M-step of `model` (maximum likelihood, or MAP with `options.prior`): weights, means, covariances and their
 * decomposition, as mclust's `mstep(modelName, data, z)` / `ms<model>` routines compute them.
 * Throws `DegenerateComponentError` where mclust returns NA: a component without weight, a scatter or estimate that is
 * not positive definite, a shape or volume at or below √ε (mclust's checks); `InputError` for a prior on a model that
 * mclust does not give one.
 */
export function mclustMStep(model: MclustModel, stats: MclustStatistics, options: MclustMStepOptions = {}): MclustMStepResult {
  const { k, d } = stats;
  let total = 0;
  for (let c = 0; c < k; c++) {
    if (!(stats.n[c] > MCLUST_RTEPS)) throw new DegenerateComponentError(c, 'no data point is assigned to it');
    total += stats.n[c];
  }
  const weights = stats.n.map((v) => v / total);
  const tol = options.tol ?? Math.sqrt(Number.EPSILON);
  const maxIterations = options.maxIterations ?? 2147483647;
  let out: { means?: Float64Array; covariances: Float64Array; decomposition: MclustDecomposition; inner: MclustInnerInfo | null };
  if (options.prior !== undefined) {
    if (!MCLUST_PRIOR_MODELS.includes(model)) {
      throw new InputError('prior', `one of the models ${MCLUST_PRIOR_MODELS.join(', ')}`, model,
        'mclust gives no conjugate prior for EVE, VVE, VEE and EVV; mclustDerivedMapMStep derives one');
    }
    out = mclustMapMStep(model, stats, total, options.prior, tol, maxIterations, options.start, options.routine ?? 'me');
  } else {
    out = maximumLikelihood(model, stats, total, tol, maxIterations, options.start, options.routine ?? 'me');
  }
  checkPositiveDefinite(out.covariances, k, d);
  return {
    model, k, d, weights, means: out.means ?? Float64Array.from(stats.means), covariances: out.covariances,
    decomposition: out.decomposition, inner: out.inner,
  };
}

function maximumLikelihood(
  model: MclustModel, stats: MclustStatistics, total: number, tol: number, maxIterations: number,
  start: MclustDecomposition | undefined, routine: MclustRoutine,
): { covariances: Float64Array; decomposition: MclustDecomposition; inner: MclustInnerInfo | null } {
  const { k, d, n, scatter: W } = stats;
  const cov = new Float64Array(k * d * d);
  const none = { scale: null, shape: null, orientation: null };
  switch (model) {
    case 'EII': {
      // σ² = Σ_c tr W_c / (N d) (Celeux & Govaert 1995, Table 1; mclust `mseii`)
      let s = 0;
      for (let c = 0; c < k; c++) s += trace(W, c * d * d, d);
      const sigmasq = s / (total * d);
      fillDiagonal(cov, k, d, () => sigmasq);
      return { covariances: cov, decomposition: { ...none, scale: Float64Array.of(sigmasq) }, inner: null };
    }
    case 'VII': {
      // σ²_c = tr W_c / (N_c d) (mclust `msvii`)
      const scale = new Float64Array(k);
      for (let c = 0; c < k; c++) scale[c] = trace(W, c * d * d, d) / (n[c] * d);
      fillDiagonal(cov, k, d, (c) => scale[c]);
      return { covariances: cov, decomposition: { ...none, scale }, inner: null };
    }
    case 'EEI': {
      // B = diag(Σ_c W_c); λ = |B|^{1/d} / N, A = B / |B|^{1/d} (mclust `mseei`)
      const shape = new Float64Array(d);
      for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) shape[j] += W[c * d * d + j * d + j];
      const g = geometricMean(shape, 0, d, -1);
      for (let j = 0; j < d; j++) shape[j] /= g;
      const scale = g / total;
      fillDiagonal(cov, k, d, (_c, j) => scale * shape[j]);
      return { covariances: cov, decomposition: { ...none, scale: Float64Array.of(scale), shape }, inner: null };
    }
    case 'VVI': {
      // Σ_c = diag(W_c) / N_c; λ_c = |diag W_c|^{1/d} / N_c (mclust `msvvi`)
      const scale = new Float64Array(k);
      const shape = new Float64Array(k * d);
      for (let c = 0; c < k; c++) {
        for (let j = 0; j < d; j++) shape[c * d + j] = W[c * d * d + j * d + j];
        const g = geometricMean(shape, c * d, d, c);
        scale[c] = g / n[c];
        for (let j = 0; j < d; j++) shape[c * d + j] /= g;
      }
      fillDiagonal(cov, k, d, (c, j) => W[c * d * d + j * d + j] / n[c]);
      return { covariances: cov, decomposition: { ...none, scale, shape }, inner: null };
    }
    case 'EVI': {
      // A_c = diag W_c / |diag W_c|^{1/d}, λ = Σ_c |diag W_c|^{1/d} / N (Celeux & Govaert 1995 §3.2; mclust `msevi`)
      const shape = new Float64Array(k * d);
      let s = 0;
      for (let c = 0; c < k; c++) {
        for (let j = 0; j < d; j++) shape[c * d + j] = W[c * d * d + j * d + j];
        const g = geometricMean(shape, c * d, d, c);
        s += g;
        for (let j = 0; j < d; j++) shape[c * d + j] /= g;
      }
      const scale = s / total;
      fillDiagonal(cov, k, d, (c, j) => scale * shape[c * d + j]);
      return { covariances: cov, decomposition: { ...none, scale: Float64Array.of(scale), shape }, inner: null };
    }
    case 'EEE': {
      // Σ = Σ_c W_c / N (mclust `mseee`)
      const sigma = new Float64Array(d * d);
      for (let c = 0; c < k; c++) for (let p = 0; p < d * d; p++) sigma[p] += W[c * d * d + p];
      for (let p = 0; p < d * d; p++) sigma[p] /= total;
      for (let c = 0; c < k; c++) cov.set(sigma, c * d * d);
      return { covariances: cov, decomposition: none, inner: null };
    }
    case 'VVV': {
      // Σ_c = W_c / N_c (mclust `msvvv`)
      for (let c = 0; c < k; c++) for (let p = 0; p < d * d; p++) cov[c * d * d + p] = W[c * d * d + p] / n[c];
      return { covariances: cov, decomposition: none, inner: null };
    }
    case 'EEV': {
      // W_c = D_c Ω_c D_cᵀ (eigenvalues decreasing); A = Σ_c Ω_c / |Σ_c Ω_c|^{1/d}, λ = |Σ_c Ω_c|^{1/d} / N,
      // Σ_c = λ D_c A D_cᵀ (Celeux & Govaert 1995 §3.3; mclust `mseev`)
      const shape = new Float64Array(d);
      const orientation = new Float64Array(k * d * d);
      for (let c = 0; c < k; c++) {
        const e = symmetricEigen(W, c * d * d, d);
        for (let j = 0; j < d; j++) shape[j] += e.values[j];
        orientation.set(e.vectors, c * d * d);
      }
      const g = geometricMean(shape, 0, d, -1);
      for (let j = 0; j < d; j++) shape[j] /= g;
      const scale = g / total;
      for (let c = 0; c < k; c++) composeRotated(cov, c, orientation, c * d * d, d, (j) => scale * shape[j]);
      return { covariances: cov, decomposition: { scale: Float64Array.of(scale), shape, orientation }, inner: null };
    }
    case 'EVV': {
      // C_c = W_c / |W_c|^{1/d}, λ = Σ_c |W_c|^{1/d} / N, Σ_c = λ C_c (Celeux & Govaert 1995 §3.3; mclust `msevv`)
      const shape = new Float64Array(k * d);
      const orientation = new Float64Array(k * d * d);
      const volumes = new Float64Array(k);
      for (let c = 0; c < k; c++) {
        const e = symmetricEigen(W, c * d * d, d);
        if (!(e.values[d - 1] > 0)) throw new DegenerateComponentError(c, 'its scatter matrix is singular');
        volumes[c] = geometricMean(e.values, 0, d, c);
        for (let j = 0; j < d; j++) shape[c * d + j] = e.values[j] / volumes[c];
        orientation.set(e.vectors, c * d * d);
        for (let j = 0; j < d; j++) {
          if (!(shape[c * d + j] > MCLUST_RTEPS) || !(volumes[c] > MCLUST_RTEPS)) {
            throw new DegenerateComponentError(c, 'its shape or volume is at or below √ε (mclust returns NA)');
          }
        }
      }
      let s = 0;
      for (let c = 0; c < k; c++) s += volumes[c];
      const scale = s / total;
      for (let c = 0; c < k; c++) {
        for (let p = 0; p < d * d; p++) cov[c * d * d + p] = (scale * W[c * d * d + p]) / volumes[c];
      }
      return { covariances: cov, decomposition: { scale: Float64Array.of(scale), shape, orientation }, inner: null };
    }
    case 'VEI':
      return mstepVEI(stats, tol, maxIterations, start);
    case 'VEV':
      return mstepVEV(stats, total, tol, maxIterations, start, routine);
    case 'VEE':
      return mstepVEE(stats, tol, maxIterations);
    case 'EVE':
      return mstepEVE(stats, total, tol, maxIterations, start);
    case 'VVE':
      return mstepVVE(stats, tol, maxIterations, start);
    default:
      return assertNever(model);
  }
}

function checkPositiveDefinite(cov: Float64Array, k: number, d: number): void {
  const L = new Float64Array(d * d);
  for (let c = 0; c < k; c++) {
    for (let p = c * d * d; p < (c + 1) * d * d; p++) {
      if (!Number.isFinite(cov[p])) throw new DegenerateComponentError(c, 'its covariance is not finite');
    }
    if (!choleskyLower(cov, c * d * d, d, L, d * CHOLESKY_RELATIVE_PIVOT)) {
      throw new DegenerateComponentError(c, 'its covariance is not positive definite');
    }
  }
}
