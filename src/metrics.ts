/** Agreement between two clusterings of the same rows. */
import { InputError, describe } from './errors.js';

/**
 * The adjusted Rand index of two labelings of the same n rows (Hubert & Arabie 1985): the Rand index corrected for
 * chance, 1 for identical partitions (whatever the label names), about 0 for independent ones. Equals scikit-learn's
 * `adjusted_rand_score` and mclust's `adjustedRandIndex`.
 *
 * ARI = (Σ_ij C(n_ij, 2) − t) / (½(Σ_i C(a_i, 2) + Σ_j C(b_j, 2)) − t), t = Σ_i C(a_i, 2) · Σ_j C(b_j, 2) / C(n, 2),
 * with n_ij the contingency table and a_i, b_j its margins.
 * @param a labels of the rows (any integers or strings)
 * @param b labels of the same rows
 * @example
 * adjustedRandIndex([0, 0, 1, 1], [1, 1, 0, 0]); // 1
 */
export function adjustedRandIndex(a: ArrayLike<number | string>, b: ArrayLike<number | string>): number {
  if (a === null || typeof a !== 'object' || typeof a.length !== 'number') throw new InputError('a', 'an array of labels', describe(a));
  if (b === null || typeof b !== 'object' || typeof b.length !== 'number') throw new InputError('b', 'an array of labels', describe(b));
  if (a.length !== b.length) throw new InputError('b', `${a.length} labels (as many as a)`, `${b.length} labels`);
  const n = a.length;
  const pairs = new Map<string, number>();
  const rows = new Map<number | string, number>();
  const cols = new Map<number | string, number>();
  for (let i = 0; i < n; i++) {
    const key = `${typeof a[i]}:${a[i]}\u0000${typeof b[i]}:${b[i]}`;
    pairs.set(key, (pairs.get(key) ?? 0) + 1);
    rows.set(a[i], (rows.get(a[i]) ?? 0) + 1);
    cols.set(b[i], (cols.get(b[i]) ?? 0) + 1);
  }
  const choose2 = (m: number): number => (m * (m - 1)) / 2;
  let index = 0;
  for (const m of pairs.values()) index += choose2(m);
  let sumA = 0;
  for (const m of rows.values()) sumA += choose2(m);
  let sumB = 0;
  for (const m of cols.values()) sumB += choose2(m);
  const expected = n < 2 ? 0 : (sumA * sumB) / choose2(n);
  const max = (sumA + sumB) / 2;
  // Both partitions trivial (one cluster each, or every row alone): identical, as scikit-learn returns 1.
  if (max === expected) return 1;
  return (index - expected) / (max - expected);
}
