/**
 * The conjugate prior of the Gaussian mixture family and its MAP M-step: mclust's `priorControl()` / `defaultPrior`
 * (Fraley & Raftery 2007, "Bayesian regularization for normal mixture estimation and model-based clustering",
 * J. Classification 24, 155–181; mclust's Fortran routines `msvvvp`, `mseeep`, `msvvip`, `msviip` and the M-steps of
 * `mevvvp`, `meeeep`, `mevvip`, `meviip`).
 *
 * The prior, with hyperparameters shrinkage κ, mean μ_P, degrees of freedom ν and scale Λ (a d×d matrix for full and
 * tied, a number ς² for diag and spherical), is on every component c
 *   `μ_c | Σ_c ~ N(μ_P, Σ_c / κ)` (left out when κ = 0: a flat prior on the means),
 *   full `Σ_c ~ IW(ν, Λ)`, tied one `Σ ~ IW(ν, Λ)` shared, diag `σ²_cj ~ IG(ν/2, ς²/2)` for every j,
 *   spherical `σ²_c ~ IG(ν/2, ς²/2)`,
 * with `IW(Σ | ν, Λ) ∝ |Σ|^{−(ν+d+1)/2} exp(−½ tr(Λ Σ⁻¹))` and `IG(x | a, b) ∝ x^{−(a+1)} exp(−b/x)`. No prior is put
 * on the weights: mclust's MAP weights are the plain `N_c / N`.
 *
 * With it, EM maximizes the log posterior `Σ_i w_i log p(x_i) + log p(θ)` (Fraley & Raftery 2007): the E-step is
 * unchanged and the M-step is the posterior mode (`maximizePosterior`).
 *
 * Where this departs from mclust 6: its `mevvvp` (the EM of VVV) divides the scatter by ν + N_c + d + 2 even when
 * κ = 0, where its `msvvvp` (the M-step alone) and the mode divide by ν + N_c + d + 1; the mode is used here in both.
 * mclust stops on the relative change of the log-likelihood, EM here on that of the log posterior (both converge to
 * the same fixed point). The log prior mclust computes in its `me*p` routines is not returned by `me()`; `logPrior`
 * here is the normalized density, checked against R's MCMCpack (test/fixtures/mclust-prior).
 */
import { componentStatsLength } from '../backend/kernel.js';
import { DegenerateComponentError, InputError, describe } from '../errors.js';
import { CHOLESKY_RELATIVE_PIVOT, choleskyLower } from '../linalg.js';
import type { Matrix } from '../matrix.js';
import { checkKeys, flattenNested } from '../options.js';
import {
  assertNever, COVARIANCE_MODELS, covarianceLength, covarianceMatrixOf, fromMclustStep, gaussianParams, hasMatrices,
  kernelShape, maximize, mclustName, type CovarianceType, type GaussianParams,
} from './gaussian.js';
import { maximizeMclust, type InnerControl } from './gaussian-mclust.js';
import { mclustLogPrior } from './mclust-prior-derived.js';

/**
 * The `prior` option: `'default'` is mclust's `priorControl()` (its `defaultPrior`); an object gives some of the
 * hyperparameters, the others taking their defaults (mclust's `priorControl(shrinkage = …, mean = …, dof = …,
 * scale = …)`).
 */
export type PriorOption = 'default' | PriorHyperparameters;

/** Hyperparameters given by the caller; each one left out takes mclust's default (see `resolvePrior`). */
export interface PriorHyperparameters {
  /** κ ≥ 0 [0.01]; 0 puts no prior on the means (a mean must not be given then, as in mclust). */
  readonly shrinkage?: number;
  /** μ_P, d values [the data's column means]. */
  readonly mean?: ArrayLike<number>;
  /** ν > d − 1 [d + 2]. */
  readonly dof?: number;
  /**
   * Λ: full and tied a d×d symmetric positive definite matrix [(1/k)^{2/d} times the data's covariance], diag and
   * spherical a number ς² > 0 [(1/k)^{2/d} times the mean of the features' variances].
   */
  readonly scale?: number | ArrayLike<ArrayLike<number>>;
}

