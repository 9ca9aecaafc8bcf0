/**
 * Imputation under a fitted mixture: each missing entry is replaced by its conditional expectation given the row's
 * observed entries, `E[x_m | x_o] = Σ_c p(c | x_o) (μ_cm + B_c (x_o − μ_co))`, `B_c = Σ_c,mo Σ_c,oo⁻¹`
 * (Ghahramani & Jordan 1994, §4). The posteriors come from the marginal densities of the observed entries, computed by
 * the backend kernels pattern by pattern (a row far from every component recomputed by `repairFarRows`, so that its
 * posteriors are not 0/0); a row with no observed entry gets the mixture mean `Σ_c w_c μ_c`.
 */
import type { Backend } from '../backend/kernel.js';
import { BLOCK_ROWS } from '../em/driver.js';
import { repairFarRows } from '../far-rows.js';
import { toKernelParams, type GaussianParams } from '../families/gaussian.js';
import { timesPowerOfTwo } from '../fit-weights.js';
import type { Matrix } from '../matrix.js';
import { marginalParams, prepareMarginals } from './marginal.js';
import { groupByPattern, packObserved } from './patterns.js';

/** A copy of the rows of `m` (NaN = missing) with every missing entry imputed under `p` (row-major, rows×d). */
export function imputeRows(backend: Backend, m: Matrix, p: GaussianParams): Float64Array {
  const { k, d } = p;
  const out = m.data.slice();
  const groups = groupByPattern(m.data, m.rows, d);
  for (const i of groups.allMissing) {
    for (let j = 0; j < d; j++) {
      let v = 0;
      for (let c = 0; c < k; c++) v += p.weights[c] * p.means[c * d + j];
      out[i * d + j] = v;
    }
  }
  const kp = toKernelParams(p);
  const base = prepareMarginals(kp);
  for (const pattern of groups.patterns) {
    const { observed: o, missing: mis, rows } = pattern;
    if (mis.length === 0) continue;
    const dO = o.length;
    const dM = mis.length;
    const pp = marginalParams(kp, pattern, base);
    const packed = packObserved(m.data, d, pattern);
    const bound = backend.bind(packed, rows.length, dO, null);
    try {
      bound.setParams(pp.params);
      const lp = new Float64Array(Math.min(BLOCK_ROWS, rows.length) * k);
      const scratch = new Float64Array(Math.min(BLOCK_ROWS, rows.length));
      const shared = kp.shape === 'full' && kp.precStride === 0;
      for (let start = 0; start < rows.length; start += BLOCK_ROWS) {
        const count = Math.min(BLOCK_ROWS, rows.length - start);
        bound.logProb(start, count, lp);
        // A row far from every component overflows the kernels' log-densities; its posteriors come from the
        // far-row-safe relative log-densities instead (the offset does not change a posterior).
        repairFarRows(packed, dO, start, count, pp.params, lp, scratch);
        for (let r = 0; r < count; r++) {
          const row = rows[start + r];
          let max = -Infinity;
          for (let c = 0; c < k; c++) max = Math.max(max, lp[r * k + c]);
          let sum = 0;
          for (let c = 0; c < k; c++) sum += Math.exp(lp[r * k + c] - max);
          // Everything is summed scaled by 2^−e (exact), so that x_o − μ_co and the weighted sum cannot overflow
          // for rows near the largest floats: the conditional mean overflows only if it is itself out of range.
          const e = rowExponent(m.data, row * d, o, p.means);
          const acc = new Float64Array(dM);
          for (let c = 0; c < k; c++) {
            const post = Math.exp(lp[r * k + c] - max) / sum;
            if (post === 0) continue;
            const f = shared ? 0 : c;
            for (let s = 0; s < dM; s++) {
              let v = timesPowerOfTwo(p.means[c * d + mis[s]], -e);
              if (kp.shape === 'full') {
                for (let t = 0; t < dO; t++) {
                  const gap = timesPowerOfTwo(m.data[row * d + o[t]], -e) - timesPowerOfTwo(p.means[c * d + o[t]], -e);
                  v += pp.B[(f * dM + s) * dO + t] * gap;
                }
              }
              acc[s] += post * v;
            }
          }
          for (let s = 0; s < dM; s++) out[row * d + mis[s]] = timesPowerOfTwo(acc[s], e);
        }
      }
    } finally {
      bound.dispose();
    }
  }
  return out;
}

/**
 * The binary exponent e (2^e ≤ v < 2^(e+1)) of the largest magnitude among the observed entries `o` of the row at
 * `X[base…]` and all the means, or 0 when it is below 2^600: dividing by 2^e then keeps every difference and sum of
 * an imputation finite, and ordinary rows are left unscaled (their imputations unchanged to the bit).
 */
function rowExponent(X: Float64Array, base: number, o: Int32Array, means: Float64Array): number {
  let big = 0;
  for (const j of o) big = Math.max(big, Math.abs(X[base + j]));
  for (let a = 0; a < means.length; a++) big = Math.max(big, Math.abs(means[a]));
  return big < 2 ** 600 ? 0 : Math.floor(Math.log2(big));
}
