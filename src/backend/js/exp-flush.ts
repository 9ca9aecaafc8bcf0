/**
 * Arguments of `exp` (a log-density minus its row's largest) below ln 2⁻⁵² ≈ −36.04 give a responsibility of exactly 0,
 * in the twins as in the WebAssembly kernels (`EXP_FLUSH` in `assembly/simd.ts`, which explains the bound): such a
 * term is under 2⁻⁵² of its row's sum of exponentials, below the rounding of that sum, and the statistics skip it.
 */
export const EXP_FLUSH = -52 * Math.LN2;