/** Resolved hyperparameters (`resolvePrior`): what the M-step and `logPrior` read, and what a model file keeps. */
export interface GaussianPrior {
  /** κ ≥ 0. */
  readonly shrinkage: number;
  /** μ_P, length d. */
  readonly mean: Float64Array;
  /** ν > d − 1. */
  readonly dof: number;
  /** Λ: full and tied d×d (row-major), diag and spherical one value ς². */
  readonly scale: Float64Array;
}

/**
 * What the default prior reads from the data: the column means and the covariance of the rows (R's `colMeans` and
 * `var`, denominator n − 1), weighted, a missing entry counting as its column's mean (`dataMoments`).
 */
export interface DataMoments {
  /** The rows' total weight (their number when unweighted). */
  readonly n: number;
  /** d column means. */
  readonly mean: Float64Array;
  /** d×d covariance, row-major. */
  readonly covariance: Float64Array;
}

const LOG_PI = Math.log(Math.PI);
const LOG_2PI = Math.log(2 * Math.PI);

/**
 * Checks the parts of a `prior` option that do not depend on the data (at construction): `'default'` or an object
 * of known keys with a shrinkage ≥ 0 and finite, a finite dof, a mean of finite numbers and a scale that is a number
 * or nested arrays. Returns it, or null when undefined. Throws `InputError` naming `name` (`options.prior`).
 * `resolved` (a model file's hyperparameters) accepts a mean beside a shrinkage of 0.
 */
export function checkPriorOption(value: unknown, name = 'options.prior', resolved = false): PriorOption | null {
  if (value === undefined || value === null) return null;
  if (value === 'default') return value;
  const expected = "'default' or { shrinkage?, mean?, dof?, scale? } (mclust's priorControl)";
  if (typeof value !== 'object' || Array.isArray(value)) throw new InputError(name, expected, describe(value));
  const o = checkKeys(value, ['shrinkage', 'mean', 'dof', 'scale'], name);
  if (o.shrinkage !== undefined && !(typeof o.shrinkage === 'number' && Number.isFinite(o.shrinkage) && o.shrinkage >= 0)) {
    throw new InputError(`${name}.shrinkage`, 'a finite number ≥ 0', describe(o.shrinkage));
  }
  if (o.dof !== undefined && !(typeof o.dof === 'number' && Number.isFinite(o.dof))) {
    throw new InputError(`${name}.dof`, 'a finite number > d − 1', describe(o.dof));
  }
  if (o.mean !== undefined) {
    if (o.shrinkage === 0 && !resolved) {
      throw new InputError(`${name}.mean`, 'no mean when shrinkage is 0 (the means then have no prior)',
        'a mean', 'Give a shrinkage > 0 with the mean, as mclust requires');
    }
    if (typeof o.mean !== 'object' || o.mean === null || typeof (o.mean as ArrayLike<number>).length !== 'number') {
      throw new InputError(`${name}.mean`, 'an array of d finite numbers', describe(o.mean));
    }
  }
  if (o.scale !== undefined) {
    const scalar = typeof o.scale === 'number';
    if (scalar ? !(Number.isFinite(o.scale) && (o.scale as number) > 0)
      : typeof o.scale !== 'object' || o.scale === null || typeof (o.scale as ArrayLike<unknown>).length !== 'number') {
      throw new InputError(`${name}.scale`, 'a number > 0 (diag, spherical) or a d×d positive definite matrix (full, tied)',
        describe(o.scale));
    }
  }
  return value as PriorHyperparameters;
}

/**
 * The hyperparameters of `given` for k components, d features and a covariance type (mclust's `defaultPrior(data, G,
 * modelName)`, R/mclust.R), from the data's `moments`:
 *   shrinkage κ = 0.01, mean μ_P = the column means, dof ν = d + 2,
 *   scale: full and tied `Λ = (1/k)^{2/d} · cov(X)` (its diagonal alone when n ≤ d),
 *   diag and spherical `ς² = (1/k)^{2/d} · tr(cov(X)) / d`.
 * Given values replace these; each is validated against d and the type (`InputError` naming `name.<field>`: mean of
 * length d, dof > d − 1, a scale number > 0 for diag and spherical, a d×d symmetric positive definite matrix for full
 * and tied). A default scale that is not positive definite (a constant feature) is an `InputError` asking for one.
 */
