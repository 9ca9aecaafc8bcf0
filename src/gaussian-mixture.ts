/**
 * `GaussianMixture`: scikit-learn's `sklearn.mixture.GaussianMixture` in camelCase, fitted by EM on the WASM SIMD
 * kernels (or their plain-TS twins), with sample weights.
 */
import { resolveBackendFor, BACKEND_NAMES, type BackendName } from './backend/index.js';
import type { Backend } from './backend/kernel.js';
import { initWasm } from './backend/wasm/index.js';
import { statsLength } from './backend/kernel.js';
import {
  BLOCK_ROWS, bestRestartSteps, bestStartSteps, mStepProgress, type EmFamily, type EmRunOptions,
  type EmRunResult, type EmSteps, type IterationInfo, type StatsRequest,
} from './em/driver.js';
import { HC_MODELS, HC_USES, hcApplies, type HcModel, type HcUse } from './families/gaussian-hc.js';
import {
  HC_FALLBACK, HC_FALLBACK_RUNS, INIT_METHODS, RANDOM_INIT_METHODS, hcStartSteps, initialParamsSteps, responsibilitiesStartSteps, type GivenInit, type InitMethod,
  type RandomInitMethod, type ResolvedGivenInit,
} from './families/gaussian-starts.js';
import { checkCovarianceIdentifiable, squaredSpread } from './families/gaussian-identifiable.js';
import {
  checkFeatureExtremes, distinctRowsAtLeast, dropZeroWeightRows, scanRows,
} from './estimator/validation.js';
import {
  SpreadSample, deferredSpread, degenerateComponents, degenerateMessage, type DataSpread, type DeferredSpread,
} from './families/gaussian-degenerate.js';
import { Rng } from './rng.js';
import { DegenerateComponentError, InputError, describe } from './errors.js';
import {
  COVARIANCE_TYPES, checkCovariances, exactMStep, covarianceLayout, covarianceMatrixOf, covarianceShape, hasMatrices, kernelShape, maximize, nest,
  nParameters, toKernelParams, type CovarianceType, type Covariances, type GaussianParams,
} from './families/gaussian.js';
import {
  MomentsAccumulator, checkPriorOption, dataMoments, logPrior, mStep, priorToJSON, resolvePrior, shiftPrior,
  type GaussianPrior, type MStepRule, type PriorOption,
} from './families/gaussian-prior.js';
import { scaledFitWeights } from './fit-weights.js';
import { choleskyLower, precisionCholeskyFromLower } from './linalg.js';
import { rowsOf, toMatrix, toSampleWeight, type DataInput, type DataOptions, type InitData, type Matrix, type MatrixLike } from './matrix.js';
import {
  booleanOption, callbackOption, checkKeys, enumOption, flattenNested, integerOption, numberOption, sampleArguments,
  seedOption,
} from './options.js';
import { modelFromJSON, modelToJSON, type GaussianMixtureJSON } from './model-json.js';
import { DTYPES, centredFloat32, meansOfSums, shiftMeans, type Dtype } from './dtype.js';
import { signalOption } from './parallel/options.js';
import { throwIfAborted, throwIfAbortedFirst } from './parallel/abort.js';
import { isLongMStep, type MStepProgress, type ProgressInfo } from './em/progress.js';
import { PrefetchedStarts, candidateRng } from './parallel/starts.js';
import { checkEStepStats } from './far-rows.js';
import { fitInMemory, fitOnPool, type PreparedRun } from './estimator/drivers.js';
import { MissingBound } from './missing/bound.js';
import { MixtureModel, logProbBlocks, type LogProbBlockFn } from './mixture-base.js';
import { imputeRows } from './missing/impute.js';
import { meanFilledInitData } from './missing/init-data.js';
import { checkNoEmptyColumn, hasMissing, isAllMissing } from './missing/patterns.js';
import {
  SourcePasses, meanFilledSample, runStreamSteps, scanSource, streamStarts, type SourceFacts, type StreamProgressInfo,
} from './stream/fit.js';
import { checkSource, type StreamSource } from './stream/source.js';

