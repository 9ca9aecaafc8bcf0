/**
 * The row loop shared by the twins of `BoundData.accumulateWeighted` (statistics given the responsibilities).
 */

/**
 * Calls `add(row, c, r)` for every row `row` of `[start, start + count)` whose bound weight is not 0 and every component
 * c with `r = resp[(row − start)·k + c]` ≠ 0, rows in order, components in order; returns Σ r over those rows (zeros
 * included), the amount the weight-sum entry of the statistics grows by.
 */
export function forGivenResponsibilities(
  weights: Float64Array | null, start: number, count: number, k: number, resp: Float64Array,
  add: (row: number, c: number, r: number) => void,
): number {
  let wsum = 0;
  for (let i = 0; i < count; i++) {
    if (weights !== null && weights[start + i] === 0) continue;
    for (let c = 0; c < k; c++) {
      const r = resp[i * k + c]!;
      wsum += r;
      if (r !== 0) add(start + i, c, r);
    }
  }
  return wsum;
}
