/**
 * Shared helpers of the f64x2 kernels: the row block, its transposition, padding and the per-row log-sum-exp.
 *
 * The kernels vectorize across rows: a block of up to `BLOCK_ROWS` rows is transposed into scratch as d "planes" of
 * `BLOCK_ROWS` doubles (plane j holds feature j of every row of the block), so two consecutive rows of one feature sit
 * in one v128 and every component parameter is used through `f64x2.splat`. A block is padded to a multiple of 8 rows
 * (4 row pairs, the tile of the inner loops) with copies of its first row carrying weight 0.
 *
 * All pointers are byte offsets into the imported memory; nothing here allocates.
 */

/** Rows per block. A multiple of 8; the scratch size scales with it (see the kernels' scratch layout). */
export const BLOCK_ROWS: i32 = 64;

/** Bytes of one plane: one feature (or one component's values) across the rows of a block. */
export const PLANE: usize = <usize>BLOCK_ROWS << 3;

/**
 * Arguments of `exp` (a log-density minus its row's largest) below ln 2⁻⁵² give a responsibility of exactly 0: such
 * a term is under 2⁻⁵² of the row's sum of exponentials (which is ≥ 1), below the rounding of that sum, so the row's
 * log-likelihood moves by less than k·2⁻⁵² and a component's N, S1, S2 by less than 2⁻⁵² per row (times |x − μ| or
 * its square, which the Gaussian factor keeps bounded). The statistics then skip the zeros (`activeGroups`), and no
 * subnormal, slow in WebAssembly, ever arises. The twins use the same bound (`src/backend/js/exp-flush.ts`).
 */
export const EXP_FLUSH: f64 = -36.04365338911715;

/** Start of the memory that the host may use: everything below holds the module's static data. */
export function heap_base(): usize {
  return __heap_base;
}

/** Sum of the two lanes of an f64x2. */
// @ts-ignore: decorator
@inline export function hsum(v: v128): f64 {
  return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
}

/** Row offset (relative to `start`) of the first row not yet read by the last `gatherBlock` call. */
export let gatherNext: i32 = 0;

/**
 * Transposes the next rows of `[start + i, start + count)` of the n×d row-major matrix `x` of `T` (f64 or f32) into
 * the block `xt` (d planes of `BLOCK_ROWS` values of `T`) and their f64 weights into `wt`, skipping rows of weight 0
 * when `hasWeights` ≠ 0 (so that they contribute nothing, even where their data would make a NaN). Stops after
 * `BLOCK_ROWS` rows. Returns the number of rows gathered and leaves the next row in `gatherNext`.
 */
export function gatherBlock<T>(
  x: usize, w: usize, hasWeights: i32, start: i32, i: i32, count: i32, d: i32, xt: usize, wt: usize,
): i32 {
  if (hasWeights == 0 && count - i >= BLOCK_ROWS) {
    transposeBlock<T>(x + <usize>(start + i) * <usize>d * <usize>sizeof<T>(), d, xt);
    const one = f64x2.splat(1.0);
    for (let p: usize = 0; p < PLANE; p += 16) v128.store(wt + p, one);
    gatherNext = i + BLOCK_ROWS;
    return BLOCK_ROWS;
  }
  const size = <usize>sizeof<T>();
  const plane = <usize>BLOCK_ROWS * size;
  const rowBytes = <usize>d * size;
  let nb = 0;
  while (nb < BLOCK_ROWS && i < count) {
    const row = <usize>(start + i);
    i++;
    let wi = 1.0;
    if (hasWeights != 0) {
      wi = load<f64>(w + (row << 3));
      if (wi == 0) continue;
    }
    let src = x + row * rowBytes;
    let dst = xt + <usize>nb * size;
    for (let j = 0; j < d; j++) {
      store<T>(dst, load<T>(src));
      src += size;
      dst += plane;
    }
    store<f64>(wt + (<usize>nb << 3), wi);
    nb++;
  }
  gatherNext = i;
  return nb;
}

/**
 * The fast path of `gatherBlock` (unweighted rows, a whole block): transposes `BLOCK_ROWS` consecutive rows of d values
 * of `T` at `src` (row major) into the d planes at `xt` with whole-vector loads, shuffles and stores instead of one
 * value at a time — 2 rows × 2 columns per step for f64, 4 × 4 for f32, a last odd column (f64) or the last d mod 4
 * columns (f32) gathered lane by lane — and, for d ≤ 3, with shuffles of consecutive rows. The row-by-row copy cost
 * about a sixth of the diag kernel's time at d = 16.
 */