export function resolvePrior(
  moments: DataMoments, k: number, d: number, type: CovarianceType, given: PriorOption, name = 'options.prior',
): GaussianPrior {
  const o: PriorHyperparameters = given === 'default' ? {} : given;
  const shrinkage = o.shrinkage ?? 0.01;
  const mean = o.mean === undefined ? moments.mean.slice()
    : flattenNested(o.mean, [d], `${name}.mean`, { ok: Number.isFinite, expected: 'a finite number' });
  const dof = o.dof ?? d + 2;
  if (!(dof > d - 1)) throw new InputError(`${name}.dof`, `a number > d − 1 = ${d - 1}`, String(dof));
  const fac = (1 / k) ** (2 / d);
  let scale: Float64Array;
  if (hasMatrices(type)) {
    if (o.scale === undefined) {
      scale = new Float64Array(d * d);
      const fullRank = moments.n > d;
      for (let a = 0; a < d; a++) {
        for (let b = 0; b < d; b++) if (fullRank || a === b) scale[a * d + b] = fac * moments.covariance[a * d + b];
      }
      if (!choleskyLower(scale, 0, d, new Float64Array(d * d))) {
        throw new InputError(`${name}.scale`, "a positive definite default scale (the data's covariance)",
          'a singular covariance (a constant feature, or collinear ones)', 'Give prior.scale, or drop the constant features');
      }
    } else {
      if (typeof o.scale === 'number') {
        throw new InputError(`${name}.scale`, `a ${d}×${d} positive definite matrix for covarianceType '${type}'`, String(o.scale));
      }
      scale = flattenNested(o.scale, [d, d], `${name}.scale`);
      checkSymmetricPositiveDefinite(scale, d, `${name}.scale`);
    }
  } else {
    let value: number;
    if (o.scale === undefined) {
      let trace = 0;
      for (let j = 0; j < d; j++) trace += moments.covariance[j * d + j];
      value = (fac * trace) / d;
      if (!(value > 0)) {
        throw new InputError(`${name}.scale`, 'a positive default scale (the mean variance of the features)',
          String(value), 'Give prior.scale');
      }
    } else if (typeof o.scale === 'number') {
      value = o.scale;
    } else {
      throw new InputError(`${name}.scale`, `a number > 0 for covarianceType '${type}'`, describe(o.scale));
    }
    scale = Float64Array.of(value);
  }
  return { shrinkage, mean, dof, scale };
}

function checkSymmetricPositiveDefinite(A: Float64Array, d: number, name: string): void {
  for (let a = 0; a < d; a++) {
    for (let b = a + 1; b < d; b++) {
      const scale = Math.sqrt(Math.abs(A[a * d + a] * A[b * d + b]));
      if (!(Math.abs(A[a * d + b] - A[b * d + a]) <= 1e-10 * scale)) {
        throw new InputError(`${name}[${a}][${b}]`, `a symmetric matrix (equal to [${b}][${a}] = ${A[b * d + a]})`, String(A[a * d + b]));
      }
    }
  }
  if (!choleskyLower(A, 0, d, new Float64Array(d * d))) throw new InputError(name, 'a positive definite matrix', 'a matrix that is not');
}

/**
 * The data's moments for the default prior: the weighted column means over observed entries and the covariance
 * `Σ_i w_i (x_i − m)(x_i − m)ᵀ / (W − 1)`, W the total weight of the rows with an observed entry, a missing entry
 * counting as its column's mean (so the matrix stays positive semi-definite). Unweighted, the means are
 * `columnMeans`'s (`src/dtype.ts`) to the bit, as a streamed fit computes them.
 * @param w row weights, or null for unit weights
 */
export function dataMoments(X: Matrix, w: Float64Array | null, mean: Float64Array = weightedColumnMeans(X, w)): DataMoments {
  const acc = new MomentsAccumulator(mean);
  acc.add(X, w);
  return acc.moments();
}

/** Column means over observed entries, weighted by `w` (null: `columnMeans`'s sums in the same order). */
function weightedColumnMeans(X: Matrix, w: Float64Array | null): Float64Array {
  const { rows, cols, data } = X;
  const sums = new Float64Array(cols);
  const mass = new Float64Array(cols);
  for (let i = 0; i < rows; i++) {
    const wi = w === null ? 1 : w[i];
    for (let j = 0; j < cols; j++) {
      const v = data[i * cols + j];
      if (v !== v) continue;
      sums[j] += w === null ? v : wi * v;
      mass[j] += wi;
    }
  }
  for (let j = 0; j < cols; j++) sums[j] /= Math.max(1, mass[j]);
  return sums;
}

