/**
 * What the initializations see when the data has missing entries: k-means++ (and the other starts) run on mean-filled
 * rows — every NaN replaced by its column's observed mean — of a uniform sample of at most `INIT_SAMPLE_ROWS` rows
 * that have an observed entry, drawn once per fit. EM then runs on the incomplete rows themselves.
 */
import { INIT_SAMPLE_ROWS, floydSample } from '../kmeans.js';
import type { InitData } from '../matrix.js';
import type { Rng } from '../rng.js';
import type { Matrix } from '../matrix.js';
import { columnMeans } from '../dtype.js';
import { isAllMissing } from './patterns.js';

/** The rows of `data` (with `weights`) that have an observed entry, sampled down to `INIT_SAMPLE_ROWS`, mean-filled. */
export function meanFilledInitData(data: Matrix, weights: Float64Array | null, rng: Rng): InitData {
  const d = data.cols;
  const means = columnMeans(data);
  const candidates: number[] = [];
  for (let i = 0; i < data.rows; i++) if (!isAllMissing(data.data, i, d)) candidates.push(i);
  const chosen = sampledCandidates(candidates.length, rng);
  const rows = chosen === null ? candidates : Array.from(chosen, (t) => candidates[t]);
  const X = new Float64Array(rows.length * d);
  rows.forEach((i, r) => meanFillRow(data.data, i, d, means, X, r));
  const w = weights === null ? null : Float64Array.from(rows, (i) => weights[i]);
  return { X: { data: X, rows: rows.length, cols: d }, weights: w };
}

/**
 * Which of `count` candidate rows (those with an observed entry) the starts see: null for all of them, else the
 * increasing positions of a uniform sample of `INIT_SAMPLE_ROWS` (Floyd's algorithm, in data order).
 */
export function sampledCandidates(count: number, rng: Rng): Int32Array | null {
  return count > INIT_SAMPLE_ROWS ? floydSample(count, INIT_SAMPLE_ROWS, rng) : null;
}

/** Row i of the d-column `X` into row r of `out`, each NaN replaced by its column's mean. */
export function meanFillRow(X: ArrayLike<number>, i: number, d: number, means: Float64Array, out: Float64Array, r: number): void {
  for (let j = 0; j < d; j++) {
    const v = X[i * d + j];
    out[r * d + j] = v === v ? v : means[j];
  }
}