function transposeBlock<T>(src: usize, d: i32, xt: usize): void {
  const size = <usize>sizeof<T>();
  const plane = <usize>BLOCK_ROWS * size;
  if (d == 1) {
    memory.copy(xt, src, plane);
    return;
  }
  if (d <= 3) {
    transposeSmall<T>(src, d, xt);
    return;
  }
  const rowBytes = <usize>d * size;
  if (size == 8) {
    const even = <usize>(d & ~1) << 3;
    for (let o: usize = 0; o < plane; o += 16) {
      const r0 = src;
      const r1 = src + rowBytes;
      let dst = xt + o;
      for (let c: usize = 0; c < even; c += 16) {
        const v0 = v128.load(r0 + c);
        const v1 = v128.load(r1 + c);
        v128.store(dst, v128.shuffle<f64>(v0, v1, 0, 2));
        v128.store(dst + plane, v128.shuffle<f64>(v0, v1, 1, 3));
        dst += plane << 1;
      }
      if (d & 1) v128.store(dst, v128.load64_lane(r1 + even, v128.load64_zero(r0 + even), 1));
      src += rowBytes << 1;
    }
  } else {
    const quads = <usize>(d & ~3) << 2;
    for (let o: usize = 0; o < plane; o += 16) {
      const r0 = src;
      const r1 = r0 + rowBytes;
      const r2 = r1 + rowBytes;
      const r3 = r2 + rowBytes;
      let dst = xt + o;
      for (let c: usize = 0; c < quads; c += 16) {
        const v0 = v128.load(r0 + c);
        const v1 = v128.load(r1 + c);
        const v2 = v128.load(r2 + c);
        const v3 = v128.load(r3 + c);
        const t0 = v128.shuffle<f32>(v0, v1, 0, 4, 1, 5);
        const t1 = v128.shuffle<f32>(v2, v3, 0, 4, 1, 5);
        const t2 = v128.shuffle<f32>(v0, v1, 2, 6, 3, 7);
        const t3 = v128.shuffle<f32>(v2, v3, 2, 6, 3, 7);
        v128.store(dst, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5));
        v128.store(dst + plane, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7));
        v128.store(dst + 2 * plane, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5));
        v128.store(dst + 3 * plane, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7));
        dst += plane << 2;
      }
      for (let c = quads; c < rowBytes; c += 4) {
        let v = v128.load32_zero(r0 + c);
        v = v128.load32_lane(r1 + c, v, 1);
        v = v128.load32_lane(r2 + c, v, 2);
        v = v128.load32_lane(r3 + c, v, 3);
        v128.store(dst, v);
        dst += plane;
      }
      src += rowBytes << 2;
    }
  }
}

/**
 * `transposeBlock` for d = 2 or 3: each step reads 16·d bytes (2 rows of f64 or 4 rows of f32, consecutive in memory)
 * and writes 16 bytes to each of the d planes, by shuffles only.
 */
function transposeSmall<T>(src: usize, d: i32, xt: usize): void {
  const size = <usize>sizeof<T>();
  const plane = <usize>BLOCK_ROWS * size;
  const step = <usize>d << 4;
  for (let o: usize = 0; o < plane; o += 16) {
    const v0 = v128.load(src);
    const v1 = v128.load(src, 16);
    if (size == 8) {
      if (d == 2) {
        v128.store(xt + o, v128.shuffle<f64>(v0, v1, 0, 2));
        v128.store(xt + plane + o, v128.shuffle<f64>(v0, v1, 1, 3));
      } else {
        const v2 = v128.load(src, 32);
        v128.store(xt + o, v128.shuffle<f64>(v0, v1, 0, 3));
        v128.store(xt + plane + o, v128.shuffle<f64>(v0, v2, 1, 2));
        v128.store(xt + 2 * plane + o, v128.shuffle<f64>(v1, v2, 0, 3));
      }
    } else {
      if (d == 2) {
        v128.store(xt + o, v128.shuffle<f32>(v0, v1, 0, 2, 4, 6));
        v128.store(xt + plane + o, v128.shuffle<f32>(v0, v1, 1, 3, 5, 7));
      } else {
        // Rows a, b, c, e: v0 = a0 a1 a2 b0, v1 = b1 b2 c0 c1, v2 = c2 e0 e1 e2.
        const v2 = v128.load(src, 32);
        const ab = v128.shuffle<f32>(v0, v1, 0, 3, 1, 4);
        const ce = v128.shuffle<f32>(v1, v2, 2, 5, 3, 6);
        v128.store(xt + o, v128.shuffle<f32>(ab, ce, 0, 1, 4, 5));
        v128.store(xt + plane + o, v128.shuffle<f32>(ab, ce, 2, 3, 6, 7));
        const t = v128.shuffle<f32>(v0, v1, 2, 5, 2, 5);
        v128.store(xt + 2 * plane + o, v128.shuffle<f32>(t, v2, 0, 1, 4, 7));
      }
    }
    src += step;
  }
}

