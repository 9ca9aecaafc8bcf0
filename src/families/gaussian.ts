/**
 * The Gaussian mixture family: parameters, the M-step from additive statistics, and free-parameter counts.
 * Equations follow scikit-learn's `sklearn/mixture/_gaussian_mixture.py` (1.2), with the second moments taken about the
 * current means (see `src/backend/kernel.ts`).
 */
import { componentStatsLength, type KernelParams, type KernelShape } from '../backend/kernel.js';
import { assertNever, DegenerateComponentError, InputError } from '../errors.js';
import { CHOLESKY_RELATIVE_PIVOT, choleskyLower, precisionCholeskyFromLower } from '../linalg.js';
import { rowsOf } from '../matrix.js';
import { maximizeMclust, type InnerControl, type MclustStepResult } from './gaussian-mclust.js';
import {
  MCLUST_INEXACT_MAP_MODELS, MCLUST_INEXACT_ML_MODELS, MCLUST_MODELS, mclustCovarianceParameterCount, type MclustDecomposition,
  type MclustModel,
} from './mclust-models.js';

export { assertNever };

/** The four covariance structures of scikit-learn, aliases of mclust's VVV, EEE, VVI and VII. */
export type SklearnCovarianceType = 'full' | 'tied' | 'diag' | 'spherical';

/**
 * A covariance model: one of mclust's fourteen (`MclustModel`: volume, shape and orientation Equal, Variable or
 * Identity across components, `src/families/mclust-models.ts`) or a scikit-learn name, kept as an alias
 * (`'full'` = VVV, `'tied'` = EEE, `'diag'` = VVI, `'spherical'` = VII) that fits the same model.
 */
export type CovarianceType = SklearnCovarianceType | MclustModel;

/** scikit-learn's four names, in its order. */
export const SKLEARN_COVARIANCE_TYPES: readonly SklearnCovarianceType[] = ['full', 'tied', 'diag', 'spherical'];

/** Every covariance type: scikit-learn's four names, then mclust's fourteen models in mclust's order. */
export const COVARIANCE_TYPES: readonly CovarianceType[] = [...SKLEARN_COVARIANCE_TYPES, ...MCLUST_MODELS];

/**
 * Fitted parameters, flat and row-major. `covariances` and `precChol` have scikit-learn's shapes:
 * full k×d×d, tied d×d, diag k×d, spherical k. `precChol` is scikit-learn's `precisions_cholesky_`
 * (full/tied: the upper-triangular U with Σ⁻¹ = U Uᵀ; diag/spherical: 1/σ).
 */
export interface GaussianParams {
  readonly covarianceType: CovarianceType;
  readonly k: number;
  readonly d: number;
  readonly weights: Float64Array;
  readonly means: Float64Array;
  readonly covariances: Float64Array;
  readonly precChol: Float64Array;
  /** `log det U_c` per component (tied: the shared value repeated). */
  readonly logDetPrecChol: Float64Array;
  /**
   * The decomposition `Σ_c = λ_c D_c A_c D_cᵀ` of the M-step that gave these parameters, for the models that mclust's
   * M-step computes (`maximizeMclust`); the start of the next M-step of the iterative models (VEI, VEV, EVE, VVE).
   * Absent for given or loaded parameters and scikit-learn's closed forms.
   */
  readonly decomposition?: MclustDecomposition;
}

const LOG_2PI = Math.log(2 * Math.PI);

/**
 * How a covariance model stores its covariances, and so how the kernels read them: k d×d matrices (`'matrices'`,
 * full), one shared d×d matrix (`'matrix'`, tied), k diagonals (`'vectors'`, diag) or k variances (`'scalars'`,
 * spherical). Arrays are flat and row-major in these shapes; a model of mclust's with an equal part stores its
 * components alike (EEI as k equal diagonals).
 */
export type CovarianceLayout = 'matrices' | 'matrix' | 'vectors' | 'scalars';

