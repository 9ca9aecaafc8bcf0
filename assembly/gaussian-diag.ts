/**
 * Fused E-step and statistics for diagonal (and spherical) covariances, f64x2 across rows.
 * Twin: `src/backend/js/gaussian-diag.ts`.
 *
 * Component c has weighted log-density `logConst_c − ½ Σ_j ((x_j − μ_cj) p_cj)²` with `p_cj = 1/σ_cj` (k×d row-major at
 * `prec`; spherical repeats one value d times). Log-densities use the twin's operations in the twin's order, one row
 * per lane; the statistics are summed over a block in lane accumulators.
 *
 * Scratch layout (bytes from `scratch`, 16-byte aligned; B = BLOCK_ROWS, every plane B doubles):
 *   xt: d planes (the transposed block) · lp: k planes (log-densities, then responsibilities) · wt: 1 plane ·
 *   acc: per component 1 + 2d v128 lane accumulators of N, S1, S2, summed over the blocks of one call
 * = 8·B·(d + k + 1) + 16·k·(1 + 2d) bytes.
 */
import { accumulateBlocks, logprobBlocks } from './block-loop';
import { BLOCK_ROWS, PLANE, activeGroups, hsum, madd } from './simd';

/** Writes the plane `logConst − ½ Σ_j ((x_j − μ_j) p_j)²` of the nbp rows of the block `xt` to `out`, 4 row pairs at once. */
function logDensDiag(xt: usize, out: usize, nbp: i32, d: i32, lc: f64, mu: usize, pr: usize): void {
  const bytes = <usize>nbp << 3;
  const half = f64x2.splat(0.5);
  const lcv = f64x2.splat(lc);
  for (let t: usize = 0; t < bytes; t += 64) {
    let m0 = f64x2.splat(0);
    let m1 = m0;
    let m2 = m0;
    let m3 = m0;
    let xp = xt + t;
    for (let j = 0; j < d; j++) {
      const off = <usize>j << 3;
      const mv = v128.load64_splat(mu + off);
      const pv = v128.load64_splat(pr + off);
      const y0 = f64x2.mul(f64x2.sub(v128.load(xp), mv), pv);
      const y1 = f64x2.mul(f64x2.sub(v128.load(xp, 16), mv), pv);
      const y2 = f64x2.mul(f64x2.sub(v128.load(xp, 32), mv), pv);
      const y3 = f64x2.mul(f64x2.sub(v128.load(xp, 48), mv), pv);
      m0 = madd(y0, y0, m0);
      m1 = madd(y1, y1, m1);
      m2 = madd(y2, y2, m2);
      m3 = madd(y3, y3, m3);
      xp += PLANE;
    }
    const o = out + t;
    v128.store(o, f64x2.sub(lcv, f64x2.mul(half, m0)));
    v128.store(o, f64x2.sub(lcv, f64x2.mul(half, m1)), 16);
    v128.store(o, f64x2.sub(lcv, f64x2.mul(half, m2)), 32);
    v128.store(o, f64x2.sub(lcv, f64x2.mul(half, m3)), 48);
  }
}

/**
 * Adds one component's block statistics to its lane accumulators `acc` (v128 each: `[N, S1 (d), S2 (d)]`, both lanes
 * summed only at the end of the call), given its responsibilities plane `r`. Only the row pairs with a nonzero
 * responsibility are read (their offsets go to `list`, see `activeGroups`); two of them per step, in two sets of sums,
 * so that consecutive additions do not wait on each other, and two features per pass over the list (each pair's
 * responsibilities loaded once for both), with a last single feature when d is odd.
 */
