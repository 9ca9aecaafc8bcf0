/**
 * Fused E-step and statistics for full (and tied) covariances, f64x2 across rows. Twin: `src/backend/js/gaussian-full.ts`.
 *
 * Component c has weighted log-density `logConst_c − ½‖(x − μ_c)ᵀ U_c‖²` with `U_c` the upper-triangular precision
 * Cholesky factor (d×d row-major at `prec + 8·c·precStride`; precStride 0 shares one factor, the tied case). The
 * log-densities are computed with the twin's operations in the twin's order (one row per lane), so they agree to the
 * bit; the statistics are summed over a block in lane accumulators and differ from the twin only by rounding.
 *
 * The statistics skip the rows whose responsibility for a component is exactly 0 (see `EXP_FLUSH` in `simd.ts`). Below
 * `STAGE_MIN_D` features they read each block's row pairs with a nonzero responsibility in place; from it on, those
 * rows are copied to the component's stage (`stageRows`), which is flushed through the statistics loops once it holds
 * a block's worth of rows (and at the end of the call), so that the d² work of S2 runs on full tiles.
 *
 * Scratch layout (bytes from `scratch`, 16-byte aligned; B = BLOCK_ROWS, every plane B doubles):
 *   xt: d planes (the transposed block) · df: d + 4 planes (x − μ_c, then 4 zero planes that let the S2 tiles run
 *   past d) · rd: d + 4 planes (r·(x − μ_c), zero padding) · lp: k planes (log-densities, then responsibilities) ·
 *   wt: 1 plane (row weights) · list: B/2 u32 (offsets of the active row pairs) · acc: per component
 *   1 + d + 8·s2Tiles(d) v128 lane accumulators of N, S1 and the S2 tiles, summed over the blocks of one call and
 *   reduced into the statistics at its end · stages: per component d + 1 planes (x and r of its staged rows) ·
 *   counts: k i32 (rows in each stage) · seq: B/2 u32 (the pair offsets of a stage)
 * = 8·B·(3d + k + 9) + 4·B + 16·k·(1 + d + 8·s2Tiles(d)) + 8·B·k·(d + 1) + 4·k bytes.
 */
import { accumulateBlocks, logprobBlocks } from './block-loop';
import { BLOCK_ROWS, PLANE, activeGroups, activeRows, hsum, madd, padStage, stagePlane, stageRows } from './simd';

/**
 * Smallest d whose statistics go through the stages (`stageRows`); below it, the S2 tiles are cheap next to copying
 * rows into a stage, and each block's active row pairs are used in place (measured at d = 2, 4, 8, 16, k = 16).
 */
const STAGE_MIN_D = 12;

/** Zero planes after df and rd, so that the 2×4 S2 tiles may read up to 3 planes past d (and rd one past d). */
const PAD_PLANES: usize = 4;

/**
 * Writes the plane `logConst − ½‖(x − μ)ᵀ U‖²` of the nbp rows of the block `xt` to `out`, leaving x − μ in `df`.
 * y_j = Σ_{a≤j} diff_a U[a][j] is computed for 4 row pairs and 2 columns at once, so that each broadcast U entry is
 * used 4 times and each diff load twice.
 */