/** What the family needs to know of a covariance model. */
export interface CovarianceModel {
  /** mclust's name of the model (an alias's model: `'full'` → VVV). */
  readonly mclust: MclustModel;
  /** The storage of its covariances. */
  readonly layout: CovarianceLayout;
  /**
   * The scikit-learn M-step that computes the model in closed form (`maximize`: VVV, EEE, VVI and VII, and their
   * aliases), or null for the models whose M-step is mclust's (`maximizeMclust`).
   */
  readonly closedForm: SklearnCovarianceType | null;
  /** Free parameters of the covariances of k components of d features (mclust's `nVarParams`). */
  covarianceParameters(k: number, d: number): number;
  /**
   * Rows a component needs for its covariance to be estimable (the size rule of `src/families/gaussian-degenerate.ts`):
   * d + 1 when it has its own orientation (VVV, EEV, VEV, EVV), 2 when it has its own volume or shape (VII, VVI,
   * VEI, EVI, VEE, EVE, VVE), 1 when everything is pooled across components (EII, EEI, EEE).
   */
  rowsNeeded(d: number): number;
}

/** The layout of a model: one matrix for EEE, matrices for the other models with orientations, diagonals, variances. */
function layoutOf(model: MclustModel): CovarianceLayout {
  if (model === 'EEE') return 'matrix';
  if (model[2] !== 'I') return 'matrices';
  return model[1] === 'I' ? 'scalars' : 'vectors';
}

function record(model: MclustModel, closedForm: SklearnCovarianceType | null): CovarianceModel {
  const own = model[2] === 'V' ? 'orientation' : model.includes('V') ? 'part' : 'none';
  return {
    mclust: model,
    layout: layoutOf(model),
    closedForm,
    covarianceParameters: (k, d) => mclustCovarianceParameterCount(model, k, d),
    rowsNeeded: (d) => (own === 'orientation' ? d + 1 : own === 'part' ? 2 : 1),
  };
}

const CLOSED_FORMS: Partial<Record<MclustModel, SklearnCovarianceType>> = { VVV: 'full', EEE: 'tied', VVI: 'diag', VII: 'spherical' };

/**
 * The covariance models, by type: mclust's fourteen, and scikit-learn's four names as aliases of VVV, EEE, VVI, VII.
 * A model of an existing shape is one row here.
 */
export const COVARIANCE_MODELS: Readonly<Record<CovarianceType, CovarianceModel>> = {
  full: record('VVV', 'full'),
  tied: record('EEE', 'tied'),
  diag: record('VVI', 'diag'),
  spherical: record('VII', 'spherical'),
  ...(Object.fromEntries(MCLUST_MODELS.map((m) => [m, record(m, CLOSED_FORMS[m] ?? null)])) as Record<MclustModel, CovarianceModel>),
};

/**
 * Whether the M-step of a type maximizes EM's objective exactly (with a prior: the log posterior of `logPrior`), so
 * that EM never lowers it: scikit-learn's closed forms and the derived MAP steps do; mclust's VVE step, and its MAP
 * steps of EII, EEI, VEI, EVI, EEV and VEV, need not (`MCLUST_INEXACT_ML_MODELS`, `MCLUST_INEXACT_MAP_MODELS`).
 */
export function exactMStep(type: CovarianceType, withPrior: boolean): boolean {
  const m = COVARIANCE_MODELS[type];
  if (m.closedForm !== null) return true;
  return !(withPrior ? MCLUST_INEXACT_MAP_MODELS : MCLUST_INEXACT_ML_MODELS).includes(m.mclust);
}

/** mclust's name of a covariance type (`'full'` → `'VVV'`). */
export function mclustName(type: CovarianceType): MclustModel {
  return COVARIANCE_MODELS[type].mclust;
}

/** The storage of a covariance type (`COVARIANCE_MODELS`). */
export function covarianceLayout(type: CovarianceType): CovarianceLayout {
  return COVARIANCE_MODELS[type].layout;
}

/** Whether the covariances of a type are d×d matrices (one per component, or one shared): the full kernel's. */
export function hasMatrices(type: CovarianceType): boolean {
  const layout = covarianceLayout(type);
  return layout === 'matrices' || layout === 'matrix';
}

/** The kernel that serves a covariance type: full for matrices, diag for diagonals and variances. */
export function kernelShape(type: CovarianceType): KernelShape {
  return hasMatrices(type) ? 'full' : 'diag';
}

