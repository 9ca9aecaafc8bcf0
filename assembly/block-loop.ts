/**
 * The block loops that every mixture kernel runs, once: gather a block of rows (transposed into planes of `T`, f64 or
 * f32), its log-density planes per component, the responsibilities (log-sum-exp and log-likelihood, or the
 * responsibilities given), the statistics per component, and at the end of the call the flush of each component's
 * accumulators into the statistics. A kernel file supplies only what its shape and dtype do differently, as functions
 * called once per block (never per row): its block log-density, its block statistics and its flush; it
 * carves its scratch itself and keeps the regions in module globals, which those functions read.
 */
import {
  gatherBlock, gatherNext, loadResponsibilities, padBlock, padTo8, responsibilities, scatterRows, sumWeights,
} from './simd';
import { padTo16, responsibilitiesF32 } from './simd-f32';

/** Writes the log-density planes of the k components for the first `nbp` (padded) rows of the block. */
export type BlockLogDensity = (nbp: i32, k: i32) => void;

/**
 * Adds the statistics of the block's `nbp` rows for each of the k components, from its responsibility plane, to its
 * lane accumulators or straight to its statistics (component c's at `stats + c·compBytes`).
 */
export type BlockStatistics = (nbp: i32, k: i32, stats: usize, compBytes: usize) => void;

/** Adds what component `c` has accumulated over the call into its statistics at `st`. */
export type ComponentFlush = (c: i32, st: usize) => void;

/** The flush of a kernel whose statistics go straight into the statistics array. */
export function noFlush(c: i32, st: usize): void {}

/** Rows of a block of `T` rounded up to its SIMD tile: 8 rows of f64 (4 f64x2 pairs), 16 rows of f32. */
// @ts-ignore: decorator
@inline export function padBlockRows<T>(nb: i32): i32 {
  return sizeof<T>() == 4 ? padTo16(nb) : padTo8(nb);
}

/**
 * Adds the statistics of rows `[start, start + count)` of the n×d row-major matrix of `T` at `x` into `stats` (k
 * blocks of `compBytes`, then `[loglik, weightSum]`). The block goes to the d planes at `xt`, its weights to the plane
 * `wt` (rows of weight 0 skipped when `hasWeights` ≠ 0). When `resp` is 0, `logDensity` fills the k f64 planes at `lp`
 * and the responsibilities are computed from them, in place for f64 rows, rounded to the k f32 planes at `r32` for
 * f32 rows; the log-likelihood and the weights are summed. Otherwise (f64 rows) the responsibilities are copied from
 * `resp` (count×k, row weights included) into `lp` and their sum goes to the weight sum. Then `statistics` runs for
 * every block, and `flush` for every component at the end.
 */
export function accumulateBlocks<T>(
  x: usize, w: usize, hasWeights: i32, resp: usize, start: i32, count: i32, d: i32, k: i32,
  xt: usize, wt: usize, lp: usize, r32: usize, stats: usize, compBytes: usize,
  logDensity: BlockLogDensity, statistics: BlockStatistics, flush: ComponentFlush,
): void {
  let ll = 0.0;
  let wsum = 0.0;
  let i = 0;
  while (i < count) {
    const first = i;
    const nb = gatherBlock<T>(x, w, hasWeights, start, i, count, d, xt, wt);
    i = gatherNext;
    if (nb == 0) break;
    const nbp = padBlockRows<T>(nb);
    padBlock<T>(xt, wt, nb, nbp, d);
    if (resp != 0) {
      wsum = loadResponsibilities(resp, w, hasWeights, start, first, i, k, lp, nbp, wsum);
    } else {
      wsum = sumWeights(wt, nb, wsum);
      logDensity(nbp, k);
      if (sizeof<T>() == 4) {
        ll = responsibilitiesF32(lp, r32, wt, nb, nbp, k, ll);
      } else {
        ll = responsibilities(lp, wt, nb, nbp, k, ll);
      }
    }
    statistics(nbp, k, stats, compBytes);
  }
  for (let c = 0; c < k; c++) flush(c, stats + <usize>c * compBytes);
  const tail = stats + <usize>k * compBytes;
  store<f64>(tail, load<f64>(tail) + ll);
  store<f64>(tail, load<f64>(tail, 8) + wsum, 8);
}

/**
 * Writes the weighted log-densities of rows `[start, start + count)` of the n×d matrix of `T` at `x` to `out`,
 * count×k row-major f64: each block is gathered into `xt` (weights, all 1, into `wt`), `logDensity` fills the k planes
 * at `lp`, and their first rows are scattered to `out`.
 */
export function logprobBlocks<T>(
  x: usize, start: i32, count: i32, d: i32, k: i32, xt: usize, wt: usize, lp: usize, out: usize,
  logDensity: BlockLogDensity,
): void {
  const outRow = <usize>k << 3;
  let i = 0;
  while (i < count) {
    const first = i;
    const nb = gatherBlock<T>(x, 0, 0, start, i, count, d, xt, wt);
    i = gatherNext;
    const nbp = padBlockRows<T>(nb);
    padBlock<T>(xt, wt, nb, nbp, d);
    logDensity(nbp, k);
    scatterRows(lp, nb, k, out + <usize>first * outRow);
  }
}
