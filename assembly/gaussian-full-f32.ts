/**
 * Fused E-step and statistics for full (and tied) covariances on float32 data, f32x4 across rows, statistics in f64.
 * Twin: `src/backend/js/gaussian-full-f32.ts`. Same arguments and statistics layout as `gaussian-full.ts`, except that
 * `x` is n×d float32 row-major.
 *
 * Precision. The parameters arrive in f64 and are rounded once per call to f32 copies in scratch (μ32 = fround(μ),
 * U32 = fround(U)): the E-step `diff = x − μ32`, `y_j = Σ_{a≤j} diff_a U32[a][j]` and `m = Σ_j y_j²` runs in f32 with
 * the twin's operations in the twin's order, so `m` agrees to the bit; `lc − ½m` is taken in f64. The log-sum-exp, the
 * log-likelihood and N are computed and summed in f64, the responsibilities r are rounded once to f32. The statistics
 * are taken about μ32 (within |μ|·2⁻²⁴ of μ, below the rounding of the f32 data itself).
 *
 * The statistics read only the rows whose responsibility for a component is nonzero: below `STAGE_MIN_D` features
 * the block's active row quads in place; from it on, the block's rows with r ≠ 0 are copied to the component's stage
 * (`stageRows` of `simd.ts`, up to 64 rows from any number of blocks), and each full stage (and the last one of the
 * call) goes through the S1/S2 loops on whole tiles. S1 and S2 are summed over each span of 64 packed rows (`SPAN32`)
 * in f32x4 lanes, then the four lane sums are widened and added in f64. A lane sums at most 16 products
 * `t = fround(fround(r·diff_a)·diff_b)` (S1: `fround(r·diff_a)`), so against the f64 sum of the same rounded
 * `fround(r·diff_a)` factors (what the twin computes) each span entry is off by at most 16·2⁻²⁴·Σ|t| ≈ 9.5e−7·Σ|t|
 * (one product rounding and fifteen additions; Higham 2002, eq. 4.4), and by one more 2⁻²⁴ where r itself rounds
 * differently (the kernel's `exp` and JavaScript's may differ in the last bit).
 * Σ|t| is at most the component's largest S2 diagonal entry (Cauchy–Schwarz) or N (S1: Σ|r·diff_a| ≤ √(N·S2_aa)), and
 * these bounds add up over spans no faster than the statistics do, so every entry is within 9.5e−7 of the largest
 * entry of its component's statistics (1.0e−6 in the rare rows where r rounds differently): the 1e−6 the tests allow.
 * Typical errors are far smaller (rounding errors of random sign grow like √16, not 16).
 *
 * Scratch layout (bytes from `scratch`, 16-byte aligned; B = BLOCK_ROWS; f32 planes of B floats, f64 planes of B
 * doubles):
 *   xt: d f32 planes (the transposed block) · df: d + 4 f32 planes (x − μ_c, then 4 zero planes for the S2 tiles) ·
 *   rd: d + 4 f32 planes (r·(x − μ_c), zero padding) · r32: k f32 planes (responsibilities) · lp: k f64 planes
 *   (log-densities) · wt: 1 f64 plane (row weights) · μ32: k·d floats (rounded up to 16 bytes) · U32: k·d·d floats
 *   (rounded up to 16 bytes) · list: B/4 u32 (offsets of the row quads with a nonzero responsibility, see
 *   `activeGroups`) · stages: per component d + 1 f32 planes (x and r of its staged rows) · counts: k i32 ·
 *   seq: B/4 u32 (the quad offsets of a stage)
 * = 4·B·(3d + k + 8) + 8·B·(k + 1) + align16(4kd) + align16(4kd²) + 2·B + 4·B·k·(d + 1) + 4k bytes.
 */
import { accumulateBlocks, logprobBlocks } from './block-loop';
import { BLOCK_ROWS, PLANE, activeGroups, activeRows, padStage, stagePlane, stageRows } from './simd';
import { PLANE32, SPAN32, align16, hsum32, madd32, padTo16, storeLogDens, sumPlane32, toF32 } from './simd-f32';

