/**
 * The categorical family: d features, feature j taking the codes 0…m_j − 1, independent given the component.
 *   `p(x | c) = Π_j p_cj(x_j)`, so with t(x) the one-hot encoding of every feature (D = Σ_j m_j columns: feature 0's
 *   m_0 indicators, then feature 1's, …)
 *   `log w_c + log p(x | c) = b_c + Σ_v t_v(x) θ_cv`,  `θ_c,(j,v) = log p_cj(v)`,  `b_c = log w_c`,
 * and h(x) = 0. M-step: `p_cj(v) = (S1_c,(j,v) + α) / (N_c + m_j α)`. Free parameters: (k − 1) + k·Σ_j (m_j − 1).
 */
import type { KernelParams } from '../backend/kernel.js';
import { checkEntries, drawIndex, linearKernelParams, type DiscreteFamily, type DiscreteParams } from './discrete.js';

/** Codes must be below this (the one-hot encoding has Σ m_j columns). */
export const MAX_CATEGORIES = 65536;

/** Start of every feature's block of columns in t, and D at the end (length d + 1). */
export function categoryOffsets(nCategories: Int32Array): Int32Array {
  const offsets = new Int32Array(nCategories.length + 1);
  for (let j = 0; j < nCategories.length; j++) offsets[j + 1] = offsets[j] + nCategories[j];
  return offsets;
}

/** The categorical family (see the header). Its functions need `nCategories` (null only in `checkData`). */
export const categoricalFamily: DiscreteFamily = {
  kind: 'categorical',
  className: 'CategoricalMixture',
  columns: (_, nCategories) => categoryOffsets(nCategories!)[nCategories!.length],
  checkData(X, name, nCategories) {
    const max = (j: number): number => (nCategories === null ? MAX_CATEGORIES : nCategories[j]);
    checkEntries(X, name, this.className, (v, j) => Number.isInteger(v) && v >= 0 && v < max(j),
      (j) => nCategories === null ? `a category code (an integer in [0, ${MAX_CATEGORIES}))`
        : `a category code of feature ${j}, an integer in [0, ${nCategories[j] - 1}] (nCategories[${j}] = ${nCategories[j]})`);
  },
  encode(X, nCategories) {
    const offsets = categoryOffsets(nCategories!);
    const D = offsets[X.cols];
    const t = new Float64Array(X.rows * D);
    for (let i = 0; i < X.rows; i++) {
      for (let j = 0; j < X.cols; j++) t[i * D + offsets[j] + X.data[i * X.cols + j]] = 1;
    }
    return t;
  },
  rowConstant: () => null,
  pseudoDenominators(d, nCategories) {
    const offsets = categoryOffsets(nCategories!);
    const a = new Float64Array(offsets[d]);
    for (let j = 0; j < d; j++) a.fill(nCategories![j], offsets[j], offsets[j + 1]);
    return a;
  },
  clamp: (m) => m,
  kernelParams: (p: DiscreteParams): KernelParams =>
    linearKernelParams(p, categoryOffsets(p.nCategories!)[p.d], Math.log, () => 0),
  nParameters(p) {
    let free = 0;
    for (let j = 0; j < p.d; j++) free += p.nCategories![j] - 1;
    return p.k - 1 + p.k * free;
  },
  sampleRow(p, c, rng, out, offset) {
    const offsets = categoryOffsets(p.nCategories!);
    const D = offsets[p.d];
    for (let j = 0; j < p.d; j++) {
      out[offset + j] = drawIndex(p.mean, p.nCategories![j], rng, c * D + offsets[j]);
    }
  },
};
