/**
 * The Poisson family: d count features, independent given the component.
 *   `p(x | c) = Π_j λ_cj^x_j e^(−λ_cj) / x_j!`, so with t(x) = x
 *   `log w_c + log p(x | c) = b_c + Σ_j x_j θ_cj + h(x)`,  `θ_cj = log λ_cj`,  `b_c = log w_c − Σ_j λ_cj`,
 *   `h(x) = −Σ_j log x_j!` (the same for every component: the kernels leave it out, the mixture adds it).
 * M-step: `λ_cj = (S1_cj + α) / (N_c + α)` (α pseudo-rows with a count of 1). Free parameters: (k − 1) + k·d.
 * Sampling: Knuth's multiplication method below λ = 30, Hörmann's transformed rejection (PTRS, 1993) above.
 */
import type { KernelParams } from '../backend/kernel.js';
import type { Rng } from '../rng.js';
import { checkEntries, linearKernelParams, logFactorial, type DiscreteFamily, type DiscreteParams } from './discrete.js';

/** The Poisson family (see the header). */
export const poissonFamily: DiscreteFamily = {
  kind: 'poisson',
  className: 'PoissonMixture',
  columns: (d) => d,
  checkData(X, name) {
    checkEntries(X, name, this.className, (v) => Number.isInteger(v) && v >= 0, () => 'a count (an integer ≥ 0)');
  },
  encode: (X) => X.data,
  rowConstant(X) {
    const h = new Float64Array(X.rows);
    for (let i = 0; i < X.rows; i++) {
      let s = 0;
      for (let j = 0; j < X.cols; j++) s -= logFactorial(X.data[i * X.cols + j]);
      h[i] = s;
    }
    return h;
  },
  pseudoDenominators: (d) => new Float64Array(d).fill(1),
  clamp: (m) => m,
  kernelParams: (p: DiscreteParams): KernelParams => linearKernelParams(p, p.d, Math.log, (lambda) => -lambda),
  nParameters: (p) => p.k - 1 + p.k * p.d,
  sampleRow(p, c, rng, out, offset) {
    for (let j = 0; j < p.d; j++) out[offset + j] = samplePoisson(p.mean[c * p.d + j], rng);
  },
};

/** One Poisson(λ) draw. */
export function samplePoisson(lambda: number, rng: Rng): number {
  if (lambda < 30) {
    // Knuth: the number of uniforms whose running product stays above e^−λ.
    const limit = Math.exp(-lambda);
    let n = 0;
    let prod = rng.random();
    while (prod > limit) {
      n++;
      prod *= rng.random();
    }
    return n;
  }
  // PTRS (Hörmann 1993, "The transformed rejection method for generating Poisson random variables").
  const slam = Math.sqrt(lambda);
  const logLambda = Math.log(lambda);
  const b = 0.931 + 2.53 * slam;
  const a = -0.059 + 0.02483 * b;
  const invAlpha = 1.1239 + 1.1328 / (b - 3.4);
  const vr = 0.9277 - 3.6224 / (b - 2);
  for (;;) {
    const u = rng.random() - 0.5;
    const v = rng.random();
    const us = 0.5 - Math.abs(u);
    const n = Math.floor(((2 * a) / us + b) * u + lambda + 0.43);
    if (us >= 0.07 && v <= vr) return n;
    if (n < 0 || (us < 0.013 && v > us)) continue;
    if (Math.log(v) + Math.log(invAlpha) - Math.log(a / (us * us) + b) <= -lambda + n * logLambda - logFactorial(n)) {
      return n;
    }
  }
}