/** Constructor options (scikit-learn's names in camelCase; defaults in brackets). */
export interface GaussianMixtureOptions {
  /** Number of mixture components k [1]. */
  nComponents?: number;
  /**
   * Covariance model ['full']: one of mclust's fourteen (`'EII'`, `'VII'`, `'EEI'`, `'VEI'`, `'EVI'`, `'VVI'`, `'EEE'`,
   * `'VEE'`, `'EVE'`, `'VVE'`, `'EEV'`, `'VEV'`, `'EVV'`, `'VVV'`: volume, shape and orientation Equal, Variable or
   * Identity across components; Celeux & Govaert 1995), whose M-steps, parameter counts and BIC are mclust 6's, or
   * scikit-learn's names, aliases of four of them: `'full'` = VVV, `'tied'` = EEE, `'diag'` = VVI, `'spherical'` = VII.
   * @example
   * new GaussianMixture({ nComponents: 2, covarianceType: 'VEV' }).fit(X).bic(X); // −(mclust's BIC)
   */
  covarianceType?: CovarianceType;
  /**
   * Initialization ['hc'], or given starting parameters (`GivenInit`: any of `means`, `weights`, and
   * `covariances` or `precisions`, in scikit-learn's shapes; scikit-learn's `means_init`, `weights_init`,
   * `precisions_init`). A given start is validated against the data at `fit`, each bad entry an `InputError` naming
   * it (e.g. `options.init.precisions[1][0][2]`).
   *
   * `'hc'` (mclust's default start, deterministic): model-based agglomerative hierarchical clustering (`hcModel`,
   * `hcUse`; Fraley 1998) of the rows, cut into k clusters, then one M-step (`src/families/gaussian-hc.ts`). Larger data is
   * represented by a uniform sample drawn from the seed of `hcSampleSize(n, d)` = min(n, 2000, ⌊20 000 / d⌋) rows;
   * a sample too small to hold k clusters of d + 1 rows (fewer than k·(d + 1) rows: wide data, many components) gives
   * a k-means start instead (`hcApplies`). Only the first start of the first restart is hierarchical: the other
   * candidates (tried when a solution is degenerate, `initCandidates`) and restarts (`nInit`) are k-means starts, each
   * the best of 10 Lloyd runs by inertia (`HC_FALLBACK_RUNS`), so `nInit: 1` gives mclust's start and more restarts add
   * random ones. Measured on seven labelled real data sets (bench/defaults-ari.mjs, README "The defaults, measured by
   * the answers"), K = classes, seeds 0–4, mean ARI against `'kmeans'`: wine 0.61 → 0.95, digits 0.63 → 0.68, equal
   * on iris, banknote and thyroid, lower on breast_cancer (0.81 → 0.60, mclust's own 0.53) and diabetes (0.65 → 0.57,
   * mclust's 0.66); with `selectModel` it reproduces mclust's choice on 6 of 8 sets, k-means starts on 2.
   *
   * `'kmeans'` (scikit-learn's default): k-means++ seeds refined by Lloyd's algorithm to convergence, each row to its
   * nearest centre, one M-step; against `'kmeans++'` (seeds only) it lifted digits 0.37 → 0.60 and banknote
   * 0.80 → 0.98. `init: 'kmeans', initCandidates: 1` is scikit-learn's `GaussianMixture` start and run.
   */
  init?: InitMethod | GivenInit;
  /** The merge criterion of `init: 'hc'` (mclust's `hcModelName`) ['VVV']; `'EII'` is Ward's. */
  hcModel?: HcModel;
  /**
   * The transformation of the rows before the merges of `init: 'hc'` (mclust's `hcUse`) ['SVD']: `'SVD'` standardized
   * and scaled principal components (mclust 6's default), `'STD'` standardized features, `'VARS'` the data as given.
   */
  hcUse?: HcUse;
  /**
   * The method that gives the rest of a start given without means (scikit-learn's `init_params`) ['kmeans']: its
   * means, and its weights and covariances where `init` gives none. Unused for a method `init` or given means (the
   * rest then comes from the rows nearest to each given mean).
   */
  initParams?: RandomInitMethod;
  /** Number of restarts; the one with the highest final lower bound is kept [1]. */
  nInit?: number;
  /**
   * Starting points per restart [10]. The first runs to convergence, as in scikit-learn; when its solution is sound
   * (not degenerate, `degenerateComponents`) it is the restart's answer. Otherwise the next one runs to convergence,
   * and so on until a solution is sound; when all are degenerate the likeliest of them is kept. Applies to the
   * random initializations, not to a given `init` or a warm start. 1 is scikit-learn's behaviour. A sound first
   * solution is kept rather than searching for a higher likelihood because a higher likelihood is often the worse
   * clustering: on wine (K = 3, seeds 0–4) choosing the likeliest of 10 candidates gave a mean ARI of 0.58 (min 0.46)
   * against 0.61 (min 0.61) for the first sound one.
   */
  initCandidates?: number;
  /**
   * EM iterations of each short-run candidate [10]. Accepted and reported by `getParams`, but the Gaussian
   * restarts run each candidate to convergence (see `initCandidates`), so it does not change a Gaussian fit.
   */
  initCandidateIter?: number;
  /**
   * EM iterations per restart [100]. 0 keeps the start (scikit-learn's `max_iter=0`): `converged` false, `nIter` 0,
   * `lowerBound` the start's per-sample mean log-likelihood (one E-step; scikit-learn leaves −∞), no warning.
   */
  maxIter?: number;
  /** Convergence threshold on the change of the per-sample mean log-likelihood [1e-3]. */
  tol?: number;
  /**
   * Non-negative regularization added to the covariance diagonals [1e-6; 0 with a `prior`]. For mclust's models it is
   * added to each component's scatter as `N_c·regCovar·I` before the M-step, which is scikit-learn's floor for its
   * four and keeps every model's constraints (equal shapes stay equal).
   */
  regCovar?: number;
  /**
   * Relative change at which the inner iterations of the iterative M-steps (VEI, VEV, VEE, EVE, VVE) stop
   * [√ε ≈ 1.49e-8, mclust's `emControl()$tol[2]`].
   */
  innerTol?: number;
  /**
   * Cap on those inner iterations per M-step, or `'auto'` ['auto']: ⌊10⁶ / (k·d³)⌋ and at least 10
   * (`innerIterationCap`), unbounded in practice on small data (d = 4, k = 3: 5208) as mclust's 2³¹ − 1, about a few
   * E-steps of work on wide data (d = 30, k = 3: 12), where each costs O(k·d³) and the orientation converges slowly.
   * A capped M-step still raises its objective (generalized EM) and the next continues from it; it is reported
   * through `onWarning` once per fit. For mclust's own iterations on wide data give 2147483647.
   */
  innerMaxIter?: number | 'auto';
  /** Seed of the random number generator; undefined draws a new seed on every fit [undefined]. */
  seed?: number;
  /** Start `fit` from the current parameters when the model is already fitted (one restart) [false]. */
  warmStart?: boolean;
  /** Compute backend: `'wasm'` (SIMD kernels), `'js'` (plain TypeScript) or `'auto'` (wasm when available) ['auto']. */
  backend?: BackendName;
  /**
   * Precision of the data during `fit` ['float64']. `'float32'` centres the data (column means in f64), stores
   * `Math.fround(x − centre)` and runs the E-step on f32x4 vectors (4 rows per vector instead of 2), with the
   * log-sum-exp, the log-likelihood and the statistics still accumulated in f64, and half the memory for the data.
   * The fitted parameters are f64 either way; `predict`, `score` and the other methods compute in f64.
   */
  dtype?: Dtype;
  /**
   * A conjugate prior on the means and covariances, for MAP EM (mclust's `prior = priorControl()`; Fraley & Raftery
   * 2007) [none]: `'default'` (mclust's `defaultPrior`: shrinkage 0.01, mean the column means, dof d + 2, scale
   * (1/k)^{2/d} times the data's covariance, or for diag and spherical the mean variance) or an object giving any of
   * `shrinkage`, `mean`, `dof`, `scale` (the rest default); null is none. EM then maximizes the log posterior, in
   * `fit`, `fitAsync` and `fitStream` alike (the default needs the column means and covariance: `fitStream` reads
   * the source once more for them when it holds more than 100 000 rows), and the starts' M-step is the posterior
   * mode too. No component can collapse, so the size rule of `degenerateComponents` is not applied.
   * `lowerBound` and `logLikelihoodHistory` are then the per-sample mean log posterior (log-likelihood + log prior,
   * over the rows' total weight), which restarts are ranked by; `score`, `bic` and `aic` stay on the plain likelihood
   * at the MAP estimate, as mclust reports them (its BIC is `−bic`). `regCovar` defaults to 0 then, which gives
   * mclust's estimates; a given one is still added to the diagonals (the log posterior then rises only up to the
   * effect of that floor). Missing entries (NaN) work as without a prior (the default's moments
   * count a missing entry as its column's mean). Sample weights count against the prior as they count in the M-step,
   * rescaled to mean 1 over the rows (`src/fit-weights.ts`): w and c·w give the same fit. See
   * `src/families/gaussian-prior.ts`.
   */
  prior?: PriorOption | null;
}

/** Options of `fit`. */
export interface FitOptions extends DataOptions {
  /**
   * Non-negative weight per row (length n). A weight w counts the row w times; weight 0 drops it. The likelihood,
   * `lowerBound`, `bic` and `aic` then count Σw rows. Only the ratios of the weights shape the model: w and c·w give
   * the same fit for any c > 0 (the weights are rescaled to mean 1 first, so 1e305 or subnormal weights work).
   */
  sampleWeight?: ArrayLike<number>;
  /** Called after every EM iteration of every restart. */
  onIteration?: (info: IterationInfo) => void;
  /** Called with a message when a fit does not converge or the likelihood decreases by more than rounding. */
  onWarning?: (message: string) => void;
  /**
   * Called after each block of 4096 rows of each E-step (phase `'em'`) and, when the M-step is long (full or tied
   * covariances of about 200 features or more), after each component's covariance factorization (phase `'m-step'`).
   * Costs nothing when absent.
   */
  onProgress?: (info: ProgressInfo) => void;
}

/** Options of `fitAsync`: those of `fit`, and the pool's. */
export interface FitAsyncOptions extends FitOptions {
  /**
   * Number of workers, or `'auto'` for one per available core (`os.availableParallelism()` in Node,
   * `navigator.hardwareConcurrency` in browsers) ['auto']. Never more workers than blocks of 4096 rows.
   */
  workers?: number | 'auto';
  /**
   * Aborting it rejects the fit (with the signal's `reason` when one was given, as `fetch` does, else an `AbortError`)
   * within a few milliseconds at any stage, terminates the workers and leaves the model unchanged.
   */
  signal?: AbortSignal;
  /** As `fit`'s, the E-step's reports coming as the statistics of each block of rows arrive from the workers. */
  onProgress?: (info: ProgressInfo) => void;
}

/** Options of `fitStream`: `fit`'s without `sampleWeight`, and progress and abort. */
export interface FitStreamOptions extends DataOptions {
  /** Called after every EM iteration of every restart (as in `fit`). */
  onIteration?: (info: IterationInfo) => void;
  /** Called with a message when a fit does not converge or the likelihood decreases by more than rounding. */
  onWarning?: (message: string) => void;
  /** Called after every block of 4096 rows of every pass over the source. */
  onProgress?: (info: StreamProgressInfo) => void;
  /**
   * Aborting it rejects the fit (with the signal's `reason` when one was given, else an `AbortError`), even while a
   * read of the source is pending, releases the source and leaves the model unchanged.
   */
  signal?: AbortSignal;
}