/** Zero planes after df and rd, so that the 2×4 S2 tiles may read up to 3 planes past d. */
const PAD_PLANES: usize = 4;

/** Smallest d whose statistics go through the stages (as in `gaussian-full.ts`). */
const STAGE_MIN_D = 12;

/**
 * Writes the f64 plane `lc − ½‖(x − μ)ᵀ U‖²` of the nbp rows of the f32 block `xt` to `out`, leaving x − μ in `df`
 * (f32). Columns j, j+1 of U for 4 vectors of 4 rows at once, as the f64 kernel does with pairs.
 */
function logDensFull32(xt: usize, df: usize, out: usize, nbp: i32, d: i32, lc: f64, mu: usize, u: usize): void {
  const bytes = <usize>nbp << 2;
  let src = xt;
  let dst = df;
  for (let a = 0; a < d; a++) {
    const m = v128.load32_splat(mu + (<usize>a << 2));
    for (let p: usize = 0; p < bytes; p += 16) v128.store(dst + p, f32x4.sub(v128.load(src + p), m));
    src += PLANE32;
    dst += PLANE32;
  }
  const uRow = <usize>d << 2;
  const lcv = f64x2.splat(lc);
  for (let t: usize = 0; t < bytes; t += 64) {
    let m0 = f32x4.splat(0);
    let m1 = m0;
    let m2 = m0;
    let m3 = m0;
    let j = 0;
    for (; j + 1 < d; j += 2) {
      let y0 = f32x4.splat(0);
      let y1 = y0;
      let y2 = y0;
      let y3 = y0;
      let z0 = y0;
      let z1 = y0;
      let z2 = y0;
      let z3 = y0;
      let up = u + (<usize>j << 2);
      let dp = df + t;
      for (let a = 0; a <= j; a++) {
        const uv = v128.load32_splat(up);
        const uw = v128.load32_splat(up, 4);
        const d0 = v128.load(dp);
        const d1 = v128.load(dp, 16);
        const d2 = v128.load(dp, 32);
        const d3 = v128.load(dp, 48);
        y0 = madd32(d0, uv, y0);
        y1 = madd32(d1, uv, y1);
        y2 = madd32(d2, uv, y2);
        y3 = madd32(d3, uv, y3);
        z0 = madd32(d0, uw, z0);
        z1 = madd32(d1, uw, z1);
        z2 = madd32(d2, uw, z2);
        z3 = madd32(d3, uw, z3);
        up += uRow;
        dp += PLANE32;
      }
      // a = j + 1 contributes to column j + 1 only.
      const uw = v128.load32_splat(up, 4);
      z0 = madd32(v128.load(dp), uw, z0);
      z1 = madd32(v128.load(dp, 16), uw, z1);
      z2 = madd32(v128.load(dp, 32), uw, z2);
      z3 = madd32(v128.load(dp, 48), uw, z3);
      m0 = madd32(z0, z0, madd32(y0, y0, m0));
      m1 = madd32(z1, z1, madd32(y1, y1, m1));
      m2 = madd32(z2, z2, madd32(y2, y2, m2));
      m3 = madd32(z3, z3, madd32(y3, y3, m3));
    }
    if (j < d) {
      let y0 = f32x4.splat(0);
      let y1 = y0;
      let y2 = y0;
      let y3 = y0;
      let up = u + (<usize>j << 2);
      let dp = df + t;
      for (let a = 0; a <= j; a++) {
        const uv = v128.load32_splat(up);
        y0 = madd32(v128.load(dp), uv, y0);
        y1 = madd32(v128.load(dp, 16), uv, y1);
        y2 = madd32(v128.load(dp, 32), uv, y2);
        y3 = madd32(v128.load(dp, 48), uv, y3);
        up += uRow;
        dp += PLANE32;
      }
      m0 = madd32(y0, y0, m0);
      m1 = madd32(y1, y1, m1);
      m2 = madd32(y2, y2, m2);
      m3 = madd32(y3, y3, m3);
    }
    const o = out + (t << 1);
    storeLogDens(o, m0, lcv);
    storeLogDens(o + 32, m1, lcv);
    storeLogDens(o + 64, m2, lcv);
    storeLogDens(o + 96, m3, lcv);
  }
}

