/**
 * Initialization of a Gaussian mixture (scikit-learn `BaseMixture._initialize_parameters`): starting responsibilities
 * from k-means++ seeds, k-means, random weights, random data points or given means, turned into parameters by one
 * M-step.
 */
import { componentStatsLength, statsLength } from '../backend/kernel.js';
import { InputError } from '../errors.js';
import { type CovarianceType, type GaussianParams, gaussianParams, kernelShape } from '../families/gaussian.js';
import { mStep, type MStepRule } from '../families/gaussian-prior.js';
import type { InitData, Matrix } from '../matrix.js';
import { runToEnd, type Resumable } from '../parallel/abort.js';
import { hcSampleSize, type HcModel, type HcUse, hcMergesSteps, hcPartition, hcTransform } from '../families/gaussian-hc.js';
import { Rng } from '../rng.js';

/**
 * Work (about one multiply–add per unit) that the resumable starts do between two yields: ~0.1 ms, so that an
 * asynchronous fit driving them in slices (`runSliced`) sees an abort within a slice, while the yields themselves
 * cost nothing measurable. `fit` runs the same generators to their end (`runToEnd`): the same arithmetic, the same
 * random draws, the same starts to the bit.
 */
const WORK_PER_YIELD = 1 << 16;

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

export type { InitData } from '../matrix.js';

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
  kmeansRuns = 1,
): Resumable<GaussianParams> {
  if (typeof method === 'object' && method.means !== null) return yield* fromGivenMeans(method, full, k, type, regCovar);
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

/** The given rows of `data` (indices ascending) with their weights. */
export function pickRows(data: InitData, indices: Int32Array): InitData {
  const { X, weights } = data;
  const d = X.cols;
  const out = new Float64Array(indices.length * d);
  indices.forEach((i, r) => out.set(X.data.subarray(i * d, (i + 1) * d), r * d));
  return { X: { data: out, rows: indices.length, cols: d },
    weights: weights === null ? null : Float64Array.from(indices, (i) => weights[i]) };
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

/** Rows that the random initializations see at most; larger data is sampled (see `initialParams`). */
export const INIT_SAMPLE_ROWS = 100_000;

/**
 * m rows drawn uniformly without replacement (Floyd's algorithm), in their original order, with their weights. Falls
 * back to all rows when the sample holds fewer than k distinct rows.
 */
export function sampleRows(data: InitData, m: number, k: number, rng: Rng): InitData {
  const sample = pickRows(data, floydSample(data.X.rows, m, rng));
  return hasDistinctRows(sample.X, k) ? sample : data;
}

/** m distinct indices of [0, n) drawn uniformly (Floyd's algorithm, m ≤ n), increasing. */
export function floydSample(n: number, m: number, rng: Rng): Int32Array {
  const chosen = new Set<number>();
  for (let j = n - m; j < n; j++) {
    const t = rng.int(j + 1);
    chosen.add(chosen.has(t) ? j : t);
  }
  return Int32Array.from(chosen).sort();
}

/** Whether X has at least k distinct rows (the test `sampleRows` makes of its sample). */
export function hasDistinctRows(X: Matrix, k: number): boolean {
  const d = X.cols;
  const distinct = new Set<string>();
  for (let r = 0; r < X.rows && distinct.size < k; r++) distinct.add(X.data.subarray(r * d, (r + 1) * d).join(','));
  return distinct.size >= k;
}

function* fromGivenMeans(
  given: ResolvedGivenInit, data: InitData, k: number, type: CovarianceType, regCovar: number | MStepRule,
): Resumable<GaussianParams> {
  const d = data.X.cols;
  const means = givenMeans(given);
  if (!givenNeedsRows(given)) return givenStart(given, null, k, d, type, regCovar);
  const stats = new Float64Array(statsLength(kernelShape(type), d, k));
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
  given: ResolvedGivenInit, data: InitData, k: number, type: CovarianceType, stats: Float64Array,
): void {
  const means = givenMeans(given);
  runToEnd(hardAssignmentStats(data, nearestCenter(data.X, means, k), means, k, type, stats));
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

/** Squared Euclidean distance between row i of X and center c, each feature scaled by `scale[j]` when given. */
function dist2(X: Matrix, i: number, centers: Float64Array, c: number, scale?: Float64Array): number {
  const d = X.cols;
  let s = 0;
  for (let j = 0; j < d; j++) {
    const t = (X.data[i * d + j] - centers[c * d + j]) * (scale === undefined ? 1 : scale[j]);
    s += t * t;
  }
  return s;
}

/**
 * 1 / (weighted standard deviation) of every feature (1 for a constant feature). k-means++ seeds are drawn with
 * distances in these units: a Gaussian mixture does not depend on the units of the features, and raw distances would
 * let the feature with the largest spread place every seed (on Old Faithful, waiting time in minutes against eruption
 * length). Rows are then assigned to seeds in raw Euclidean distance, as scikit-learn does. Measured on the reference
 * fits (test/fixtures/reference: 2 data sets × 4 types × K = 1…6 × seeds 0…4, best of 10 restarts): scikit-learn's
 * optimum was reached in 238 of 240 cases, against 232 with raw seeding and 229 with scaled assignment as well.
 */
export function featureScales(data: InitData): Float64Array {
  return runToEnd(featureScalesSteps(data));
}

/** `featureScales` as a resumable computation. */
function* featureScalesSteps(data: InitData): Resumable<Float64Array> {
  const { X, weights } = data;
  const d = X.cols;
  const mean = yield* weightedMean(data);
  const scale = new Float64Array(d);
  let total = 0;
  let work = 0;
  for (let i = 0; i < X.rows; i++) {
    const w = weights === null ? 1 : weights[i];
    total += w;
    for (let j = 0; j < d; j++) scale[j] += w * (X.data[i * d + j] - mean[j]) ** 2;
    if ((work += d) >= WORK_PER_YIELD) {
      work = 0;
      yield;
    }
  }
  for (let j = 0; j < d; j++) {
    const s = 1 / Math.sqrt(scale[j] / total);
    // Deviations under ~1e-154 or over ~1e154 have squares that underflow or overflow: measure those in units of the
    // largest deviation (a constant feature keeps 1).
    scale[j] = s > 0 && Number.isFinite(s) ? s : rescaledScale(data, mean, j, total);
  }
  return scale;
}

/** `featureScales` of feature j for extreme magnitudes: the standard deviation taken in units of the largest deviation. */
function rescaledScale(data: InitData, mean: Float64Array, j: number, total: number): number {
  const { X, weights } = data;
  const d = X.cols;
  let m = 0;
  for (let i = 0; i < X.rows; i++) m = Math.max(m, Math.abs(X.data[i * d + j] - mean[j]));
  if (!(m > 0) || !Number.isFinite(m)) return 1;
  let s = 0;
  for (let i = 0; i < X.rows; i++) s += (weights === null ? 1 : weights[i]) * ((X.data[i * d + j] - mean[j]) / m) ** 2;
  const scale = 1 / (m * Math.sqrt(s / total));
  return scale > 0 && Number.isFinite(scale) ? scale : 1;
}

/**
 * The power of two that brings the largest deviation of the rows from the first center near 1 when its square would
 * underflow or overflow (beyond 2^±500), else 1: distances in those units order the rows as exact ones would, and
 * multiplying by a power of two changes no bit of ordinary data.
 */
function distanceUnit(X: Matrix, centers: Float64Array): Float64Array | undefined {
  const d = X.cols;
  let m = 0;
  for (let p = 0; p < X.data.length; p++) m = Math.max(m, Math.abs(X.data[p] - centers[p % d]));
  if (!(m > 0) || !Number.isFinite(m) || (m > 2 ** -500 && m < 2 ** 500)) return undefined;
  return new Float64Array(d).fill(2 ** -Math.round(Math.log2(m)));
}

/** Index of the nearest center of every row (ties go to the lower index). */
export function nearestCenter(X: Matrix, centers: Float64Array, k: number): Int32Array {
  return runToEnd(nearestCenterSteps(X, centers, k));
}

/** `nearestCenter` as a resumable computation. */
export function* nearestCenterSteps(X: Matrix, centers: Float64Array, k: number): Resumable<Int32Array> {
  const labels = new Int32Array(X.rows);
  const unit = distanceUnit(X, centers);
  const d = X.cols;
  const cost = k * d;
  let work = 0;
  for (let i = 0; i < X.rows; i++) {
    if ((work += cost) >= WORK_PER_YIELD) {
      work = 0;
      yield;
    }
    labels[i] = unit === undefined ? nearestRaw(X.data, i * d, centers, k, d) : nearestScaled(X, i, centers, k, unit);
  }
  return labels;
}

/**
 * The nearest of k centres to the row at `at` of `data` in squared Euclidean distance, ties to the lower index. The
 * sum over a centre stops once it reaches the best so far (its terms are ≥ 0 and rounding is monotone, so it could
 * only end at least as large): the same labels as the full sums, in less time.
 */
function nearestRaw(data: Float64Array, at: number, centers: Float64Array, k: number, d: number): number {
  let best = 0;
  let bestD = Infinity;
  for (let c = 0; c < k; c++) {
    const off = c * d;
    let s = 0;
    for (let j = 0; j < d && s < bestD; j++) {
      const t = data[at + j] - centers[off + j];
      s += t * t;
    }
    if (s < bestD) {
      bestD = s;
      best = c;
    }
  }
  return best;
}

/** `nearestRaw` with distances in the units of `scale` (`distanceUnit`: data too small or large to square). */
function nearestScaled(X: Matrix, i: number, centers: Float64Array, k: number, scale: Float64Array): number {
  let best = 0;
  let bestD = Infinity;
  for (let c = 0; c < k; c++) {
    const t = dist2(X, i, centers, c, scale);
    if (t < bestD) {
      bestD = t;
      best = c;
    }
  }
  return best;
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

function* weightedMean(data: InitData): Resumable<Float64Array> {
  const { X, weights } = data;
  const d = X.cols;
  const mean = new Float64Array(d);
  let total = 0;
  let work = 0;
  for (let i = 0; i < X.rows; i++) {
    const w = weights === null ? 1 : weights[i];
    total += w;
    for (let j = 0; j < d; j++) mean[j] += w * X.data[i * d + j];
    if ((work += d) >= WORK_PER_YIELD) {
      work = 0;
      yield;
    }
  }
  for (let j = 0; j < d; j++) mean[j] /= total;
  return mean;
}

/** k distinct row indices (distinct as rows of values, not only as indices), drawn uniformly. */
function* distinctRandomRows(X: Matrix, k: number, rng: Rng): Resumable<number[]> {
  const chosen: number[] = [];
  const seen = new Set<string>();
  const n = X.rows;
  // A partial Fisher–Yates shuffle visits every row at most once, so the loop ends even with many duplicates.
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  let work = 0;
  for (let t = 0; t < n && chosen.length < k; t++) {
    const u = t + rng.int(n - t);
    const i = order[u];
    order[u] = order[t];
    order[t] = i;
    const key = X.data.subarray(i * X.cols, (i + 1) * X.cols).join(',');
    if (!seen.has(key)) {
      seen.add(key);
      chosen.push(i);
    }
    // Joining a row costs far more than a multiply–add per entry.
    if ((work += 16 * X.cols) >= WORK_PER_YIELD) {
      work = 0;
      yield;
    }
  }
  return chosen;
}

/**
 * Greedy k-means++ seeding (Arthur & Vassilvitskii 2007; the greedy variant with 2 + ⌊ln k⌋ candidates per step, as
 * scikit-learn's `_kmeans_plusplus`), with rows weighted by their sample weight and distances in units of each
 * feature's standard deviation (`featureScales`). Returns k×d centers.
 */
export function kmeansPlusPlus(data: InitData, k: number, rng: Rng): Float64Array {
  return runToEnd(kmeansPlusPlusSteps(data, k, rng));
}

/** `kmeansPlusPlus` as a resumable computation (it yields within its passes over the rows). */
export function* kmeansPlusPlusSteps(data: InitData, k: number, rng: Rng): Resumable<Float64Array> {
  const { X, weights } = data;
  const scale = yield* featureScalesSteps(data);
  const n = X.rows;
  const d = X.cols;
  const w = (i: number): number => (weights === null ? 1 : weights[i]);
  const centers = new Float64Array(k * d);
  const trials = 2 + Math.floor(Math.log(k));
  const closest = new Float64Array(n);
  const cumulative = new Float64Array(n);
  const candidate = new Float64Array(n);
  const best = new Float64Array(n);

  const pickWeighted = (total: number, values: Float64Array): number => {
    let acc = 0;
    for (let i = 0; i < n; i++) cumulative[i] = acc += w(i) * values[i];
    const target = rng.random() * total;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid] > target) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };

  const ones = new Float64Array(n).fill(1);
  let work = 0;
  let totalWeight = 0;
  for (let i = 0; i < n; i++) totalWeight += w(i);
  const first = pickWeighted(totalWeight, ones);
  centers.set(X.data.subarray(first * d, first * d + d), 0);
  let potential = 0;
  for (let i = 0; i < n; i++) {
    closest[i] = dist2(X, i, centers, 0, scale);
    potential += w(i) * closest[i];
  }
  for (let c = 1; c < k; c++) {
    let bestPotential = Infinity;
    let bestRow = -1;
    for (let t = 0; t < trials; t++) {
      const row = pickWeighted(potential, closest);
      if (closest[row] === 0) continue; // a row already at a center cannot seed a new one
      centers.set(X.data.subarray(row * d, row * d + d), c * d);
      let pot = 0;
      for (let i = 0; i < n; i++) {
        candidate[i] = Math.min(closest[i], dist2(X, i, centers, c, scale));
        pot += w(i) * candidate[i];
        if ((work += d) >= WORK_PER_YIELD) {
          work = 0;
          yield;
        }
      }
      if (pot < bestPotential) {
        bestPotential = pot;
        bestRow = row;
        best.set(candidate);
      }
    }
    if (bestRow < 0) bestRow = farthestRow(closest);
    centers.set(X.data.subarray(bestRow * d, bestRow * d + d), c * d);
    if (bestPotential === Infinity) {
      for (let i = 0; i < n; i++) best[i] = Math.min(closest[i], dist2(X, i, centers, c, scale));
    }
    yield;
    closest.set(best);
    potential = 0;
    for (let i = 0; i < n; i++) potential += w(i) * closest[i];
  }
  return centers;
}

function farthestRow(closest: Float64Array): number {
  let row = 0;
  for (let i = 1; i < closest.length; i++) if (closest[i] > closest[row]) row = i;
  return row;
}

/**
 * Weighted k-means (Lloyd's algorithm) from k-means++ seeds, at most 300 iterations, stopping when the squared center
 * shift falls below 1e-4 times the mean feature variance (scikit-learn's `KMeans` defaults). An empty cluster is moved
 * to the row farthest from its center. Returns k×d centers.
 */
export function kmeans(data: InitData, k: number, rng: Rng): Float64Array {
  return runToEnd(kmeansSteps(data, k, rng));
}

/** `kmeans` as a resumable computation. */
export function* kmeansSteps(data: InitData, k: number, rng: Rng): Resumable<Float64Array> {
  const { X, weights } = data;
  const n = X.rows;
  const d = X.cols;
  const centers = yield* kmeansPlusPlusSteps(data, k, rng);
  const mean = yield* weightedMean(data);
  let variance = 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const w = weights === null ? 1 : weights[i];
    total += w;
    for (let j = 0; j < d; j++) variance += w * (X.data[i * d + j] - mean[j]) ** 2;
  }
  const tol = (1e-4 * variance) / total / d;
  const sums = new Float64Array(k * d);
  const mass = new Float64Array(k);
  for (let iter = 0; iter < 300; iter++) {
    const labels = yield* nearestCenterSteps(X, centers, k);
    sums.fill(0);
    mass.fill(0);
    for (let i = 0; i < n; i++) {
      const w = weights === null ? 1 : weights[i];
      const c = labels[i];
      mass[c] += w;
      for (let j = 0; j < d; j++) sums[c * d + j] += w * X.data[i * d + j];
    }
    let shift = 0;
    for (let c = 0; c < k; c++) {
      if (mass[c] === 0) {
        const far = farthestFromAssigned(X, centers, labels);
        yield;
        for (let j = 0; j < d; j++) sums[c * d + j] = X.data[far * d + j];
        mass[c] = 1;
      }
      for (let j = 0; j < d; j++) {
        const v = sums[c * d + j] / mass[c];
        shift += (v - centers[c * d + j]) ** 2;
        centers[c * d + j] = v;
      }
    }
    if (shift <= tol) break;
  }
  return centers;
}

/**
 * The centres of lowest inertia Σ_i w_i min_c ‖x_i − μ_c‖² among `runs` runs of `kmeansSteps`, drawn one after the
 * other from `rng` (scikit-learn `KMeans(n_init=runs)`; ties keep the earlier run).
 * @example
 * const centers = runToEnd(bestKmeansSteps({ X, weights: null }, 3, new Rng(0), 10)); // k×d, row-major
 */
export function* bestKmeansSteps(data: InitData, k: number, rng: Rng, runs: number): Resumable<Float64Array> {
  let best: Float64Array | null = null;
  let bestInertia = Infinity;
  for (let r = 0; r < runs; r++) {
    const centers = yield* kmeansSteps(data, k, rng);
    const inertia = yield* inertiaSteps(data, centers, k);
    if (best === null || inertia < bestInertia) {
      best = centers;
      bestInertia = inertia;
    }
  }
  return best!;
}

/** Σ_i w_i min_c ‖x_i − μ_c‖², in raw units (what Lloyd's iterations lower). */
function* inertiaSteps(data: InitData, centers: Float64Array, k: number): Resumable<number> {
  const { X, weights } = data;
  const d = X.cols;
  let total = 0;
  let work = 0;
  for (let i = 0; i < X.rows; i++) {
    if ((work += k * d) >= WORK_PER_YIELD) {
      work = 0;
      yield;
    }
    let nearest = Infinity;
    for (let c = 0; c < k; c++) {
      let t = 0;
      for (let j = 0; j < d; j++) t += (X.data[i * d + j] - centers[c * d + j]) ** 2;
      if (t < nearest) nearest = t;
    }
    total += (weights === null ? 1 : weights[i]) * nearest;
  }
  return total;
}

function farthestFromAssigned(X: Matrix, centers: Float64Array, labels: Int32Array): number {
  let row = 0;
  let far = -1;
  for (let i = 0; i < X.rows; i++) {
    const t = dist2(X, i, centers, labels[i]);
    if (t > far) {
      far = t;
      row = i;
    }
  }
  return row;
}
