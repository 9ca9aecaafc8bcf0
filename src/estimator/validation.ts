/**
 * Checks of the data every estimator makes before fitting, whatever its family: distinct rows, the range of each
 * feature (so that the statistics of EM stay finite), and rows of weight 0 dropped.
 */
import type { Dtype } from '../dtype.js';
import { InputError } from '../errors.js';
import type { Matrix } from '../matrix.js';
import { isAllMissing } from '../missing/patterns.js';

/**
 * Counts distinct rows (those with an observed entry), stopping once `limit` is reached. Pass the same `seen` for the
 * blocks of one data set to count over all of them.
 */
export function distinctRowsAtLeast(X: Matrix, limit: number, seen = new Set<string>()): number {
  for (let i = 0; i < X.rows && seen.size < limit; i++) {
    if (!isAllMissing(X.data, i, X.cols)) seen.add(X.data.subarray(i * X.cols, (i + 1) * X.cols).join(','));
  }
  return seen.size;
}

/**
 * Throws an `InputError` when a feature deviates from its mean (`centre`) by so much that the statistics of EM would
 * overflow: weighted sums of squared deviations in float64 (about the component means, which lie within the data's
 * range), or the float32 kernels' sums of 16 products r·diff² in f32 lanes (`dtype: 'float32'`, up to 2⁶⁰).
 */
export function checkFeatureRange(data: Matrix, centre: Float64Array, w: Float64Array | null, dtype: Dtype): void {
  const { rows, cols } = data;
  let total = 0;
  for (let i = 0; i < rows; i++) total += w === null ? 1 : w[i];
  const limit = featureRangeLimit(total, dtype);
  // One pass in row order (the largest deviation of each column does not depend on the order).
  const largest = new Float64Array(cols);
  const x = data.data;
  for (let i = 0, p = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++, p++) {
      const v = Math.abs(x[p] - centre[j]);
      if (v > largest[j]) largest[j] = v;
    }
  }
  for (let j = 0; j < cols; j++) if (largest[j] > limit) throw featureRangeError('X', j, largest[j], limit, dtype);
}

/**
 * `checkFeatureRange` from each column's smallest and largest observed value (`mins`, `maxs`, ±Infinity for a column
 * with none) and its mean, for `total` unweighted rows: the largest deviation from the mean is at one of the two ends
 * (subtraction rounds monotonically, so this finds the same deviation as a pass over the rows). `label` names the data.
 */
export function checkFeatureExtremes(mins: Float64Array, maxs: Float64Array, centre: Float64Array, total: number,
  dtype: Dtype, label: string): void {
  const limit = featureRangeLimit(total, dtype);
  for (let j = 0; j < centre.length; j++) {
    if (!(maxs[j] >= mins[j])) continue;
    const m = Math.max(Math.abs(maxs[j] - centre[j]), Math.abs(mins[j] - centre[j]));
    if (m > limit) throw featureRangeError(label, j, m, limit, dtype);
  }
}

/** The largest deviation from a column's mean that `checkFeatureRange` accepts, for a total row weight `total`. */
function featureRangeLimit(total: number, dtype: Dtype): number {
  return dtype === 'float32' ? 2 ** 60 : Math.sqrt(Number.MAX_VALUE / (8 * Math.max(total, 1)));
}

function featureRangeError(label: string, j: number, m: number, limit: number, dtype: Dtype): InputError {
  return new InputError(`${label} (column ${j})`,
    `values within ${limit.toPrecision(3)} of the column's mean (their squared deviations must stay finite in ${dtype})`,
    `a deviation of ${m.toPrecision(3)}`,
    `Scale the features (e.g. divide each by its standard deviation)${dtype === 'float32' ? ", or use dtype: 'float64'" : ''}`);
}

/** Keeps only the rows with positive weight (weight 0 must equal dropping the row). */
export function dropZeroWeightRows(X: Matrix, w: Float64Array | null): { X: Matrix; w: Float64Array | null } {
  if (w === null || w.every((v) => v > 0)) return { X, w };
  const keep: number[] = [];
  w.forEach((v, i) => v > 0 && keep.push(i));
  const data = new Float64Array(keep.length * X.cols);
  keep.forEach((i, r) => data.set(X.data.subarray(i * X.cols, (i + 1) * X.cols), r * X.cols));
  return { X: { data, rows: keep.length, cols: X.cols }, w: Float64Array.from(keep, (i) => w[i]) };
}

/** What one pass over the rows finds (`scanRows`). */
export interface RowScan {
  /** Per column, the sum and number of observed (non-NaN) entries, in row order (`addColumnSums`'s). */
  readonly sums: Float64Array;
  readonly counts: Float64Array;
  /** Per column, the smallest and largest observed entry (±Infinity for a column with none). */
  readonly mins: Float64Array;
  readonly maxs: Float64Array;
  /** Missing (NaN) entries, and rows with no observed entry. */
  readonly missing: number;
  readonly rowsAllMissing: number;
}

/**
 * The facts a fit's validation needs, in one pass over the n×d rows: the column sums behind `columnMeans` (the same
 * sums in the same order), the column extremes behind `checkFeatureExtremes` (which then finds the largest deviation
 * from the mean that a pass over the rows would) and `squaredSpread`, and the missing entries.
 */
export function scanRows(data: Matrix): RowScan {
  const { rows, cols, data: x } = data;
  const sums = new Float64Array(cols);
  const counts = new Float64Array(cols);
  const mins = new Float64Array(cols).fill(Infinity);
  const maxs = new Float64Array(cols).fill(-Infinity);
  let missing = 0;
  let rowsAllMissing = 0;
  for (let i = 0, p = 0; i < rows; i++) {
    let observed = 0;
    for (let j = 0; j < cols; j++, p++) {
      const v = x[p];
      if (v !== v) continue;
      observed++;
      sums[j] += v;
      counts[j]++;
      if (v < mins[j]) mins[j] = v;
      if (v > maxs[j]) maxs[j] = v;
    }
    missing += cols - observed;
    if (observed === 0) rowsAllMissing++;
  }
  return { sums, counts, mins, maxs, missing, rowsAllMissing };
}
