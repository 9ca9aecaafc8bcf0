/**
 * Fused E-step and statistics for full (and tied) covariances, f64x2 across rows. Twin: `src/backend/js/gaussian-full.ts`.
 *
 * Component c has weighted log-density `logConst_c − ½‖(x − μ_c)ᵀ U_c‖²` with `U_c` the upper-triangular precision
 * Cholesky factor (d×d row-major at `prec + 8·c·precStride`; precStride 0 shares one factor, the tied case). The
 * log-densities are computed with the twin's operations in the twin's order (one row per lane), so they agree to the
 * bit; the statistics are summed over a block in lane accumulators and differ from the twin only by rounding.
 *
 * Scratch layout (bytes from `scratch`, 16-byte aligned; B = BLOCK_ROWS, every plane B doubles):
 *   xt: d planes (the transposed block) · df: d planes (x − μ_c) · rd: d planes (r·(x − μ_c)) · lp: k planes
 *   (log-densities, then responsibilities) · wt: 1 plane (row weights)
 * = 8·B·(3d + k + 1) bytes.
 */
import { PLANE, gatherBlock, gatherNext, hsum, padBlock, padTo8, responsibilities, scatterRows, sumWeights } from './simd';

/**
 * Writes the plane `logConst − ½‖(x − μ)ᵀ U‖²` of the nbp rows of the block `xt` to `out`, leaving x − μ in `df`.
 * y_j = Σ_{a≤j} diff_a U[a][j] is computed for 4 row pairs at once so that each broadcast U entry is used 4 times.
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
    for (let j = 0; j < d; j++) {
      let y0 = f64x2.splat(0);
      let y1 = y0;
      let y2 = y0;
      let y3 = y0;
      let up = u + (<usize>j << 3);
      let dp = df + t;
      for (let a = 0; a <= j; a++) {
        const uv = v128.load64_splat(up);
        y0 = f64x2.add(y0, f64x2.mul(v128.load(dp), uv));
        y1 = f64x2.add(y1, f64x2.mul(v128.load(dp, 16), uv));
        y2 = f64x2.add(y2, f64x2.mul(v128.load(dp, 32), uv));
        y3 = f64x2.add(y3, f64x2.mul(v128.load(dp, 48), uv));
        up += uRow;
        dp += PLANE;
      }
      m0 = f64x2.add(m0, f64x2.mul(y0, y0));
      m1 = f64x2.add(m1, f64x2.mul(y1, y1));
      m2 = f64x2.add(m2, f64x2.mul(y2, y2));
      m3 = f64x2.add(m3, f64x2.mul(y3, y3));
    }
    const o = out + t;
    v128.store(o, f64x2.sub(lcv, f64x2.mul(half, m0)));
    v128.store(o, f64x2.sub(lcv, f64x2.mul(half, m1)), 16);
    v128.store(o, f64x2.sub(lcv, f64x2.mul(half, m2)), 32);
    v128.store(o, f64x2.sub(lcv, f64x2.mul(half, m3)), 48);
  }
}

/**
 * Adds one component's statistics `[N, S1 (d), S2 (packed upper triangle)]` of the block to `st`, given its
 * responsibilities plane `r` (0 on padding). S2 is the small product (r·diff)ᵀ diff over the block's rows.
 */
function statsFull(xt: usize, df: usize, rd: usize, r: usize, nbp: i32, d: i32, mu: usize, st: usize): void {
  const bytes = <usize>nbp << 3;
  let nv = f64x2.splat(0);
  for (let p: usize = 0; p < bytes; p += 16) nv = f64x2.add(nv, v128.load(r + p));
  store<f64>(st, load<f64>(st) + hsum(nv));

  let src = xt;
  let dp = df;
  let rp = rd;
  for (let a = 0; a < d; a++) {
    const m = v128.load64_splat(mu + (<usize>a << 3));
    let s1 = f64x2.splat(0);
    for (let p: usize = 0; p < bytes; p += 16) {
      const dv = f64x2.sub(v128.load(src + p), m);
      const rv = f64x2.mul(v128.load(r + p), dv);
      v128.store(dp + p, dv);
      v128.store(rp + p, rv);
      s1 = f64x2.add(s1, rv);
    }
    const s = st + (<usize>(1 + a) << 3);
    store<f64>(s, load<f64>(s) + hsum(s1));
    src += PLANE;
    dp += PLANE;
    rp += PLANE;
  }

  // Entry (a, b), a ≤ b, of S2 is at a·d − a(a−1)/2 + (b − a) after [N, S1].
  let out = st + (<usize>(1 + d) << 3);
  let ra = rd;
  for (let a = 0; a < d; a++) {
    let b = a;
    let db = df + <usize>a * PLANE;
    for (; b + 4 <= d; b += 4) {
      const db1 = db + PLANE;
      const db2 = db1 + PLANE;
      const db3 = db2 + PLANE;
      let acc0 = f64x2.splat(0);
      let acc1 = acc0;
      let acc2 = acc0;
      let acc3 = acc0;
      for (let p: usize = 0; p < bytes; p += 16) {
        const rv = v128.load(ra + p);
        acc0 = f64x2.add(acc0, f64x2.mul(rv, v128.load(db + p)));
        acc1 = f64x2.add(acc1, f64x2.mul(rv, v128.load(db1 + p)));
        acc2 = f64x2.add(acc2, f64x2.mul(rv, v128.load(db2 + p)));
        acc3 = f64x2.add(acc3, f64x2.mul(rv, v128.load(db3 + p)));
      }
      store<f64>(out, load<f64>(out) + hsum(acc0));
      store<f64>(out, load<f64>(out, 8) + hsum(acc1), 8);
      store<f64>(out, load<f64>(out, 16) + hsum(acc2), 16);
      store<f64>(out, load<f64>(out, 24) + hsum(acc3), 24);
      out += 32;
      db += 4 * PLANE;
    }
    for (; b < d; b++) {
      let acc = f64x2.splat(0);
      for (let p: usize = 0; p < bytes; p += 16) acc = f64x2.add(acc, f64x2.mul(v128.load(ra + p), v128.load(db + p)));
      store<f64>(out, load<f64>(out) + hsum(acc));
      out += 8;
      db += PLANE;
    }
    ra += PLANE;
  }
}