/**
 * `dataMoments` in pieces, for rows that arrive block by block (`fitStream`): the scatter about known column means,
 * added row by row in order.
 */
export class MomentsAccumulator {
  private readonly scatter: Float64Array;
  private readonly diff: Float64Array;
  private total = 0;

  constructor(readonly mean: Float64Array) {
    const d = mean.length;
    this.scatter = new Float64Array(d * d);
    this.diff = new Float64Array(d);
  }

  /** Adds the rows of `X` (weights `w`, null: unit); a row with no observed entry is skipped. */
  add(X: Matrix, w: Float64Array | null = null): void {
    const { rows, cols: d, data } = X;
    const { diff, scatter, mean } = this;
    for (let i = 0; i < rows; i++) {
      let observed = false;
      for (let j = 0; j < d; j++) {
        const v = data[i * d + j];
        observed ||= v === v;
        diff[j] = v === v ? v - mean[j] : 0;
      }
      if (!observed) continue;
      const wi = w === null ? 1 : w[i];
      this.total += wi;
      for (let a = 0; a < d; a++) {
        const t = wi * diff[a];
        for (let b = a; b < d; b++) scatter[a * d + b] += t * diff[b];
      }
    }
  }

  /** The moments of the rows added so far. */
  moments(): DataMoments {
    const d = this.mean.length;
    const covariance = new Float64Array(d * d);
    const denominator = Math.max(this.total - 1, Number.MIN_VALUE);
    for (let a = 0; a < d; a++) {
      for (let b = a; b < d; b++) covariance[a * d + b] = covariance[b * d + a] = this.scatter[a * d + b] / denominator;
    }
    return { n: this.total, mean: this.mean.slice(), covariance };
  }
}

/**
 * The MAP M-step (the posterior mode of Fraley & Raftery 2007; mclust's `msvvvp`, `mseeep`, `msvvip`,
 * `msviip`) from statistics accumulated about `shift` (layout of `src/backend/kernel.ts`). With `N_c`, the weighted
 * mean `x̄_c = shift_c + S1_c / N_c`, the scatter about it `W_c = S2_c − N_c δ_c δ_cᵀ`, `N = Σ N_c`, and, when κ > 0,
 * `B_c = (N_c κ / (N_c + κ)) (x̄_c − μ_P)(x̄_c − μ_P)ᵀ` (else 0), `[κ]` 1 when κ > 0 else 0:
 *   `w_c = N_c / N`, `μ_c = (N_c x̄_c + κ μ_P) / (N_c + κ)`,
 *   full `Σ_c = (Λ + W_c + B_c) / (ν + N_c + d + 1 + [κ])`,
 *   tied `Σ = (Λ + Σ_c (W_c + B_c)) / (ν + N + d + 1 + k[κ])`,
 *   diag `σ²_cj = (ς² + W_c,jj + B_c,jj) / (ν + N_c + 2 + [κ])`,
 *   spherical `σ²_c = (ς² + tr(W_c + B_c)) / (ν + N_c d + 2 + d[κ])`,
 * each then plus `regCovar` on the diagonal (0, the default with a prior, gives mclust's estimates and the exact mode). `prior.mean` is in the coordinates of
 * `shift`. Throws `DegenerateComponentError` when a component holds no weight (its mean has no data, as in mclust).
 * @param onFactor called after each covariance factorization of a full or tied type (see `gaussianParams`)
 */
