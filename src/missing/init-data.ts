/**
 * What the initializations see when the data has missing entries: k-means++ (and the other starts) run on mean-filled
 * rows — every NaN replaced by its column's observed mean — of a uniform sample of at most `INIT_SAMPLE_ROWS` rows
 * that have an observed entry, drawn once per fit. EM then runs on the incomplete rows themselves.
 */
import { INIT_SAMPLE_ROWS, type InitData } from '../em/init.js';
import type { Rng } from '../em/rng.js';
import type { Matrix } from '../matrix.js';
import { columnMeans } from '../dtype.js';
import { isAllMissing } from './patterns.js';

/** The rows of `data` (with `weights`) that have an observed entry, sampled down to `INIT_SAMPLE_ROWS`, mean-filled. */
export function meanFilledInitData(data: Matrix, weights: Float64Array | null, rng: Rng): InitData {
  const d = data.cols;
  const means = columnMeans(data);
  const candidates: number[] = [];
  for (let i = 0; i < data.rows; i++) if (!isAllMissing(data.data, i, d)) candidates.push(i);
  let rows = candidates;
  if (candidates.length > INIT_SAMPLE_ROWS) {
    // Floyd's algorithm: INIT_SAMPLE_ROWS distinct positions, uniformly, kept in data order.
    const chosen = new Set<number>();
    for (let j = candidates.length - INIT_SAMPLE_ROWS; j < candidates.length; j++) {
      const t = rng.int(j + 1);
      chosen.add(chosen.has(t) ? j : t);
    }
    rows = Array.from(chosen).sort((a, b) => a - b).map((t) => candidates[t]);
  }
  const X = new Float64Array(rows.length * d);
  rows.forEach((i, r) => {
    for (let j = 0; j < d; j++) {
      const v = data.data[i * d + j];
      X[r * d + j] = v === v ? v : means[j];
    }
  });
  const w = weights === null ? null : Float64Array.from(rows, (i) => weights[i]);
  return { X: { data: X, rows: rows.length, cols: d }, weights: w };
}
