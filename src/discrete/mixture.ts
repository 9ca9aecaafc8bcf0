/**
 * `DiscreteMixture`: what `BernoulliMixture`, `CategoricalMixture` and `PoissonMixture` share — options, `fit` and
 * `fitAsync` on the `'linear'` kernels, prediction, scores, sampling and the model JSON. The families
 * (`src/families/{bernoulli,categorical,poisson}.ts`) supply the support check, t(x), h(x), the kernel parameters and
 * the parameter counts; the M-step is `maximizeDiscrete` (`src/families/discrete.ts`).
 */
import { resolveBackend, resolveBackendFor, BACKEND_NAMES, type BackendName } from '../backend/index.js';
import {
  bestRestartSteps, bestStartSteps, type EmFamily, type EmRunResult, type EmSteps,
  type IterationInfo,
} from '../em/driver.js';
import { INIT_SAMPLE_ROWS, kmeansPlusPlusSteps, nearestCenterSteps, sampleRows } from '../kmeans.js';
import type { InitData } from '../matrix.js';
import { Rng } from '../rng.js';
import { DegenerateComponentError, InputError, describe } from '../errors.js';
import {
  START_PSEUDO_COUNT, discreteStatsLength, drawIndex, hardAssignmentStats, maximizeDiscrete, randomResponsibilityStats,
  type DiscreteFamily, type DiscreteParams,
} from '../families/discrete.js';
import { scaledFitWeights } from '../fit-weights.js';
import { fitInMemory, fitOnPool, type PreparedRun } from '../estimator/drivers.js';
import { distinctRowsAtLeast, dropZeroWeightRows } from '../estimator/validation.js';
import { MixtureModel, logProbBlocks, type LogProbBlockFn, type ScoreOptions } from '../mixture-base.js';
import { toMatrix, toSampleWeight, type DataInput, type DataOptions, type Matrix } from '../matrix.js';
import {
  callbackOption, checkKeys, enumOption, flattenNested, integerOption, numberOption, sampleArguments, seedOption,
} from '../options.js';
import { PrefetchedStarts } from '../parallel/starts.js';
import type { ProgressInfo } from '../parallel/run.js';

/** Initializations of a discrete mixture (given parameters aside). */
export type DiscreteInitMethod = 'kmeans++' | 'random';

const INIT_METHODS: readonly DiscreteInitMethod[] = ['kmeans++', 'random'];

/** Constructor options shared by the discrete mixtures (defaults in brackets). */
export interface DiscreteMixtureOptions<G> {
  /** Number of mixture components k [1]. */
  nComponents?: number;
  /**
   * Initialization ['kmeans++']:
   * - `'kmeans++'`: greedy k-means++ seeds among the rows of t(x) (the rows themselves; one-hot rows for categorical
   *   data), each row assigned to its nearest seed, then one M-step with add-one smoothing (a pseudo-count of 1 instead
   *   of `alpha`), so that no starting probability is 0 or 1 and no starting rate is 0;
   * - `'random'`: uniform random responsibilities normalized per row, then the same M-step;
   * - given parameters (weights optional: equal weights when left out), used as they are.
   * The random methods see at most 100 000 rows (a uniform sample); EM then runs on all.
   */
  init?: DiscreteInitMethod | G;
  /** Number of restarts; the one with the highest final lower bound is kept [1]. */
  nInit?: number;
  /** EM iterations per restart [100]. */
  maxIter?: number;
  /** Convergence threshold on the change of the per-sample mean log-likelihood [1e-3]. */
  tol?: number;
  /** Seed of the random number generator; undefined draws a new seed on every fit [undefined]. */
  seed?: number;
  /** Compute backend: `'wasm'`, `'js'` or `'auto'` ['auto']. */
  backend?: BackendName;
  /**
   * Pseudo-count α > 0 of the M-step [1e-10]: every estimate is `(Σ r·t + α) / (N_c + a·α)` (a = 2 Bernoulli, m_j
   * categorical, 1 Poisson; see `src/families/discrete.ts`), i.e. α imaginary rows of every outcome per component. The
   * default is a floor that only keeps probabilities and rates off 0 (no log 0); α = 1 is Laplace smoothing.
   */
  alpha?: number;
}