function logDensFull(xt: usize, df: usize, out: usize, nbp: i32, d: i32, lc: f64, mu: usize, u: usize): void {
  const bytes = <usize>nbp << 3;
  let src = xt;
  let dst = df;
  for (let a = 0; a < d; a++) {
    const m = v128.load64_splat(mu + (<usize>a << 3));
    for (let p: usize = 0; p < bytes; p += 16) v128.store(dst + p, f64x2.sub(v128.load(src + p), m));
    src += PLANE;
    dst += PLANE;
  }
  const uRow = <usize>d << 3;
  const half = f64x2.splat(0.5);
  const lcv = f64x2.splat(lc);
  for (let t: usize = 0; t < bytes; t += 64) {
    let m0 = f64x2.splat(0);
    let m1 = m0;
    let m2 = m0;
    let m3 = m0;
    let j = 0;
    // Two columns j, j+1 of U per pass: each diff load feeds 8 independent sums. Each y is still summed over a in
    // increasing order and the squares are added in increasing j, as in the twin.
    for (; j + 1 < d; j += 2) {
      let y0 = f64x2.splat(0);
      let y1 = y0;
      let y2 = y0;
      let y3 = y0;
      let z0 = y0;
      let z1 = y0;
      let z2 = y0;
      let z3 = y0;
      let up = u + (<usize>j << 3);
      let dp = df + t;
      for (let a = 0; a <= j; a++) {
        const uv = v128.load64_splat(up);
        const uw = v128.load64_splat(up, 8);
        const d0 = v128.load(dp);
        const d1 = v128.load(dp, 16);
        const d2 = v128.load(dp, 32);
        const d3 = v128.load(dp, 48);
        y0 = madd(d0, uv, y0);
        y1 = madd(d1, uv, y1);
        y2 = madd(d2, uv, y2);
        y3 = madd(d3, uv, y3);
        z0 = madd(d0, uw, z0);
        z1 = madd(d1, uw, z1);
        z2 = madd(d2, uw, z2);
        z3 = madd(d3, uw, z3);
        up += uRow;
        dp += PLANE;
      }
      // a = j + 1 contributes to column j + 1 only.
      const uw = v128.load64_splat(up, 8);
      z0 = madd(v128.load(dp), uw, z0);
      z1 = madd(v128.load(dp, 16), uw, z1);
      z2 = madd(v128.load(dp, 32), uw, z2);
      z3 = madd(v128.load(dp, 48), uw, z3);
      m0 = madd(z0, z0, madd(y0, y0, m0));
      m1 = madd(z1, z1, madd(y1, y1, m1));
      m2 = madd(z2, z2, madd(y2, y2, m2));
      m3 = madd(z3, z3, madd(y3, y3, m3));
    }
    if (j < d) {
      let y0 = f64x2.splat(0);
      let y1 = y0;
      let y2 = y0;
      let y3 = y0;
      let up = u + (<usize>j << 3);
      let dp = df + t;
      for (let a = 0; a <= j; a++) {
        const uv = v128.load64_splat(up);
        y0 = madd(v128.load(dp), uv, y0);
        y1 = madd(v128.load(dp, 16), uv, y1);
        y2 = madd(v128.load(dp, 32), uv, y2);
        y3 = madd(v128.load(dp, 48), uv, y3);
        up += uRow;
        dp += PLANE;
      }
      m0 = madd(y0, y0, m0);
      m1 = madd(y1, y1, m1);
      m2 = madd(y2, y2, m2);
      m3 = madd(y3, y3, m3);
    }
    const o = out + t;
    v128.store(o, f64x2.sub(lcv, f64x2.mul(half, m0)));
    v128.store(o, f64x2.sub(lcv, f64x2.mul(half, m1)), 16);
    v128.store(o, f64x2.sub(lcv, f64x2.mul(half, m2)), 32);
    v128.store(o, f64x2.sub(lcv, f64x2.mul(half, m3)), 48);
  }
}

/** Number of 2×4 S2 tiles for d features: Σ over row pairs a = 0, 2, … of ⌈(d − a)/4⌉. */
export function s2Tiles(d: i32): i32 {
  let t = 0;
  for (let a = 0; a < d; a += 2) t += (d - a + 3) >> 2;
  return t;
}

/**
 * Adds the statistics S1 and the S2 tiles of some rows of one component to its lane accumulators `acc` (v128 each,
 * both lanes summed only at the end of the call by `flushFull`): `[N, S1 (d), S2 tiles (8 per tile)]`, N left to the
 * caller. The rows are the `np` row pairs at the byte offsets listed at `list` in the d planes of x at `src` (`plane`
 * bytes apart) and in the responsibilities plane `r`: the active pairs of a block (`activeGroups`), or the pairs of a
 * stage (`stageRows`). Their x − μ and r·(x − μ) are packed at the front of `df` and `rd`, and S2 is the small product
 * (r·diff)ᵀ diff over them. The padding planes of `df` and `rd` must be zero.
 */
