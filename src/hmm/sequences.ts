/**
 * Input of the hidden Markov models: many sequences, validated into one concatenated array and the length of each
 * sequence. Every error is an `InputError` naming the argument, raised before any kernel runs.
 */
import { InputError, describe } from '../errors.js';
import { MAX_CATEGORIES } from '../families/categorical.js';
import { toMatrix, type MatrixLike } from '../matrix.js';

/** Observations of a Gaussian HMM: many T_i×d sequences. */
export type GaussianSequencesInput =
  | ArrayLike<ArrayLike<ArrayLike<number>>>
  | ArrayLike<MatrixLike>
  | ArrayLike<ArrayLike<number>>
  | MatrixLike
  | Float64Array
  | Float32Array;

/** Observations of a categorical HMM: many sequences of integer symbols (`number[][]`), or one flat array. */
export type SymbolSequencesInput = ArrayLike<ArrayLike<number>> | ArrayLike<number>;

/** Options that say how a matrix of observations splits into sequences. */
export interface SequenceOptions {
  /**
   * Length of each sequence when the observations are given as one matrix or flat array (hmmlearn's `lengths`):
   * positive integers summing to the number of observations. Default: one sequence.
   */
  lengths?: ArrayLike<number>;
}

/** Options of the Gaussian HMM methods that take observations. */
export interface GaussianSequenceOptions extends SequenceOptions {
  /** Number of features of a flat `Float64Array`/`Float32Array` input. */
  nFeatures?: number;
}

/** Validated sequences: observations concatenated in order, and where each sequence starts. */
export interface Sequences {
  /** Total number of observations N = Σ T_i. */
  readonly n: number;
  /** Length T_i of every sequence (all ≥ 1). */
  readonly lengths: Int32Array;
  /** Index of the first observation of every sequence, `starts[i] = Σ_{j<i} T_j`. */
  readonly starts: Int32Array;
}

/** Gaussian observations: N×d row-major, finite. */
export interface GaussianSequences extends Sequences {
  readonly data: Float64Array;
  readonly d: number;
}

/** Categorical observations: N symbols in [0, nSymbols). */
export interface SymbolSequences extends Sequences {
  readonly symbols: Int32Array;
  /** The largest symbol + 1. */
  readonly symbolBound: number;
}

function isArrayLike(v: unknown): v is ArrayLike<unknown> {
  return v !== null && typeof v === 'object' && typeof (v as ArrayLike<unknown>).length === 'number';
}

function startsOf(lengths: Int32Array): Int32Array {
  const starts = new Int32Array(lengths.length);
  for (let i = 1; i < lengths.length; i++) starts[i] = starts[i - 1] + lengths[i - 1];
  return starts;
}

/** Validates `lengths` against N observations (one sequence when undefined). */
export function toLengths(lengths: unknown, n: number, name = 'options.lengths'): Int32Array {
  if (lengths === undefined) return Int32Array.of(n);
  if (!isArrayLike(lengths) || typeof lengths === 'string' || lengths.length === 0) {
    throw new InputError(name, 'a non-empty array of positive integer sequence lengths', describe(lengths));
  }
  const out = new Int32Array(lengths.length);
  let total = 0;
  for (let i = 0; i < lengths.length; i++) {
    const v = lengths[i];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
      throw new InputError(`${name}[${i}]`, 'a positive integer (a sequence length)', describe(v));
    }
    out[i] = v;
    total += v;
  }
  if (total !== n) {
    throw new InputError(name, `lengths summing to the number of observations (${n})`, `a sum of ${total}`);
  }
  return out;
}

function checkNoNaN(data: Float64Array, d: number, name: (row: number, col: number) => string): void {
  for (let p = 0; p < data.length; p++) {
    if (Number.isNaN(data[p])) {
      const i = Math.floor(p / d);
      throw new InputError(name(i, p - i * d), 'a finite number (hidden Markov models take no missing values)', 'NaN');
    }
  }
}

/**
 * Gaussian observations in any accepted form:
 * - a list of sequences, each T_i×d (`number[][][]`, or a list of `{ data, rows, cols }`) — `lengths` must be absent;
 * - one matrix (`number[][]`, `{ data, rows, cols }`, or a flat `Float64Array`/`Float32Array` with `nFeatures`),
 *   split by `lengths` (one sequence by default).
 * Entries must be finite (NaN is an error: no missing values here).
 * @param expectedCols the fitted model's number of features, if known
 */