/** Rows drawn by `sample`. */
export interface Sample {
  /** n×d samples, grouped by component (as scikit-learn). */
  readonly X: Matrix;
  /** The component each row was drawn from. */
  readonly labels: Int32Array;
}

const OPTION_KEYS = [
  'nComponents', 'covarianceType', 'init', 'hcModel', 'hcUse', 'initParams', 'nInit', 'initCandidates', 'initCandidateIter', 'maxIter', 'tol', 'regCovar',
  'innerTol', 'innerMaxIter', 'seed', 'warmStart', 'backend', 'dtype', 'prior',
] as const;
const FIT_KEYS = ['nFeatures', 'sampleWeight', 'onIteration', 'onWarning', 'onProgress'];
const FIT_ASYNC_KEYS = [...FIT_KEYS, 'workers', 'signal'];
const FIT_STREAM_KEYS = ['nFeatures', 'onIteration', 'onWarning', 'onProgress', 'signal'];
const DATA_KEYS = ['nFeatures'];

/** Every constructor option with its default filled in (`getParams()`, scikit-learn's `get_params()`). */
export interface ResolvedOptions {
  readonly nComponents: number;
  readonly covarianceType: CovarianceType;
  readonly init: InitMethod | GivenInit;
  readonly hcModel: HcModel;
  readonly hcUse: HcUse;
  readonly initParams: RandomInitMethod;
  readonly nInit: number;
  readonly initCandidates: number;
  readonly initCandidateIter: number;
  readonly maxIter: number;
  readonly tol: number;
  readonly regCovar: number;
  readonly innerTol: number;
  readonly innerMaxIter: number | 'auto';
  readonly seed: number | undefined;
  readonly warmStart: boolean;
  readonly backend: BackendName;
  readonly dtype: Dtype;
  /** The prior as given, or undefined for none. */
  readonly prior: PriorOption | undefined;
}

function resolveOptions(options: unknown): ResolvedOptions {
  const o = checkKeys(options, OPTION_KEYS, 'options');
  const init = o.init;
  if (init !== undefined && (init === null || typeof init !== 'object')) {
    enumOption(init, 'options.init', 'hc', INIT_METHODS);
  } else if (init !== undefined) {
    checkKeys(init, ['means', 'weights', 'covariances', 'precisions', 'responsibilities'], 'options.init');
    const g = init as GivenInit;
    if (g.responsibilities !== undefined
      && (g.means !== undefined || g.weights !== undefined || g.covariances !== undefined || g.precisions !== undefined)) {
      throw new InputError('options.init', 'responsibilities alone, or parameters (means, weights, covariances)',
        'responsibilities with parameters', 'Give init.responsibilities without the other fields');
    }
    if (g.covariances !== undefined && g.precisions !== undefined) {
      throw new InputError('options.init', 'covariances or precisions, not both', 'both',
        'Give one of init.covariances and init.precisions');
    }
  }
  return {
    nComponents: integerOption(o.nComponents, 'options.nComponents', 1, 1),
    covarianceType: enumOption(o.covarianceType, 'options.covarianceType', 'full', COVARIANCE_TYPES),
    init: (init ?? 'hc') as InitMethod | GivenInit,
    hcModel: enumOption(o.hcModel, 'options.hcModel', 'VVV', HC_MODELS),
    hcUse: enumOption(o.hcUse, 'options.hcUse', 'SVD', HC_USES),
    initParams: enumOption(o.initParams, 'options.initParams', 'kmeans', RANDOM_INIT_METHODS),
    nInit: integerOption(o.nInit, 'options.nInit', 1, 1),
    initCandidates: integerOption(o.initCandidates, 'options.initCandidates', 10, 1),
    initCandidateIter: integerOption(o.initCandidateIter, 'options.initCandidateIter', 10, 1),
    maxIter: integerOption(o.maxIter, 'options.maxIter', 100, 0),
    tol: numberOption(o.tol, 'options.tol', 1e-3, 0),
    // A prior keeps the covariances positive definite, and a floor on top would move the M-step off the posterior mode.
    regCovar: numberOption(o.regCovar, 'options.regCovar', o.prior === undefined || o.prior === null ? 1e-6 : 0, 0),
    innerTol: numberOption(o.innerTol, 'options.innerTol', Math.sqrt(Number.EPSILON), 0),
    innerMaxIter: o.innerMaxIter === 'auto' || o.innerMaxIter === undefined ? 'auto'
      : integerOption(o.innerMaxIter, 'options.innerMaxIter', 1, 1),
    seed: seedOption(o.seed, 'options.seed'),
    warmStart: booleanOption(o.warmStart, 'options.warmStart', false),
    backend: enumOption(o.backend, 'options.backend', 'auto', BACKEND_NAMES),
    dtype: enumOption(o.dtype, 'options.dtype', 'float64', DTYPES),
    prior: checkPriorOption(o.prior) ?? undefined,
  };
}

/** `out[off…] = U Uᵀ` for the upper-triangular d×d `U` at `u[off…]` (row-major). */
function upperGram(u: Float64Array, off: number, d: number, out: Float64Array): void {
  for (let a = 0; a < d; a++) {
    for (let b = 0; b < d; b++) {
      let v = 0;
      for (let j = Math.max(a, b); j < d; j++) v += u[off + a * d + j] * u[off + b * d + j];
      out[off + a * d + b] = v;
    }
  }
}

/**
 * Covariances from precisions in scikit-learn's shapes (validated by `checkCovariances`): full/tied
 * `Σ = P⁻¹ = L⁻ᵀ L⁻¹ = U Uᵀ` with `P = L Lᵀ` and `U = L⁻ᵀ`, diag/spherical `1/p`.
 */
function covariancesFromPrecisions(prec: Float64Array, type: CovarianceType, d: number): Float64Array {
  const out = new Float64Array(prec.length);
  if (!hasMatrices(type)) {
    for (let i = 0; i < prec.length; i++) out[i] = 1 / prec[i];
    return out;
  }
  const L = new Float64Array(d * d);
  const U = new Float64Array(d * d);
  for (let off = 0; off < prec.length; off += d * d) {
    choleskyLower(prec, off, d, L);
    precisionCholeskyFromLower(L, d, U, 0);
    upperGram(U, 0, d, out.subarray(off));
  }
  return out;
}

/** Validates given starting parameters against the data's shape. */
function resolveGivenInit(
  init: GivenInit, type: CovarianceType, k: number, d: number, rest: RandomInitMethod,
): ResolvedGivenInit {
  const means = init.means === undefined ? null : flattenNested(init.means, [k, d], 'options.init.means');
  let weights: Float64Array | null = null;
  if (init.weights !== undefined) {
    weights = flattenNested(init.weights, [k], 'options.init.weights',
      { ok: (v) => Number.isFinite(v) && v > 0, expected: 'a finite number > 0' });
    const total = weights.reduce((a, b) => a + b, 0);
    if (Math.abs(total - 1) > 1e-6) throw new InputError('options.init.weights', 'weights summing to 1', `a sum of ${total}`);
    for (let c = 0; c < k; c++) weights[c] /= total;
  }
  let covariances: Float64Array | null = null;
  if (init.covariances !== undefined) {
    covariances = flattenNested(init.covariances, covarianceShape(type, k, d), 'options.init.covariances');
    checkCovariances(covariances, type, k, d, 'options.init.covariances');
  } else if (init.precisions !== undefined) {
    const precisions = flattenNested(init.precisions, covarianceShape(type, k, d), 'options.init.precisions');
    checkCovariances(precisions, type, k, d, 'options.init.precisions');
    covariances = covariancesFromPrecisions(precisions, type, d);
  }
  return { means, weights, covariances, rest };
}

/**
 * The normalized n×k responsibilities of `init.responsibilities` for the rows a fit keeps (those of positive weight in
 * `weights`), or null when the start is not given so. `InputError` naming the entry for a shape other than n×k, a
 * negative or non-finite value, or a row without positive sum.
 */