/** Number of values in a covariance array of its layout: k·d², d², k·d or k. */
export function covarianceLength(type: CovarianceType, k: number, d: number): number {
  switch (covarianceLayout(type)) {
    case 'matrices':
      return k * d * d;
    case 'matrix':
      return d * d;
    case 'vectors':
      return k * d;
    case 'scalars':
      return k;
  }
}

/**
 * Free parameters (scikit-learn `_n_parameters`, mclust's `nMclustParams`): the covariance parameters
 * (`CovarianceModel.covarianceParameters`, mclust's `nVarParams`: full k·d(d+1)/2, tied d(d+1)/2, diag k·d,
 * spherical k, VEI k + d − 1, …) + k·d means + k − 1 weights.
 */
export function nParameters(type: CovarianceType, k: number, d: number): number {
  return COVARIANCE_MODELS[type].covarianceParameters(k, d) + k * d + k - 1;
}

/**
 * Builds parameters from weights, means and covariances (scikit-learn shapes), computing the precision Cholesky
 * factors. Throws `DegenerateComponentError` when a covariance is not positive definite: a Cholesky pivot at or below
 * `relativePivot` times its diagonal entry (0 for given covariances; the M-step's estimates pass
 * d·`CHOLESKY_RELATIVE_PIVOT`, below which the sign of a pivot is rounding noise).
 * @param onFactor called after each d×d factorization of a full or tied covariance (`done` of `of`), the O(d³) part
 */
export function gaussianParams(
  type: CovarianceType, k: number, d: number,
  weights: Float64Array, means: Float64Array, covariances: Float64Array, relativePivot = 0,
  onFactor?: (done: number, of: number) => void,
): GaussianParams {
  const precChol = new Float64Array(covariances.length);
  const logDet = new Float64Array(k);
  const layout = covarianceLayout(type);
  if (layout === 'matrices' || layout === 'matrix') {
    const L = new Float64Array(d * d);
    const shared = layout === 'matrix';
    const nFactors = shared ? 1 : k;
    for (let c = 0; c < nFactors; c++) {
      if (!choleskyLower(covariances, c * d * d, d, L, relativePivot)) {
        throw new DegenerateComponentError(shared ? -1 : c,
          shared ? 'the shared covariance is not positive definite' : 'its covariance is not positive definite');
      }
      logDet[c] = precisionCholeskyFromLower(L, d, precChol, c * d * d);
      onFactor?.(c + 1, nFactors);
    }
    if (shared) logDet.fill(logDet[0]);
  } else {
    const perComponent = layout === 'vectors' ? d : 1;
    for (let c = 0; c < k; c++) {
      let ld = 0;
      for (let j = 0; j < perComponent; j++) {
        const v = covariances[c * perComponent + j];
        if (!(v > 0) || !Number.isFinite(v)) {
          throw new DegenerateComponentError(c, `its variance ${v} is not positive`);
        }
        const p = 1 / Math.sqrt(v);
        precChol[c * perComponent + j] = p;
        ld += Math.log(p);
      }
      logDet[c] = layout === 'vectors' ? ld : d * ld;
    }
  }
  return { covarianceType: type, k, d, weights, means, covariances, precChol, logDetPrecChol: logDet };
}

/** The parameters in the form the kernels read (`logConst` folds in the log weights). */
export function toKernelParams(p: GaussianParams): KernelParams {
  const { k, d } = p;
  const logConst = new Float64Array(k);
  for (let c = 0; c < k; c++) logConst[c] = Math.log(p.weights[c]) - 0.5 * d * LOG_2PI + p.logDetPrecChol[c];
  switch (covarianceLayout(p.covarianceType)) {
    case 'matrices':
      return { shape: 'full', k, d, logConst, means: p.means, prec: p.precChol, precStride: d * d };
    case 'matrix':
      return { shape: 'full', k, d, logConst, means: p.means, prec: p.precChol, precStride: 0 };
    case 'vectors':
      return { shape: 'diag', k, d, logConst, means: p.means, prec: p.precChol, precStride: d };
    case 'scalars': {
      const prec = new Float64Array(k * d);
      for (let c = 0; c < k; c++) prec.fill(p.precChol[c], c * d, c * d + d);
      return { shape: 'diag', k, d, logConst, means: p.means, prec, precStride: d };
    }
  }
}

