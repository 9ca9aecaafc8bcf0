/**
 * The per-row log-sum-exp of the float32 twins (`gaussian-full-f32.ts`, `gaussian-diag-f32.ts`), as
 * `assembly/simd-f32.ts` computes it: in f64, with arguments of `exp` below `EXP_FLUSH` (relative to the row's largest
 * log-density) giving exactly 0, and responsibilities rounded once to f32.
 */
import { EXP_FLUSH } from './exp-flush';

/**
 * Writes the weighted responsibilities `fround(w·r_c)` of one row with log-densities `lp` (length k) into `r`, with
 * `r_c = exp(lp_c − max) / Σ_c exp(lp_c − max)`, and returns `w·lse`, `lse = max + log Σ_c exp(lp_c − max)` (f64).
 * `lp` is overwritten with the exponentials.
 */
export function responsibilitiesF32(lp: Float64Array, k: number, w: number, r: Float32Array): number {
  let max = -Infinity;
  for (let c = 0; c < k; c++) if (lp[c] > max) max = lp[c];
  let sum = 0;
  for (let c = 0; c < k; c++) {
    const z = lp[c] - max;
    const e = z < EXP_FLUSH ? 0 : Math.exp(z);
    lp[c] = e;
    sum += e;
  }
  const s = w / sum;
  for (let c = 0; c < k; c++) r[c] = lp[c] * s; // a Float32Array store rounds to f32
  return w * (max + Math.log(sum));
}
