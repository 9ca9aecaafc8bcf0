/**
 * Fused E-step and statistics for diagonal (and spherical) covariances on float32 data, f32x4 across rows, statistics
 * in f64. Twin: `src/backend/js/gaussian-diag-f32.ts`. Same arguments and statistics layout as `gaussian-diag.ts`,
 * except that `x` is n×d float32 row-major.
 *
 * Precision, as in `gaussian-full-f32.ts`: μ and p = 1/σ are rounded once per call to f32 copies in scratch; the
 * E-step `y_j = (x_j − μ32_j)·p32_j`, `m = Σ_j y_j²` runs in f32 in the twin's order (bit-identical `m`), `lc − ½m`, the
 * log-sum-exp, the log-likelihood and N in f64, the responsibilities r rounded once to f32. S1 and S2 are summed over
 * each 64-row span (`SPAN32`) in f32x4 lanes (at most 16 products `fround(r·diff)`, `fround(fround(r·diff)·diff)` per
 * lane), then widened and added in f64: against the f64 sum of the same `fround(r·diff)` factors each span entry is
 * off by at most 16·2⁻²⁴·Σ|t| ≈ 9.5e−7·Σ|t| (Higham 2002, eq. 4.4; one 2⁻²⁴ more where r rounds differently from the
 * twin's), with Σ|t| = S2 for S2 and ≤ √(N·S2) ≤ max(N, S2) for S1: the 1e−6 of the component's scale the tests allow.
 *
 * Scratch layout (bytes from `scratch`, 16-byte aligned; B = BLOCK_ROWS):
 *   xt: d f32 planes (the transposed block) · r32: k f32 planes (responsibilities) · lp: k f64 planes (log-densities)
 *   · wt: 1 f64 plane (row weights) · μ32: k·d floats (rounded up to 16 bytes) · p32: k·d floats · list: B/4 u32
 *   (offsets of the row quads with a nonzero responsibility, see `activeGroups`)
 * = 4·B·(d + k) + 8·B·(k + 1) + align16(4kd) + 4kd + B bytes.
 */
import { accumulateBlocks, logprobBlocks, noFlush } from './block-loop';
import { PLANE, activeGroups } from './simd';
import { PLANE32, SPAN32, align16, hsum32, madd32, storeLogDens, sumPlane32, toF32 } from './simd-f32';

/** Writes the f64 plane `lc − ½ Σ_j ((x_j − μ_j) p_j)²` of the nbp rows of the f32 block `xt` to `out`, 16 rows at once. */
function logDensDiag32(xt: usize, out: usize, nbp: i32, d: i32, lc: f64, mu: usize, pr: usize): void {
  const bytes = <usize>nbp << 2;
  const lcv = f64x2.splat(lc);
  for (let t: usize = 0; t < bytes; t += 64) {
    let m0 = f32x4.splat(0);
    let m1 = m0;
    let m2 = m0;
    let m3 = m0;
    let xp = xt + t;
    for (let j = 0; j < d; j++) {
      const off = <usize>j << 2;
      const mv = v128.load32_splat(mu + off);
      const pv = v128.load32_splat(pr + off);
      const y0 = f32x4.mul(f32x4.sub(v128.load(xp), mv), pv);
      const y1 = f32x4.mul(f32x4.sub(v128.load(xp, 16), mv), pv);
      const y2 = f32x4.mul(f32x4.sub(v128.load(xp, 32), mv), pv);
      const y3 = f32x4.mul(f32x4.sub(v128.load(xp, 48), mv), pv);
      m0 = madd32(y0, y0, m0);
      m1 = madd32(y1, y1, m1);
      m2 = madd32(y2, y2, m2);
      m3 = madd32(y3, y3, m3);
      xp += PLANE32;
    }
    const o = out + (t << 1);
    storeLogDens(o, m0, lcv);
    storeLogDens(o + 32, m1, lcv);
    storeLogDens(o + 64, m2, lcv);
    storeLogDens(o + 96, m3, lcv);
  }
}

/**
 * Adds one component's statistics `[N, S1 (d), S2 (d)]` of the block to `st` (f64), given its f32 responsibilities
 * plane `r` (0 on padding): N in f64, S1 and S2 in f32 lanes over each span of 32 rows.
 */
