/**
 * k-means and row sampling for the starts of every family: k-means++ seeds (Arthur & Vassilvitskii 2007), Lloyd's
 * k-means to convergence and the best of several runs by inertia, each row's nearest centre, feature scales, and
 * uniform samples of rows (Floyd's algorithm). Every computation is resumable (a generator that yields every
 * `WORK_PER_YIELD` units of work), so the asynchronous fits see an abort within a long start.
 */
import type { InitData, Matrix } from './matrix.js';
import { runToEnd, type Resumable } from './parallel/abort.js';
import type { Rng } from './rng.js';

/**
 * Work (about one multiply–add per unit) that the resumable starts do between two yields: ~0.1 ms, so that an
 * asynchronous fit driving them in slices (`runSliced`) sees an abort within a slice, while the yields themselves
 * cost nothing measurable. `fit` runs the same generators to their end (`runToEnd`): the same arithmetic, the same
 * random draws, the same starts to the bit.
 */
export const WORK_PER_YIELD = 1 << 16;

/** The given rows of `data` (indices ascending) with their weights. */
export function pickRows(data: InitData, indices: Int32Array): InitData {
  const { X, weights } = data;
  const d = X.cols;
  const out = new Float64Array(indices.length * d);
  indices.forEach((i, r) => out.set(X.data.subarray(i * d, (i + 1) * d), r * d));
  return { X: { data: out, rows: indices.length, cols: d },
    weights: weights === null ? null : Float64Array.from(indices, (i) => weights[i]) };
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
export function distanceUnit(X: Matrix, centers: Float64Array): Float64Array | undefined {
  const d = X.cols;
  let m = 0;
  rows: for (let i = 0; i < X.rows; i++) {
    for (let j = 0, p = i * d; j < d; j++, p++) {
      const t = Math.abs(X.data[p] - centers[j]);
      if (t > m) m = t;
      else if (t !== t) {
        m = NaN;
        break rows;
      }
    }
  }
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

export function* weightedMean(data: InitData): Resumable<Float64Array> {
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
export function* distinctRandomRows(X: Matrix, k: number, rng: Rng): Resumable<number[]> {
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