function givenResponsibilities(
  init: InitMethod | GivenInit, n: number, weights: Float64Array | null, k: number,
): Float64Array | null {
  if (typeof init !== 'object' || init.responsibilities === undefined) return null;
  const z = flattenNested(init.responsibilities, [n, k], 'options.init.responsibilities',
    { ok: (v) => Number.isFinite(v) && v >= 0, expected: 'a finite number ≥ 0' });
  const kept = weights === null ? n : weights.reduce((m, v) => m + (v > 0 ? 1 : 0), 0);
  const out = new Float64Array(kept * k);
  for (let i = 0, r = 0; i < n; i++) {
    if (weights !== null && !(weights[i] > 0)) continue;
    let sum = 0;
    for (let c = 0; c < k; c++) sum += z[i * k + c];
    if (!(sum > 0)) {
      throw new InputError(`options.init.responsibilities[${i}]`, 'values with a positive sum', 'all zero');
    }
    for (let c = 0; c < k; c++) out[r * k + c] = z[i * k + c] / sum;
    r++;
  }
  return out;
}

/**
 * Most float64 values the covariance parameters of a fit may hold (k·d² for full, d² for tied): 2^28, 2 GiB, of
 * which the M-step keeps several copies. Larger is an `InputError` before anything is allocated.
 */
export const MAX_COVARIANCE_ENTRIES = 2 ** 28;

/**
 * Throws an `InputError` naming `options.covarianceType` when its parameters for k components and d features exceed
 * `MAX_COVARIANCE_ENTRIES`.
 */
export function checkCovarianceSize(type: CovarianceType, k: number, d: number): void {
  const layout = covarianceLayout(type);
  const entries = layout === 'matrices' ? k * d * d : layout === 'matrix' ? d * d : k * d;
  if (entries <= MAX_COVARIANCE_ENTRIES) return;
  throw new InputError('options.covarianceType',
    `covariances of at most 2^28 float64 values (2 GiB; ${layout === 'matrix' ? 'd²' : 'k·d²'} for '${type}')`,
    `'${type}' with k = ${k}, d = ${d}: ${entries.toPrecision(3)} values`,
    "Use covarianceType: 'diag' or 'spherical', or fewer features (e.g. a projection onto principal components)");
}

/** A fit set up by `prepareFit`: its rows and backend, and its EM steps, not yet run. */
interface PreparedFit extends PreparedRun<GaussianParams> {
  /** The rows with positive weight. */
  readonly data: Matrix;
  /** What EM runs on: `data.data`, or for float32 fits its rows minus `centre` rounded to float32. */
  readonly rows: Float64Array | Float32Array;
  /** Column means subtracted from the rows of a float32 fit (null for float64). */
  readonly centre: Float64Array | null;
  /** Whether some entry is NaN (missing), and how many rows have no observed entry. */
  readonly incomplete: boolean;
  readonly rowsAllMissing: number;
  /** Their weights, or null for unit weights. */
  readonly weights: Float64Array | null;
  readonly backend: Backend;
  readonly steps: EmSteps<EmRunResult<GaussianParams>>;
  /** The starts the steps take, which an asynchronous fit computes ahead. */
  readonly starts: PrefetchedStarts<GaussianParams>;
  readonly onWarning: FitOptions['onWarning'];
  /** The caller's progress callback: the E-step's reports come from the driver, the M-step's from the steps. */
  readonly onProgress: FitOptions['onProgress'];
  /** What the degeneracy rule compares a fit with (`src/families/gaussian-degenerate.ts`). */
  readonly degeneracy: Degeneracy;
  /** The fit's prior, resolved against its data, or null. */
  readonly prior: GaussianPrior | null;
}

/** The data's side of the degeneracy rule: its spread and the total weight of the rows EM counts. */
interface Degeneracy {
  /** Measured in the first pass of a streamed fit; in memory when the rule first needs it. */
  readonly spread: DataSpread | DeferredSpread;
  readonly total: number;
}

/** What `planFit` decides for a fit on d features. */
interface FitPlan {
  readonly d: number;
  /** Whether the fit continues the fitted parameters (`warmStart`). */
  readonly warm: boolean;
  /** The given start, validated, or null for a random one. */
  readonly given: ResolvedGivenInit | null;
  readonly seed: number;
  /** The random streams of candidate 0 and of the other candidates of every restart. */
  readonly rng: Rng;
  readonly restarts: number;
  /** Candidate starts per restart. */
  readonly candidates: number;
}

/**
 * A Gaussian mixture model fitted by expectation–maximization.
 *
 * ```ts
 * const gm = new GaussianMixture({ nComponents: 2, covarianceType: 'full', nInit: 5, seed: 1 }).fit(X);
 * gm.predict(X); gm.bic(X); gm.toJSON();
 * ```
 * The density is `p(x) = Σ_c w_c N(x | μ_c, Σ_c)`; EM as in Bishop (2006), §9.2.2; the model and its options follow
 * scikit-learn's `GaussianMixture`. BIC follows scikit-learn's sign (lower is better): `−2 log L + p ln n`, the
 * negative of mclust's BIC.
 */
export class GaussianMixture extends MixtureModel<GaussianParams> {
  private readonly options: ResolvedOptions;
  private rowsAllMissing = 0;
  private degenerate: number[] = [];
  private fittedPrior: GaussianPrior | null = null;

  constructor(options: GaussianMixtureOptions = {}) {
    super();
    this.options = resolveOptions(options);
  }

  /** Number of components k. */
  get nComponents(): number {
    return this.options.nComponents;
  }

  /** The covariance type. */
  get covarianceType(): CovarianceType {
    return this.options.covarianceType;
  }

  /** Restarts per fit (`options.nInit`, resolved). */
  get nInit(): number {
    return this.options.nInit;
  }

  /** Candidate starting points per restart (`options.initCandidates`, resolved). */
  get initCandidates(): number {
    return this.options.initCandidates;
  }

  /** EM iterations of each candidate start (`options.initCandidateIter`, resolved). */
  get initCandidateIter(): number {
    return this.options.initCandidateIter;
  }

  /** EM iterations per restart (`options.maxIter`, resolved; 0 keeps the start). */
  get maxIter(): number {
    return this.options.maxIter;
  }

  /** Convergence threshold on the change of the per-sample mean log-likelihood (`options.tol`, resolved). */
  get tol(): number {
    return this.options.tol;
  }

  /** Regularization added to the covariance diagonals (`options.regCovar`, resolved). */
  get regCovar(): number {
    return this.options.regCovar;
  }

  /** The seed given, or undefined when every fit draws a new one (`options.seed`). */
  get seed(): number | undefined {
    return this.options.seed;
  }

  /** Whether `fit` continues from the fitted parameters (`options.warmStart`, resolved). */
  get warmStart(): boolean {
    return this.options.warmStart;
  }

  /** The backend asked for: `'wasm'`, `'js'` or `'auto'` (`options.backend`, resolved). */
  get backend(): BackendName {
    return this.options.backend;
  }

  /** Precision of the data during `fit` (`options.dtype`, resolved). */
  get dtype(): Dtype {
    return this.options.dtype;
  }

  /** The method giving the rest of a start given without means (`options.initParams`, resolved). */
  get initParams(): RandomInitMethod {
    return this.options.initParams;
  }

  /** The merge criterion of `init: 'hc'` (`options.hcModel`, resolved). */
  get hcModel(): HcModel {
    return this.options.hcModel;
  }

  /** The transformation of the rows before the merges of `init: 'hc'` (`options.hcUse`, resolved). */
  get hcUse(): HcUse {
    return this.options.hcUse;
  }

  /** The prior as given (`options.prior`), or null for maximum likelihood. */
  get prior(): PriorOption | null {
    return this.options.prior ?? null;
  }