function statsDiag32(xt: usize, r: usize, nbp: i32, d: i32, mu: usize, st: usize): void {
  const nq = activeGroups(r, <usize>nbp << 2, list);
  if (nq == 0) return;
  const bytes = <usize>nq << 4;
  store<f64>(st, load<f64>(st) + sumPlane32(r, nbp));
  const s1p = st + 8;
  const s2p = s1p + (<usize>d << 3);
  let xp = xt;
  for (let j = 0; j < d; j++) {
    const mv = v128.load32_splat(mu + (<usize>j << 2));
    const off = <usize>j << 3;
    for (let h: usize = 0; h < bytes; h += SPAN32) {
      const end = min(h + SPAN32, bytes);
      let s1 = f32x4.splat(0);
      let s2 = s1;
      for (let q = h; q < end; q += 16) {
        const p = <usize>load<u32>(list + (q >> 2));
        const dv = f32x4.sub(v128.load(xp + p), mv);
        const rv = f32x4.mul(v128.load(r + p), dv);
        s1 = f32x4.add(s1, rv);
        s2 = madd32(rv, dv, s2);
      }
      store<f64>(s1p + off, load<f64>(s1p + off) + hsum32(s1));
      store<f64>(s2p + off, load<f64>(s2p + off) + hsum32(s2));
    }
    xp += PLANE32;
  }
}

// Byte offsets of the scratch regions (layout above), set by `carve`: module globals, since kernels do not allocate.
let xt: usize = 0;
let r32: usize = 0;
let lp: usize = 0;
let wt: usize = 0;
let mu32: usize = 0;
let prec32: usize = 0;
let list: usize = 0;

let dims: i32 = 0;
let logConsts: usize = 0;

/** Carves `scratch` into the regions above, fills μ32 and p32 and keeps the call's parameters. */
function carve(scratch: usize, d: i32, k: i32, logConst: usize, means: usize, prec: usize): void {
  xt = scratch;
  r32 = xt + <usize>d * PLANE32;
  lp = r32 + <usize>k * PLANE32;
  wt = lp + <usize>k * PLANE;
  mu32 = wt + PLANE;
  prec32 = mu32 + align16(<usize>(k * d) << 2);
  list = prec32 + (<usize>(k * d) << 2);
  dims = d;
  logConsts = logConst;
  toF32(means, mu32, k * d);
  toF32(prec, prec32, k * d);
}

/** The log-density planes of the k components, once per block (`logDensDiag32`). */
function logDensities(nbp: i32, k: i32): void {
  for (let c = 0; c < k; c++) {
    const cOff = <usize>c * (<usize>dims << 2);
    logDensDiag32(xt, lp + <usize>c * PLANE, nbp, dims, load<f64>(logConsts + (<usize>c << 3)), mu32 + cOff,
      prec32 + cOff);
  }
}

/** The block statistics of each of the k components (`statsDiag32`), added to its statistics `st`. */
function statistics(nbp: i32, k: i32, stats: usize, compBytes: usize): void {
  for (let c = 0; c < k; c++) {
    const st = stats + <usize>c * compBytes;
    statsDiag32(xt, r32 + <usize>c * PLANE32, nbp, dims, mu32 + <usize>c * (<usize>dims << 2), st);
  }
}

/**
 * Adds the statistics of rows `[start, start + count)` of the n×d float32 row-major matrix at `x` into `stats` (f64,
 * layout in `src/backend/kernel.ts`). Arguments as `accumulate_gauss_diag_f64`; `scratch` needs the bytes of the
 * layout above, 16-byte aligned.
 */
export function accumulate_gauss_diag_f32(
  x: usize, w: usize, hasWeights: i32, start: i32, count: i32, d: i32, k: i32,
  logConst: usize, means: usize, prec: usize, stats: usize, scratch: usize,
): void {
  carve(scratch, d, k, logConst, means, prec);
  accumulateBlocks<f32>(x, w, hasWeights, 0, start, count, d, k, xt, wt, lp, r32, stats, <usize>(1 + 2 * d) << 3,
    logDensities, statistics, noFlush);
}

/**
 * Writes the weighted log-densities (f64) of rows `[start, start + count)` of the float32 matrix at `x` to `out`,
 * count×k row-major. Same parameters and scratch as `accumulate_gauss_diag_f32`.
 */
export function logprob_gauss_diag_f32(
  x: usize, start: i32, count: i32, d: i32, k: i32,
  logConst: usize, means: usize, prec: usize, out: usize, scratch: usize,
): void {
  carve(scratch, d, k, logConst, means, prec);
  logprobBlocks<f32>(x, start, count, d, k, xt, wt, lp, out, logDensities);
}
