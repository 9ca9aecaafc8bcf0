/**
 * Sample weights on a scale of their own: a fit must not depend on the unit of the weights (w and c·w give the same
 * model), yet the weights may be as large as 1e305 or subnormal, where Σw overflows or the statistics drop below every
 * threshold. A fit rescales them to mean 1 over the rows of positive weight (after an exact scaling by a power of
 * two, so that no sum overflows), which makes a weight count as a row for the pseudo-counts of the M-steps (`alpha`)
 * whatever the unit; a score sums them scaled by a power of two and multiplies it back in at the end, so that the
 * likelihood and BIC still count a weight w as w rows.
 */

/** The exponent e of the power of two 2^e nearest below the largest weight (0 for null or no positive weight). */
export function weightExponent(w: ArrayLike<number> | null): number {
  if (w === null) return 0;
  let max = 0;
  for (let i = 0; i < w.length; i++) if (w[i] > max) max = w[i];
  if (!(max > 0)) return 0;
  let e = Math.floor(Math.log2(max));
  // log2 rounds: bring 2^-e·max into [1, 2) exactly.
  while (timesPowerOfTwo(max, -e) >= 2) e++;
  while (timesPowerOfTwo(max, -e) < 1) e--;
  return e;
}

/** `x·2^e`, exact whenever the result is a normal number (in two steps, since 2^e alone may overflow or underflow). */
export function timesPowerOfTwo(x: number, e: number): number {
  const half = Math.trunc(e / 2);
  return x * 2 ** half * 2 ** (e - half);
}

/**
 * The weights of a fit rescaled to mean 1 over the rows of positive weight (a new array; null stays null; weights
 * more than 2¹⁰⁷⁴ times smaller than the largest underflow to 0 and drop their row). The ratios are kept to rounding,
 * and a fit on the result gives the same per-row mean log-likelihood (`lowerBound`) as on `w`.
 */
export function scaledFitWeights(w: Float64Array | null): Float64Array | null {
  if (w === null) return null;
  const e = weightExponent(w);
  const out = Float64Array.from(w, (v) => timesPowerOfTwo(v, -e));
  let sum = 0;
  let positive = 0;
  for (let i = 0; i < out.length; i++) {
    sum += out[i];
    if (out[i] > 0) positive++;
  }
  // Unit weights stay exactly 1 (sum === positive).
  if (sum !== positive) {
    const f = positive / sum;
    for (let i = 0; i < out.length; i++) out[i] *= f;
  }
  return out;
}