/**
 * Adds the statistics S1 and S2 (packed upper triangle) of some rows of one component to its f64 statistics at `st`
 * (N left to the caller): the `nq` row quads at the byte offsets listed at `list` in the d f32 planes of x at `src`
 * (`plane` bytes apart) and in the f32 responsibilities plane `r` — the active quads of a block (`activeGroups`) or
 * the quads of a stage (`stageRows`). Their x − μ and r·(x − μ) are packed at the front of `df` and `rd`; S1 and S2
 * are summed over each 64-row span in f32 lanes (error bound above). The padding planes of `df` and `rd` must be zero.
 */
function statsRows32(src: usize, plane: usize, r: usize, list: usize, nq: i32, d: i32, mu: usize, st: usize): void {
  const bytes = <usize>nq << 4;
  let sp = src;
  let dp = df;
  let rp = rd;
  for (let a = 0; a < d; a++) {
    const m = v128.load32_splat(mu + (<usize>a << 2));
    const s = st + (<usize>(1 + a) << 3);
    for (let h: usize = 0; h < bytes; h += SPAN32) {
      const end = min(h + SPAN32, bytes);
      let s1 = f32x4.splat(0);
      for (let q = h; q < end; q += 16) {
        const p = <usize>load<u32>(list + (q >> 2));
        const dv = f32x4.sub(v128.load(sp + p), m);
        const rv = f32x4.mul(v128.load(r + p), dv);
        v128.store(dp + q, dv);
        v128.store(rp + q, rv);
        s1 = f32x4.add(s1, rv);
      }
      store<f64>(s, load<f64>(s) + hsum32(s1));
    }
    sp += plane;
    dp += PLANE32;
    rp += PLANE32;
  }

  // S2 in tiles of 2 rows (a, a+1) × 4 columns (b..b+3) from b = a, as in the f64 kernel; entries below the diagonal
  // or past d are computed on the zero padding planes and not stored.
  const s2 = st + (<usize>(1 + d) << 3);
  for (let a = 0; a < d; a += 2) {
    const ra0 = rd + <usize>a * PLANE32;
    const ra1 = ra0 + PLANE32;
    for (let b = a; b < d; b += 4) {
      const db0 = df + <usize>b * PLANE32;
      const db1 = db0 + PLANE32;
      const db2 = db1 + PLANE32;
      const db3 = db2 + PLANE32;
      for (let h: usize = 0; h < bytes; h += SPAN32) {
        const end = min(h + SPAN32, bytes);
        let c00 = f32x4.splat(0);
        let c01 = c00;
        let c02 = c00;
        let c03 = c00;
        let c10 = c00;
        let c11 = c00;
        let c12 = c00;
        let c13 = c00;
        for (let p = h; p < end; p += 16) {
          const r0 = v128.load(ra0 + p);
          const r1 = v128.load(ra1 + p);
          let e = v128.load(db0 + p);
          c00 = madd32(r0, e, c00);
          c10 = madd32(r1, e, c10);
          e = v128.load(db1 + p);
          c01 = madd32(r0, e, c01);
          c11 = madd32(r1, e, c11);
          e = v128.load(db2 + p);
          c02 = madd32(r0, e, c02);
          c12 = madd32(r1, e, c12);
          e = v128.load(db3 + p);
          c03 = madd32(r0, e, c03);
          c13 = madd32(r1, e, c13);
        }
        addPair32(s2, d, a, b, c00, c01);
        addPair32(s2, d, a, b + 2, c02, c03);
        addPair32(s2, d, a + 1, b, c10, c11);
        addPair32(s2, d, a + 1, b + 2, c12, c13);
      }
    }
  }
}

/**
 * Adds the f64 lane sums of the f32x4 `x` and `y` to S2 entries (a, b) and (a, b + 1) (packed upper triangle at `s2`,
 * where they are adjacent), each only if a ≤ b' < d: both with one f64x2 when both are.
 */
