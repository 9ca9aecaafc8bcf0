/**
 * Forward–backward (scaled, Rabiner 1989 §V.A) and Viterbi (log space) over one sequence of a hidden Markov model,
 * f64x2 across states. Twin: `src/backend/js/hmm.ts`, whose header gives the equations; `HmmKernels` in
 * `src/backend/kernel.ts` documents the contract.
 *
 * The K×K products run on pairs of states: the forward product `pred = α̂_{t−1} A` and the ξ update on pairs of
 * destination states j (rows of A), the backward product `β̂_t = A v` on pairs of source states i (rows of Aᵀ, which
 * the kernel transposes into scratch once per call). Each sum runs over the other index in increasing order, as the
 * twin's scalar loops do, so the default build computes the twin's products and sums to the bit; the per-step O(K)
 * work (row maxima, scales, the fallback of a tiny scale) is scalar, in the twin's order. Only the exponentials differ
 * (`expNonPositive`, within a few ulp of `Math.exp`), and the logarithms (AssemblyScript's `Math.log`).
 *
 * K is padded to an even Kp in scratch (A and Aᵀ with zero columns, log A with −∞), never in the caller's T×K arrays,
 * whose odd last state is read and written one lane at a time.
 *
 * Scratch of `forward_backward_f64` (bytes from `scratch`, 16-byte aligned): A (Kp×Kp) · Aᵀ (Kp×Kp) · ξ accumulator
 * (Kp×Kp) · pred, β̂_{t+1}, β̂_t, v, b̃_t (Kp each) = 8·(3Kp² + 5Kp) bytes.
 * Scratch of `viterbi_f64`: log A (Kp×Kp) · δ_{t−1}, δ_t, arg-max (i64) (Kp each) = 8·(Kp² + 3Kp) bytes; ψ (T×K i32)
 * is an argument.
 */
import { expNonPositive } from './simd';

/** Exponential arguments below this give 0 (`HMM_EXP_FLUSH` of the twin; `expNonPositive` holds down to −700). */
const EXP_FLUSH: f64 = -700.0;
/** A step whose scale falls below this is scaled again (`HMM_MIN_SCALE` of the twin, 2⁻⁶⁰⁰). */
const MIN_SCALE: f64 = reinterpret<f64>(0x1a70000000000000);
/** Largest rescaled emission, e⁷⁰⁰ (`MAX_RESCALED` of the twin). */
const MAX_RESCALED: f64 = 1.0142320547350045e304;

/** K rounded up to even. */
// @ts-ignore: decorator
@inline function padK(K: i32): i32 {
  return (K + 1) & ~1;
}

/** Bytes of scratch of `forward_backward_f64` for K states. */
export function hmm_scratch_bytes(K: i32): i32 {
  const kp = padK(K);
  return 8 * (3 * kp * kp + 5 * kp);
}

/** Bytes of scratch of `viterbi_f64` for K states. */
export function viterbi_scratch_bytes(K: i32): i32 {
  const kp = padK(K);
  return 8 * (kp * kp + 3 * kp);
}

/**
 * Copies the K×K row-major matrix at `src` into the Kp×Kp matrix at `dst` (and its transpose into `dstT` unless 0),
 * with `pad` in the extra row and column.
 */
function padMatrix(src: usize, K: i32, dst: usize, dstT: usize, pad: f64): void {
  const kp = padK(K);
  for (let i = 0; i < kp; i++) {
    for (let j = 0; j < kp; j++) {
      const v = i < K && j < K ? load<f64>(src + (<usize>(i * K + j) << 3)) : pad;
      store<f64>(dst + (<usize>(i * kp + j) << 3), v);
      if (dstT != 0) store<f64>(dstT + (<usize>(j * kp + i) << 3), v);
    }
  }
}

/**
 * The fallback of a step whose scale is under `MIN_SCALE` (`rescaleStep` of the twin, the same scalar loop): shifts
 * the emissions of row `row` (K values at `lb`, overwritten with b̃) by `m' = max_j (logB_j + log pred_j)` over the
 * states with pred_j > 0 and writes `pred_j b̃_j` to `alpha`; returns m' (−∞ for an impossible step: b̃ = 1,
 * alpha = pred).
 */
