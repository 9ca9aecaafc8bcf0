/**
 * The starts of a Gaussian mixture (scikit-learn `BaseMixture._initialize_parameters`, mclust's hierarchical start):
 * starting responsibilities from k-means++ seeds, k-means, random weights, random data points, given means or
 * model-based hierarchical clustering, turned into parameters by one M-step (maximum likelihood, or with a prior the
 * posterior mode).
 */
import { componentStatsLength, statsLength, type Backend } from '../backend/kernel.js';
import { InputError } from '../errors.js';
import {
  WORK_PER_YIELD, bestKmeansSteps, distinctRandomRows, floydSample, kmeansPlusPlusSteps, kmeansSteps,
  nearestCenterSteps, pickRows, sampleRows, weightedMean, INIT_SAMPLE_ROWS,
} from '../kmeans.js';
import type { InitData, Matrix } from '../matrix.js';
import { runToEnd, type Resumable } from '../parallel/abort.js';
import { Rng } from '../rng.js';
import { type CovarianceType, type GaussianParams, gaussianParams, kernelShape } from './gaussian.js';
import { hcSampleSize, type HcModel, type HcUse, hcMergesSteps, hcPartition, hcTransform } from './gaussian-hc.js';
import { addGivenMeansStatsOnBackend, givenMeansStatsSteps } from './gaussian-given-start.js';
import { mStep, type MStepRule } from './gaussian-prior.js';

/** Initialization methods: the random ones and mclust's deterministic hierarchical start `'hc'`. */
export type InitMethod = RandomInitMethod | 'hc';

/** The initialization methods that draw from the fit's random stream. */
export type RandomInitMethod = 'kmeans++' | 'kmeans' | 'random' | 'randomFromData';

/** All initialization methods. */
export const INIT_METHODS: readonly InitMethod[] = ['kmeans++', 'kmeans', 'random', 'randomFromData', 'hc'];

/** The random initialization methods (`initParams` takes one of these). */
export const RANDOM_INIT_METHODS: readonly RandomInitMethod[] = ['kmeans++', 'kmeans', 'random', 'randomFromData'];

/** The random method that `init: 'hc'` uses for every start after its first (see `hcStartSteps`). */
export const HC_FALLBACK: RandomInitMethod = 'kmeans';

/**
 * Lloyd runs behind each start of `HC_FALLBACK`: the one of lowest inertia is kept (scikit-learn `KMeans`'s
 * `n_init = 10`). Such a start is tried when the hierarchical one gave a degenerate solution, where a single k-means run
 * is a weak second: digits (K = 10, full; its hierarchical start is degenerate) gave a mean ARI of 0.654 over seeds 0–4
 * with one run and 0.682 (no fit degenerate) with the best of ten. As a first start the best of ten is not better:
 * diabetes' ARI dropped from 0.65 to 0.42–0.47 (its features differ in scale by 10×), so `init: 'kmeans'` keeps one
 * run.
 */
export const HC_FALLBACK_RUNS = 10;

/**
 * Starting parameters given by the caller (scikit-learn's `means_init`, `weights_init`, `precisions_init`; or
 * covariances instead of precisions). With means, what is not given is estimated by one M-step from the hard
 * assignment of each row to its nearest given mean. Without means, the start is that of the `initParams` method
 * (scikit-learn's `init_params`), with the given weights and covariances put in place of its own (scikit-learn's
 * `_initialize`).
 *
 * @example
 * ```ts
 * new GaussianMixture({ nComponents: 2, init: { means: [[0, 0], [5, 5]], weights: [0.3, 0.7] } });
 * new GaussianMixture({ nComponents: 2, covarianceType: 'diag', init: { precisions: [[1, 1], [4, 4]] }, initParams: 'kmeans' });
 * ```
 */
export interface GivenInit {
  /** k×d means. */
  readonly means?: ArrayLike<ArrayLike<number>>;
  /** k weights, positive, summing to 1. */
  readonly weights?: ArrayLike<number>;
  /** Covariances in scikit-learn's shape for the covariance type (full k×d×d, tied d×d, diag k×d, spherical k). */
  readonly covariances?: unknown;
  /**
   * Precisions (inverse covariances, scikit-learn's `precisions_init`) in the same shape, instead of `covariances`
   * (giving both is an `InputError`): full/tied symmetric positive definite matrices, diag/spherical values > 0.
   */
  readonly precisions?: unknown;
  /**
   * n×k starting responsibilities of the rows of `X` (mclust's `me(modelName, data, z)`, e.g. `unmap(class)`), instead
   * of parameters: the start is one M-step from them, so a fit from mclust's z runs mclust's EM. Each row's values
   * are ≥ 0 with a positive sum (they are divided by it); every component needs some weight. Only with `fit` and
   * `fitAsync` (a streamed fit has no row index); not with the other fields.
   */
  readonly responsibilities?: ArrayLike<ArrayLike<number>>;
}