export function maximizePosterior(
  type: CovarianceType, k: number, d: number, stats: Float64Array, shift: Float64Array, prior: GaussianPrior,
  regCovar: number, onFactor?: (done: number, of: number) => void, control?: InnerControl,
): GaussianParams {
  const kind = COVARIANCE_MODELS[type].closedForm;
  if (kind === null) {
    const r = maximizeMclust(mclustName(type), kernelShape(type), k, d, stats, shift, regCovar, prior, control);
    return fromMclustStep(type, k, d, r);
  }
  const block = componentStatsLength(kernelShape(type), d);
  const { shrinkage: kappa, mean: muP, dof: nu, scale } = prior;
  const withMean = kappa > 0 ? 1 : 0;
  let total = 0;
  for (let c = 0; c < k; c++) total += stats[c * block];
  const weights = new Float64Array(k);
  const means = new Float64Array(k * d);
  const covariances = new Float64Array(covarianceLength(type, k, d));
  const delta = new Float64Array(d);
  const m = new Float64Array(d);
  if (kind === 'tied') covariances.set(scale);
  for (let c = 0; c < k; c++) {
    const s = c * block;
    const nc = stats[s];
    if (!(nc > 10 * Number.EPSILON * total)) throw new DegenerateComponentError(c, 'no data point is assigned to it');
    weights[c] = nc / total;
    const b = withMean ? (nc * kappa) / (nc + kappa) : 0;
    for (let j = 0; j < d; j++) {
      delta[j] = stats[s + 1 + j] / nc;
      const xbar = shift[c * d + j] + delta[j];
      m[j] = xbar - muP[j];
      means[c * d + j] = withMean ? (nc * xbar + kappa * muP[j]) / (nc + kappa) : xbar;
    }
    const s2 = s + 1 + d;
    switch (kind) {
      case 'full':
      case 'tied': {
        const out = kind === 'full' ? c * d * d : 0;
        if (kind === 'full') covariances.set(scale, out);
        let p = s2;
        for (let a = 0; a < d; a++) {
          for (let bb = a; bb < d; bb++, p++) {
            const v = stats[p] - nc * delta[a] * delta[bb] + b * m[a] * m[bb];
            covariances[out + a * d + bb] += v;
            if (bb !== a) covariances[out + bb * d + a] += v;
          }
        }
        if (kind === 'full') {
          const denominator = nu + nc + d + 1 + withMean;
          for (let p2 = out; p2 < out + d * d; p2++) covariances[p2] /= denominator;
        }
        break;
      }
      case 'diag': {
        const denominator = nu + nc + 2 + withMean;
        for (let j = 0; j < d; j++) {
          covariances[c * d + j] = (scale[0] + stats[s2 + j] - nc * delta[j] * delta[j] + b * m[j] * m[j]) / denominator;
        }
        break;
      }
      case 'spherical': {
        let v = scale[0];
        for (let j = 0; j < d; j++) v += stats[s2 + j] - nc * delta[j] * delta[j] + b * m[j] * m[j];
        covariances[c] = v / (nu + nc * d + 2 + d * withMean);
        break;
      }
      default:
        assertNever(kind);
    }
  }
  if (kind === 'tied') {
    const denominator = nu + total + d + 1 + k * withMean;
    for (let p = 0; p < d * d; p++) covariances[p] /= denominator;
  }
  if (regCovar > 0) {
    if (kind === 'full' || kind === 'tied') {
      const nFactors = kind === 'full' ? k : 1;
      for (let c = 0; c < nFactors; c++) for (let j = 0; j < d; j++) covariances[c * d * d + j * d + j] += regCovar;
    } else {
      for (let p = 0; p < covariances.length; p++) covariances[p] += regCovar;
    }
  }
  return gaussianParams(type, k, d, weights, means, covariances, d * CHOLESKY_RELATIVE_PIVOT, onFactor);
}

/** How an M-step estimates: `regCovar` alone (maximum likelihood), or with a prior (MAP). */
export interface MStepRule {
  readonly regCovar: number;
  /** The prior, in the coordinates of the statistics' shift; null for maximum likelihood. */
  readonly prior: GaussianPrior | null;
  /** The inner iterations of mclust's iterative M-steps (VEI, VEV, VEE, EVE, VVE): tolerance, cap, report. */
  readonly inner?: Omit<InnerControl, 'start'>;
}

/**
 * The M-step of a rule: `maximize` (`src/families/gaussian.ts`) for a number (regCovar) or a rule without a prior,
 * `maximizePosterior` with one. The starts (`src/families/gaussian-starts.ts`) and EM call this, so a prior shapes the
 * start's M-step too. `previous` (EM's current parameters) carries the decomposition that the iterative M-steps of
 * mclust's models start from, as mclust's EM does.
 */
