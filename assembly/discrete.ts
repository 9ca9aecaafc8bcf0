/**
 * Fused E-step and statistics of the `'linear'` kernel shape (Bernoulli, categorical and Poisson mixtures), f64x2
 * across rows. Twin: `src/backend/js/linear.ts`.
 *
 * Component c has weighted log-density `logConst_c + Σ_j t_j θ_cj` (without the per-row constant h(x), which does
 * not depend on the parameters): `t` is the row as bound (the data, or its one-hot encoding), `θ` is k×d row-major at
 * `prec`. Log-densities use the twin's operations in the twin's order, one row per lane; the statistics
 * `[N_c, S1_c = Σ_i w_i r_ic t_i]` are raw sums (t holds bounded counts or indicators: no shift is needed), summed over
 * a block in lane accumulators.
 *
 * Scratch layout (bytes from `scratch`, 16-byte aligned; B = BLOCK_ROWS, every plane B doubles):
 *   xt: d planes (the transposed block) · lp: k planes (log-densities, then responsibilities) · wt: 1 plane ·
 *   list: B/2 u32 offsets of active row pairs · acc: per component 1 + d v128 lane accumulators of N and S1, summed
 *   over the blocks of one call
 * = 8·B·(d + k + 1) + 2·B + 16·k·(1 + d) bytes.
 */
import { accumulateBlocks, logprobBlocks } from './block-loop';
import { BLOCK_ROWS, PLANE, activeGroups, hsum, madd } from './simd';

/** Writes the plane `logConst + Σ_j t_j θ_j` of the nbp rows of the block `xt` to `out`, 4 row pairs at once. */
function logDensLinear(xt: usize, out: usize, nbp: i32, d: i32, lc: f64, theta: usize): void {
  const bytes = <usize>nbp << 3;
  const lcv = f64x2.splat(lc);
  for (let t: usize = 0; t < bytes; t += 64) {
    let m0 = f64x2.splat(0);
    let m1 = m0;
    let m2 = m0;
    let m3 = m0;
    let xp = xt + t;
    for (let j = 0; j < d; j++) {
      const tv = v128.load64_splat(theta + (<usize>j << 3));
      m0 = madd(v128.load(xp), tv, m0);
      m1 = madd(v128.load(xp, 16), tv, m1);
      m2 = madd(v128.load(xp, 32), tv, m2);
      m3 = madd(v128.load(xp, 48), tv, m3);
      xp += PLANE;
    }
    const o = out + t;
    v128.store(o, f64x2.add(lcv, m0));
    v128.store(o, f64x2.add(lcv, m1), 16);
    v128.store(o, f64x2.add(lcv, m2), 32);
    v128.store(o, f64x2.add(lcv, m3), 48);
  }
}

/**
 * Adds one component's block statistics to its lane accumulators `acc` (v128 each: `[N, S1 (d)]`, both lanes summed
 * only at the end of the call), given its responsibilities plane `r`. Only the row pairs with a nonzero
 * responsibility are read (their offsets go to `list`, see `activeGroups`); two of them per step, in two sums.
 */
function statsLinear(xt: usize, r: usize, nbp: i32, d: i32, acc: usize, list: usize): void {
  const np = activeGroups(r, <usize>nbp << 3, list);
  if (np == 0) return;
  const listBytes = <usize>np << 2;
  const evenBytes = listBytes & ~(<usize>7);
  let nv = v128.load(acc);
  for (let q: usize = 0; q < listBytes; q += 4) nv = f64x2.add(nv, v128.load(r + <usize>load<u32>(list + q)));
  v128.store(acc, nv);
  const s1p = acc + 16;
  let xp = xt;
  for (let j = 0; j < d; j++) {
    const off = <usize>j << 4;
    let s1 = v128.load(s1p + off);
    let t1 = f64x2.splat(0);
    for (let q: usize = 0; q < evenBytes; q += 8) {
      const p0 = <usize>load<u32>(list + q);
      const p1 = <usize>load<u32>(list + q, 4);
      s1 = madd(v128.load(r + p0), v128.load(xp + p0), s1);
      t1 = madd(v128.load(r + p1), v128.load(xp + p1), t1);
    }
    if (evenBytes < listBytes) {
      const p0 = <usize>load<u32>(list + evenBytes);
      s1 = madd(v128.load(r + p0), v128.load(xp + p0), s1);
    }
    v128.store(s1p + off, f64x2.add(s1, t1));
    xp += PLANE;
  }
}

/** Adds the lane sums of one component's accumulators `acc` (`[N, S1 (d)]`) into its statistics `st`. */
function flushLinear(acc: usize, d: i32, st: usize): void {
  for (let q = 0; q <= d; q++) {
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
let thetas: usize = 0;

/** Carves `scratch` into the regions above and keeps the call's parameters. */
function carve(scratch: usize, d: i32, k: i32, logConst: usize, theta: usize): void {
  xt = scratch;
  lp = xt + <usize>d * PLANE;
  wt = lp + <usize>k * PLANE;
  list = wt + PLANE;
  acc = list + (<usize>BLOCK_ROWS << 1);
  accBytes = <usize>(1 + d) << 4;
  dims = d;
  logConsts = logConst;
  thetas = theta;
}

/** The log-density planes of the k components, once per block (`logDensLinear`). */
function logDensities(nbp: i32, k: i32): void {
  for (let c = 0; c < k; c++) {
    logDensLinear(xt, lp + <usize>c * PLANE, nbp, dims, load<f64>(logConsts + (<usize>c << 3)),
      thetas + <usize>c * (<usize>dims << 3));
  }
}

/** The block statistics of each of the k components (`statsLinear`), into its lane accumulators. */
function statistics(nbp: i32, k: i32, stats: usize, compBytes: usize): void {
  for (let c = 0; c < k; c++) {
    statsLinear(xt, lp + <usize>c * PLANE, nbp, dims, acc + <usize>c * accBytes, list);
  }
}

/** The flush of component c's accumulators (`flushLinear`). */
function flushOf(c: i32, st: usize): void {
  flushLinear(acc + <usize>c * accBytes, dims, st);
}

/**
 * Adds the statistics of rows `[start, start + count)` of the n×d row-major matrix at `x` into `stats` (layout in
 * `src/backend/kernel.ts`, shape `'linear'`: k blocks `[N_c, S1_c (d)]`, then `[loglik, weightSum]`, the loglik
 * without h(x)). Weights are read from `w` when `hasWeights` ≠ 0, else 1; rows of weight 0 are skipped. `scratch`
 * needs the bytes of the layout above, 16-byte aligned.
 */
export function accumulate_linear_f64(
  x: usize, w: usize, hasWeights: i32, start: i32, count: i32, d: i32, k: i32,
  logConst: usize, theta: usize, stats: usize, scratch: usize,
): void {
  carve(scratch, d, k, logConst, theta);
  memory.fill(acc, 0, <usize>k * accBytes);
  accumulateBlocks<f64>(x, w, hasWeights, 0, start, count, d, k, xt, wt, lp, 0, stats, <usize>(1 + d) << 3,
    logDensities, statistics, flushOf);
}

/**
 * Writes the weighted log-densities (without h(x)) of rows `[start, start + count)` of the matrix at `x` to `out`,
 * count×k row-major. Same parameters and scratch as `accumulate_linear_f64`.
 */
export function logprob_linear_f64(
  x: usize, start: i32, count: i32, d: i32, k: i32, logConst: usize, theta: usize, out: usize, scratch: usize,
): void {
  carve(scratch, d, k, logConst, theta);
  logprobBlocks<f64>(x, start, count, d, k, xt, wt, lp, out, logDensities);
}