function statsRows(
  src: usize, plane: usize, r: usize, list: usize, np: i32, d: i32, mu: usize, df: usize, rd: usize, acc: usize,
): void {
  const listBytes = <usize>np << 2;
  const bytes = <usize>np << 4;
  let sp = src;
  let dp = df;
  let rp = rd;
  let ap = acc + 16;
  for (let a = 0; a < d; a++) {
    const m = v128.load64_splat(mu + (<usize>a << 3));
    let s1 = v128.load(ap);
    for (let q: usize = 0; q < listBytes; q += 4) {
      const p = <usize>load<u32>(list + q);
      const dv = f64x2.sub(v128.load(sp + p), m);
      const rv = f64x2.mul(v128.load(r + p), dv);
      v128.store(dp + (q << 2), dv);
      v128.store(rp + (q << 2), rv);
      s1 = f64x2.add(s1, rv);
    }
    v128.store(ap, s1);
    ap += 16;
    sp += plane;
    dp += PLANE;
    rp += PLANE;
  }

  // S2 in tiles of 2 rows (a, a+1) × 4 columns (b..b+3) starting at b = a: 8 independent sums per pass over the
  // block. Entries below the diagonal or past d are computed on the zero padding planes and dropped by flushFull.
  for (let a = 0; a < d; a += 2) {
    const ra0 = rd + <usize>a * PLANE;
    const ra1 = ra0 + PLANE;
    for (let b = a; b < d; b += 4) {
      const db0 = df + <usize>b * PLANE;
      const db1 = db0 + PLANE;
      const db2 = db1 + PLANE;
      const db3 = db2 + PLANE;
      let c00 = v128.load(ap);
      let c01 = v128.load(ap, 16);
      let c02 = v128.load(ap, 32);
      let c03 = v128.load(ap, 48);
      let c10 = v128.load(ap, 64);
      let c11 = v128.load(ap, 80);
      let c12 = v128.load(ap, 96);
      let c13 = v128.load(ap, 112);
      for (let p: usize = 0; p < bytes; p += 16) {
        const r0 = v128.load(ra0 + p);
        const r1 = v128.load(ra1 + p);
        let e = v128.load(db0 + p);
        c00 = madd(r0, e, c00);
        c10 = madd(r1, e, c10);
        e = v128.load(db1 + p);
        c01 = madd(r0, e, c01);
        c11 = madd(r1, e, c11);
        e = v128.load(db2 + p);
        c02 = madd(r0, e, c02);
        c12 = madd(r1, e, c12);
        e = v128.load(db3 + p);
        c03 = madd(r0, e, c03);
        c13 = madd(r1, e, c13);
      }
      v128.store(ap, c00);
      v128.store(ap, c01, 16);
      v128.store(ap, c02, 32);
      v128.store(ap, c03, 48);
      v128.store(ap, c10, 64);
      v128.store(ap, c11, 80);
      v128.store(ap, c12, 96);
      v128.store(ap, c13, 112);
      ap += 128;
    }
  }
}

/**
 * Adds the S1, S2 of the n rows of a component's stage to its accumulators `acc`, padding them to a row pair; `seq`
 * lists the offsets 0, 16, 32, … of all pairs of a stage.
 */
function flushStage(stage: usize, n: i32, d: i32, seq: usize, df: usize, rd: usize, mu: usize, acc: usize): void {
  const nbp = (n + 1) & ~1;
  padStage<f64>(stage, n, nbp, d);
  const plane = stagePlane<f64>();
  statsRows(stage, plane, stage + <usize>d * plane, seq, nbp >> 1, d, mu, df, rd, acc);
}

/** Adds the lane sums of one component's accumulators `acc` (layout of `statsRows`) into its statistics `st`. */
function flushFull(acc: usize, d: i32, st: usize): void {
  store<f64>(st, load<f64>(st) + hsum(v128.load(acc)));
  let ap = acc + 16;
  for (let a = 0; a < d; a++) {
    const s = st + (<usize>(1 + a) << 3);
    store<f64>(s, load<f64>(s) + hsum(v128.load(ap)));
    ap += 16;
  }
  const s2 = st + (<usize>(1 + d) << 3);
  for (let a = 0; a < d; a += 2) {
    for (let b = a; b < d; b += 4) {
      for (let q = 0; q < 8; q++) addEntry(s2, d, a + (q >> 2), b + (q & 3), v128.load(ap + (<usize>q << 4)));
      ap += 128;
    }
  }
}