export function mStep(
  type: CovarianceType, k: number, d: number, stats: Float64Array, shift: Float64Array, rule: number | MStepRule,
  onFactor?: (done: number, of: number) => void, previous?: GaussianParams,
): GaussianParams {
  const start = previous?.covarianceType === type ? previous.decomposition : undefined;
  const control: InnerControl = { ...(typeof rule === 'number' ? {} : rule.inner), ...(start ? { start } : {}) };
  if (typeof rule === 'number') return maximize(type, k, d, stats, shift, rule, onFactor, control);
  if (rule.prior === null) return maximize(type, k, d, stats, shift, rule.regCovar, onFactor, control);
  return maximizePosterior(type, k, d, stats, shift, rule.prior, rule.regCovar, onFactor, control);
}

/** The prior moved by `sign·centre` (into centred coordinates with −1, as `shiftMeans` moves the means). */
export function shiftPrior(prior: GaussianPrior, centre: Float64Array, sign: 1 | -1): GaussianPrior {
  return { ...prior, mean: prior.mean.map((v, j) => v + sign * centre[j]) };
}

/**
 * `log Γ(x)` for x > 0: Lanczos' approximation (g = 7, 9 terms; Press et al., Numerical Recipes, §6.1), with the
 * reflection formula below 0.5; relative error about 1e-15.
 */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const g = 7;
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  const z = x - 1;
  let a = c[0];
  const t = z + g + 0.5;
  for (let i = 1; i < 9; i++) a += c[i] / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/**
 * The log density of the prior at the parameters, normalizing constants included (the log posterior EM monitors is
 * `Σ_i w_i log p(x_i) + logPrior`; the densities of Fraley & Raftery 2007):
 *   `log N(μ_c | μ_P, Σ_c/κ) = −(d/2) log 2π + (d/2) log κ − ½ log|Σ_c| − (κ/2)(μ_c − μ_P)ᵀ Σ_c⁻¹ (μ_c − μ_P)`
 *   (left out when κ = 0), for every component;
 *   full, for every c, and tied, once: `log IW(Σ | ν, Λ) = (ν/2) log|Λ| − (νd/2) log 2 − log Γ_d(ν/2)
 *   − ((ν+d+1)/2) log|Σ| − ½ tr(Λ Σ⁻¹)`, `Γ_d(a) = π^{d(d−1)/4} Π_{j=1..d} Γ(a + (1−j)/2)`;
 *   diag, for every c and j, and spherical, for every c: `log IG(σ² | ν/2, ς²/2) = (ν/2) log(ς²/2) − log Γ(ν/2)
 *   − (ν/2 + 1) log σ² − ς²/(2σ²)`.
 * mclust's other diagonal and spherical models (EII, EEI, VEI, EVI) take the diag and spherical densities on each
 * stored variance; its models with orientations, the product prior of `mclustLogPrior` (one normal–inverse-Wishart
 * factor per component, up to a constant). (mclust computes such a value in its `me*p` routines but does not report
 * it.) `prior.mean` is in the coordinates of `p.means`.
 */