/** Fills columns `[nb, nbp)` of the block of `T` with copies of column 0 (finite data) and their f64 weights with 0. */
export function padBlock<T>(xt: usize, wt: usize, nb: i32, nbp: i32, d: i32): void {
  const size = <usize>sizeof<T>();
  const plane = <usize>BLOCK_ROWS * size;
  for (let i = nb; i < nbp; i++) {
    const col = <usize>i * size;
    let p = xt;
    for (let j = 0; j < d; j++) {
      store<T>(p + col, load<T>(p));
      p += plane;
    }
    store<f64>(wt + (<usize>i << 3), 0.0);
  }
}

/** `n` rounded up to the tile of 8 rows. */
// @ts-ignore: decorator
@inline export function padTo8(n: i32): i32 {
  return (n + 7) & ~7;
}

/**
 * `a·b + c` in two f64 lanes: one fused multiply-add (`f64x2.relaxed_madd`) in the relaxed-SIMD build, a product
 * and a sum (each rounded, as the TypeScript twins compute) in the default build.
 */
// @ts-ignore: decorator
@inline export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f64x2.relaxed_madd(a, b, c);
  return f64x2.add(c, f64x2.mul(a, b));
}

/** log2(e), and ln 2 split in a high part with 32 trailing zero bits and the rest (Cody & Waite reduction). */
const LOG2E: f64 = 1.4426950408889634;
const LN2_HI: f64 = 6.93147180369123816490e-01;
const LN2_LO: f64 = 1.90821492927058770002e-10;
/** 1.5·2⁵²: adding it rounds to an integer held in the low mantissa bits. */
const ROUND_MAGIC: f64 = 6755399441055744.0;

/** 2^(j/32), j = 0…31: the table of the exponential's reduction (Tang 1989). */
const EXP2_TABLE: usize = memory.data<f64>([
  1.0, 1.0218971486541166, 1.0442737824274138, 1.0671404006768237,
  1.0905077326652577, 1.1143867425958924, 1.1387886347566916, 1.1637248587775775,
  1.189207115002721, 1.215247359980469, 1.241857812073484, 1.2690509571917332,
  1.2968395546510096, 1.3252366431597413, 1.3542555469368927, 1.383909881963832,
  1.4142135623730951, 1.4451808069770467, 1.4768261459394993, 1.5091644275934228,
  1.5422108254079407, 1.5759808451078865, 1.6104903319492543, 1.645755478153965,
  1.681792830507429, 1.718619298122478, 1.7562521603732995, 1.7947090750031072,
  1.8340080864093424, 1.8741676341103, 1.9152065613971474, 1.9571441241754002,
], 16);
/** 32/ln 2, and ln 2/32 split in a high part with trailing zero bits and the rest. */
const INV_LN2_32: f64 = 46.16624130844683;
const LN2_32_HI: f64 = 0.021660849392446835;
const LN2_32_LO: f64 = 5.145536774442405e-14;

/**
 * `exp` of two lanes, for arguments in `[flush, 0]` (anything below `flush`, at least −700, gives exactly 0), table
 * driven (Tang 1989): `x = (32m + j) ln2/32 + r` with `|r| ≤ ln2/64`, `exp(x) = 2^m · 2^(j/32) · exp(r)`, `exp(r)`
 * its Taylor polynomial of degree 6 (truncation below 4·10⁻¹⁸ relative, evaluated by Estrin's scheme), `2^(j/32)`
 * from a 32-entry table and `2^m` added to the exponent bits; the result is within a few ulp of `Math.exp`.
 */