/**
 * Adds the statistics of rows `[start, start + count)` of the n×d row-major matrix at `x` into `stats` (layout in
 * `src/backend/kernel.ts`: k blocks `[N_c, S1_c (d), S2_c (d(d+1)/2)]`, then `[loglik, weightSum]`). Weights are
 * read from `w` (one f64 per row of x) when `hasWeights` ≠ 0, else 1; rows of weight 0 are skipped. `precStride` is
 * in doubles (d·d, or 0 for one shared factor). `scratch` needs 8·BLOCK_ROWS·(3d + k + 1) bytes, 16-byte aligned.
 */
export function accumulate_gauss_full_f64(
  x: usize, w: usize, hasWeights: i32, start: i32, count: i32, d: i32, k: i32,
  logConst: usize, means: usize, prec: usize, precStride: i32, stats: usize, scratch: usize,
): void {
  const xt = scratch;
  const df = xt + <usize>d * PLANE;
  const rd = df + <usize>d * PLANE;
  const lp = rd + <usize>d * PLANE;
  const wt = lp + <usize>k * PLANE;
  const rowBytes = <usize>d << 3;
  const uBytes = <usize>precStride << 3;
  const compBytes = <usize>(1 + d + (d * (d + 1)) / 2) << 3;
  let ll = 0.0;
  let wsum = 0.0;
  let i = 0;
  while (i < count) {
    const nb = gatherBlock(x, w, hasWeights, start, i, count, d, xt, wt);
    i = gatherNext;
    if (nb == 0) break;
    const nbp = padTo8(nb);
    padBlock(xt, wt, nb, nbp, d);
    wsum = sumWeights(wt, nb, wsum);
    for (let c = 0; c < k; c++) {
      logDensFull(xt, df, lp + <usize>c * PLANE, nbp, d, load<f64>(logConst + (<usize>c << 3)),
        means + <usize>c * rowBytes, prec + <usize>c * uBytes);
    }
    ll = responsibilities(lp, wt, nb, nbp, k, ll);
    for (let c = 0; c < k; c++) {
      statsFull(xt, df, rd, lp + <usize>c * PLANE, nbp, d, means + <usize>c * rowBytes, stats + <usize>c * compBytes);
    }
  }
  const tail = stats + <usize>k * compBytes;
  store<f64>(tail, load<f64>(tail) + ll);
  store<f64>(tail, load<f64>(tail, 8) + wsum, 8);
}

/**
 * Writes the weighted log-densities of rows `[start, start + count)` of the matrix at `x` to `out`, count×k row-major.
 * Same parameters and scratch as `accumulate_gauss_full_f64`.
 */
export function logprob_gauss_full_f64(
  x: usize, start: i32, count: i32, d: i32, k: i32,
  logConst: usize, means: usize, prec: usize, precStride: i32, out: usize, scratch: usize,
): void {
  const xt = scratch;
  const df = xt + <usize>d * PLANE;
  const lp = df + <usize>(2 * d) * PLANE;
  const wt = lp + <usize>k * PLANE;
  const rowBytes = <usize>d << 3;
  const uBytes = <usize>precStride << 3;
  const outRow = <usize>k << 3;
  let i = 0;
  while (i < count) {
    const first = i;
    const nb = gatherBlock(x, 0, 0, start, i, count, d, xt, wt);
    i = gatherNext;
    const nbp = padTo8(nb);
    padBlock(xt, wt, nb, nbp, d);
    for (let c = 0; c < k; c++) {
      logDensFull(xt, df, lp + <usize>c * PLANE, nbp, d, load<f64>(logConst + (<usize>c << 3)),
        means + <usize>c * rowBytes, prec + <usize>c * uBytes);
    }
    scatterRows(lp, nb, k, out + <usize>first * outRow);
  }
}