/** Validated, flattened given starting parameters. */
export interface ResolvedGivenInit {
  /** Null: the means of the `rest` method's start. */
  readonly means: Float64Array | null;
  /** The method whose start gives what is not given, when the means are not ['kmeans++']. */
  readonly rest?: RandomInitMethod;
  readonly weights: Float64Array | null;
  readonly covariances: Float64Array | null;
}

/**
 * Starting parameters for one restart.
 * - `'kmeans++'`: greedy k-means++ seeds (Arthur & Vassilvitskii 2007, with 2 + ⌊ln k⌋ local trials as scikit-learn),
 *   each row assigned to its nearest seed, then an M-step.
 * - `'kmeans'`: k-means++ seeds refined by Lloyd's algorithm, then as above (scikit-learn's default).
 * - `'random'`: uniform random responsibilities normalized per row, then an M-step.
 * - `'randomFromData'`: k distinct rows drawn at random are the means; weights and covariances from the rows nearest
 *   to each.
 * - given: as `'randomFromData'` with the caller's means, keeping whatever weights/covariances are given.
 *
 * `regCovar` is the M-step's: a number (maximum likelihood), or an `MStepRule` whose prior makes it the posterior
 * mode (`src/families/gaussian-prior.ts`), as EM's M-steps after it are.
 *
 * The random methods work on at most `INIT_SAMPLE_ROWS` rows: larger data is represented by a uniform random sample
 * of that many rows (with their weights), so that a start costs a bounded time and memory whatever n; EM then runs
 * on all rows.
 */
export function initialParams(
  method: RandomInitMethod | ResolvedGivenInit, full: InitData, k: number, type: CovarianceType, regCovar: number | MStepRule, rng: Rng,
): GaussianParams {
  return runToEnd(initialParamsSteps(method, full, k, type, regCovar, rng));
}

/** `initialParams` as a resumable computation (it yields every `WORK_PER_YIELD` units of work). */
export function* initialParamsSteps(
  method: RandomInitMethod | ResolvedGivenInit, full: InitData, k: number, type: CovarianceType, regCovar: number | MStepRule, rng: Rng,
  kmeansRuns = 1, kernels?: StartKernels,
): Resumable<GaussianParams> {
  if (typeof method === 'object' && method.means !== null) return yield* fromGivenMeans(method, full, k, type, regCovar, kernels);
  const data = full.X.rows > INIT_SAMPLE_ROWS ? sampleRows(full, INIT_SAMPLE_ROWS, k, rng) : full;
  if (typeof method === 'object') {
    const start = yield* randomStartSteps(method.rest ?? 'kmeans++', data, k, type, regCovar, rng);
    return gaussianParams(type, k, full.X.cols, method.weights ?? start.weights, start.means,
      method.covariances ?? start.covariances);
  }
  return yield* randomStartSteps(method, data, k, type, regCovar, rng, kmeansRuns);
}

/**
 * The random starts of `initialParams` on the rows they see (all rows, or the sample of larger data): what follows
 * the sampling, for callers that draw the sample themselves (`fitStream` gathers it from its source).
 */
export function randomStart(
  method: RandomInitMethod, data: InitData, k: number, type: CovarianceType, regCovar: number | MStepRule, rng: Rng,
): GaussianParams {
  return runToEnd(randomStartSteps(method, data, k, type, regCovar, rng));
}

/**
 * `randomStart` as a resumable computation (it yields every `WORK_PER_YIELD` units of work). `kmeansRuns` > 1 makes a
 * `'kmeans'` start the best of that many Lloyd runs (`bestKmeansSteps`).
 */