function rescaleStep(lb: usize, K: i32, pred: usize, alpha: usize): f64 {
  let mp = -Infinity;
  for (let j = 0; j < K; j++) {
    const p = load<f64>(pred + (<usize>j << 3));
    if (p > 0) {
      const v = load<f64>(lb + (<usize>j << 3)) + Math.log(p);
      if (v > mp) mp = v;
    }
  }
  if (mp == -Infinity) {
    for (let j = 0; j < K; j++) {
      const o = <usize>j << 3;
      store<f64>(lb + o, 1.0);
      store<f64>(alpha + o, load<f64>(pred + o));
    }
    return mp;
  }
  for (let j = 0; j < K; j++) {
    const o = <usize>j << 3;
    const p = load<f64>(pred + o);
    let bj = 0.0;
    if (p > 0) {
      const x = load<f64>(lb + o) - mp;
      bj = x > 700 ? MAX_RESCALED : x >= EXP_FLUSH ? Math.exp(x) : 0.0;
    }
    store<f64>(lb + o, bj);
    store<f64>(alpha + o, p * bj);
  }
  return mp;
}

/**
 * `out_j = Σ_q x_q M_qj` for the Kp×Kp matrix M (rows of `rowBytes`) and the K values at `x`: pairs of j, each sum
 * over q in increasing order (the twin's order; products x_q·M_qj rounded, then added). Four pairs at a time where
 * they exist, so that four sums advance independently.
 */
function matVecPairs(M: usize, x: usize, K: i32, rowBytes: usize, out: usize): void {
  let jp: usize = 0;
  for (; jp + 64 <= rowBytes; jp += 64) {
    let s0 = f64x2.splat(0);
    let s1 = s0;
    let s2 = s0;
    let s3 = s0;
    let mp = M + jp;
    for (let q = 0; q < K; q++) {
      const xv = v128.load64_splat(x + (<usize>q << 3));
      s0 = f64x2.add(s0, f64x2.mul(xv, v128.load(mp)));
      s1 = f64x2.add(s1, f64x2.mul(xv, v128.load(mp, 16)));
      s2 = f64x2.add(s2, f64x2.mul(xv, v128.load(mp, 32)));
      s3 = f64x2.add(s3, f64x2.mul(xv, v128.load(mp, 48)));
      mp += rowBytes;
    }
    v128.store(out + jp, s0);
    v128.store(out + jp, s1, 16);
    v128.store(out + jp, s2, 32);
    v128.store(out + jp, s3, 48);
  }
  for (; jp < rowBytes; jp += 16) {
    let s = f64x2.splat(0);
    let mp = M + jp;
    for (let q = 0; q < K; q++) {
      s = f64x2.add(s, f64x2.mul(v128.load64_splat(x + (<usize>q << 3)), v128.load(mp)));
      mp += rowBytes;
    }
    v128.store(out + jp, s);
  }
}

/** Sum of the K values at `p`, in order. */
function sumRow(p: usize, K: i32): f64 {
  let s = 0.0;
  for (let j = 0; j < K; j++) s += load<f64>(p + (<usize>j << 3));
  return s;
}

/**
 * Scaled forward–backward over one sequence. `logB` (T×K f64) is overwritten with the scaled emissions b̃; writes γ
 * (T×K) to `gamma`, the scales c_t (T) to `scale`, adds Σ_t ξ_t into the K×K matrix at `xi`, and returns
 * log p(sequence). `start` (K) and `trans` (K×K) are the probabilities; `scratch` needs `hmm_scratch_bytes(K)` bytes,
 * 16-byte aligned.
 */