function statsDiag(xt: usize, r: usize, nbp: i32, d: i32, mu: usize, acc: usize, list: usize): void {
  const np = activeGroups(r, <usize>nbp << 3, list);
  if (np == 0) return;
  const listBytes = <usize>np << 2;
  const evenBytes = listBytes & ~(<usize>7);
  let nv = v128.load(acc);
  for (let q: usize = 0; q < listBytes; q += 4) nv = f64x2.add(nv, v128.load(r + <usize>load<u32>(list + q)));
  v128.store(acc, nv);
  const s1p = acc + 16;
  const s2p = s1p + (<usize>d << 4);
  let xp = xt;
  let j = 0;
  // Two features per pass over the listed pairs; each feature's sums are taken in the same order as one at a time.
  for (; j + 1 < d; j += 2) {
    const off = <usize>j << 4;
    const mv = v128.load64_splat(mu + (<usize>j << 3));
    const mw = v128.load64_splat(mu + (<usize>j << 3), 8);
    let s1 = v128.load(s1p + off);
    let s2 = v128.load(s2p + off);
    let u1 = v128.load(s1p + off, 16);
    let u2 = v128.load(s2p + off, 16);
    let t1 = f64x2.splat(0);
    let t2 = t1;
    let w1 = t1;
    let w2 = t1;
    for (let q: usize = 0; q < evenBytes; q += 8) {
      const p0 = <usize>load<u32>(list + q);
      const p1 = <usize>load<u32>(list + q, 4);
      const r0 = v128.load(r + p0);
      const r1 = v128.load(r + p1);
      const dv = f64x2.sub(v128.load(xp + p0), mv);
      const rv = f64x2.mul(r0, dv);
      const ev = f64x2.sub(v128.load(xp + p1), mv);
      const qv = f64x2.mul(r1, ev);
      s1 = f64x2.add(s1, rv);
      s2 = madd(rv, dv, s2);
      t1 = f64x2.add(t1, qv);
      t2 = madd(qv, ev, t2);
      const fv = f64x2.sub(v128.load(xp + PLANE + p0), mw);
      const gv = f64x2.mul(r0, fv);
      const hv = f64x2.sub(v128.load(xp + PLANE + p1), mw);
      const kv = f64x2.mul(r1, hv);
      u1 = f64x2.add(u1, gv);
      u2 = madd(gv, fv, u2);
      w1 = f64x2.add(w1, kv);
      w2 = madd(kv, hv, w2);
    }
    if (evenBytes < listBytes) {
      const p0 = <usize>load<u32>(list + evenBytes);
      const r0 = v128.load(r + p0);
      const dv = f64x2.sub(v128.load(xp + p0), mv);
      const rv = f64x2.mul(r0, dv);
      s1 = f64x2.add(s1, rv);
      s2 = madd(rv, dv, s2);
      const fv = f64x2.sub(v128.load(xp + PLANE + p0), mw);
      const gv = f64x2.mul(r0, fv);
      u1 = f64x2.add(u1, gv);
      u2 = madd(gv, fv, u2);
    }
    v128.store(s1p + off, f64x2.add(s1, t1));
    v128.store(s2p + off, f64x2.add(s2, t2));
    v128.store(s1p + off, f64x2.add(u1, w1), 16);
    v128.store(s2p + off, f64x2.add(u2, w2), 16);
    xp += PLANE << 1;
  }
  for (; j < d; j++) {
    const off = <usize>j << 4;
    const mv = v128.load64_splat(mu + (<usize>j << 3));
    let s1 = v128.load(s1p + off);
    let s2 = v128.load(s2p + off);
    let t1 = f64x2.splat(0);
    let t2 = t1;
    for (let q: usize = 0; q < evenBytes; q += 8) {
      const p0 = <usize>load<u32>(list + q);
      const p1 = <usize>load<u32>(list + q, 4);
      const dv = f64x2.sub(v128.load(xp + p0), mv);
      const rv = f64x2.mul(v128.load(r + p0), dv);
      const ev = f64x2.sub(v128.load(xp + p1), mv);
      const qv = f64x2.mul(v128.load(r + p1), ev);
      s1 = f64x2.add(s1, rv);
      s2 = madd(rv, dv, s2);
      t1 = f64x2.add(t1, qv);
      t2 = madd(qv, ev, t2);
    }
    if (evenBytes < listBytes) {
      const p0 = <usize>load<u32>(list + evenBytes);
      const dv = f64x2.sub(v128.load(xp + p0), mv);
      const rv = f64x2.mul(v128.load(r + p0), dv);
      s1 = f64x2.add(s1, rv);
      s2 = madd(rv, dv, s2);
    }
    v128.store(s1p + off, f64x2.add(s1, t1));
    v128.store(s2p + off, f64x2.add(s2, t2));
    xp += PLANE;
  }
}

/** Adds the lane sums of one component's accumulators `acc` (`[N, S1 (d), S2 (d)]`) into its statistics `st`. */
function flushDiag(acc: usize, d: i32, st: usize): void {
  for (let q = 0; q <= 2 * d; q++) {
    const s = st + (<usize>q << 3);
    store<f64>(s, load<f64>(s) + hsum(v128.load(acc + (<usize>q << 4))));
  }
}

// The call's scratch regions and parameters (layout above), set by `carve`: module globals, since kernels do not
// allocate and the block loop's callbacks take only the block's size.
let xt: usize = 0;
let lp: usize = 0;
let wt: usize = 0;
let list: usize = 0;
let acc: usize = 0;
let accBytes: usize = 0;
let dims: i32 = 0;
let logConsts: usize = 0;
let meansAt: usize = 0;
let precAt: usize = 0;