// @ts-ignore: decorator
@inline export function expNonPositive(x: v128, flush: v128): v128 {
  const t = madd(x, f64x2.splat(INV_LN2_32), f64x2.splat(ROUND_MAGIC));
  const nf = f64x2.sub(t, f64x2.splat(ROUND_MAGIC));
  const r = f64x2.sub(f64x2.sub(x, f64x2.mul(nf, f64x2.splat(LN2_32_HI))), f64x2.mul(nf, f64x2.splat(LN2_32_LO)));
  // n = 32m + j as an integer: the low bits of t (the magic's own low bits are zero).
  const n = i64x2.sub(t, i64x2.splat(0x4338000000000000));
  const j = v128.and(n, i64x2.splat(31));
  const m = i64x2.shr_s(n, 5);
  let tj = v128.load64_zero(EXP2_TABLE + (<usize>i64x2.extract_lane(j, 0) << 3));
  tj = v128.load64_lane(EXP2_TABLE + (<usize>i64x2.extract_lane(j, 1) << 3), tj, 1);
  const r2 = f64x2.mul(r, r);
  const r4 = f64x2.mul(r2, r2);
  const p01 = madd(r, f64x2.splat(1.0), f64x2.splat(1.0));
  const p23 = madd(r, f64x2.splat(1.0 / 6.0), f64x2.splat(0.5));
  const p46 = madd(r2, f64x2.splat(1.0 / 720.0), madd(r, f64x2.splat(1.0 / 120.0), f64x2.splat(1.0 / 24.0)));
  const p = madd(p46, r4, madd(p23, r2, p01));
  // 2^(j/32)·exp(r) lies in [1, 2.03): adding m to its exponent field is exact for the m of x ≥ −700.
  const e = i64x2.add(f64x2.mul(tj, p), i64x2.shl(m, 52));
  return v128.and(e, f64x2.ge(x, flush));
}

/**
 * The share of live exponentials last measured by `responsibilities`: `liveExps` of `pairExps` (row pair, component)
 * arguments of a block had a lane at or above the flush bound. When under a quarter were live, each block tests every
 * pair first and takes the exponential only of the live ones (a branch that pays when it is mostly not taken: well
 * separated clusters at large k); otherwise it takes every exponential without a branch, and counts the live ones in
 * one block of four to notice when the data changes. Both paths give the same values (a flushed lane is +0 either
 * way), so this choice changes speed only.
 */
let liveExps = 0;
let pairExps = 0;
let blockTick = 0;

/**
 * Turns the k log-density planes at `lp` into the weighted responsibilities `w_i r_ic` of rows `[0, nbp)` (0 on the
 * padding rows, whose weight is 0): in place as f64 when `r32` is 0, else rounded to f32 into the k float32 planes at
 * `r32` (planes of `BLOCK_ROWS` floats; `lp` then keeps the exponentials). Two rows per f64x2: `r_ic = exp(lp_ic −
 * max_i) / s_i`, `s_i = Σ_c exp(lp_ic − max_i)` (arguments below `flush` give exactly 0), which equals the twin's
 * `exp(lp_ic − lse_i)` up to rounding. Returns `ll + Σ_i w_i (max_i + log s_i)`. Every `s_i` lies in [1, k], so the
 * logs of rows of weight 1 are taken once per block, of the product of their `s_i` in each lane (at most 32 factors
 * ≤ k: no overflow for any k < 2³¹); other weights take one log per row.
 */
