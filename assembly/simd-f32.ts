/**
 * Shared helpers of the f32x4 kernels (`gaussian-full-f32.ts`, `gaussian-diag-f32.ts`): the float32 plane size, f32
 * copies of the parameters, lane sums, and the per-row log-sum-exp in f64 (the block is gathered and padded by
 * `gatherBlock<f32>` / `padBlock<f32>` of `simd.ts`).
 *
 * As in `simd.ts`, a block of up to `BLOCK_ROWS` rows is transposed into "planes" (plane j holds feature j of every row
 * of the block), here of `BLOCK_ROWS` floats, so that four consecutive rows of one feature sit in one v128. A block is
 * padded to a multiple of 16 rows (4 vectors of 4 rows, the tile of the inner loops) with copies of its first row
 * carrying weight 0. Row weights, log-densities and the log-sum-exp stay in f64 planes (`PLANE` bytes).
 *
 * All pointers are byte offsets into the imported memory; nothing here allocates.
 */
import { BLOCK_ROWS, EXP_FLUSH, hsum, responsibilities } from './simd';

/** Bytes of one float32 plane: one feature (or one component's responsibilities) across the rows of a block. */
export const PLANE32: usize = <usize>BLOCK_ROWS << 2;

/** `a·b + c` in four f32 lanes: fused in the relaxed-SIMD build, a product and a sum in the default build. */
// @ts-ignore: decorator
@inline export function madd32(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

/**
 * Bytes of a span of 64 float32 rows: the statistics kernels widen their f32x4 lane sums to f64 after each span, so a
 * lane never sums more than 16 products whatever `BLOCK_ROWS` is (the error bounds in the kernels' headers count on
 * it). Widening every 32 rows instead costs a quarter of the f32 full kernel's time at d = 16, k = 16.
 */
export const SPAN32: usize = 256;

/** `n` rounded up to the tile of 16 rows. */
// @ts-ignore: decorator
@inline export function padTo16(n: i32): i32 {
  return (n + 15) & ~15;
}

/** `n` bytes rounded up to a multiple of 16. */
// @ts-ignore: decorator
@inline export function align16(n: usize): usize {
  return (n + 15) & ~(<usize>15);
}

/** Sum of the four lanes of an f32x4, each lane widened to f64 first. */
// @ts-ignore: decorator
@inline export function hsum32(v: v128): f64 {
  return hsum(f64x2.add(f64x2.promote_low_f32x4(v), f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1))));
}

/**
 * Stores `lc − ½·m` for the four rows of the f32x4 `m` (a sum of squares) as two f64x2 at `out`, widening `m` first:
 * the affine step is done in f64 so that a large `lc` does not cost the log-density its f32 precision.
 */
// @ts-ignore: decorator
@inline export function storeLogDens(out: usize, m: v128, lcv: v128): void {
  const half = f64x2.splat(0.5);
  v128.store(out, f64x2.sub(lcv, f64x2.mul(half, f64x2.promote_low_f32x4(m))));
  v128.store(out, f64x2.sub(lcv, f64x2.mul(half, f64x2.promote_low_f32x4(v128.shuffle<f32>(m, m, 2, 3, 0, 1)))), 16);
}

/** Writes `Math.fround(src[i])` for i < n: f32 copies of f64 parameters (`src` f64, `dst` f32). */
export function toF32(src: usize, dst: usize, n: i32): void {
  for (let i = 0; i < n; i++) store<f32>(dst + (<usize>i << 2), <f32>load<f64>(src + (<usize>i << 3)));
}


/**
 * From the k f64 log-density planes at `lp`, writes the weighted responsibilities `w_i r_ic` of the nbp rows as
 * float32 to the k f32 planes at `r32` (0 on the padding rows, whose weight is 0): `responsibilities` of `simd.ts` in
 * f64, with arguments of `exp` below `EXP_FLUSH` flushed to 0, and r rounded once to f32. Returns `ll + Σ_i w_i lse_i`.
 */
// @ts-ignore: decorator
@inline export function responsibilitiesF32(lp: usize, r32: usize, wt: usize, nb: i32, nbp: i32, k: i32, ll: f64): f64 {
  return responsibilities(lp, wt, nb, nbp, k, ll, EXP_FLUSH, r32);
}

/** Sum of the `nbp` floats of the f32 plane `r`, each widened to f64 and summed in f64 lanes. */
export function sumPlane32(r: usize, nbp: i32): f64 {
  const bytes = <usize>nbp << 2;
  let acc = f64x2.splat(0);
  for (let p: usize = 0; p < bytes; p += 16) {
    const v = v128.load(r + p);
    acc = f64x2.add(acc, f64x2.add(f64x2.promote_low_f32x4(v), f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1))));
  }
  return hsum(acc);
}