/** Carves `scratch` into the regions above and keeps the call's parameters. */
function carve(scratch: usize, d: i32, k: i32, logConst: usize, means: usize, prec: usize): void {
  xt = scratch;
  lp = xt + <usize>d * PLANE;
  wt = lp + <usize>k * PLANE;
  list = wt + PLANE;
  acc = list + (<usize>BLOCK_ROWS << 1);
  accBytes = <usize>(1 + 2 * d) << 4;
  dims = d;
  logConsts = logConst;
  meansAt = means;
  precAt = prec;
}

/** The log-density planes of the k components, once per block (`logDensDiag`). */
function logDensities(nbp: i32, k: i32): void {
  for (let c = 0; c < k; c++) {
    const cOff = <usize>c * (<usize>dims << 3);
    logDensDiag(xt, lp + <usize>c * PLANE, nbp, dims, load<f64>(logConsts + (<usize>c << 3)), meansAt + cOff,
      precAt + cOff);
  }
}

/** The block statistics of each of the k components (`statsDiag`), into its lane accumulators. */
function statistics(nbp: i32, k: i32, stats: usize, compBytes: usize): void {
  for (let c = 0; c < k; c++) {
    statsDiag(xt, lp + <usize>c * PLANE, nbp, dims, meansAt + <usize>c * (<usize>dims << 3), acc + <usize>c * accBytes,
      list);
  }
}

/** The flush of component c's accumulators (`flushDiag`). */
function flushOf(c: i32, st: usize): void {
  flushDiag(acc + <usize>c * accBytes, dims, st);
}

/**
 * Adds the statistics of rows `[start, start + count)` of the n×d row-major matrix at `x` into `stats` (layout in
 * `src/backend/kernel.ts`: k blocks `[N_c, S1_c (d), S2_c (d)]`, then `[loglik, weightSum]`). Weights are read from
 * `w` when `hasWeights` ≠ 0, else 1; rows of weight 0 are skipped. `scratch` needs the bytes of the layout above,
 * 16-byte aligned.
 */
export function accumulate_gauss_diag_f64(
  x: usize, w: usize, hasWeights: i32, start: i32, count: i32, d: i32, k: i32,
  logConst: usize, means: usize, prec: usize, stats: usize, scratch: usize,
): void {
  accumulateDiag(x, w, hasWeights, 0, start, count, d, k, logConst, means, prec, stats, scratch);
}

/**
 * `accumulate_gauss_diag_f64` with the responsibilities given (`BoundData.accumulateWeighted`): `resp` holds count×k
 * f64, `r_ic` of row `start + i` at `resp[i·k + c]`, row weights included; the bound weights only skip rows of weight
 * 0. Adds `[N_c, S1_c, S2_c]` and, to the weight-sum entry, Σ r_ic; leaves the log-likelihood entry. Same scratch.
 */
export function accumulate_weighted_gauss_diag_f64(
  x: usize, w: usize, hasWeights: i32, resp: usize, start: i32, count: i32, d: i32, k: i32,
  means: usize, stats: usize, scratch: usize,
): void {
  accumulateDiag(x, w, hasWeights, resp, start, count, d, k, 0, means, 0, stats, scratch);
}

/** The two kernels above: responsibilities from the parameters when `resp` is 0, else loaded from `resp`. */
function accumulateDiag(
  x: usize, w: usize, hasWeights: i32, resp: usize, start: i32, count: i32, d: i32, k: i32,
  logConst: usize, means: usize, prec: usize, stats: usize, scratch: usize,
): void {
  carve(scratch, d, k, logConst, means, prec);
  memory.fill(acc, 0, <usize>k * accBytes);
  accumulateBlocks<f64>(x, w, hasWeights, resp, start, count, d, k, xt, wt, lp, 0, stats, <usize>(1 + 2 * d) << 3,
    logDensities, statistics, flushOf);
}

/**
 * Writes the weighted log-densities of rows `[start, start + count)` of the matrix at `x` to `out`, count×k row-major.
 * Same parameters and scratch as `accumulate_gauss_diag_f64`.
 */
export function logprob_gauss_diag_f64(
  x: usize, start: i32, count: i32, d: i32, k: i32,
  logConst: usize, means: usize, prec: usize, out: usize, scratch: usize,
): void {
  carve(scratch, d, k, logConst, means, prec);
  logprobBlocks<f64>(x, start, count, d, k, xt, wt, lp, out, logDensities);
}