/**
 * The M-step: new weights, means and covariances from statistics accumulated about `shift` (the means the E-step
 * used, k×d). With `N_c`, `δ_c = S1_c / N_c`, the weights are `w_c = N_c / Σ N` and the means `μ_c = shift_c + δ_c`.
 * The covariances of scikit-learn's four models are its closed forms (`CovarianceModel.closedForm`):
 *   full (VVV) `Σ_c = S2_c / N_c − δ_c δ_cᵀ + reg·I`, tied (EEE) `Σ = Σ_c (S2_c − N_c δ_c δ_cᵀ) / Σ N + reg·I`,
 *   diag (VVI) `σ²_cj = S2_cj / N_c − δ²_cj + reg`, spherical (VII) `σ²_c = mean_j(S2_cj / N_c − δ²_cj) + reg`
 * (Bishop 2006, eqs. 9.24–9.26; scikit-learn `_estimate_gaussian_parameters`); the other ten are mclust's M-steps on
 * the scatter `W_c = S2_c − N_c δ_c δ_cᵀ + N_c·reg·I` (`maximizeMclust`), which is the same floor for the four.
 * Throws `DegenerateComponentError` when a component holds no weight or its covariance is not positive definite.
 * @param onFactor called after each covariance factorization of a full or tied type (see `gaussianParams`)
 * @param control the inner iterations of mclust's iterative M-steps and their start (`InnerControl`)
 */
export function maximize(
  type: CovarianceType, k: number, d: number, stats: Float64Array, shift: Float64Array, regCovar: number,
  onFactor?: (done: number, of: number) => void, control?: InnerControl,
): GaussianParams {
  const kind = COVARIANCE_MODELS[type].closedForm;
  const shape = kernelShape(type);
  const block = componentStatsLength(shape, d);
  if (kind === null) {
    checkOwnVariances(type, k, d, stats, regCovar);
    return fromMclustStep(type, k, d, maximizeMclust(mclustName(type), shape, k, d, stats, shift, regCovar, null, control));
  }
  let total = 0;
  for (let c = 0; c < k; c++) total += stats[c * block];
  const weights = new Float64Array(k);
  const means = new Float64Array(k * d);
  const covariances = new Float64Array(covarianceLength(type, k, d));
  const delta = new Float64Array(d);
  for (let c = 0; c < k; c++) {
    const s = c * block;
    const nc = stats[s];
    // scikit-learn adds 10·eps to N_c; a component this empty has no mean to estimate.
    if (!(nc > 10 * Number.EPSILON * total)) {
      throw new DegenerateComponentError(c, 'no data point is assigned to it');
    }
    weights[c] = nc / total;
    for (let j = 0; j < d; j++) {
      delta[j] = stats[s + 1 + j] / nc;
      means[c * d + j] = shift[c * d + j] + delta[j];
    }
    const s2 = s + 1 + d;
    if (kind !== 'tied') checkVarianceAboveNoise(kind, c, d, nc, stats, s2, delta, regCovar);
    switch (kind) {
      case 'full':
      case 'tied': {
        const out = kind === 'full' ? c * d * d : 0;
        const scale = kind === 'full' ? 1 / nc : 1;
        let p = s2;
        for (let a = 0; a < d; a++) {
          for (let b = a; b < d; b++, p++) {
            const v = (stats[p] - nc * delta[a] * delta[b]) * scale;
            covariances[out + a * d + b] += v;
            if (b !== a) covariances[out + b * d + a] += v;
          }
        }
        break;
      }
      case 'diag':
        for (let j = 0; j < d; j++) covariances[c * d + j] = stats[s2 + j] / nc - delta[j] * delta[j] + regCovar;
        break;
      case 'spherical': {
        let v = 0;
        for (let j = 0; j < d; j++) v += stats[s2 + j] / nc - delta[j] * delta[j];
        covariances[c] = v / d + regCovar;
        break;
      }
      default:
        assertNever(kind);
    }
  }
  if (kind === 'tied') for (let a = 0; a < d * d; a++) covariances[a] /= total;
  if (kind === 'full' || kind === 'tied') {
    const nFactors = kind === 'full' ? k : 1;
    for (let c = 0; c < nFactors; c++) for (let j = 0; j < d; j++) covariances[c * d * d + j * d + j] += regCovar;
  }
  return gaussianParams(type, k, d, weights, means, covariances, d * CHOLESKY_RELATIVE_PIVOT, onFactor);
}

