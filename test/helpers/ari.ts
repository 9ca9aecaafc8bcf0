/**
 * Adjusted Rand index (Hubert & Arabie 1985) between two labelings of the same rows, as scikit-learn's
 * `adjusted_rand_score`: 1 for identical partitions up to relabelling, about 0 for independent ones.
 */
export function adjustedRandIndex(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  if (b.length !== n) throw new Error(`adjustedRandIndex: labelings differ in length (${n} vs ${b.length})`);
  const ids = (x: ArrayLike<number>): { code: Int32Array; count: number } => {
    const map = new Map<number, number>();
    const code = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      let c = map.get(x[i]!);
      if (c === undefined) map.set(x[i]!, (c = map.size));
      code[i] = c;
    }
    return { code, count: map.size };
  };
  const A = ids(a);
  const B = ids(b);
  const table = new Float64Array(A.count * B.count);
  for (let i = 0; i < n; i++) table[A.code[i]! * B.count + B.code[i]!]! += 1;
  const pairs = (m: number): number => (m * (m - 1)) / 2;
  let sumCells = 0;
  for (const m of table) sumCells += pairs(m);
  const rows = new Float64Array(A.count);
  const cols = new Float64Array(B.count);
  for (let p = 0; p < A.count; p++) {
    for (let q = 0; q < B.count; q++) {
      rows[p]! += table[p * B.count + q]!;
      cols[q]! += table[p * B.count + q]!;
    }
  }
  let sumRows = 0;
  for (const m of rows) sumRows += pairs(m);
  let sumCols = 0;
  for (const m of cols) sumCols += pairs(m);
  const expected = (sumRows * sumCols) / pairs(n);
  const maximum = (sumRows + sumCols) / 2;
  // Both partitions trivial (one cluster each, or all singletons): scikit-learn defines the score as 1.
  if (maximum === expected) return 1;
  return (sumCells - expected) / (maximum - expected);
}