// @ts-ignore: decorator
@inline function addPair32(s2: usize, d: i32, a: i32, b: i32, x: v128, y: v128): void {
  if (a <= b && b + 1 < d) {
    const sx = f64x2.add(f64x2.promote_low_f32x4(x), f64x2.promote_low_f32x4(v128.shuffle<f32>(x, x, 2, 3, 0, 1)));
    const sy = f64x2.add(f64x2.promote_low_f32x4(y), f64x2.promote_low_f32x4(v128.shuffle<f32>(y, y, 2, 3, 0, 1)));
    const e = s2 + (<usize>(a * d - (a * (a - 1)) / 2 + (b - a)) << 3);
    v128.store(e, f64x2.add(v128.load(e), f64x2.add(v128.shuffle<f64>(sx, sy, 0, 2), v128.shuffle<f64>(sx, sy, 1, 3))));
  } else {
    addEntry32(s2, d, a, b, x);
    addEntry32(s2, d, a, b + 1, y);
  }
}

/** Adds the f64 lane sum of the f32x4 `v` to S2 entry (a, b) (packed upper triangle at `s2`) if a ≤ b < d. */
// @ts-ignore: decorator
@inline function addEntry32(s2: usize, d: i32, a: i32, b: i32, v: v128): void {
  if (a <= b && b < d) {
    const e = s2 + (<usize>(a * d - (a * (a - 1)) / 2 + (b - a)) << 3);
    store<f64>(e, load<f64>(e) + hsum32(v));
  }
}

// Byte offsets of the scratch regions (layout above), set by `carve`: module globals, since kernels do not allocate.
let xt: usize = 0;
let df: usize = 0;
let rd: usize = 0;
let r32: usize = 0;
let lp: usize = 0;
let wt: usize = 0;
let mu32: usize = 0;
let prec32: usize = 0;
let list: usize = 0;
let stages: usize = 0;
let stageCounts: usize = 0;
let seq: usize = 0;

let dims: i32 = 0;
let logConsts: usize = 0;
let uBytes: usize = 0;

/**
 * Carves `scratch` into the regions above, fills μ32 and U32 (one factor when `precStride` is 0, else k) and keeps
 * the call's parameters.
 */
function carve(
  scratch: usize, d: i32, k: i32, logConst: usize, means: usize, prec: usize, precStride: i32,
): void {
  xt = scratch;
  df = xt + <usize>d * PLANE32;
  rd = df + (<usize>d + PAD_PLANES) * PLANE32;
  r32 = rd + (<usize>d + PAD_PLANES) * PLANE32;
  lp = r32 + <usize>k * PLANE32;
  wt = lp + <usize>k * PLANE;
  mu32 = wt + PLANE;
  prec32 = mu32 + align16(<usize>(k * d) << 2);
  list = prec32 + align16(<usize>(k * d * d) << 2);
  stages = list + <usize>(PLANE32 >> 2);
  stageCounts = stages + <usize>k * (<usize>d + 1) * stagePlane<f32>();
  memory.fill(stageCounts, 0, <usize>k << 2);
  seq = stageCounts + (<usize>k << 2);
  for (let q = 0; q < BLOCK_ROWS >> 2; q++) store<u32>(seq + (<usize>q << 2), <u32>q << 4);
  memory.fill(df + <usize>d * PLANE32, 0, PAD_PLANES * PLANE32);
  memory.fill(rd + <usize>d * PLANE32, 0, PAD_PLANES * PLANE32);
  dims = d;
  logConsts = logConst;
  uBytes = precStride == 0 ? 0 : <usize>(d * d) << 2;
  toF32(means, mu32, k * d);
  toF32(prec, prec32, (precStride == 0 ? 1 : k) * d * d);
}

/** The stage of component c (`stageRows` of `simd.ts`): d + 1 f32 planes. */
// @ts-ignore: decorator
@inline function stageOf(c: i32, d: i32): usize {
  return stages + <usize>c * (<usize>d + 1) * stagePlane<f32>();
}