/** Adds the lane sum of `v` to S2 entry (a, b) (packed upper triangle at `s2`) if a ≤ b < d. */
// @ts-ignore: decorator
@inline function addEntry(s2: usize, d: i32, a: i32, b: i32, v: v128): void {
  if (a <= b && b < d) {
    const e = s2 + (<usize>(a * d - (a * (a - 1)) / 2 + (b - a)) << 3);
    store<f64>(e, load<f64>(e) + hsum(v));
  }
}

// The call's scratch regions and parameters (layout above), set by `carve`: module globals, since kernels do not
// allocate and the block loop's callbacks take only the block's size.
let xt: usize = 0;
let df: usize = 0;
let rd: usize = 0;
let lp: usize = 0;
let wt: usize = 0;
let list: usize = 0;
let accs: usize = 0;
let accBytes: usize = 0;
let stages: usize = 0;
let stageBytes: usize = 0;
let counts: usize = 0;
let seq: usize = 0;
let dims: i32 = 0;
let logConsts: usize = 0;
let meansAt: usize = 0;
let precAt: usize = 0;
let uBytes: usize = 0;

/** Carves `scratch` into the block regions (xt, df, rd, lp, wt) and keeps the call's parameters. */
function carve(scratch: usize, d: i32, k: i32, logConst: usize, means: usize, prec: usize, precStride: i32): void {
  xt = scratch;
  df = xt + <usize>d * PLANE;
  rd = df + (<usize>d + PAD_PLANES) * PLANE;
  lp = rd + (<usize>d + PAD_PLANES) * PLANE;
  wt = lp + <usize>k * PLANE;
  dims = d;
  logConsts = logConst;
  meansAt = means;
  precAt = prec;
  uBytes = <usize>precStride << 3;
}

/**
 * Carves the statistics regions after the block (list, acc, stages, counts, seq) and clears what the statistics
 * read before writing: the padding planes of df and rd, the accumulators and the stage counts; fills seq.
 */
function carveStatistics(d: i32, k: i32): void {
  memory.fill(df + <usize>d * PLANE, 0, PAD_PLANES * PLANE);
  memory.fill(rd + <usize>d * PLANE, 0, PAD_PLANES * PLANE);
  list = wt + PLANE;
  accs = list + (<usize>BLOCK_ROWS << 1);
  accBytes = <usize>(1 + d + 8 * s2Tiles(d)) << 4;
  memory.fill(accs, 0, <usize>k * accBytes);
  stages = accs + <usize>k * accBytes;
  stageBytes = (<usize>d + 1) * stagePlane<f64>();
  counts = stages + <usize>k * stageBytes;
  memory.fill(counts, 0, <usize>k << 2);
  seq = counts + (<usize>k << 2);
  for (let q = 0; q < BLOCK_ROWS >> 1; q++) store<u32>(seq + (<usize>q << 2), <u32>q << 4);
}

/** The log-density planes of the k components, once per block (`logDensFull`). */
function logDensities(nbp: i32, k: i32): void {
  for (let c = 0; c < k; c++) {
    logDensFull(xt, df, lp + <usize>c * PLANE, nbp, dims, load<f64>(logConsts + (<usize>c << 3)),
      meansAt + <usize>c * (<usize>dims << 3), precAt + <usize>c * uBytes);
  }
}

/**
 * The block statistics of each of the k components c: N of its active row pairs, then S1 and S2 of them in place (d <
 * `STAGE_MIN_D`), or through its stage (flushed first when the block's active rows would overflow it).
 */
