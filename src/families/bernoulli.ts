/**
 * The Bernoulli family: d binary features, independent given the component (Bishop 2006, §9.3.3).
 *   `p(x | c) = Π_j p_cj^x_j (1 − p_cj)^(1 − x_j)`, so with t(x) = x
 *   `log w_c + log p(x | c) = b_c + Σ_j x_j θ_cj`,  `θ_cj = log p_cj − log(1 − p_cj)`,  `b_c = log w_c + Σ_j log(1 − p_cj)`,
 * and h(x) = 0. M-step: `p_cj = (S1_cj + α) / (N_c + 2α)`, kept below 1 − 2⁻⁵³ so that `log(1 − p)` is finite.
 * Free parameters: (k − 1) + k·d.
 */
import type { KernelParams } from '../backend/kernel.js';
import { checkEntries, linearKernelParams, type DiscreteFamily, type DiscreteParams } from './discrete.js';

/** The largest double below 1: fitted probabilities stay at most this, so that log(1 − p) is finite. */
const P_MAX = 1 - 2 ** -53;

/** The Bernoulli family (see the header). */
export const bernoulliFamily: DiscreteFamily = {
  kind: 'bernoulli',
  className: 'BernoulliMixture',
  columns: (d) => d,
  checkData(X, name) {
    checkEntries(X, name, this.className, (v) => v === 0 || v === 1, () => '0 or 1 (a binary feature)');
  },
  encode: (X) => X.data,
  rowConstant: () => null,
  pseudoDenominators: (d) => new Float64Array(d).fill(2),
  clamp: (m) => Math.min(m, P_MAX),
  kernelParams: (p: DiscreteParams): KernelParams =>
    linearKernelParams(p, p.d, (q) => Math.log(q) - Math.log1p(-q), (q) => Math.log1p(-q)),
  nParameters: (p) => p.k - 1 + p.k * p.d,
  sampleRow(p, c, rng, out, offset) {
    for (let j = 0; j < p.d; j++) out[offset + j] = rng.random() < p.mean[c * p.d + j] ? 1 : 0;
  },
};