export function logPrior(p: GaussianParams, prior: GaussianPrior): number {
  const { k, d, covarianceType: type } = p;
  const layout = COVARIANCE_MODELS[type].layout;
  const kind = COVARIANCE_MODELS[type].closedForm
    ?? (layout === 'vectors' ? 'diag' : layout === 'scalars' ? 'spherical' : null);
  if (kind === null) return mclustLogPrior(prior, k, d, { ...p, covariances: covarianceMatrices(p) });
  const { shrinkage: kappa, mean: muP, dof: nu, scale } = prior;
  const diff = new Float64Array(d);
  const y = new Float64Array(d);
  let total = 0;
  // The mean's normal prior: ‖Uᵀ(μ − μ_P)‖² = (μ − μ_P)ᵀ Σ⁻¹ (μ − μ_P) with Σ⁻¹ = U Uᵀ (`precChol`).
  if (kappa > 0) {
    for (let c = 0; c < k; c++) {
      for (let j = 0; j < d; j++) diff[j] = p.means[c * d + j] - muP[j];
      let quad = 0;
      switch (kind) {
        case 'full':
        case 'tied': {
          const off = kind === 'full' ? c * d * d : 0;
          for (let j = 0; j < d; j++) {
            let v = 0;
            for (let a = 0; a <= j; a++) v += p.precChol[off + a * d + j] * diff[a];
            y[j] = v;
            quad += v * v;
          }
          break;
        }
        case 'diag':
          for (let j = 0; j < d; j++) quad += (diff[j] * p.precChol[c * d + j]) ** 2;
          break;
        case 'spherical':
          for (let j = 0; j < d; j++) quad += (diff[j] * p.precChol[c]) ** 2;
          break;
        default:
          assertNever(kind);
      }
      // log det U_c = −½ log|Σ_c|.
      total += -0.5 * d * LOG_2PI + 0.5 * d * Math.log(kappa) + p.logDetPrecChol[c] - 0.5 * kappa * quad;
    }
  }
  switch (kind) {
    case 'full':
    case 'tied': {
      const L = new Float64Array(d * d);
      choleskyLower(scale, 0, d, L);
      let logDetScale = 0;
      for (let j = 0; j < d; j++) logDetScale += 2 * Math.log(L[j * d + j]);
      let logMultiGamma = (d * (d - 1) / 4) * LOG_PI;
      for (let j = 1; j <= d; j++) logMultiGamma += logGamma(nu / 2 + (1 - j) / 2);
      const constant = (nu / 2) * logDetScale - (nu * d / 2) * Math.LN2 - logMultiGamma;
      const nFactors = kind === 'full' ? k : 1;
      for (let c = 0; c < nFactors; c++) {
        const off = c * d * d;
        // tr(Λ Σ⁻¹) = Σ_ab Λ_ab (U Uᵀ)_ab.
        let trace = 0;
        for (let a = 0; a < d; a++) {
          for (let b = 0; b < d; b++) {
            let v = 0;
            for (let j = Math.max(a, b); j < d; j++) v += p.precChol[off + a * d + j] * p.precChol[off + b * d + j];
            trace += scale[a * d + b] * v;
          }
        }
        // log|Σ_c| = −2 log det U_c.
        total += constant + (nu + d + 1) * p.logDetPrecChol[c] - 0.5 * trace;
      }
      break;
    }
    case 'diag':
    case 'spherical': {
      const a = nu / 2;
      const b = scale[0] / 2;
      const constant = a * Math.log(b) - logGamma(a);
      for (const v of p.covariances) total += constant - (a + 1) * Math.log(v) - b / v;
      break;
    }
    default:
      assertNever(kind);
  }
  return total;
}

/** The k covariance matrices of `p` as one k×d×d array. */
function covarianceMatrices(p: GaussianParams): Float64Array {
  const out = new Float64Array(p.k * p.d * p.d);
  for (let c = 0; c < p.k; c++) out.set(covarianceMatrixOf(p, c), c * p.d * p.d);
  return out;
}

/** The prior as JSON: `scale` a number (diag, spherical) or d×d nested arrays (full, tied). */
export interface GaussianPriorJSON {
  shrinkage: number;
  /** d values (unused when the shrinkage is 0). */
  mean: number[];
  dof: number;
  scale: number | number[][];
}

/** The prior of a model of covariance type `type` as JSON (`GaussianPriorJSON`). */
export function priorToJSON(prior: GaussianPrior, type: CovarianceType): GaussianPriorJSON {
  const d = prior.mean.length;
  return {
    shrinkage: prior.shrinkage,
    mean: Array.from(prior.mean),
    dof: prior.dof,
    scale: !hasMatrices(type) ? prior.scale[0]
      : Array.from({ length: d }, (_, a) => Array.from(prior.scale.subarray(a * d, (a + 1) * d))),
  };
}

/**
 * A prior from a model file (`json.prior`), validated as an option with every hyperparameter given (`resolvePrior`).
 * A scalar scale of a full or tied model with d = 1 is read as the 1×1 matrix.
 */
export function priorFromJSON(value: unknown, type: CovarianceType, k: number, d: number): GaussianPrior {
  const o = checkPriorOption(value, 'json.prior', true);
  if (o === null || o === 'default' || o.shrinkage === undefined || o.mean === undefined || o.dof === undefined
    || o.scale === undefined) {
    throw new InputError('json.prior', '{ shrinkage, mean, dof, scale } (resolved hyperparameters)', describe(value));
  }
  const given = hasMatrices(type) && typeof o.scale === 'number' && d === 1
    ? { ...o, scale: [[o.scale]] } : o;
  const moments = { n: 0, mean: new Float64Array(d), covariance: new Float64Array(d * d) };
  return resolvePrior(moments, k, d, type, given, 'json.prior');
}