export function* randomStartSteps(
  method: RandomInitMethod, data: InitData, k: number, type: CovarianceType, regCovar: number | MStepRule, rng: Rng,
  kmeansRuns = 1,
): Resumable<GaussianParams> {
  const { X } = data;
  switch (method) {
    case 'kmeans++': {
      const centers = yield* kmeansPlusPlusSteps(data, k, rng);
      return yield* hardAssignmentParams(data, centers, k, type, regCovar);
    }
    case 'kmeans': {
      const centers = kmeansRuns > 1 ? yield* bestKmeansSteps(data, k, rng, kmeansRuns) : yield* kmeansSteps(data, k, rng);
      return yield* hardAssignmentParams(data, centers, k, type, regCovar);
    }
    case 'random':
      return yield* randomResponsibilityParams(data, k, type, regCovar, rng);
    case 'randomFromData': {
      const rows = yield* distinctRandomRows(X, k, rng);
      const means = new Float64Array(k * X.cols);
      rows.forEach((i, c) => means.set(X.data.subarray(i * X.cols, (i + 1) * X.cols), c * X.cols));
      return yield* fromGivenMeans({ means, weights: null, covariances: null }, data, k, type, regCovar);
    }
    default: {
      const never: never = method;
      throw new Error(`unknown init ${String(never)}`);
    }
  }
}

/** How `init: 'hc'` merges: mclust's `hcModelName` and `hcUse` options. */
export interface HcOptions {
  readonly model: HcModel;
  readonly use: HcUse;
}

/**
 * The rows the hierarchical start merges: all n rows of d features up to `hcSampleSize(n, d)`, else that many drawn
 * uniformly from the seed's own stream (`Rng(seed, 4)`), in row order — null for all. `fit` and `fitStream` draw the
 * same rows.
 */
export function hcSampleIndices(n: number, d: number, seed: number): Int32Array | null {
  const m = hcSampleSize(n, d);
  return m === n ? null : floydSample(n, m, new Rng(seed, 4));
}

/**
 * The start of `init: 'hc'` (mclust's default start): the rows (all of them, or the `hcSampleIndices` sample of
 * larger data) are merged by `hc` under `options`, cut into k clusters (`hcPartition`), and one M-step on those
 * labels gives the parameters, as mclust's `me(…, z = unmap(hclass(hc(data), G)))`; EM then runs on all rows. The
 * merges use the rows alone (mclust's `hc` has no weights); the M-step weighs each row by its sample weight. The merge
 * tree is kept for the next call on the same rows, so the cells of `selectModel` merge once.
 * Throws `InputError` when fewer than k rows are merged.
 */
export function* hcStartSteps(
  data: InitData, k: number, type: CovarianceType, regCovar: number | MStepRule, options: HcOptions, seed: number,
): Resumable<GaussianParams> {
  const indices = hcSampleIndices(data.X.rows, data.X.cols, seed);
  const rows = indices === null ? data : pickRows(data, indices);
  const { X } = rows;
  if (X.rows < k) throw new InputError('options.nComponents', `at most the ${X.rows} rows of the hierarchical start`, String(k));
  // One cluster needs no merges (and a single row has none to make).
  const labels = k === 1 ? new Int32Array(X.rows) : hcPartition(yield* cachedMerges(X, options), X.rows, k);
  const d = X.cols;
  const centers = new Float64Array(k * d);
  const counts = new Float64Array(k);
  for (let i = 0; i < X.rows; i++) {
    counts[labels[i]]++;
    for (let j = 0; j < d; j++) centers[labels[i] * d + j] += X.data[i * d + j];
  }
  for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) centers[c * d + j] /= counts[c];
  const stats = yield* hardAssignmentStats(rows, labels, centers, k, type);
  return mStep(type, k, d, stats, centers, regCovar);
}

const mergeCache: { X: Float64Array; rows: number; cols: number; key: string; merges: Int32Array }[] = [];

/** `hcMerges` of the transformed rows, from a two-entry cache compared by value. */
function* cachedMerges(X: Matrix, options: HcOptions): Resumable<Int32Array> {
  const key = `${options.model}:${options.use}`;
  const hit = mergeCache.find((e) => e.key === key && e.rows === X.rows && e.cols === X.cols
    && e.X.every((v, t) => Object.is(v, X.data[t])));
  if (hit !== undefined) return hit.merges;
  const merges = yield* hcMergesSteps(hcTransform(X, options.use), options.model);
  mergeCache.unshift({ X: Float64Array.from(X.data.subarray(0, X.rows * X.cols)), rows: X.rows, cols: X.cols, key, merges });
  mergeCache.length = Math.min(mergeCache.length, 2);
  return merges;
}

/**
 * The backend whose kernels compute a given start's statistics (`addGivenMeansStatsOnBackend`), in blocks of
 * `blockRows` rows; without it they are computed in plain TypeScript.
 */
export interface StartKernels {
  readonly backend: Backend;
  readonly blockRows: number;
}