/** Options of `fit`. */
export interface DiscreteFitOptions extends DataOptions {
  /** Non-negative weight per row (length n): a weight w counts the row w times; weight 0 drops it. */
  sampleWeight?: ArrayLike<number>;
  /** Called after every EM iteration of every restart. */
  onIteration?: (info: IterationInfo) => void;
  /** Called with a message when a fit does not converge, a restart fails or the likelihood decreases. */
  onWarning?: (message: string) => void;
  /** Called after each block of 4096 rows of each E-step (phase `'em'`; the M-step is short). */
  onProgress?: (info: ProgressInfo) => void;
}

/** Options of `fitAsync`: those of `fit`, and the worker pool's (as `GaussianMixture.fitAsync`). */
export interface DiscreteFitAsyncOptions extends DiscreteFitOptions {
  /** Number of workers, or `'auto'` for one per available core ['auto']. */
  workers?: number | 'auto';
  /** Aborting it rejects the fit (with the signal's `reason` when one was given, else an `AbortError`); model unchanged. */
  signal?: AbortSignal;
}

/** Options of `score`, `bic` and `aic` (those of every mixture). */
export type DiscreteScoreOptions = ScoreOptions;

/** Rows drawn by `sample`. */
export interface DiscreteSample {
  /** n×d samples, grouped by component. */
  readonly X: Matrix;
  /** The component each row was drawn from. */
  readonly labels: Int32Array;
}

/** The model file of a discrete mixture. */
export interface DiscreteMixtureJSON {
  format: string;
  version: 1;
  nFeatures: number;
  nComponents: number;
  /** The pseudo-count the model was fitted with. */
  alpha: number;
  weights: number[];
  converged: boolean;
  nIter: number;
  /** Per-sample mean log-likelihood of the last E-step (h(x) included); null when unknown. */
  lowerBound: number | null;
  /** The family's parameters (`probabilities`, `categoryProbabilities` with `nCategories`, or `rates`). */
  [key: string]: unknown;
}

/** The model file's version. */
export const DISCRETE_MODEL_VERSION = 1;

/** What a subclass adds to the shared machinery. */
export interface DiscreteSpec {
  readonly family: DiscreteFamily;
  /** The JSON format tag, e.g. `'wasm-em/bernoulli-mixture'`. */
  readonly format: string;
  /** Name of the parameters in JSON and in given starts (`'probabilities'`, `'categoryProbabilities'`, `'rates'`). */
  readonly paramKey: string;
  /**
   * Validates nested parameters (JSON or a given start) of k components and d features; returns the mean of t
   * (k×D) and, for categorical, the number of categories read from their shape (null: use `nCategories`).
   */
  parseMean(value: unknown, name: string, k: number, d: number, nCategories: Int32Array | null): Float64Array;
  /** The parameters nested for JSON. */
  meanToJSON(p: DiscreteParams): unknown;
}

const BASE_OPTION_KEYS = ['nComponents', 'init', 'nInit', 'maxIter', 'tol', 'seed', 'backend', 'alpha'];
const FIT_KEYS = ['nFeatures', 'sampleWeight', 'onIteration', 'onWarning', 'onProgress'];
const FIT_ASYNC_KEYS = [...FIT_KEYS, 'workers', 'signal'];

interface ResolvedOptions {
  readonly nComponents: number;
  readonly init: DiscreteInitMethod | Record<string, unknown>;
  readonly nInit: number;
  readonly maxIter: number;
  readonly tol: number;
  readonly seed: number | undefined;
  readonly backend: BackendName;
  readonly alpha: number;
}

/** A fit set up by `prepareFit`, not yet run. */
interface PreparedFit extends PreparedRun<DiscreteParams> {
  readonly onWarning: DiscreteFitOptions['onWarning'];
}

/**
 * Answers the statistics requests of `steps` unchanged, adding `total` (Σ_i w_i h(x_i), the per-row constant the
 * kernels leave out) to the log-likelihood entry of every statistics array before the steps read it, so that the
 * lower bound, history and convergence see the full log-likelihood.
 */
