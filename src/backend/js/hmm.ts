/**
 * Plain-TypeScript twin of `assembly/hmm.ts`: scaled forward–backward and Viterbi over one sequence of a hidden Markov
 * model (Rabiner 1989, "A tutorial on hidden Markov models and selected applications in speech recognition", §III
 * and §V.A). Scalar loops written for clarity, in the order the WebAssembly kernel computes; the oracle for it.
 *
 * Notation (all arrays row-major float64): T steps, K states, `logB[t·K + j] = log p(x_t | z_t = j)`,
 * `startProb[j] = π_j`, `transMat[i·K + j] = A_ij = p(z_{t+1} = j | z_t = i)`.
 *
 * Forward pass, step t (Rabiner eqs. 91–92b, with the emissions shifted by their row's largest value m_t):
 *   pred_j = π_j (t = 0) or Σ_i α̂_{t−1}(i) A_ij,   b̃_t(j) = exp(logB_tj − m_t),
 *   c_t = Σ_j pred_j b̃_t(j),   α̂_t(j) = pred_j b̃_t(j) / c_t,   log p(x_{0..T−1}) = Σ_t (m_t + log c_t).
 * Backward pass (eqs. 93–95): β̂_{T−1} = 1, `v_j = b̃_{t+1}(j) β̂_{t+1}(j) / c_{t+1}`, `β̂_t(i) = Σ_j A_ij v_j`,
 *   γ_t(i) = α̂_t(i) β̂_t(i),   ξ_t(i, j) = α̂_t(i) A_ij v_j,
 * the sum Σ_t ξ_t(i, j) taken as A_ij · Σ_t α̂_t(i) v_j (one product per step and entry, A applied once at the end).
 */

/**
 * Arguments of `exp` below −700 give exactly 0 (as the kernel's `expNonPositive`, whose range starts there): such a
 * scaled emission is under e⁻⁷⁰⁰ of its step's largest, and no subnormal number ever enters the recursion.
 */
export const HMM_EXP_FLUSH = -700;

/**
 * A step whose scale `c_t` falls below this (the states that the past makes likely all have emissions under about
 * 10⁻¹⁸⁰ of the step's best one) is scaled again about `m'_t = max_j (logB_tj + log pred_j)` instead of the row's
 * largest emission (`rescaleStep`), so that α̂ keeps full precision.
 */
export const HMM_MIN_SCALE = 2 ** -600;

/** Largest value of a rescaled emission `b̃_t(j)` (e⁷⁰⁰), reached only by states whose pred_j is under e⁻⁷⁰⁰. */
const MAX_RESCALED = Math.exp(700);

/** `exp(x)` for x ≤ 0, 0 below `HMM_EXP_FLUSH` (and for NaN, the difference of two −∞). */
function expFlushed(x: number): number {
  return x >= HMM_EXP_FLUSH ? Math.exp(x) : 0;
}

/** Checks the sizes of one sequence's arrays; throws a RangeError naming the first wrong one. */
export function checkHmmArgs(logB: ArrayLike<number>, T: number, K: number, startProb: ArrayLike<number>,
  transMat: ArrayLike<number>): void {
  if (!Number.isInteger(T) || T < 1) throw new RangeError(`T: expected an integer ≥ 1, got ${T}`);
  if (!Number.isInteger(K) || K < 1) throw new RangeError(`K: expected an integer ≥ 1, got ${K}`);
  if (logB.length < T * K) throw new RangeError(`logB: expected ${T * K} values (T×K = ${T}×${K}), got ${logB.length}`);
  if (startProb.length < K) throw new RangeError(`startProb: expected ${K} values, got ${startProb.length}`);
  if (transMat.length < K * K) throw new RangeError(`transMat: expected ${K * K} values (K×K), got ${transMat.length}`);
}

/** Checks the length of an output array. */
export function checkOutput(name: string, out: ArrayLike<number>, length: number, what: string): void {
  if (out.length < length) throw new RangeError(`${name}: expected ${length} values (${what}), got ${out.length}`);
}