  /**
   * The hyperparameters of the last fit's prior (`options.prior` resolved against its data, `resolvePrior`), or of a
   * loaded model's; null without a prior. `scale` is d×d (row-major) for full and tied, one value for diag and
   * spherical.
   */
  get priorHyperparameters(): GaussianPrior | null {
    this.fitted('priorHyperparameters');
    return this.fittedPrior === null ? null
      : { ...this.fittedPrior, mean: this.fittedPrior.mean.slice(), scale: this.fittedPrior.scale.slice() };
  }

  /** The initialization method, or the given starting parameters as passed (`options.init`, resolved). */
  get init(): InitMethod | GivenInit {
    return this.options.init;
  }

  /**
   * Every constructor option with its default filled in (scikit-learn's `get_params()`): passing the result to the
   * constructor makes an unfitted model with the same options. `prior` is undefined without a prior.
   *
   * @example
   * ```ts
   * new GaussianMixture({ nComponents: 3 }).getParams();
   * // { nComponents: 3, covarianceType: 'full', init: 'hc', hcModel: 'VVV', hcUse: 'SVD', initParams: 'kmeans', nInit: 1, initCandidates: 10, initCandidateIter: 10,
   * //   maxIter: 100, tol: 0.001, regCovar: 1e-6, innerTol: 1.49e-8, innerMaxIter: 'auto', seed: undefined, warmStart: false,
   * //   backend: 'auto', dtype: 'float64' }
   * ```
   */
  getParams(): ResolvedOptions {
    return { ...this.options };
  }

  /**
   * Rows of the last fit whose every entry was missing (NaN): left out of the fit and of `lowerBound` (0 for a model
   * loaded with `fromJSON`).
   */
  get nRowsAllMissing(): number {
    this.fitted('nRowsAllMissing');
    return this.rowsAllMissing;
  }

  /**
   * The components of the fitted solution that are degenerate (`src/families/gaussian-degenerate.ts`): fewer rows than their
   * covariance model needs (d + 1 for full), or a variance at the `regCovar` floor in a direction where the data
   * spread far more (with a `prior` the first rule is not applied: the prior keeps every covariance proper). Empty for
   * a sound fit. A fit returns a degenerate solution only when every restart and start
   * candidate gave one, and then warns through `onWarning`. Empty for a model loaded with `fromJSON`.
   */
  get degenerateComponents(): number[] {
    this.fitted('degenerateComponents');
    return this.degenerate.slice();
  }

  /** Means, k rows of d (copies). */
  get means(): Float64Array[] {
    const p = this.fitted('means');
    return rowsOf(p.means, p.k, p.d);
  }

  /** Covariances in scikit-learn's shapes: full k×d×d, tied d×d, diag k×d, spherical k (copies). */
  get covariances(): Covariances {
    const p = this.fitted('covariances');
    return nest(p.covariances, p.covarianceType, p.k, p.d);
  }

  /**
   * Cholesky factors of the precision matrices (scikit-learn's `precisions_cholesky_`), in the covariances' shapes:
   * full/tied the upper-triangular U with Σ⁻¹ = U Uᵀ, diag/spherical 1/σ.
   */
  get precisionsCholesky(): Covariances {
    const p = this.fitted('precisionsCholesky');
    return nest(p.precChol, p.covarianceType, p.k, p.d);
  }

  /**
   * Precision matrices, the inverse covariances (scikit-learn's `precisions_`), in the covariances' shapes: full k×d×d
   * and tied d×d `Σ⁻¹ = U Uᵀ` from `precisionsCholesky`, diag k×d `1/σ²_cj`, spherical k `1/σ²_c` (copies).
   *
   * @example
   * ```ts
   * const gm = new GaussianMixture({ nComponents: 2, covarianceType: 'diag', seed: 0 }).fit(X);
   * gm.precisions; // [[1/σ²_00, 1/σ²_01], [1/σ²_10, 1/σ²_11]]
   * ```
   */
  get precisions(): Covariances {
    const p = this.fitted('precisions');
    const { d, precChol: u } = p;
    const out = new Float64Array(u.length);
    if (hasMatrices(p.covarianceType)) {
      for (let off = 0; off < u.length; off += d * d) upperGram(u, off, d, out);
    } else {
      for (let i = 0; i < u.length; i++) out[i] = u[i] * u[i];
    }
    return nest(out, p.covarianceType, p.k, d);
  }

  /** Number of free parameters (for BIC/AIC), as scikit-learn's `_n_parameters()`. */
  get nParameters(): number {
    const p = this.fitted('nParameters');
    return nParameters(p.covarianceType, p.k, p.d);
  }

  /** The full d×d covariance matrix of component c, whatever the covariance type (rows are copies). */
  covarianceMatrix(c: number): Float64Array[] {
    const p = this.fitted('covarianceMatrix');
    if (!Number.isInteger(c) || c < 0 || c >= p.k) throw new InputError('c', `a component index in [0, ${p.k - 1}]`, describe(c));
    return rowsOf(covarianceMatrixOf(p, c), p.d, p.d);
  }

  /**
   * Fits the mixture by EM: `nInit` restarts from the chosen initialization, each until the per-sample mean
   * log-likelihood changes by less than `tol` or `maxIter` iterations; keeps the restart with the highest lower bound.
   * `NaN` entries are missing values: EM then maximizes the likelihood of the observed entries (Ghahramani & Jordan
   * 1994; `src/missing/`), rows with no observed entry are left out (`nRowsAllMissing`). Throws `InputError` on bad
   * data or options (before any computation) and `DegenerateComponentError` when every restart collapsed a component.
   */
  fit(X: DataInput, options: FitOptions = {}): this {
    const run = this.prepareFit(X, options, FIT_KEYS);
    return this.finishFit(fitInMemory(run), run);
  }

  /**
   * `fit` on a pool of workers (Node `worker_threads` or Web Workers), created for this call and torn down at its end.
   * Each worker holds a contiguous range of whole row blocks in its own backend instance; the block statistics are
   * summed in block order, so the model equals `fit`'s exactly, for any number of workers. Bad data or options reject
   * with `InputError` before any work. Aborting `signal` rejects with an `AbortError` and leaves the model as it was;
   * a worker that fails or exits rejects with a `WorkerError`. Both terminate every worker.
   */
  async fitAsync(X: DataInput, options: FitAsyncOptions = {}): Promise<this> {
    const { best, run } = await fitOnPool(X, options, FIT_ASYNC_KEYS, this.options.backend !== 'js',
      (data, fitOptions) => this.prepareFit(data, fitOptions as FitAsyncOptions, FIT_ASYNC_KEYS));
    return this.finishFit(best, run);
  }

  /**
   * Fits the mixture (as `fit`) and returns the label of every row of `X` (length n): the most probable component
   * under the fitted parameters, from a final E-step after the best restart, so the labels always equal
   * `fit(X).predict(X)` (scikit-learn's `fit_predict`). Rows of weight 0 are labelled too.
   *
   * @example
   * ```ts
   * const labels = new GaussianMixture({ nComponents: 3, seed: 0 }).fitPredict(X); // Int32Array of n labels
   * ```
   */
  fitPredict(X: DataInput, options: FitOptions = {}): Int32Array {
    this.fit(X, options);
    const nFeatures = options !== null && typeof options === 'object' ? options.nFeatures : undefined;
    return this.predict(X, nFeatures === undefined ? undefined : { nFeatures });
  }

  /**
   * The inner iterations of mclust's iterative M-steps (`innerTol`, `innerMaxIter`), warning once per fit when an
   * M-step stops at the cap.
   */
  private innerControl(onWarning: ((message: string) => void) | undefined): NonNullable<MStepRule['inner']> {
    let warned = false;
    return {
      tol: this.options.innerTol,
      ...(this.options.innerMaxIter === 'auto' ? {} : { maxIterations: this.options.innerMaxIter }),
      onCapped: (model, iterations) => {
        if (warned) return;
        warned = true;
        onWarning?.(`the ${model} M-step stopped at innerMaxIter = ${iterations} inner iterations before reaching ` +
          'innerTol (EM goes on from there); raise innerMaxIter, or use a model with a closed-form M-step');
      },
    };
  }