export function responsibilities(
  lp: usize, wt: usize, nb: i32, nbp: i32, k: i32, ll: f64, flush: f64 = EXP_FLUSH, r32: usize = 0,
): f64 {
  const bytes = <usize>nbp << 3;
  const one = f64x2.splat(1.0);
  const flushV = f64x2.splat(flush);
  let prod = one;
  let maxSum = f64x2.splat(0);
  const sparse = 4 * liveExps < pairExps;
  const probe = !sparse && (++blockTick & 3) == 0;
  let live = 0;
  for (let q: usize = 0; q < bytes; q += 16) {
    let p = lp + q;
    let max = v128.load(p);
    for (let c = 1; c < k; c++) {
      p += PLANE;
      max = f64x2.pmax(max, v128.load(p));
    }
    let sum = f64x2.splat(0);
    p = lp + q;
    for (let c = 0; c < k; c++) {
      const a = f64x2.sub(v128.load(p), max);
      let e = f64x2.splat(0);
      if (sparse) {
        const on = v128.any_true(f64x2.ge(a, flushV));
        live += <i32>on;
        if (on) e = expNonPositive(a, flushV);
      } else {
        if (probe) live += <i32>v128.any_true(f64x2.ge(a, flushV));
        e = expNonPositive(a, flushV);
      }
      v128.store(p, e);
      sum = f64x2.add(sum, e);
      p += PLANE;
    }
    const wv = v128.load(wt + q);
    // w·max, where w = 0 on padding rows (their max is finite: padding copies a real row).
    maxSum = madd(wv, max, maxSum);
    const unit = f64x2.eq(wv, one);
    prod = f64x2.mul(prod, v128.bitselect(sum, one, unit));
    if (!v128.all_true<i64>(v128.or(unit, f64x2.eq(wv, f64x2.splat(0))))) {
      const row = <i32>(q >> 3);
      const w0 = f64x2.extract_lane(wv, 0);
      const w1 = f64x2.extract_lane(wv, 1);
      if (row < nb && w0 != 1.0 && w0 != 0.0) ll += w0 * Math.log(f64x2.extract_lane(sum, 0));
      if (row + 1 < nb && w1 != 1.0 && w1 != 0.0) ll += w1 * Math.log(f64x2.extract_lane(sum, 1));
    }
    const s = f64x2.div(wv, sum);
    p = lp + q;
    if (r32 == 0) {
      for (let c = 0; c < k; c++) {
        v128.store(p, f64x2.mul(v128.load(p), s));
        p += PLANE;
      }
    } else {
      let o = r32 + (q >> 1);
      for (let c = 0; c < k; c++) {
        v128.store64_lane(o, f32x4.demote_f64x2_zero(f64x2.mul(v128.load(p), s)), 0);
        p += PLANE;
        o += PLANE >> 1;
      }
    }
  }
  if (sparse || probe) {
    liveExps = live;
    pairExps = <i32>(bytes >> 4) * k;
  }
  return ll + hsum(maxSum) + (Math.log(f64x2.extract_lane(prod, 0)) + Math.log(f64x2.extract_lane(prod, 1)));
}

/**
 * Writes the byte offsets of the 16-byte groups of the first `bytes` bytes of the responsibilities plane `r` (row
 * pairs of f64, row quads of f32) that hold a nonzero value to `list` (u32 each, at most bytes/16) and returns their
 * number. The statistics of a component skip the other groups: their terms are exactly zero (responsibilities are +0
 * or positive), so skipping them changes no sum.
 */
export function activeGroups(r: usize, bytes: usize, list: usize): i32 {
  let n = 0;
  for (let p: usize = 0; p < bytes; p += 16) {
    store<u32>(list + (<usize>n << 2), <u32>p);
    n += <i32>v128.any_true(v128.load(r + p));
  }
  return n;
}

/**
 * Number of nonzero values of `T` (f64 or f32 responsibilities, all ≥ 0) in the 16-byte groups of the plane `r` at the
 * `np` byte offsets listed at `list` (see `activeGroups`).
 */
export function activeRows<T>(r: usize, list: usize, np: i32): i32 {
  let n = 0;
  const end = <usize>np << 2;
  for (let q: usize = 0; q < end; q += 4) {
    const v = v128.load(r + <usize>load<u32>(list + q));
    if (sizeof<T>() == 4) n += <i32>popcnt<u32>(i32x4.bitmask(f32x4.ne(v, f32x4.splat(0))));
    else n += <i32>popcnt<u32>(i64x2.bitmask(f64x2.ne(v, f64x2.splat(0))));
  }
  return n;
}

/**
 * Row-level compaction of the statistics (the full kernels from `STAGE_MIN_D` features on). A component's stage holds
 * up to `BLOCK_ROWS` rows gathered from any number of blocks: `d` planes of `T` (their x, one row per column, as in
 * the block) and one plane of `T` (their responsibilities), each of `BLOCK_ROWS` values (`stagePlane`).
 * `stageRows` appends the rows of the current block whose responsibility in the plane `r` is nonzero,
 * in row order, reading only the 16-byte groups listed at `list` (`np` offsets, see `activeGroups`), from column `n`
 * on, and returns the new row count; the caller leaves room for them (`activeRows`). The kernels flush a stage
 * through their statistics loops when the next block's rows would not fit, and at the end of a call, so that the d²
 * work of S2 runs on full tiles of rows that all count, instead of on the partly active row pairs or quads of each
 * block.
 */