/**
 * The fallback of a forward step whose scale is below `HMM_MIN_SCALE` (or 0): with `m' = max_j (logB_j + log pred_j)`
 * over the states with pred_j > 0, writes `b̃_j = exp(min(logB_j − m', 700))` for them and 0 for the others, and the
 * products `pred_j b̃_j` into `alpha`; returns `m'`. When no state can emit (every one with pred_j > 0 has
 * logB_j = −∞) the step is impossible: `b̃ = 1`, `alpha = pred`, and the result is −∞. Shared by both backends (the
 * kernel calls back into nothing: it runs the same scalar loop).
 */
export function rescaleStep(logB: Float64Array, row: number, K: number, pred: Float64Array, b: Float64Array,
  alpha: Float64Array, out: number): number {
  let mp = -Infinity;
  for (let j = 0; j < K; j++) {
    if (pred[j]! > 0) {
      const v = logB[row + j]! + Math.log(pred[j]!);
      if (v > mp) mp = v;
    }
  }
  if (mp === -Infinity) {
    for (let j = 0; j < K; j++) {
      b[row + j] = 1;
      alpha[out + j] = pred[j]!;
    }
    return mp;
  }
  for (let j = 0; j < K; j++) {
    let bj = 0;
    if (pred[j]! > 0) {
      const x = logB[row + j]! - mp;
      bj = x > 700 ? MAX_RESCALED : expFlushed(x);
    }
    b[row + j] = bj;
    alpha[out + j] = pred[j]! * bj;
  }
  return mp;
}

/**
 * Scaled forward–backward over one sequence (equations in the file header). Writes γ (T×K) into `gamma`, adds
 * Σ_{t<T−1} ξ_t (K×K) into `xiSum` and returns log p(sequence) (−∞ when the sequence is impossible under the model;
 * γ and ξ then ignore the emissions of its impossible steps). `gamma` holds α̂ during the forward pass.
 */
export function forwardBackwardJs(
  logB: Float64Array, T: number, K: number, startProb: Float64Array, transMat: Float64Array,
  gamma: Float64Array, xiSum: Float64Array,
): number {
  checkHmmArgs(logB, T, K, startProb, transMat);
  checkOutput('gamma', gamma, T * K, 'T×K');
  checkOutput('xiSum', xiSum, K * K, 'K×K');
  const b = new Float64Array(T * K);
  const scale = new Float64Array(T);
  const pred = new Float64Array(K);
  let logp = 0;
  for (let t = 0; t < T; t++) {
    const row = t * K;
    if (t === 0) {
      for (let j = 0; j < K; j++) pred[j] = startProb[j]!;
    } else {
      const prev = row - K;
      for (let j = 0; j < K; j++) {
        let s = 0;
        for (let i = 0; i < K; i++) s += gamma[prev + i]! * transMat[i * K + j]!;
        pred[j] = s;
      }
    }
    let m = -Infinity;
    for (let j = 0; j < K; j++) if (logB[row + j]! > m) m = logB[row + j]!;
    let c = 0;
    for (let j = 0; j < K; j++) {
      const bj = expFlushed(logB[row + j]! - m);
      b[row + j] = bj;
      gamma[row + j] = pred[j]! * bj;
    }
    for (let j = 0; j < K; j++) c += gamma[row + j]!;
    if (!(c >= HMM_MIN_SCALE)) {
      m = rescaleStep(logB, row, K, pred, b, gamma, row);
      c = 0;
      for (let j = 0; j < K; j++) c += gamma[row + j]!;
    }
    for (let j = 0; j < K; j++) gamma[row + j] = gamma[row + j]! / c;
    scale[t] = c;
    logp += m + Math.log(c);
  }

  // Backward pass: β̂ of step t + 1 in `beta`, of step t into `next`; γ_t = α̂_t β̂_t overwrites α̂_t.
  let beta = new Float64Array(K).fill(1);
  let next = new Float64Array(K);
  const v = new Float64Array(K);
  const xi = new Float64Array(K * K);
  for (let t = T - 2; t >= 0; t--) {
    const row = t * K;
    const up = row + K;
    const c = scale[t + 1]!;
    for (let j = 0; j < K; j++) v[j] = gamma[up + j] === 0 ? 0 : (b[up + j]! * beta[j]!) / c;
    for (let i = 0; i < K; i++) {
      const a = gamma[row + i]!;
      if (a === 0) {
        // β̂_t(i) of a state with α̂_t(i) = 0 enters nothing (see the header of `HmmKernels`): 0 keeps it finite.
        next[i] = 0;
        continue;
      }
      let s = 0;
      for (let j = 0; j < K; j++) {
        s += transMat[i * K + j]! * v[j]!;
        xi[i * K + j] += a * v[j]!;
      }
      next[i] = s;
    }
    // γ_{t+1} = α̂_{t+1} β̂_{t+1}, now that α̂_{t+1} is no longer needed.
    for (let j = 0; j < K; j++) gamma[up + j] = gamma[up + j]! * beta[j]!;
    const swap = beta;
    beta = next;
    next = swap;
  }
  for (let j = 0; j < K; j++) gamma[j] = gamma[j]! * beta[j]!;
  for (let q = 0; q < K * K; q++) xiSum[q] += transMat[q]! * xi[q]!;
  return logp;
}

