/**
 * Rows grouped by missingness pattern (which entries are NaN), so that the marginal parameters of each pattern are
 * computed once per component and iteration (Ghahramani & Jordan 1994, §3; the grouping as in Schafer 1997, ch. 5).
 */
import { InputError } from '../errors.js';

/** One missingness pattern and its rows. */
export interface Pattern {
  /** Indices of the observed columns, increasing (at least one). */
  readonly observed: Int32Array;
  /** Indices of the missing columns, increasing (empty for complete rows). */
  readonly missing: Int32Array;
  /** The rows (indices into the data) that have this pattern, increasing. */
  readonly rows: Int32Array;
}

/** The rows of a matrix grouped by pattern. */
export interface PatternGroups {
  /** Patterns in order of their first row. */
  readonly patterns: Pattern[];
  /** Rows with every entry missing (left out of `patterns`). */
  readonly allMissing: Int32Array;
}

/** True when some entry of the n×d row-major `X` is NaN. */
export function hasMissing(X: ArrayLike<number>, length: number): boolean {
  for (let i = 0; i < length; i++) if (X[i] !== X[i]) return true;
  return false;
}

/** True when every entry of row i of the row-major `X` (d columns) is NaN. */
export function isAllMissing(X: ArrayLike<number>, i: number, d: number): boolean {
  for (let j = 0; j < d; j++) if (X[i * d + j] === X[i * d + j]) return false;
  return true;
}

/**
 * Groups the rows of the n×d row-major `X` by which entries are NaN. Patterns are keyed by their observed columns;
 * rows keep their order within a pattern.
 */
export function groupByPattern(X: ArrayLike<number>, n: number, d: number): PatternGroups {
  const index = new Map<string, number>();
  const members: number[][] = [];
  const observedOf: Int32Array[] = [];
  const allMissing: number[] = [];
  const mask = new Uint8Array(d);
  for (let i = 0; i < n; i++) {
    let count = 0;
    for (let j = 0; j < d; j++) {
      const v = X[i * d + j];
      mask[j] = v === v ? 1 : 0;
      count += mask[j];
    }
    if (count === 0) {
      allMissing.push(i);
      continue;
    }
    const key = String.fromCharCode(...mask);
    let p = index.get(key);
    if (p === undefined) {
      p = members.length;
      index.set(key, p);
      members.push([]);
      const obs = new Int32Array(count);
      for (let j = 0, t = 0; j < d; j++) if (mask[j]) obs[t++] = j;
      observedOf.push(obs);
    }
    members[p].push(i);
  }
  const patterns = members.map((rows, p) => {
    const observed = observedOf[p];
    const missing = new Int32Array(d - observed.length);
    for (let j = 0, t = 0, o = 0; j < d; j++) {
      if (o < observed.length && observed[o] === j) o++;
      else missing[t++] = j;
    }
    return { observed, missing, rows: Int32Array.from(rows) };
  });
  return { patterns, allMissing: Int32Array.from(allMissing) };
}

/** Throws an `InputError` naming the first column of the n×d `X` in which every entry is NaN. */
export function checkNoEmptyColumn(X: ArrayLike<number>, n: number, d: number, name = 'X'): void {
  for (let j = 0; j < d; j++) {
    let seen = false;
    for (let i = 0; i < n && !seen; i++) seen = X[i * d + j] === X[i * d + j];
    if (!seen) {
      throw new InputError(name, 'every column to have at least one observed (non-NaN) value',
        `column ${j} entirely missing`, 'Drop that column');
    }
  }
}

/**
 * The observed entries of the pattern's rows, packed row by row (rows×|observed|), in the array type of `X`.
 */
export function packObserved<A extends Float64Array | Float32Array>(X: A, d: number, pattern: Pattern): A {
  const { observed, rows } = pattern;
  const m = observed.length;
  const out = new (X.constructor as { new (length: number): A })(rows.length * m);
  for (let r = 0; r < rows.length; r++) {
    const base = rows[r] * d;
    for (let t = 0; t < m; t++) out[r * m + t] = X[base + observed[t]];
  }
  return out;
}