function* withRowConstant<R>(steps: EmSteps<R>, total: number): EmSteps<R> {
  let step = steps.next(undefined as unknown as Float64Array);
  while (!step.done) {
    const stats: Float64Array = yield step.value;
    stats[stats.length - 2] += total;
    step = steps.next(stats);
  }
  return step.value;
}

/** Validated weights of a given start (positive, summing to 1 within 1e-6, renormalized), or null. */
export function givenWeights(value: unknown, k: number, name: string): Float64Array | null {
  if (value === undefined) return null;
  const weights = flattenNested(value, [k], name, { ok: (v) => Number.isFinite(v) && v > 0, expected: 'a finite number > 0' });
  const total = weights.reduce((a, b) => a + b, 0);
  if (Math.abs(total - 1) > 1e-6) throw new InputError(name, 'weights summing to 1', `a sum of ${total}`);
  for (let c = 0; c < k; c++) weights[c] /= total;
  return weights;
}

/**
 * Most values of the encoded rows t(x) (n × D, one array) and of the parameters (k × D): 2^32 − 1, the longest typed
 * array of JavaScript engines. Larger is an `InputError` before anything is allocated.
 */
export const MAX_ENCODED_ENTRIES = 2 ** 32 - 1;

/** Throws an `InputError` when n rows of D encoded columns and k components exceed `MAX_ENCODED_ENTRIES`. */
function checkEncodingSize(n: number, D: number, k: number, className: string): void {
  const entries = Math.max(n, k) * D;
  if (entries <= MAX_ENCODED_ENTRIES) return;
  throw new InputError('X', `rows whose encoding t(x) has at most 2^32 − 1 values (${className}: rows × ${D} columns)`,
    `${Math.max(n, k)} × ${D} = ${entries.toPrecision(3)} values`,
    'Use fewer rows per call, fewer features, or (categorical) smaller category codes');
}

/**
 * The shared base of `BernoulliMixture`, `CategoricalMixture` and `PoissonMixture`: a mixture of k components whose
 * density is linear in a sufficient statistic, `log w_c + log p(x | c) = b_c + Σ_j t_j(x) θ_cj + h(x)`, fitted by EM
 * (Dempster, Laird & Rubin 1977; Bishop 2006 §9.3.3) on the `'linear'` kernels. BIC and AIC follow scikit-learn's
 * sign (lower is better).
 */
export abstract class DiscreteMixture extends MixtureModel<DiscreteParams> {
  protected readonly options: ResolvedOptions;

  protected constructor(protected readonly spec: DiscreteSpec, options: unknown, extraKeys: readonly string[] = []) {
    super();
    const o = checkKeys(options, [...BASE_OPTION_KEYS, ...extraKeys], 'options');
    const init = o.init;
    if (init !== undefined && (init === null || typeof init !== 'object')) {
      enumOption(init, 'options.init', 'kmeans++', INIT_METHODS);
    } else if (init !== undefined) {
      checkKeys(init, ['weights', spec.paramKey], 'options.init');
      if ((init as Record<string, unknown>)[spec.paramKey] === undefined) {
        throw new InputError(`options.init.${spec.paramKey}`, `the starting ${spec.paramKey}`, 'undefined');
      }
    }
    this.options = {
      nComponents: integerOption(o.nComponents, 'options.nComponents', 1, 1),
      init: (init ?? 'kmeans++') as ResolvedOptions['init'],
      nInit: integerOption(o.nInit, 'options.nInit', 1, 1),
      maxIter: integerOption(o.maxIter, 'options.maxIter', 100, 1),
      tol: numberOption(o.tol, 'options.tol', 1e-3, 0),
      seed: seedOption(o.seed, 'options.seed'),
      backend: enumOption(o.backend, 'options.backend', 'auto', BACKEND_NAMES),
      alpha: numberOption(o.alpha, 'options.alpha', 1e-10, 0, true),
    };
  }

  /** Number of components k. */
  get nComponents(): number {
    return this.options.nComponents;
  }

  /** The pseudo-count α of the M-step. */
  get alpha(): number {
    return this.options.alpha;
  }

  /** Number of free parameters (for BIC/AIC). */
  get nParameters(): number {
    const p = this.fitted('nParameters');
    return this.spec.family.nParameters(p);
  }