/**
 * `checkVarianceAboveNoise` for the components of a model of mclust's whose covariances have a part of their own
 * (`rowsNeeded` ≥ 2): a component closed on one row, whose variances are rounding noise the floor does not cover.
 */
export function checkOwnVariances(type: CovarianceType, k: number, d: number, stats: Float64Array, regCovar: number): void {
  if (COVARIANCE_MODELS[type].rowsNeeded(d) < 2) return;
  const shape = kernelShape(type);
  const block = componentStatsLength(shape, d);
  const delta = new Float64Array(d);
  for (let c = 0; c < k; c++) {
    const nc = stats[c * block];
    if (!(nc > 0)) continue;
    for (let j = 0; j < d; j++) delta[j] = stats[c * block + 1 + j] / nc;
    checkVarianceAboveNoise(shape === 'full' ? 'full' : 'diag', c, d, nc, stats, c * block + 1 + d, delta, regCovar);
  }
}

/**
 * Parameters of type `type` from an M-step of mclust's (`MclustStepResult`: k×d×d covariances), stored in the type's
 * layout (a diagonal, a variance, one shared matrix), with its decomposition kept for the next M-step.
 */
export function fromMclustStep(type: CovarianceType, k: number, d: number, r: MclustStepResult): GaussianParams {
  const layout = covarianceLayout(type);
  const covariances = new Float64Array(covarianceLength(type, k, d));
  for (let c = 0; c < k; c++) {
    const o = c * d * d;
    if (layout === 'matrices') covariances.set(r.covariances.subarray(o, o + d * d), o);
    else if (layout === 'matrix') { if (c === 0) covariances.set(r.covariances.subarray(0, d * d)); }
    else if (layout === 'vectors') for (let j = 0; j < d; j++) covariances[c * d + j] = r.covariances[o + j * d + j];
    else covariances[c] = r.covariances[o];
  }
  const p = gaussianParams(type, k, d, r.weights, r.means, covariances, d * CHOLESKY_RELATIVE_PIVOT);
  return { ...p, decomposition: r.decomposition };
}

/**
 * The rounding of a variance computed about the shift, `(S2_jj − N δ_j²) / N`, relative to the raw moment `S2_jj / N`:
 * each backend sums the N_c weighted terms in its own order (about √N_c·ε apart) and the subtraction cancels what the
 * shift did not centre.
 */
function cancellationNoise(nc: number): number {
  return 32 * Math.sqrt(1 + nc) * Number.EPSILON;
}

/**
 * Throws `DegenerateComponentError` when a variance of component c is rounding noise that `regCovar` does not cover:
 * `|S2_jj/N − δ_j²|` and `regCovar` both at or below `cancellationNoise(N)·S2_jj/N`. That is a component closing on
 * one row (or coinciding rows) of data whose scale makes `regCovar` negligible: its covariance would be ±noise, which
 * one backend's Cholesky factor accepts and the other's refuses. Decided from the raw moment, far above the
 * backends' differences, so both throw alike. (At the data's usual scales `regCovar` is far above the noise and a
 * one-row component keeps its `regCovar`·I, as in scikit-learn.)
 */
function checkVarianceAboveNoise(
  type: SklearnCovarianceType, c: number, d: number, nc: number, stats: Float64Array, s2: number, delta: Float64Array,
  regCovar: number,
): void {
  const noise = cancellationNoise(nc);
  let pooledRaw = 0;
  let pooled = 0;
  for (let j = 0; j < d; j++) {
    const raw = stats[type === 'full' ? s2 + j * d - (j * (j - 1)) / 2 : s2 + j] / nc;
    const v = raw - delta[j] * delta[j];
    if (type === 'spherical') {
      pooledRaw += raw;
      pooled += v;
    } else if (Math.abs(v) <= noise * raw && regCovar <= noise * raw) {
      throw new DegenerateComponentError(c, `the variance of feature ${j} is below the rounding of its statistics, ` +
        `and regCovar (${regCovar}) is negligible at the data's scale`);
    }
  }
  if (type === 'spherical' && Math.abs(pooled) <= noise * pooledRaw && d * regCovar <= noise * pooledRaw) {
    throw new DegenerateComponentError(c, 'its variance is below the rounding of its statistics, ' +
      `and regCovar (${regCovar}) is negligible at the data's scale`);
  }
}