export function stageRows<T>(xt: usize, r: usize, list: usize, np: i32, d: i32, stage: usize, n: i32): i32 {
  const size = <usize>sizeof<T>();
  const plane = <usize>BLOCK_ROWS * size;
  const splane = stagePlane<T>();
  const rStage = stage + <usize>d * splane;
  const end = <usize>np << 2;
  for (let q: usize = 0; q < end; q += 4) {
    const p = <usize>load<u32>(list + q);
    // The lanes with r ≠ 0, lowest first, from a bit mask (no branch per lane to mispredict).
    const v = v128.load(r + p);
    let mask: u32 = size == 4 ? <u32>i32x4.bitmask(f32x4.ne(v, f32x4.splat(0)))
      : <u32>i64x2.bitmask(f64x2.ne(v, f64x2.splat(0)));
    while (mask != 0) {
      const off = p + <usize>ctz<u32>(mask) * size;
      mask &= mask - 1;
      const col = <usize>n * size;
      let src = xt + off;
      let dst = stage + col;
      for (let j = 0; j < d; j++) {
        store<T>(dst, load<T>(src));
        src += plane;
        dst += splane;
      }
      store<T>(rStage + col, load<T>(r + off));
      n++;
    }
  }
  return n;
}

/**
 * Pads the stage of `stageRows` from column `n` to `nbp` (at most `BLOCK_ROWS`): x copies column 0 (finite data),
 * the responsibility is 0, so the padding adds exactly nothing to the statistics.
 */
export function padStage<T>(stage: usize, n: i32, nbp: i32, d: i32): void {
  const splane = stagePlane<T>();
  const rStage = stage + <usize>d * splane;
  for (let i = n; i < nbp; i++) {
    const col = <usize>i * <usize>sizeof<T>();
    let p = stage;
    for (let j = 0; j < d; j++) {
      store<T>(p + col, load<T>(p));
      p += splane;
    }
    store<T>(rStage + col, <T>0);
  }
}

/** Bytes of one plane of a stage of `T`: `BLOCK_ROWS` values. */
// @ts-ignore: decorator
@inline export function stagePlane<T>(): usize {
  return <usize>BLOCK_ROWS * <usize>sizeof<T>();
}

/** Sum of the first `nb` weights of the block, in row order. */
export function sumWeights(wt: usize, nb: i32, acc: f64): f64 {
  for (let i = 0; i < nb; i++) acc += load<f64>(wt + (<usize>i << 3));
  return acc;
}

/** Copies the log-density planes of rows `[0, nb)` to `out` as nb×k row-major values. */
export function scatterRows(lp: usize, nb: i32, k: i32, out: usize): void {
  let o = out;
  for (let i = 0; i < nb; i++) {
    let p = lp + (<usize>i << 3);
    for (let c = 0; c < k; c++) {
      store<f64>(o, load<f64>(p));
      o += 8;
      p += PLANE;
    }
  }
}

/**
 * Loads given responsibilities instead of computing them (the `accumulate_weighted_*` kernels): for the rows
 * `[from, to)` of a call that `gatherBlock` just gathered (relative to its `start`; rows of weight 0 skipped, as
 * there), copies `r_ic = resp[q·k + c]` (count×k row-major, relative to the call) into the k planes at `r`, zero on
 * the padding rows `[nb, nbp)`. Returns `acc` plus Σ r_ic over the rows in row order, components in order.
 */
export function loadResponsibilities(
  resp: usize, w: usize, hasWeights: i32, start: i32, from: i32, to: i32, k: i32, r: usize, nbp: i32, acc: f64,
): f64 {
  let nb = 0;
  for (let q = from; q < to; q++) {
    if (hasWeights != 0 && load<f64>(w + (<usize>(start + q) << 3)) == 0) continue;
    let src = resp + ((<usize>q * <usize>k) << 3);
    let dst = r + (<usize>nb << 3);
    for (let c = 0; c < k; c++) {
      const v = load<f64>(src);
      store<f64>(dst, v);
      acc += v;
      src += 8;
      dst += PLANE;
    }
    nb++;
  }
  for (let c = 0; c < k; c++) {
    const plane = r + <usize>c * PLANE;
    for (let i = nb; i < nbp; i++) store<f64>(plane + (<usize>i << 3), 0.0);
  }
  return acc;
}