  /** Validates the data and options of a fit and sets up its EM steps (nothing runs until they are driven). */
  private prepareFit(X: DataInput, options: FitOptions, keys: readonly string[]): PreparedFit {
    const o = checkKeys(options, keys, 'options');
    const onIteration = callbackOption<FitOptions['onIteration']>(o.onIteration, 'options.onIteration');
    const onWarning = callbackOption<FitOptions['onWarning']>(o.onWarning, 'options.onWarning');
    const onProgress = callbackOption<FitOptions['onProgress']>(o.onProgress, 'options.onProgress');
    const matrix = toMatrix(X, options);
    const givenWeights = scaledFitWeights(toSampleWeight(o.sampleWeight, matrix.rows));
    const { X: data, w } = dropZeroWeightRows(matrix, givenWeights);
    const { nComponents: k, covarianceType: type, regCovar } = this.options;
    const z = givenResponsibilities(this.options.init, matrix.rows, givenWeights, k);
    const d = data.cols;
    // One pass finds the missing entries, the column means and the column extremes.
    const scan = scanRows(data);
    const incomplete = scan.missing > 0;
    const { rowsAllMissing, mins, maxs } = scan;
    if (incomplete) checkNoEmptyColumn(data.data, data.rows, d);
    const means = meansOfSums(scan.sums.slice(), scan.counts);
    const centre = this.options.dtype === 'float32' ? means : null;
    let totalWeight = data.rows;
    if (w !== null) totalWeight = w.reduce((a, b) => a + b, 0);
    checkFeatureExtremes(mins, maxs, means, totalWeight, this.options.dtype, 'X');
    const plan = this.planFit(d, distinctRowsAtLeast(data, k));
    // A prior makes every covariance proper, however few the rows (mclust's defaultPrior has a branch for n ≤ d).
    const identifiable = this.options.prior !== undefined ? null
      : checkCovarianceIdentifiable(type, k, data.rows - rowsAllMissing, d, regCovar, squaredSpread(mins, maxs));
    if (identifiable !== null) onWarning?.(identifiable);
    const { given, warm, rng } = plan;
    const backend = resolveBackendFor(this.options.backend, { shape: kernelShape(type), n: data.rows, d, k,
      shared: covarianceLayout(type) === 'matrix', f32: this.options.dtype === 'float32', weighted: w !== null }, onWarning);
    // Missing entries: the starts are computed on mean-filled rows (src/missing/init-data.ts), EM on the rows as given.
    const initData = incomplete ? meanFilledInitData(data, w, new Rng(plan.seed, 2)) : { X: data, weights: w };
    // float32: EM runs on centred f32 rows with means in centred coordinates; initialization sees the f64 data.
    const rows = centre === null ? data.data : centredFloat32(data, centre);
    const warmParams = warm ? this.params! : null;
    const method = given ?? (this.options.init as InitMethod);
    const hc = { model: this.options.hcModel, use: this.options.hcUse };
    const prior = this.options.prior === undefined ? null
      : resolvePrior(dataMoments(data, w), k, d, type, this.options.prior);
    const inner = this.innerControl(onWarning);
    const rule: MStepRule = { regCovar, prior, inner };
    // A start from given means assigns the rows on the fit's backend.
    const startKernels = { backend, blockRows: BLOCK_ROWS };
    // fit computes each start when EM asks for it; fitAsync computes it ahead, in slices (`PrefetchedStarts`).
    const starts = new PrefetchedStarts(plan.restarts, plan.candidates, function* (restart: number, candidate: number) {
      if (warmParams !== null) return warmParams;
      if (z !== null) return yield* responsibilitiesStartSteps(initData, z, k, type, rule);
      if (method === 'hc' && restart === 0 && candidate === 0 && hcApplies(data.rows, d, k)) {
        return yield* hcStartSteps(initData, k, type, rule, hc, plan.seed);
      }
      return yield* initialParamsSteps(method === 'hc' ? HC_FALLBACK : method, initData, k, type, rule,
        candidateRng(rng, plan.seed, restart, plan.candidates, candidate), method === 'hc' ? HC_FALLBACK_RUNS : 1,
        startKernels);
    });
    const onMStep = onProgress
      && ((at: StatsRequest, mStep: MStepProgress) => onProgress(mStepProgress(at, mStep, data.rows)));
    const degeneracy = { spread: deferredSpread({ X: data, weights: w }, plan.seed, mins, maxs),
      total: countedWeight(data, w, incomplete) };
    const steps = this.fitSteps(plan, starts.take, centre, { onIteration, onWarning, onMStep }, 'X', degeneracy, prior,
      inner);
    return {
      data, rows, n: data.rows, d, centre, incomplete, rowsAllMissing, weights: w, backend, steps, starts, onWarning,
      onProgress, degeneracy, prior,
    };
  }

  /**
   * What a fit on d features decides before it sees the rows: checks the warm start's width and that there are at
   * least k distinct rows (`distinct`, counted up to k), resolves a given start, draws the seed and its two streams.
   */
  private planFit(d: number, distinct: number, seed = this.drawSeed()): FitPlan {
    const { nComponents: k, covarianceType: type } = this.options;
    checkCovarianceSize(type, k, d);
    const warm = this.options.warmStart && this.params !== null;
    if (warm && this.params!.d !== d) {
      throw new InputError('X', `${this.params!.d} columns (warmStart continues the fitted model)`, `${d} columns`);
    }
    if (distinct < k) {
      throw new InputError('options.nComponents', `at most the number of distinct rows with positive weight (${distinct})`,
        String(k), 'Use fewer components or more data');
    }
    const given = typeof this.options.init === 'object'
      ? resolveGivenInit(this.options.init, type, k, d, this.options.initParams) : null;
    // Candidate 0 of every restart draws from the first stream, so it starts where plain EM would; the other
    // candidates draw from a second stream.
    // Short runs choose among random starts only: a given start or a warm start is used as it is.
    const candidates = warm || given !== null ? 1 : this.options.initCandidates;
    return { d, warm, given, seed, rng: new Rng(seed), restarts: warm ? 1 : this.options.nInit, candidates };
  }

  /** The fit's seed: the option, or a new one drawn for this fit. */
  private drawSeed(): number {
    return this.options.seed ?? Math.floor(Math.random() * 2 ** 32);
  }