/** scikit-learn's covariance array shape for a covariance type (its layout's). */
export function covarianceShape(type: CovarianceType, k: number, d: number): number[] {
  switch (covarianceLayout(type)) {
    case 'matrices':
      return [k, d, d];
    case 'matrix':
      return [d, d];
    case 'vectors':
      return [k, d];
    case 'scalars':
      return [k];
  }
}

/** Throws an `InputError` unless every covariance is symmetric positive definite (variances > 0). */
export function checkCovariances(cov: Float64Array, type: CovarianceType, k: number, d: number, name: string): void {
  const layout = covarianceLayout(type);
  if (layout === 'vectors' || layout === 'scalars') {
    cov.forEach((v, p) => {
      if (!(v > 0)) throw new InputError(`${name}${layout === 'vectors' ? `[${Math.floor(p / d)}][${p % d}]` : `[${p}]`}`, 'a variance > 0', String(v));
    });
    return;
  }
  const L = new Float64Array(d * d);
  const nFactors = layout === 'matrices' ? k : 1;
  for (let c = 0; c < nFactors; c++) {
    const at = layout === 'matrices' ? `${name}[${c}]` : name;
    // Symmetric up to rounding at the scale of the matrix (√(Σ_aa Σ_bb)), not of the entry: scikit-learn's
    // `(r·diff)ᵀ diff / N` leaves off-diagonal entries near 0 that differ from their mirror by more than themselves.
    // The lower triangle is what the Cholesky factor reads, as in scikit-learn; the matrix is kept as given.
    const o = c * d * d;
    for (let a = 0; a < d; a++) {
      for (let b = a + 1; b < d; b++) {
        const x = cov[o + a * d + b];
        const y = cov[o + b * d + a];
        const scale = Math.sqrt(Math.abs(cov[o + a * d + a] * cov[o + b * d + b]));
        if (!(Math.abs(x - y) <= 1e-10 * scale)) {
          throw new InputError(`${at}[${a}][${b}]`, `a symmetric matrix (equal to [${b}][${a}] = ${y})`, String(x));
        }
      }
    }
    if (!choleskyLower(cov, c * d * d, d, L)) throw new InputError(at, 'a positive definite covariance matrix', 'a matrix that is not');
  }
}

/**
 * The d×d covariance matrix of component c, flat and row-major, whatever the layout (a diagonal or a variance
 * spread on the diagonal, a shared matrix copied).
 * @example
 * covarianceMatrixOf(gm.params, 0); // Float64Array(d·d)
 */
export function covarianceMatrixOf(p: GaussianParams, c: number): Float64Array {
  const { d } = p;
  const out = new Float64Array(d * d);
  switch (covarianceLayout(p.covarianceType)) {
    case 'matrices':
      out.set(p.covariances.subarray(c * d * d, (c + 1) * d * d));
      break;
    case 'matrix':
      out.set(p.covariances.subarray(0, d * d));
      break;
    case 'vectors':
      for (let j = 0; j < d; j++) out[j * d + j] = p.covariances[c * d + j];
      break;
    case 'scalars':
      for (let j = 0; j < d; j++) out[j * d + j] = p.covariances[c];
      break;
  }
  return out;
}

/** Covariances in scikit-learn's shapes: full k×d×d, tied d×d, diag k×d, spherical k. */
export type Covariances = Float64Array | Float64Array[] | Float64Array[][];

/** Flat covariances nested in scikit-learn's shape for the covariance type (its layout's; copies). */
export function nest(flat: Float64Array, type: CovarianceType, k: number, d: number): Covariances {
  switch (covarianceLayout(type)) {
    case 'matrices':
      return Array.from({ length: k }, (_, c) => rowsOf(flat, d, d, c * d * d));
    case 'matrix':
      return rowsOf(flat, d, d);
    case 'vectors':
      return rowsOf(flat, k, d);
    case 'scalars':
      return flat.slice();
  }
}
