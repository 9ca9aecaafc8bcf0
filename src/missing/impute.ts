/**
 * Imputation under a fitted mixture: each missing entry is replaced by its conditional expectation given the row's
 * observed entries, `E[x_m | x_o] = Σ_c p(c | x_o) (μ_cm + B_c (x_o − μ_co))`, `B_c = Σ_c,mo Σ_c,oo⁻¹`
 * (Ghahramani & Jordan 1994, §4). The posteriors come from the marginal densities of the observed entries, computed by
 * the backend kernels pattern by pattern; a row with no observed entry gets the mixture mean `Σ_c w_c μ_c`.
 */
import type { Backend } from '../backend/kernel.js';
import { BLOCK_ROWS } from '../em/driver.js';
import { toKernelParams, type GaussianParams } from '../families/gaussian.js';
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
    const bound = backend.bind(packObserved(m.data, d, pattern), rows.length, dO, null);
    try {
      bound.setParams(pp.params);
      const lp = new Float64Array(Math.min(BLOCK_ROWS, rows.length) * k);
      const shared = kp.shape === 'full' && kp.precStride === 0;
      for (let start = 0; start < rows.length; start += BLOCK_ROWS) {
        const count = Math.min(BLOCK_ROWS, rows.length - start);
        bound.logProb(start, count, lp);
        for (let r = 0; r < count; r++) {
          const row = rows[start + r];
          let max = -Infinity;
          for (let c = 0; c < k; c++) max = Math.max(max, lp[r * k + c]);
          let sum = 0;
          for (let c = 0; c < k; c++) sum += Math.exp(lp[r * k + c] - max);
          for (let s = 0; s < dM; s++) out[row * d + mis[s]] = 0;
          for (let c = 0; c < k; c++) {
            const post = Math.exp(lp[r * k + c] - max) / sum;
            const f = shared ? 0 : c;
            for (let s = 0; s < dM; s++) {
              let v = p.means[c * d + mis[s]];
              if (kp.shape === 'full') {
                for (let t = 0; t < dO; t++) {
                  v += pp.B[(f * dM + s) * dO + t] * (m.data[row * d + o[t]] - p.means[c * d + o[t]]);
                }
              }
              out[row * d + mis[s]] += post * v;
            }
          }
        }
      }
    } finally {
      bound.dispose();
    }
  }
  return out;
}