export function forward_backward_f64(
  logB: usize, T: i32, K: i32, start: usize, trans: usize, gamma: usize, scale: usize, xi: usize, scratch: usize,
): f64 {
  const kp = padK(K);
  const kpBytes = <usize>kp << 3;
  const rowBytes = <usize>K << 3;
  const A = scratch;
  const AT = A + <usize>kp * kpBytes;
  const xacc = AT + <usize>kp * kpBytes;
  const pred = xacc + <usize>kp * kpBytes;
  let beta = pred + kpBytes;
  let next = beta + kpBytes;
  const v = next + kpBytes;
  const bt = v + kpBytes;
  padMatrix(trans, K, A, AT, 0.0);
  memory.fill(xacc, 0, <usize>kp * kpBytes);
  memory.fill(pred, 0, 5 * kpBytes);
  const flush = f64x2.splat(EXP_FLUSH);
  const pairs = K >> 1;
  const odd = K & 1;

  let logp = 0.0;
  for (let t = 0; t < T; t++) {
    const lb = logB + <usize>t * rowBytes;
    const al = gamma + <usize>t * rowBytes;
    if (t == 0) {
      memory.copy(pred, start, rowBytes);
    } else {
      // pred_j = Σ_i α̂_{t−1}(i) A_ij, pairs of j, i increasing.
      matVecPairs(A, al - rowBytes, K, kpBytes, pred);
    }
    let m = -Infinity;
    for (let j = 0; j < K; j++) {
      const x = load<f64>(lb + (<usize>j << 3));
      if (x > m) m = x;
    }
    // b̃ = exp(logB − m) over pairs of states (the odd last one in lane 0) into `bt`, α̃ = pred ∘ b̃ into the γ row;
    // b̃ replaces the emissions once the scale is known to be large enough (the fallback reads the emissions).
    const mv = f64x2.splat(m);
    for (let q = 0; q < pairs; q++) {
      const o = <usize>q << 4;
      const e = expNonPositive(f64x2.sub(v128.load(lb + o), mv), flush);
      v128.store(bt + o, e);
      v128.store(al + o, f64x2.mul(v128.load(pred + o), e));
    }
    if (odd) {
      const o = <usize>pairs << 4;
      const e = expNonPositive(f64x2.sub(v128.load64_zero(lb + o), mv), flush);
      v128.store(bt + o, e);
      v128.store64_lane(al + o, f64x2.mul(v128.load(pred + o), e), 0);
    }
    let c = sumRow(al, K);
    if (c >= MIN_SCALE) {
      memory.copy(lb, bt, rowBytes);
    } else {
      m = rescaleStep(lb, K, pred, al);
      c = sumRow(al, K);
    }
    for (let j = 0; j < K; j++) {
      const p = al + (<usize>j << 3);
      store<f64>(p, load<f64>(p) / c);
    }
    store<f64>(scale + (<usize>t << 3), c);
    logp += m + Math.log(c);
  }

  // Backward pass: β̂_{t+1} in `beta`, β̂_t into `next`; γ_{t+1} = α̂_{t+1} β̂_{t+1} once α̂_{t+1} is used.
  for (let j = 0; j < K; j++) store<f64>(beta + (<usize>j << 3), 1.0);
  for (let t = T - 2; t >= 0; t--) {
    const al = gamma + <usize>t * rowBytes;
    const up = al + rowBytes;
    const bUp = logB + <usize>(t + 1) * rowBytes;
    const c = load<f64>(scale + (<usize>(t + 1) << 3));
    for (let j = 0; j < K; j++) {
      const o = <usize>j << 3;
      store<f64>(v + o, load<f64>(up + o) == 0 ? 0.0 : (load<f64>(bUp + o) * load<f64>(beta + o)) / c);
    }
    // β̂_t(i) = Σ_j A_ij v_j = Σ_j v_j Aᵀ_ji, pairs of i (rows of Aᵀ), j increasing.
    matVecPairs(AT, v, K, kpBytes, next);
    // Σ_t α̂_t(i) v_j (times A_ij at the end: Σ_t ξ_t), pairs of j; states with α̂_t(i) = 0 add nothing and get
    // β̂_t(i) = 0.
    for (let i = 0; i < K; i++) {
      const a = load<f64>(al + (<usize>i << 3));
      if (a == 0) {
        store<f64>(next + (<usize>i << 3), 0.0);
        continue;
      }
      const av = f64x2.splat(a);
      const row = <usize>i * kpBytes;
      for (let jp: usize = 0; jp < kpBytes; jp += 16) {
        const x = xacc + row + jp;
        v128.store(x, f64x2.add(v128.load(x), f64x2.mul(av, v128.load(v + jp))));
      }
    }
    for (let j = 0; j < K; j++) {
      const o = <usize>j << 3;
      store<f64>(up + o, load<f64>(up + o) * load<f64>(beta + o));
    }
    const swap = beta;
    beta = next;
    next = swap;
  }
  for (let j = 0; j < K; j++) {
    const o = <usize>j << 3;
    store<f64>(gamma + o, load<f64>(gamma + o) * load<f64>(beta + o));
  }
  for (let i = 0; i < K; i++) {
    for (let j = 0; j < K; j++) {
      const p = xi + (<usize>(i * K + j) << 3);
      const o = <usize>i * kpBytes + (<usize>j << 3);
      store<f64>(p, load<f64>(p) + load<f64>(A + o) * load<f64>(xacc + o));
    }
  }
  return logp;
}

/**
 * Viterbi over one sequence in log space, from `logStart` (K) and `logTrans` (K×K), the logarithms of the
 * probabilities: writes the path (T i32) to `path` and returns its log-probability. `psi` holds T×K i32 back-pointers;
 * `scratch` needs `viterbi_scratch_bytes(K)` bytes, 16-byte aligned. Ties go to the lowest state.
 */