  /**
   * Fits the mixture to the n×d rows of `X` by EM (with `nInit` restarts). Every entry must lie in the family's support
   * (checked before any computation; NaN is an `InputError`). Throws `DegenerateComponentError` when every restart
   * loses a component.
   */
  fit(X: DataInput, options: DiscreteFitOptions = {}): this {
    const run = this.prepareFit(X, options, FIT_KEYS);
    return this.finishFit(fitInMemory(run), run);
  }

  /**
   * `fit` on a pool of worker threads (as `GaussianMixture.fitAsync`): the rows of t(x) are split into blocks held by
   * the workers and the block statistics summed in block order, so the model equals `fit`'s exactly.
   */
  async fitAsync(X: DataInput, options: DiscreteFitAsyncOptions = {}): Promise<this> {
    const { best, run } = await fitOnPool(X, options, FIT_ASYNC_KEYS, this.options.backend !== 'js',
      (data, fitOptions) => this.prepareFit(data, fitOptions as DiscreteFitAsyncOptions, FIT_ASYNC_KEYS));
    return this.finishFit(best, run);
  }

  /**
   * The number of categories of every feature for a fit on `X` (categorical; null for the others). `X` has passed the
   * family's check without categories.
   */
  protected fitCategories(_X: Matrix, _given: Record<string, unknown> | null): Int32Array | null {
    return null;
  }

  /** Validates the data and options of a fit and sets up its EM steps. */
  private prepareFit(X: DataInput, options: DiscreteFitOptions, keys: readonly string[]): PreparedFit {
    const o = checkKeys(options, keys, 'options');
    const onIteration = callbackOption<DiscreteFitOptions['onIteration']>(o.onIteration, 'options.onIteration');
    const onWarning = callbackOption<DiscreteFitOptions['onWarning']>(o.onWarning, 'options.onWarning');
    const { family, paramKey } = this.spec;
    const matrix = toMatrix(X, options);
    family.checkData(matrix, 'X', null);
    const given = typeof this.options.init === 'object' ? this.options.init : null;
    const nCategories = this.fitCategories(matrix, given);
    const { X: data, w } = dropZeroWeightRows(matrix, scaledFitWeights(toSampleWeight(o.sampleWeight, matrix.rows)));
    const { nComponents: k, alpha } = this.options;
    const d = data.cols;
    const distinct = distinctRowsAtLeast(data, k);
    if (distinct < k) {
      throw new InputError('options.nComponents', `at most the number of distinct rows with positive weight (${distinct})`,
        String(k), 'Use fewer components or more data');
    }
    const D = family.columns(d, nCategories);
    checkEncodingSize(data.rows, D, k, this.spec.family.className);
    const t = family.encode(data, nCategories);
    const h = family.rowConstant(data);
    let hTotal = 0;
    if (h !== null) for (let i = 0; i < data.rows; i++) hTotal += (w === null ? 1 : w[i]) * h[i];
    const givenStart: DiscreteParams | null = given === null ? null : {
      k, d, nCategories,
      weights: givenWeights(given.weights, k, 'options.init.weights') ?? new Float64Array(k).fill(1 / k),
      mean: this.spec.parseMean(given[paramKey], `options.init.${paramKey}`, k, d, nCategories),
    };
    const backendName = resolveBackendFor(this.options.backend,
      { shape: 'linear', n: data.rows, d: D, k, weighted: w !== null }, onWarning).name;

    const em: EmFamily<DiscreteParams> = {
      statsLength: discreteStatsLength(D, k),
      kernelParams: (p) => family.kernelParams(p),
      maximize: (stats) => maximizeDiscrete(family, stats, k, d, nCategories, alpha),
    };
    const rng = new Rng(this.options.seed ?? Math.floor(Math.random() * 2 ** 32));
    const full: InitData = { X: { data: t, rows: data.rows, cols: D }, weights: w };
    const random = this.options.init === 'random';
    // fit computes each start when EM asks for it; fitAsync computes it ahead, k-means++ in slices (`PrefetchedStarts`).
    const starts = new PrefetchedStarts(this.options.nInit, 1, function* () {
      if (givenStart !== null) return givenStart;
      const sample = full.X.rows > INIT_SAMPLE_ROWS ? sampleRows(full, INIT_SAMPLE_ROWS, k, rng) : full;
      const stats = random ? randomResponsibilityStats(sample, k, rng)
        : hardAssignmentStats(sample, yield* nearestCenterSteps(sample.X, yield* kmeansPlusPlusSteps(sample, k, rng), k), k);
      return maximizeDiscrete(family, stats, k, d, nCategories, START_PSEUDO_COUNT);
    });
    const makeStart = (): DiscreteParams => starts.take(0);
    const isRecoverable = (e: unknown): boolean => e instanceof DegenerateComponentError;
    const restarts = bestRestartSteps(this.options.nInit,
      (init) => bestStartSteps(em, makeStart, 1, 1,
        { maxIter: this.options.maxIter, tol: this.options.tol, init, onIteration, onWarning }, isRecoverable),
      isRecoverable, (init, e) => onWarning?.(`restart ${init} failed: ${(e as Error).message}`));
    const steps = h === null ? restarts : withRowConstant(restarts, hTotal);
    const onProgress = callbackOption<DiscreteFitOptions['onProgress']>(o.onProgress, 'options.onProgress');
    return {
      rows: t, weights: w, n: data.rows, d: D, backend: resolveBackend(backendName), incomplete: false, steps, starts,
      onWarning, ...(onProgress === undefined ? {} : { onProgress }),
    };
  }