function* fromGivenMeans(
  given: ResolvedGivenInit, data: InitData, k: number, type: CovarianceType, regCovar: number | MStepRule,
  kernels?: StartKernels,
): Resumable<GaussianParams> {
  const d = data.X.cols;
  const means = givenMeans(given);
  if (!givenNeedsRows(given)) return givenStart(given, null, k, d, type, regCovar);
  const stats = new Float64Array(statsLength(kernelShape(type), d, k));
  if (kernels !== undefined) {
    yield* givenMeansStatsSteps(kernels.backend, data, means, k, type, kernels.blockRows, stats);
    return givenStart(given, stats, k, d, type, regCovar);
  }
  const labels = yield* nearestCenterSteps(data.X, means, k);
  yield* hardAssignmentStats(data, labels, means, k, type, stats);
  return givenStart(given, stats, k, d, type, regCovar);
}

/** Whether a given start needs the rows: it lacks means, weights or covariances, which are then estimated from them. */
export function givenNeedsRows(given: ResolvedGivenInit): boolean {
  return given.means === null || given.weights === null || given.covariances === null;
}

/** The given means, or an `InputError` where a start without means cannot be computed (from block statistics). */
function givenMeans(given: ResolvedGivenInit): Float64Array {
  if (given.means !== null) return given.means;
  throw new InputError('options.init.means', 'k×d starting means for a streamed fit of more than 100 000 rows',
    'none', 'Give init.means, or fit the rows in memory');
}

/**
 * Adds to `stats` (kernel layout) the rows of `data`, each assigned to its nearest given mean, about that mean: the
 * statistics of a given start, which may be added block after block in row order (`fitStream`).
 */
export function addGivenMeansStats(
  given: ResolvedGivenInit, data: InitData, k: number, type: CovarianceType, stats: Float64Array, kernels?: StartKernels,
): void {
  const means = givenMeans(given);
  if (kernels !== undefined) {
    addGivenMeansStatsOnBackend(kernels.backend, data, means, k, type, kernels.blockRows, stats);
    return;
  }
  runToEnd(hardAssignmentStats(data, runToEnd(nearestCenterSteps(data.X, means, k)), means, k, type, stats));
}

/**
 * The start from given means: the given weights and covariances, the others estimated by one M-step from `stats`
 * (`addGivenMeansStats` over all rows; null when both are given).
 */
export function givenStart(
  given: ResolvedGivenInit, stats: Float64Array | null, k: number, d: number, type: CovarianceType, regCovar: number | MStepRule,
): GaussianParams {
  const means = givenMeans(given);
  if (stats === null) return gaussianParams(type, k, d, given.weights!, means, given.covariances!);
  const block = componentStatsLength(kernelShape(type), d);
  for (let c = 0; c < k; c++) {
    if (stats[c * block] === 0) {
      throw new InputError(`options.init.means[${c}]`, 'a mean that is the nearest one for at least one row',
        'a mean no row is nearest to', 'Move it, or give init.weights and init.covariances as well');
    }
  }
  const estimated = mStep(type, k, d, stats, means, regCovar);
  return gaussianParams(type, k, d, given.weights ?? estimated.weights, means.slice(),
    given.covariances ?? estimated.covariances);
}

function* hardAssignmentParams(
  data: InitData, centers: Float64Array, k: number, type: CovarianceType, regCovar: number | MStepRule,
): Resumable<GaussianParams> {
  const labels = yield* nearestCenterSteps(data.X, centers, k);
  const stats = yield* hardAssignmentStats(data, labels, centers, k, type);
  return mStep(type, k, data.X.cols, stats, centers, regCovar);
}

/** Statistics (kernel layout) of one-hot responsibilities, about `centers`. */
function* hardAssignmentStats(
  data: InitData, labels: Int32Array, centers: Float64Array, k: number, type: CovarianceType,
  stats: Float64Array = new Float64Array(statsLength(kernelShape(type), data.X.cols, k)),
): Resumable<Float64Array> {
  const { X, weights } = data;
  const d = X.cols;
  const shape = kernelShape(type);
  const block = componentStatsLength(shape, d);
  const diff = new Float64Array(d);
  const cost = shape === 'full' ? (d * (d + 1)) / 2 + d : 2 * d;
  let work = 0;
  for (let i = 0; i < X.rows; i++) {
    const w = weights === null ? 1 : weights[i];
    addRow(stats, labels[i] * block, X, i, centers, labels[i], w, shape === 'full', diff);
    if ((work += cost) >= WORK_PER_YIELD) {
      work = 0;
      yield;
    }
  }
  return stats;
}