/** Adds the S1, S2 of the n rows staged for component c to its statistics `st`, padding them to the 16-row tile. */
function flushStage32(c: i32, n: i32, d: i32, st: usize): void {
  const stage = stageOf(c, d);
  const nbp = padTo16(n);
  padStage<f32>(stage, n, nbp, d);
  const plane = stagePlane<f32>();
  statsRows32(stage, plane, stage + <usize>d * plane, seq, nbp >> 2, d, mu32 + (<usize>(c * d) << 2), st);
}

/**
 * The block statistics of each of the k components c with a nonzero responsibility: N (`sumPlane32` of its plane in `r32`, in f64)
 * into its statistics `st`, then S1 and S2 of its active row quads in place (d < `STAGE_MIN_D`), or of its stage once
 * the block's rows with r ≠ 0 would overflow it (the stage is flushed first, then they are appended).
 */
function statistics(nbp: i32, k: i32, stats: usize, compBytes: usize): void {
  const d = dims;
  for (let c = 0; c < k; c++) {
    const st = stats + <usize>c * compBytes;
    const r = r32 + <usize>c * PLANE32;
    const nq = activeGroups(r, <usize>nbp << 2, list);
    if (nq == 0) continue;
    store<f64>(st, load<f64>(st) + sumPlane32(r, nbp));
    if (d < STAGE_MIN_D) {
      statsRows32(xt, PLANE32, r, list, nq, d, mu32 + (<usize>(c * d) << 2), st);
      continue;
    }
    const cnt = stageCounts + (<usize>c << 2);
    let n = load<i32>(cnt);
    if (n + activeRows<f32>(r, list, nq) > BLOCK_ROWS) {
      flushStage32(c, n, d, st);
      n = 0;
    }
    store<i32>(cnt, stageRows<f32>(xt, r, list, nq, d, stageOf(c, d), n));
  }
}

/** Flushes the rows left in component c's stage into its statistics `st`. */
function flushOf(c: i32, st: usize): void {
  const n = load<i32>(stageCounts + (<usize>c << 2));
  if (n > 0) flushStage32(c, n, dims, st);
}

/** The log-density planes of the k components, once per block (`logDensFull32`). */
function logDensities(nbp: i32, k: i32): void {
  for (let c = 0; c < k; c++) {
    logDensFull32(xt, df, lp + <usize>c * PLANE, nbp, dims, load<f64>(logConsts + (<usize>c << 3)),
      mu32 + <usize>c * (<usize>dims << 2), prec32 + <usize>c * uBytes);
  }
}

/**
 * Adds the statistics of rows `[start, start + count)` of the n×d float32 row-major matrix at `x` into `stats` (f64,
 * layout in `src/backend/kernel.ts`). Arguments as `accumulate_gauss_full_f64` (parameters in f64, `precStride` in
 * elements: d·d, or 0 for one shared factor); `scratch` needs the bytes of the layout above, 16-byte aligned.
 */
export function accumulate_gauss_full_f32(
  x: usize, w: usize, hasWeights: i32, start: i32, count: i32, d: i32, k: i32,
  logConst: usize, means: usize, prec: usize, precStride: i32, stats: usize, scratch: usize,
): void {
  carve(scratch, d, k, logConst, means, prec, precStride);
  accumulateBlocks<f32>(x, w, hasWeights, 0, start, count, d, k, xt, wt, lp, r32, stats,
    <usize>(1 + d + (d * (d + 1)) / 2) << 3, logDensities, statistics, flushOf);
}

/**
 * Writes the weighted log-densities (f64) of rows `[start, start + count)` of the float32 matrix at `x` to `out`,
 * count×k row-major. Same parameters and scratch as `accumulate_gauss_full_f32`.
 */
export function logprob_gauss_full_f32(
  x: usize, start: i32, count: i32, d: i32, k: i32,
  logConst: usize, means: usize, prec: usize, precStride: i32, out: usize, scratch: usize,
): void {
  carve(scratch, d, k, logConst, means, prec, precStride);
  logprobBlocks<f32>(x, start, count, d, k, xt, wt, lp, out, logDensities);
}