  private finishFit(best: EmRunResult<DiscreteParams>, run: PreparedFit): this {
    this.keepFit(best, best.params, this.options, run.onWarning);
    return this;
  }

  /**
   * Draws `count` rows [1] from the fitted mixture: component counts from the weights, then each row from its
   * component. Rows come grouped by component. Seeded by `seed` (default: the model's).
   */
  sample(count?: number, options: { seed?: number } = {}): DiscreteSample {
    const p = this.fitted('sample');
    const { n, seed } = sampleArguments(count, options, p.d, this.options.seed);
    const rng = new Rng(seed);
    const { k, d } = p;
    const counts = new Int32Array(k);
    for (let i = 0; i < n; i++) counts[drawIndex(p.weights, k, rng)]++;
    const data = new Float64Array(n * d);
    const labels = new Int32Array(n);
    let row = 0;
    for (let c = 0; c < k; c++) {
      for (let s = 0; s < counts[c]; s++, row++) {
        labels[row] = c;
        this.spec.family.sampleRow(p, c, rng, data, row * d);
      }
    }
    return { X: { data, rows: n, cols: d }, labels };
  }

  /** The model as plain JSON (the class's format tag, version 1). */
  toJSON(): DiscreteMixtureJSON {
    const p = this.fitted('toJSON');
    return {
      format: this.spec.format,
      version: DISCRETE_MODEL_VERSION,
      nFeatures: p.d,
      nComponents: p.k,
      alpha: this.options.alpha,
      ...(p.nCategories === null ? {} : { nCategories: Array.from(p.nCategories) }),
      weights: Array.from(p.weights),
      [this.spec.paramKey]: this.spec.meanToJSON(p),
      converged: this.fitState.converged,
      nIter: this.fitState.nIter,
      lowerBound: Number.isFinite(this.fitState.lowerBound) ? this.fitState.lowerBound : null,
    };
  }

  protected checkedRows(X: DataInput, options: DataOptions | undefined, p: DiscreteParams): Matrix {
    const m = toMatrix(X, options, 'X', p.d);
    this.spec.family.checkData(m, 'X', p.nCategories);
    return m;
  }

  protected override rowConstant(m: Matrix): Float64Array | null {
    return this.spec.family.rowConstant(m);
  }

  protected forEachLogProbBlock(m: Matrix, p: DiscreteParams, fn: LogProbBlockFn): void {
    const { family } = this.spec;
    const D = family.columns(p.d, p.nCategories);
    checkEncodingSize(m.rows, D, p.k, family.className);
    const bound = resolveBackendFor(this.options.backend, { shape: 'linear', n: m.rows, d: D, k: p.k })
      .bind(family.encode(m, p.nCategories), m.rows, D, null);
    logProbBlocks(bound, family.kernelParams(p), m.rows, p.k, fn);
  }
}