/** `Math.log` of each of the first `n` entries of `p` (log 0 = −∞), the form in which Viterbi reads probabilities. */
export function logOf(p: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let q = 0; q < n; q++) out[q] = Math.log(p[q]!);
  return out;
}

/**
 * Viterbi over one sequence, in log space (Rabiner 1989, §III.B, eqs. 105a–105b with logarithms): δ_0(j) = log π_j +
 * logB_0j, δ_t(j) = max_i (δ_{t−1}(i) + log A_ij) + logB_tj with ψ_t(j) the first (lowest) maximizing i, then the path
 * traced back from the first maximizing state of δ_{T−1}. Writes the path into `path` (length T) and returns its
 * log-probability (−∞ when every path is impossible; the path is then the one of the tie rule). Takes
 * log π and log A (`logOf`), so that both backends add and compare the same numbers and choose the same path.
 */
export function viterbiLogJs(
  logB: Float64Array, T: number, K: number, logStart: Float64Array, logTrans: Float64Array, path: Int32Array,
): number {
  const psi = new Int32Array(T * K);
  let delta = new Float64Array(K);
  let next = new Float64Array(K);
  for (let j = 0; j < K; j++) delta[j] = logStart[j]! + logB[j]!;
  for (let t = 1; t < T; t++) {
    const row = t * K;
    for (let j = 0; j < K; j++) {
      let best = delta[0]! + logTrans[j]!;
      let arg = 0;
      for (let i = 1; i < K; i++) {
        const s = delta[i]! + logTrans[i * K + j]!;
        if (s > best) {
          best = s;
          arg = i;
        }
      }
      next[j] = best + logB[row + j]!;
      psi[row + j] = arg;
    }
    const swap = delta;
    delta = next;
    next = swap;
  }
  let state = 0;
  for (let j = 1; j < K; j++) if (delta[j]! > delta[state]!) state = j;
  const value = delta[state]!;
  for (let t = T - 1; t >= 0; t--) {
    path[t] = state;
    state = psi[t * K + state]!;
  }
  return value;
}

/** Viterbi from probabilities (the `HmmKernels.viterbi` of the js backend). */
export function viterbiJs(
  logB: Float64Array, T: number, K: number, startProb: Float64Array, transMat: Float64Array, path: Int32Array,
): number {
  checkHmmArgs(logB, T, K, startProb, transMat);
  checkOutput('path', path, T, 'T');
  return viterbiLogJs(logB, T, K, logOf(startProb, K), logOf(transMat, K * K), path);
}
