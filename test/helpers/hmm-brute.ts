/**
 * Brute-force HMM quantities by enumerating all K^T state paths of a short sequence: the likelihood, the posteriors
 * γ and Σ_t ξ_t, the most probable path. Independent of the kernels (no recursion, no scaling).
 */

/** A tiny HMM as plain arrays: π (K), A (K×K), and the emission log-densities of a sequence, logB (T×K). */
export interface TinyHmm {
  readonly start: number[];
  readonly trans: number[][];
  readonly logB: number[][];
}

/** What enumeration gives for one sequence. */
export interface Enumerated {
  /** log p(x). */
  readonly logLik: number;
  /** γ, T×K. */
  readonly gamma: number[][];
  /** Σ_t ξ_t, K×K. */
  readonly xiSum: number[][];
  /** The most probable path and its joint log-probability. */
  readonly best: number[];
  readonly bestLogProb: number;
}

/** Enumerates every path z ∈ {0…K−1}^T with `p(x, z) = π_{z_1} b_{z_1}(x_1) Π A_{z_{t−1} z_t} b_{z_t}(x_t)`. */
export function enumerate(m: TinyHmm): Enumerated {
  const K = m.start.length;
  const T = m.logB.length;
  const gamma = Array.from({ length: T }, () => new Array<number>(K).fill(0));
  const xiSum = Array.from({ length: K }, () => new Array<number>(K).fill(0));
  let total = 0;
  let best: number[] = [];
  let bestP = -1;
  const z = new Array<number>(T).fill(0);
  for (let code = 0; code < K ** T; code++) {
    let c = code;
    for (let t = T - 1; t >= 0; t--) {
      z[t] = c % K;
      c = Math.floor(c / K);
    }
    let p = m.start[z[0]!]! * Math.exp(m.logB[0]![z[0]!]!);
    for (let t = 1; t < T; t++) p *= m.trans[z[t - 1]!]![z[t]!]! * Math.exp(m.logB[t]![z[t]!]!);
    total += p;
    for (let t = 0; t < T; t++) gamma[t]![z[t]!]! += p;
    for (let t = 1; t < T; t++) xiSum[z[t - 1]!]![z[t]!]! += p;
    if (p > bestP) {
      bestP = p;
      best = z.slice();
    }
  }
  return {
    logLik: Math.log(total),
    gamma: gamma.map((r) => r.map((v) => v / total)),
    xiSum: xiSum.map((r) => r.map((v) => v / total)),
    best,
    bestLogProb: Math.log(bestP),
  };
}

/** log N(x | μ, diag(σ²)). */
export function logNormalDiag(x: number[], mean: number[], variance: number[]): number {
  let s = 0;
  for (let j = 0; j < x.length; j++) s += -0.5 * Math.log(2 * Math.PI * variance[j]!) - (x[j]! - mean[j]!) ** 2 / (2 * variance[j]!);
  return s;
}