/** Adds row i with weight r to the statistics block at `s`, deviations about center c. */
function addRow(
  stats: Float64Array, s: number, X: Matrix, i: number, centers: Float64Array, c: number, r: number, full: boolean,
  diff: Float64Array,
): void {
  const d = X.cols;
  const data = X.data;
  const row = i * d;
  const centre = c * d;
  stats[s] += r;
  for (let j = 0; j < d; j++) diff[j] = data[row + j] - centers[centre + j];
  let p = s + 1 + d;
  if (full) {
    for (let a = 0; a < d; a++) {
      const da = diff[a];
      stats[s + 1 + a] += r * da;
      const rda = r * da;
      for (let b = a; b < d; b++, p++) stats[p] += rda * diff[b];
    }
  } else {
    for (let a = 0; a < d; a++) {
      const da = diff[a];
      stats[s + 1 + a] += r * da;
      stats[p++] += r * da * da;
    }
  }
}

/**
 * The start from given responsibilities `z` (n×k row-major, the rows of `data`, normalized): one M-step from the
 * statistics `N_c = Σ_i w_i z_ic`, taken about the weighted means `Σ_i w_i z_ic x_i / N_c` (two passes, as mclust's
 * M-step computes them). `InputError` when a component has no weight.
 */
export function* responsibilitiesStartSteps(
  data: InitData, z: Float64Array, k: number, type: CovarianceType, regCovar: number | MStepRule,
): Resumable<GaussianParams> {
  const { X, weights } = data;
  const d = X.cols;
  const shape = kernelShape(type);
  const block = componentStatsLength(shape, d);
  const centers = new Float64Array(k * d);
  const mass = new Float64Array(k);
  for (let i = 0; i < X.rows; i++) {
    const w = weights === null ? 1 : weights[i];
    for (let c = 0; c < k; c++) {
      const r = w * z[i * k + c];
      if (r === 0) continue;
      mass[c] += r;
      for (let j = 0; j < d; j++) centers[c * d + j] += r * X.data[i * d + j];
    }
  }
  for (let c = 0; c < k; c++) {
    if (!(mass[c] > 0)) {
      throw new InputError('options.init.responsibilities', 'some weight for every component',
        `no weight for component ${c}`, 'Give each component a row, or use fewer components');
    }
    for (let j = 0; j < d; j++) centers[c * d + j] /= mass[c];
  }
  yield;
  const stats = new Float64Array(statsLength(shape, d, k));
  const diff = new Float64Array(d);
  const cost = k * (shape === 'full' ? (d * (d + 1)) / 2 + d : 2 * d);
  let work = 0;
  for (let i = 0; i < X.rows; i++) {
    const w = weights === null ? 1 : weights[i];
    for (let c = 0; c < k; c++) {
      const r = w * z[i * k + c];
      if (r !== 0) addRow(stats, c * block, X, i, centers, c, r, shape === 'full', diff);
    }
    if ((work += cost) >= WORK_PER_YIELD) {
      work = 0;
      yield;
    }
  }
  return mStep(type, k, d, stats, centers, regCovar);
}

function* randomResponsibilityParams(
  data: InitData, k: number, type: CovarianceType, regCovar: number | MStepRule, rng: Rng,
): Resumable<GaussianParams> {
  const { X, weights } = data;
  const d = X.cols;
  const shape = kernelShape(type);
  const block = componentStatsLength(shape, d);
  const center = yield* weightedMean(data);
  const cost = k * (shape === 'full' ? (d * (d + 1)) / 2 + d : 2 * d);
  let work = 0;
  const centers = new Float64Array(k * d);
  for (let c = 0; c < k; c++) centers.set(center, c * d);
  const stats = new Float64Array(statsLength(shape, d, k));
  const r = new Float64Array(k);
  const diff = new Float64Array(d);
  for (let i = 0; i < X.rows; i++) {
    let sum = 0;
    for (let c = 0; c < k; c++) sum += r[c] = rng.random();
    const w = weights === null ? 1 : weights[i];
    for (let c = 0; c < k; c++) addRow(stats, c * block, X, i, centers, c, (w * r[c]) / sum, shape === 'full', diff);
    if ((work += cost) >= WORK_PER_YIELD) {
      work = 0;
      yield;
    }
  }
  return mStep(type, k, d, stats, centers, regCovar);
}
