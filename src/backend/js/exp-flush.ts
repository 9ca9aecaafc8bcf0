/**
 * Arguments of `exp` (a log-density minus its row's largest) below ln 2⁻⁵² ≈ −36.04 give a responsibility of exactly 0,
 * in the twins as in the WebAssembly kernels (`EXP_FLUSH` in `assembly/simd.ts`, which explains the bound): such a
 * term is under 2⁻⁵² of its row's sum of exponentials, below the rounding of that sum, and the statistics skip it.
 */
export const EXP_FLUSH = -52 * Math.LN2;

/**
 * Turns the k weighted log-densities of one row in `lp` into its weighted responsibilities `w·r_c` in place (exactly 0
 * where `lp_c − max < EXP_FLUSH`) and returns the row's log-likelihood `lse = max + log Σ_c exp(lp_c − max)`, with the
 * operations of the Gaussian twins' inner loops.
 */
export function weightedResponsibilities(lp: Float64Array, k: number, w: number): number {
  let max = -Infinity;
  for (let c = 0; c < k; c++) if (lp[c] > max) max = lp[c];
  let sum = 0;
  for (let c = 0; c < k; c++) if (lp[c] - max >= EXP_FLUSH) sum += Math.exp(lp[c] - max);
  const lse = max + Math.log(sum);
  for (let c = 0; c < k; c++) lp[c] = lp[c] - max < EXP_FLUSH ? 0 : w * Math.exp(lp[c] - lse);
  return lse;
}