  /**
   * The EM steps of a planned fit: its restarts, each over its candidate starts, `makeOriginalStart(candidate)` in the
   * data's coordinates (moved by −centre for a float32 fit). `label` names the data in the error of an E-step that a
   * row too far from every component of the start made NaN (`checkEStepStats`). With a `prior` (in the data's
   * coordinates) the M-step is the posterior mode and the driver monitors the log posterior (`EmFamily.logPrior`).
   */
  private fitSteps(
    plan: FitPlan, makeOriginalStart: (candidate: number) => GaussianParams, centre: Float64Array | null,
    callbacks: Pick<EmRunOptions, 'onIteration' | 'onWarning' | 'onMStep'>, label: string, degeneracy: Degeneracy,
    prior: GaussianPrior | null, inner: NonNullable<MStepRule['inner']>,
  ): EmSteps<EmRunResult<GaussianParams>> {
    const { nComponents: k, covarianceType: type, regCovar } = this.options;
    const { d } = plan;
    const { onIteration, onWarning, onMStep } = callbacks;
    // Only the factorizations of full and tied covariances grow as d³; the rest of the M-step is O(k·d²).
    const layout = covarianceLayout(type);
    const factors = layout === 'matrices' ? k : layout === 'matrix' ? 1 : 0;
    const reportsParts = onMStep !== undefined && factors > 0 && isLongMStep(factors, d);
    // A float32 fit's statistics are about means in centred coordinates: so is the prior's mean there.
    const emPrior = prior === null || centre === null ? prior : shiftPrior(prior, centre, -1);
    const family: EmFamily<GaussianParams> = {
      statsLength: statsLength(kernelShape(type), d, k),
      // The rule measures the rows in the data's coordinates: a float32 fit's means are moved back first.
      degenerate: (params) => degenerateComponents(centre === null ? params : shiftMeans(params, centre, 1),
        degeneracy.total, degeneracy.spread, regCovar, prior !== null).length,
      kernelParams: toKernelParams,
      maximize: (stats, params, onPart) => {
        checkEStepStats(stats, label);
        return mStep(type, k, d, stats, params.means, { regCovar, prior: emPrior, inner },
          reportsParts ? onPart : undefined, params);
      },
      ...(emPrior === null ? {} : { logPrior: (params: GaussianParams) => logPrior(params, emPrior) }),
      monotone: exactMStep(type, prior !== null),
    };
    const makeStart = (candidate: number): GaussianParams => centre === null ? makeOriginalStart(candidate)
      : shiftMeans(makeOriginalStart(candidate), centre, -1);
    const isRecoverable = (e: unknown): boolean => e instanceof DegenerateComponentError;
    // A warm start continues the fitted run: its first change is measured from the fitted lower bound.
    const previousLowerBound = plan.warm ? this.fitState.lowerBound : -Infinity;
    return bestRestartSteps(plan.restarts,
      (init) => bestStartSteps(family, makeStart, plan.candidates, this.options.initCandidateIter,
        {
          maxIter: this.options.maxIter, tol: this.options.tol, init, onIteration, onWarning, onMStep,
          previousLowerBound,
        },
        isRecoverable, 'first-sound'),
      isRecoverable, (init, e) => onWarning?.(`restart ${init} failed: ${(e as Error).message}`));
  }

  /**
   * Fits the mixture by EM to rows read from `source` pass after pass, without holding them: the path of a CSV file
   * (Node; the CLI's reader, empty fields and `NA` are missing entries), or a function that opens the source anew
   * for each pass and returns an (async) iterable of row blocks (`number[][]`, `{ data, rows, cols }`, a flat typed
   * array with `nFeatures`) or of CSV text (strings or bytes, such as a Node `Readable`).
   *
   * The model is `fit`'s on the same rows with the same seed, to the bit: whatever the source's chunks, the rows are
   * re-cut into blocks of 4096 and the block statistics summed in block order, and the starts see what `fit`'s see.
   * A first pass counts the rows (and keeps them when there are at most 100 000); a larger source is then read once
   * more for the sample of each random start (and once for a start from given means without weights and
   * covariances, and once for the covariance of a default `prior`), and once per EM iteration. Memory holds a block
   * of rows and the at most 100 000 rows of a start.
   * Missing entries (NaN) and `dtype: 'float32'` work as in `fit`; sample weights are not available (use `fit`).
   *
   * Rejects with `InputError` naming the line (CSV) or row of bad input, or when a later pass yields other rows than
   * the first; with `AbortError` when `signal` aborts (the model is then unchanged).
   */
  async fitStream(source: StreamSource, options: FitStreamOptions = {}): Promise<this> {
    throwIfAbortedFirst(options);
    if (options !== null && typeof options === 'object' && 'sampleWeight' in options) {
      throw new InputError('options.sampleWeight', 'no sample weights: fitStream reads unweighted rows',
        'sampleWeight', 'Fit in memory with fit(X, { sampleWeight }) for weighted rows');
    }
    const o = checkKeys(options, FIT_STREAM_KEYS, 'options');
    const init = this.options.init;
    if (typeof init === 'object' && init.responsibilities !== undefined) {
      throw new InputError('options.init.responsibilities', 'a start fitStream can use (means, weights, covariances)',
        'responsibilities', 'Fit in memory with fit(X) to start from responsibilities');
    }
    const src = checkSource(source);
    const onIteration = callbackOption<FitOptions['onIteration']>(o.onIteration, 'options.onIteration');
    const onWarning = callbackOption<FitOptions['onWarning']>(o.onWarning, 'options.onWarning');
    const onProgress = callbackOption<FitStreamOptions['onProgress']>(o.onProgress, 'options.onProgress');
    const signal = signalOption(o.signal);
    if (o.nFeatures !== undefined) integerOption(o.nFeatures, 'options.nFeatures', 1, 1);
    throwIfAborted(signal);
    if (this.options.backend !== 'js') await initWasm().catch(() => undefined);
    const { nComponents: k, covarianceType: type, regCovar } = this.options;
    const passes = new SourcePasses(src, { nFeatures: o.nFeatures as number | undefined, signal }, onProgress);
    const seen = new Set<string>();
    // The seed is drawn before the first pass, which gathers the rows the degeneracy rule measures (`SpreadSample`).
    const seed = this.drawSeed();
    let spreadSample: SpreadSample | null = null;
    const facts = await scanSource(passes, (block) => {
      distinctRowsAtLeast(block, k, seen);
      (spreadSample ??= new SpreadSample(block.cols, seed)).add(block);
    });
    checkFeatureExtremes(facts.mins, facts.maxs, meansOfSums(facts.sums.slice(), facts.counts), facts.n,
      this.options.dtype, passes.label);
    const plan = this.planFit(facts.d, seen.size, seed);
    const identifiable = this.options.prior !== undefined ? null
      : checkCovarianceIdentifiable(type, k, facts.n - facts.rowsAllMissing, facts.d, regCovar,
        squaredSpread(facts.mins, facts.maxs));
    if (identifiable !== null) onWarning?.(identifiable);
    // fit's size check, once the first pass has counted the rows: EM binds one block of rows at a time.
    const backend = resolveBackendFor(this.options.backend, { shape: kernelShape(type),
      n: Math.min(facts.n, BLOCK_ROWS), d: facts.d, k, shared: covarianceLayout(type) === 'matrix', f32: this.options.dtype === 'float32' },
      onWarning);
    const initData = facts.incomplete ? await meanFilledSample(passes, facts, new Rng(plan.seed, 2))
      : facts.held === null ? null : { X: facts.held, weights: null };
    // The default prior's moments: the first pass's column means, the scatter about them from the held rows or one
    // more pass (fit's numbers, in fit's order).
    let prior: GaussianPrior | null = null;
    if (this.options.prior !== undefined) {
      const moments = new MomentsAccumulator(meansOfSums(facts.sums.slice(), facts.counts));
      if (facts.held !== null) moments.add(facts.held);
      else await passes.each({ phase: 'init', init: 0, candidate: 0, iteration: 0, logLikelihood: -Infinity },
        (block) => moments.add(block));
      prior = resolvePrior(moments.moments(), k, facts.d, type, this.options.prior);
    }
    // One engine for the whole fit: the starts' passes (a start from given means binds each block) and EM's.
    const release = backend.retain();
    try {
      return await this.streamFit(passes, facts, plan, backend, initData, prior, seed, spreadSample,
        { onIteration, onWarning });
    } finally {
      release();
    }
  }