export function viterbi_f64(
  logB: usize, T: i32, K: i32, logStart: usize, logTrans: usize, psi: usize, path: usize, scratch: usize,
): f64 {
  const kp = padK(K);
  const kpBytes = <usize>kp << 3;
  const rowBytes = <usize>K << 3;
  const LA = scratch;
  let delta = LA + <usize>kp * kpBytes;
  let next = delta + kpBytes;
  const args = next + kpBytes;
  padMatrix(logTrans, K, LA, 0, -Infinity);
  for (let j = 0; j < kp; j++) {
    const o = <usize>j << 3;
    store<f64>(delta + o, j < K ? load<f64>(logStart + o) + load<f64>(logB + o) : -Infinity);
  }
  for (let t = 1; t < T; t++) {
    // max_i (δ_{t−1}(i) + log A_ij) and its first arg-max for pairs of j, four pairs at a time where they exist.
    let jp: usize = 0;
    for (; jp + 64 <= kpBytes; jp += 64) {
      const d0 = v128.load64_splat(delta);
      let b0 = f64x2.add(d0, v128.load(LA + jp));
      let b1 = f64x2.add(d0, v128.load(LA + jp, 16));
      let b2 = f64x2.add(d0, v128.load(LA + jp, 32));
      let b3 = f64x2.add(d0, v128.load(LA + jp, 48));
      let a0 = i64x2.splat(0);
      let a1 = a0;
      let a2 = a0;
      let a3 = a0;
      let ap = LA + jp;
      for (let i = 1; i < K; i++) {
        ap += kpBytes;
        const di = v128.load64_splat(delta + (<usize>i << 3));
        const iv = i64x2.splat(<i64>i);
        const s0 = f64x2.add(di, v128.load(ap));
        const s1 = f64x2.add(di, v128.load(ap, 16));
        const s2 = f64x2.add(di, v128.load(ap, 32));
        const s3 = f64x2.add(di, v128.load(ap, 48));
        const g0 = f64x2.gt(s0, b0);
        const g1 = f64x2.gt(s1, b1);
        const g2 = f64x2.gt(s2, b2);
        const g3 = f64x2.gt(s3, b3);
        b0 = v128.bitselect(s0, b0, g0);
        b1 = v128.bitselect(s1, b1, g1);
        b2 = v128.bitselect(s2, b2, g2);
        b3 = v128.bitselect(s3, b3, g3);
        a0 = v128.bitselect(iv, a0, g0);
        a1 = v128.bitselect(iv, a1, g1);
        a2 = v128.bitselect(iv, a2, g2);
        a3 = v128.bitselect(iv, a3, g3);
      }
      v128.store(next + jp, b0);
      v128.store(next + jp, b1, 16);
      v128.store(next + jp, b2, 32);
      v128.store(next + jp, b3, 48);
      v128.store(args + jp, a0);
      v128.store(args + jp, a1, 16);
      v128.store(args + jp, a2, 32);
      v128.store(args + jp, a3, 48);
    }
    for (; jp < kpBytes; jp += 16) {
      let best = f64x2.add(v128.load64_splat(delta), v128.load(LA + jp));
      let arg = i64x2.splat(0);
      let ap = LA + jp;
      for (let i = 1; i < K; i++) {
        ap += kpBytes;
        const s = f64x2.add(v128.load64_splat(delta + (<usize>i << 3)), v128.load(ap));
        const gt = f64x2.gt(s, best);
        best = v128.bitselect(s, best, gt);
        arg = v128.bitselect(i64x2.splat(<i64>i), arg, gt);
      }
      v128.store(next + jp, best);
      v128.store(args + jp, arg);
    }
    // δ_t(j) = that max + logB_tj, ψ_t(j) = its arg-max.
    const lb = logB + <usize>t * rowBytes;
    const ps = psi + (<usize>(t * K) << 2);
    for (let j = 0; j < K; j++) {
      const o = <usize>j << 3;
      store<f64>(next + o, load<f64>(next + o) + load<f64>(lb + o));
      store<i32>(ps + (<usize>j << 2), <i32>load<i64>(args + o));
    }
    const swap = delta;
    delta = next;
    next = swap;
  }
  let state = 0;
  for (let j = 1; j < K; j++) if (load<f64>(delta + (<usize>j << 3)) > load<f64>(delta + (<usize>state << 3))) state = j;
  const value = load<f64>(delta + (<usize>state << 3));
  for (let t = T - 1; t >= 0; t--) {
    store<i32>(path + (<usize>t << 2), state);
    state = load<i32>(psi + (<usize>(t * K + state) << 2));
  }
  return value;
}