function statistics(nbp: i32, k: i32, stats: usize, compBytes: usize): void {
  const d = dims;
  for (let c = 0; c < k; c++) {
    const r = lp + <usize>c * PLANE;
    const np = activeGroups(r, <usize>nbp << 3, list);
    if (np == 0) continue;
    const acc = accs + <usize>c * accBytes;
    let nv = v128.load(acc);
    const listBytes = <usize>np << 2;
    for (let q: usize = 0; q < listBytes; q += 4) nv = f64x2.add(nv, v128.load(r + <usize>load<u32>(list + q)));
    v128.store(acc, nv);
    const mu = meansAt + <usize>c * (<usize>d << 3);
    if (d < STAGE_MIN_D) {
      statsRows(xt, PLANE, r, list, np, d, mu, df, rd, acc);
      continue;
    }
    const cnt = counts + (<usize>c << 2);
    let n = load<i32>(cnt);
    if (n + activeRows<f64>(r, list, np) > BLOCK_ROWS) {
      flushStage(stages + <usize>c * stageBytes, n, d, seq, df, rd, mu, acc);
      n = 0;
    }
    store<i32>(cnt, stageRows<f64>(xt, r, list, np, d, stages + <usize>c * stageBytes, n));
  }
}

/** Flushes component c's stage into its accumulators, then the accumulators into its statistics `st`. */
function flushOf(c: i32, st: usize): void {
  const acc = accs + <usize>c * accBytes;
  const n = load<i32>(counts + (<usize>c << 2));
  const mu = meansAt + <usize>c * (<usize>dims << 3);
  if (n != 0) flushStage(stages + <usize>c * stageBytes, n, dims, seq, df, rd, mu, acc);
  flushFull(acc, dims, st);
}

/**
 * Adds the statistics of rows `[start, start + count)` of the n×d row-major matrix at `x` into `stats` (layout in
 * `src/backend/kernel.ts`: k blocks `[N_c, S1_c (d), S2_c (d(d+1)/2)]`, then `[loglik, weightSum]`). Weights are
 * read from `w` (one f64 per row of x) when `hasWeights` ≠ 0, else 1; rows of weight 0 are skipped. `precStride` is
 * in doubles (d·d, or 0 for one shared factor). `scratch` needs the bytes of the layout above, 16-byte aligned.
 */
export function accumulate_gauss_full_f64(
  x: usize, w: usize, hasWeights: i32, start: i32, count: i32, d: i32, k: i32,
  logConst: usize, means: usize, prec: usize, precStride: i32, stats: usize, scratch: usize,
): void {
  accumulateFull(x, w, hasWeights, 0, start, count, d, k, logConst, means, prec, precStride, stats, scratch);
}

/**
 * `accumulate_gauss_full_f64` with the responsibilities given (`BoundData.accumulateWeighted`): `resp` holds count×k
 * f64, `r_ic` of row `start + i` at `resp[i·k + c]`, row weights included; the bound weights only skip rows of weight
 * 0. Adds `[N_c, S1_c, S2_c]` and, to the weight-sum entry, Σ r_ic; leaves the log-likelihood entry. Same scratch.
 */
export function accumulate_weighted_gauss_full_f64(
  x: usize, w: usize, hasWeights: i32, resp: usize, start: i32, count: i32, d: i32, k: i32,
  means: usize, stats: usize, scratch: usize,
): void {
  accumulateFull(x, w, hasWeights, resp, start, count, d, k, 0, means, 0, 0, stats, scratch);
}

/** The two kernels above: responsibilities from the parameters when `resp` is 0, else loaded from `resp`. */
function accumulateFull(
  x: usize, w: usize, hasWeights: i32, resp: usize, start: i32, count: i32, d: i32, k: i32,
  logConst: usize, means: usize, prec: usize, precStride: i32, stats: usize, scratch: usize,
): void {
  carve(scratch, d, k, logConst, means, prec, precStride);
  carveStatistics(d, k);
  accumulateBlocks<f64>(x, w, hasWeights, resp, start, count, d, k, xt, wt, lp, 0, stats,
    <usize>(1 + d + (d * (d + 1)) / 2) << 3, logDensities, statistics, flushOf);
}

/**
 * Writes the weighted log-densities of rows `[start, start + count)` of the matrix at `x` to `out`, count×k row-major.
 * Same parameters and scratch as `accumulate_gauss_full_f64`.
 */
export function logprob_gauss_full_f64(
  x: usize, start: i32, count: i32, d: i32, k: i32,
  logConst: usize, means: usize, prec: usize, precStride: i32, out: usize, scratch: usize,
): void {
  carve(scratch, d, k, logConst, means, prec, precStride);
  logprobBlocks<f64>(x, start, count, d, k, xt, wt, lp, out, logDensities);
}