  /** `fitStream` after its first pass: the starts, then EM, pass after pass. */
  private async streamFit(
    passes: SourcePasses, facts: SourceFacts, plan: FitPlan, backend: Backend, initData: InitData | null,
    prior: GaussianPrior | null, seed: number, spreadSample: SpreadSample | null,
    callbacks: Pick<FitStreamOptions, 'onIteration' | 'onWarning'>,
  ): Promise<this> {
    const { nComponents: k, covarianceType: type, regCovar } = this.options;
    const { onIteration, onWarning } = callbacks;
    const inner = this.innerControl(onWarning);
    const makeOriginalStart = await streamStarts(passes, facts, {
      k, type, regCovar: { regCovar, prior, inner }, method: this.options.init as InitMethod, given: plan.given,
      hc: { model: this.options.hcModel, use: this.options.hcUse },
      warm: plan.warm ? this.params! : null, rng: plan.rng, seed: plan.seed, restarts: plan.restarts, candidates: plan.candidates, initData,
      kernels: { backend, blockRows: BLOCK_ROWS },
    });
    const centre = this.options.dtype === 'float32' ? meansOfSums(facts.sums.slice(), facts.counts) : null;
    const degeneracy = { spread: (spreadSample ?? new SpreadSample(facts.d, seed)).spread(),
      total: facts.n - facts.rowsAllMissing };
    const steps = this.fitSteps(plan, makeOriginalStart, centre,
      { onIteration, onWarning, onMStep: passes.mStepReporter() }, passes.label, degeneracy, prior, inner);
    const best = await runStreamSteps(steps, passes, backend, centre, facts.incomplete);
    return this.finishFit(best, { centre, onWarning, rowsAllMissing: facts.rowsAllMissing, degeneracy, prior });
  }

  /** Keeps the best restart's parameters (means back in the data's coordinates) and state; warns if it did not converge. */
  private finishFit(
    best: EmRunResult<GaussianParams>,
    run: Pick<PreparedFit, 'centre' | 'onWarning' | 'rowsAllMissing' | 'degeneracy' | 'prior'>,
  ): this {
    const { centre } = run;
    const params = centre === null ? best.params : shiftMeans(best.params, centre, 1);
    this.keepFit(best, params, this.options, run.onWarning);
    this.rowsAllMissing = run.rowsAllMissing;
    this.fittedPrior = run.prior;
    const found = degenerateComponents(params, run.degeneracy.total, run.degeneracy.spread, this.options.regCovar,
      run.prior !== null);
    this.degenerate = found.map((f) => f.component);
    if (found.length > 0) run.onWarning?.(degenerateMessage(found, params.covarianceType, params.k, run.prior !== null));
    return this;
  }

  /**
   * A copy of `X` with every missing (NaN) entry replaced by its conditional expectation under the fitted mixture,
   * `Σ_c p(c | x_o) (μ_cm + Σ_c,mo Σ_c,oo⁻¹ (x_o − μ_co))` given the row's observed entries `x_o` (Ghahramani & Jordan
   * 1994); a row with no observed entry gets the mixture mean. Observed entries are copied unchanged. Returns the form
   * given: `number[][]` for `number[][]`, `{ data, rows, cols }` (a `Float64Array`) for a matrix, a `Float64Array`
   * for a flat typed array.
   */
  impute(X: number[][], options?: DataOptions): number[][];
  impute(X: MatrixLike, options?: DataOptions): Matrix;
  impute(X: Float64Array | Float32Array, options: DataOptions): Float64Array;
  impute(X: DataInput, options?: DataOptions): number[][] | Matrix | Float64Array;
  impute(X: DataInput, options?: DataOptions): number[][] | Matrix | Float64Array {
    checkKeys(options, DATA_KEYS, 'options');
    const p = this.fitted('impute');
    const m = toMatrix(X, options, 'X', p.d);
    const backend = resolveBackendFor(this.options.backend,
      { shape: kernelShape(p.covarianceType), n: m.rows, d: m.cols, k: p.k, shared: covarianceLayout(p.covarianceType) === 'matrix' });
    const data = hasMissing(m.data, m.data.length) ? imputeRows(backend, m, p) : m.data.slice();
    if (Array.isArray(X)) return rowsOf(data, m.rows, m.cols).map((r) => Array.from(r));
    if (X instanceof Float64Array || X instanceof Float32Array) return data;
    return { data, rows: m.rows, cols: m.cols };
  }

  /**
   * Draws `count` rows [1] from the fitted mixture: component counts from the weights, then `μ_c + L_c z` with `Σ_c = L_c L_cᵀ`
   * and z standard normal. Rows come grouped by component (as scikit-learn). Seeded by `seed` (default: the model's).
   */
  sample(count?: number, options: { seed?: number } = {}): Sample {
    const p = this.fitted('sample');
    const { n, seed } = sampleArguments(count, options, p.d, this.options.seed);
    const rng = new Rng(seed);
    const { k, d } = p;
    const counts = new Int32Array(k);
    for (let i = 0; i < n; i++) {
      let u = rng.random();
      let c = 0;
      while (c < k - 1 && u >= p.weights[c]) u -= p.weights[c++];
      counts[c]++;
    }
    const data = new Float64Array(n * d);
    const labels = new Int32Array(n);
    const z = new Float64Array(d);
    let row = 0;
    for (let c = 0; c < k; c++) {
      const cov = new Float64Array(d * d);
      this.covarianceMatrix(c).forEach((r, a) => cov.set(r, a * d));
      const L = new Float64Array(d * d);
      choleskyLower(cov, 0, d, L);
      for (let s = 0; s < counts[c]; s++, row++) {
        for (let j = 0; j < d; j++) z[j] = rng.normal();
        labels[row] = c;
        for (let a = 0; a < d; a++) {
          let v = p.means[c * d + a];
          for (let b = 0; b <= a; b++) v += L[a * d + b] * z[b];
          data[row * d + a] = v;
        }
      }
    }
    return { X: { data, rows: n, cols: d }, labels };
  }

  /**
   * The model as plain JSON (format `wasm-em/gaussian-mixture`, version 1; covariances in scikit-learn's shapes; the
   * resolved prior as `prior` when the fit had one).
   */
  toJSON(): GaussianMixtureJSON {
    const p = this.fitted('toJSON');
    return modelToJSON(p, this.fitState, this.fittedPrior);
  }

  /** A model from `toJSON()` output (or a parsed model file). Throws `InputError` naming the first bad field. */
  static fromJSON(json: unknown, options: Pick<GaussianMixtureOptions, 'backend'> = {}): GaussianMixture {
    checkKeys(options, ['backend'], 'options');
    const { params, state, prior } = modelFromJSON(json);
    // A refit takes the file's hyperparameters as given (the mean only where it has a role, as the option wants).
    const given = prior === null ? null : priorToJSON(prior, params.covarianceType);
    if (given !== null && given.shrinkage === 0) delete (given as { mean?: number[] }).mean;
    const model = new GaussianMixture({ nComponents: params.k, covarianceType: params.covarianceType, ...options,
      ...(given === null ? {} : { prior: given }) }).load(params, state);
    model.fittedPrior = prior;
    return model;
  }

  protected checkedRows(X: DataInput, options: DataOptions | undefined, p: GaussianParams): Matrix {
    return toMatrix(X, options, 'X', p.d);
  }

  /** A row whose every entry is missing carries no observation (its density is 1): it counts in no score. */
  protected override countsInScores(m: Matrix, i: number): boolean {
    return !isAllMissing(m.data, i, m.cols);
  }

  protected forEachLogProbBlock(m: Matrix, p: GaussianParams, fn: LogProbBlockFn): void {
    const backend = resolveBackendFor(this.options.backend,
      { shape: kernelShape(p.covarianceType), n: m.rows, d: m.cols, k: p.k, shared: covarianceLayout(p.covarianceType) === 'matrix' });
    const bound = hasMissing(m.data, m.data.length) ? new MissingBound(backend, m.data, m.rows, m.cols, null)
      : backend.bind(m.data, m.rows, m.cols, null);
    logProbBlocks(bound, toKernelParams(p), m.rows, p.k, fn, m.data);
  }
}

/** The total weight of the rows EM counts: those with an observed entry (unit weights when `w` is null). */
function countedWeight(X: Matrix, w: Float64Array | null, incomplete: boolean): number {
  let total = 0;
  for (let i = 0; i < X.rows; i++) {
    if (!incomplete || !isAllMissing(X.data, i, X.cols)) total += w === null ? 1 : w[i];
  }
  return total;
}