export function toGaussianSequences(
  X: unknown, options: GaussianSequenceOptions | undefined, expectedCols?: number,
): GaussianSequences {
  const first = isArrayLike(X) && !ArrayBuffer.isView(X) && X.length > 0 ? X[0] : undefined;
  const isList = isArrayLike(first) && !ArrayBuffer.isView(first) &&
    (isArrayLike((first as ArrayLike<unknown>)[0]) || (first as ArrayLike<unknown>).length === 0);
  const isMatrixList = first !== null && typeof first === 'object' && !isArrayLike(first) && 'data' in first;
  if (isList || isMatrixList) {
    if (options?.lengths !== undefined) {
      throw new InputError('options.lengths', 'undefined when X is a list of sequences (each has its own length)',
        describe(options.lengths));
    }
    if (options?.nFeatures !== undefined && expectedCols === undefined) expectedCols = options.nFeatures;
    const seqs = X as ArrayLike<unknown>;
    const parts: Float64Array[] = [];
    const lengths = new Int32Array(seqs.length);
    let d = expectedCols;
    for (let s = 0; s < seqs.length; s++) {
      const seq = seqs[s];
      if (isArrayLike(seq) && seq.length === 0) throw new InputError(`X[${s}]`, 'a sequence of at least one observation', 'an empty array');
      if (!isArrayLike(seq) && !(seq !== null && typeof seq === 'object' && 'data' in seq)) {
        throw new InputError(`X[${s}]`, 'a sequence (T×d: number[][] or { data, rows, cols })', describe(seq));
      }
      const m = toMatrix(seq, undefined, `X[${s}]`, d);
      d = m.cols;
      checkNoNaN(m.data, m.cols, (i, j) => `X[${s}][${i}][${j}]`);
      parts.push(m.data);
      lengths[s] = m.rows;
    }
    const n = lengths.reduce((a, b) => a + b, 0);
    const data = new Float64Array(n * d!);
    let at = 0;
    for (const p of parts) {
      data.set(p, at);
      at += p.length;
    }
    return { data, d: d!, n, lengths, starts: startsOf(lengths) };
  }
  const m = toMatrix(X, { nFeatures: options?.nFeatures }, 'X', expectedCols);
  checkNoNaN(m.data, m.cols, (i, j) => `X[${i}][${j}]`);
  const lengths = toLengths(options?.lengths, m.rows);
  return { data: m.data, d: m.cols, n: m.rows, lengths, starts: startsOf(lengths) };
}

/**
 * Categorical observations: a list of sequences of integer symbols (`number[][]`, `lengths` absent), or one flat
 * array (`number[]`, `Int32Array`, …) split by `lengths`. Symbols are integers ≥ 0, and below `nSymbols` when given.
 */
export function toSymbolSequences(X: unknown, options: SequenceOptions | undefined, nSymbols?: number): SymbolSequences {
  if (!isArrayLike(X) || typeof X === 'string' || X.length === 0) {
    throw new InputError('X', 'sequences of integer symbols (number[][], or a flat array with options.lengths)',
      isArrayLike(X) && X.length === 0 ? 'an empty array' : describe(X));
  }
  // Symbols are stored as Int32 and index K×M tables: at most MAX_CATEGORIES of them, as the categorical mixture's codes.
  const limit = nSymbols ?? MAX_CATEGORIES;
  const expected = `an integer symbol in [0, ${limit})`;
  let bound = 0;
  const check = (v: unknown, name: () => string): number => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= limit) {
      throw new InputError(name(), expected, describe(v));
    }
    if (v >= bound) bound = v + 1;
    return v;
  };
  if (isArrayLike(X[0]) && !ArrayBuffer.isView(X) ) {
    if (options?.lengths !== undefined) {
      throw new InputError('options.lengths', 'undefined when X is a list of sequences (each has its own length)',
        describe(options.lengths));
    }
    const lengths = new Int32Array(X.length);
    for (let s = 0; s < X.length; s++) {
      const seq = X[s];
      if (!isArrayLike(seq) || typeof seq === 'string') {
        throw new InputError(`X[${s}]`, 'a sequence of integer symbols', describe(seq));
      }
      if (seq.length === 0) throw new InputError(`X[${s}]`, 'a sequence of at least one symbol', 'an empty array');
      lengths[s] = seq.length;
    }
    const n = lengths.reduce((a, b) => a + b, 0);
    const symbols = new Int32Array(n);
    let at = 0;
    for (let s = 0; s < X.length; s++) {
      const seq = X[s] as ArrayLike<unknown>;
      for (let t = 0; t < seq.length; t++) symbols[at++] = check(seq[t], () => `X[${s}][${t}]`);
    }
    return { symbols, symbolBound: bound, n, lengths, starts: startsOf(lengths) };
  }
  const n = X.length;
  const symbols = new Int32Array(n);
  for (let t = 0; t < n; t++) symbols[t] = check(X[t], () => `X[${t}]`);
  const lengths = toLengths(options?.lengths, n);
  return { symbols, symbolBound: bound, n, lengths, starts: startsOf(lengths) };
}

/**
 * Throws unless `data` has `d` features (when d is known), naming where d comes from (`source`), e.g. the given means
 * or the model's nFeatures.
 */
export function checkFeatures(data: GaussianSequences, d: number | undefined, source: string): void {
  if (d !== undefined && data.d !== d) throw new InputError('X', `observations of ${d} features (${source})`, `${data.d} features`);
}

/** Throws unless the observations hold at least K distinct rows, which k-means needs to place K centres. */
export function checkDistinctRows(data: GaussianSequences, K: number, hint: string): void {
  const seen = new Set<string>();
  for (let i = 0; i < data.n && seen.size < K; i++) seen.add(data.data.subarray(i * data.d, (i + 1) * data.d).join(','));
  if (seen.size < K) {
    throw new InputError('options.nStates', `at most the number of distinct observations (${seen.size}), so that k-means can place the states`,
      String(K), hint);
  }
}
