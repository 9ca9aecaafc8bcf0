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

/**
 * Observations of a categorical HMM: one flat array or one column of symbols (hmmlearn's (n_samples, 1)), split by
 * `lengths`; or a list of sequences (`number[][]` with a row of length ≠ 1, or `number[][][]` of columns). See
 * `toSymbolSequences`.
 */
export type SymbolSequencesInput =
  | ArrayLike<ArrayLike<number>> | ArrayLike<number> | ArrayLike<ArrayLike<ArrayLike<number>>> | MatrixLike;

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
  /** Whether X was a list of sequences (row t of sequence s is then `X[s][t]`; else it is `X[starts[s] + t]`). */
  readonly nested: boolean;
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
 * Gaussian (and Poisson) observations. The layouts, and what each means:
 * - one matrix, hmmlearn's X of shape (n_samples, n_features): `number[][]` whose rows are the observations (so
 *   `[[1], [2], [3]]` is one sequence of three 1-feature rows and `[[1, 2, 3]]` one row of three features),
 *   `{ data, rows, cols }`, or a flat `Float64Array`/`Float32Array` with `nFeatures`; one sequence, or several split
 *   by `lengths` (hmmlearn's `lengths`);
 * - a list of sequences, each T_i×d: `number[][][]` (`[[[1], [2]], [[3]]]`) or a list of `{ data, rows, cols }`;
 *   `lengths` must then be absent.
 * A flat `number[]` is refused (write a column `[[x0], [x1], …]`). Entries must be finite (NaN is an error: no
 * missing values here).
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
    return { data, d: d!, n, lengths, starts: startsOf(lengths), nested: true };
  }
  checkEqualRows(X);
  const m = toMatrix(X, { nFeatures: options?.nFeatures }, 'X', expectedCols);
  checkNoNaN(m.data, m.cols, (i, j) => `X[${i}][${j}]`);
  const lengths = toLengths(options?.lengths, m.rows);
  return { data: m.data, d: m.cols, n: m.rows, lengths, starts: startsOf(lengths), nested: false };
}

/** A `number[][]` whose rows differ in length: sequences written as rows, most likely; says how to write them. */
function checkEqualRows(X: unknown): void {
  if (!Array.isArray(X) || !isArrayLike(X[0])) return;
  const cols = (X[0] as ArrayLike<unknown>).length;
  for (let i = 1; i < X.length; i++) {
    const row = X[i] as unknown;
    if (isArrayLike(row) && row.length !== cols) {
      throw new InputError(`X[${i}]`, `a row of ${cols} numbers, as X[0] (a number[][] is one matrix whose rows are ` +
        "observations, hmmlearn's (n_samples, n_features))", `${row.length} values`,
        'Write sequences of different lengths as a list of T×d sequences (number[][][]: [[[x0], [x1], …], [[y0], …]]), ' +
        'or as one matrix of all their rows with { lengths }');
    }
  }
}

/**
 * Categorical observations. The layouts, and what each means:
 * - a flat array of symbols (`number[]`, `Int32Array`, …): one sequence, or several split by `lengths`;
 * - hmmlearn's column, a `number[][]` whose rows all hold exactly one symbol (`[[0], [2], [1]]`, X of shape
 *   (n_samples, 1)): the same — one sequence, or split by `lengths` — and `{ data, rows, cols: 1 }` likewise;
 * - a list of sequences: a `number[][]` with at least one row of another length than 1 (`[[0, 1, 1], [2, 0]]`), or
 *   a list of columns (`number[][][]`, `[[[0], [1]], [[2]]]`); `lengths` must then be absent (each has its own).
 * So sequences of length 1 are written with `lengths` (`fit([[0], [1]], { lengths: [1, 1] })`). Symbols are
 * integers ≥ 0, and below `nSymbols` when given.
 */
export function toSymbolSequences(X: unknown, options: SequenceOptions | undefined, nSymbols?: number): SymbolSequences {
  if (!isArrayLike(X) && !(X !== null && typeof X === 'object' && 'data' in X)) {
    throw new InputError('X', 'sequences of integer symbols (a flat array or one column [[s0], [s1], …], split by ' +
      'options.lengths; or a list of sequences, number[][])', describe(X));
  }
  if (!isArrayLike(X)) X = symbolColumnMatrix(X as MatrixLike);
  const list = X as ArrayLike<unknown>;
  if (typeof X === 'string' || list.length === 0) {
    throw new InputError('X', 'sequences of integer symbols (number[][], or a flat array with options.lengths)',
      list.length === 0 ? 'an empty array' : describe(X));
  }
  // Symbols are stored as Int32 and index K×M tables: at most MAX_CATEGORIES of them, as the categorical mixture's codes.
  const limit = nSymbols ?? MAX_CATEGORIES;
  const expected = `an integer symbol in [0, ${limit})`;
  let bound = 0;
  const check = (v: unknown, name: () => string): number => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= limit) {
      throw new InputError(name(), expected, isArrayLike(v) && typeof v !== 'string'
        ? `${describe(v)} (a sequence's entries are symbols, or one-symbol rows [s] of a column)` : describe(v));
    }
    if (v >= bound) bound = v + 1;
    return v;
  };
  const rowLike = (v: unknown): v is ArrayLike<unknown> => isArrayLike(v) && typeof v !== 'string';
  if (ArrayBuffer.isView(X) || !rowLike(list[0])) {
    // A flat array: one sequence (or split by lengths).
    const n = list.length;
    const symbols = new Int32Array(n);
    for (let t = 0; t < n; t++) symbols[t] = check(list[t], () => `X[${t}]`);
    const lengths = toLengths(options?.lengths, n);
    return { symbols, symbolBound: bound, n, lengths, starts: startsOf(lengths), nested: false };
  }
  for (let s = 0; s < list.length; s++) {
    const seq = list[s];
    if (!rowLike(seq)) {
      throw new InputError(`X[${s}]`, `a row like X[0] (${describe(list[0])}): a sequence of symbols, or a one-symbol row of a column`,
        describe(seq));
    }
    if (seq.length === 0) throw new InputError(`X[${s}]`, 'a sequence of at least one symbol', 'an empty array');
  }
  let column = true;
  for (let s = 0; s < list.length && column; s++) column = (list[s] as ArrayLike<unknown>).length === 1 && !rowLike((list[s] as ArrayLike<unknown>)[0]);
  if (column) {
    // hmmlearn's (n_samples, 1) column: one sequence (or split by lengths), never n sequences of one symbol.
    const n = list.length;
    const symbols = new Int32Array(n);
    for (let t = 0; t < n; t++) symbols[t] = check((list[t] as ArrayLike<unknown>)[0], () => `X[${t}][0]`);
    const lengths = toLengths(options?.lengths, n);
    return { symbols, symbolBound: bound, n, lengths, starts: startsOf(lengths), nested: false };
  }
  if (options?.lengths !== undefined) {
    throw new InputError('options.lengths', 'undefined when X is a list of sequences (each has its own length)',
      describe(options.lengths), 'For hmmlearn\'s (X, lengths) give X as one column of symbols ([[s0], [s1], …]) or a ' +
      'flat array ([s0, s1, …])');
  }
  // A list of sequences: each a row of symbols, or a column of one-symbol rows.
  const lengths = new Int32Array(list.length);
  for (let s = 0; s < list.length; s++) lengths[s] = (list[s] as ArrayLike<unknown>).length;
  const n = lengths.reduce((a, b) => a + b, 0);
  const symbols = new Int32Array(n);
  let at = 0;
  for (let s = 0; s < list.length; s++) {
    const seq = list[s] as ArrayLike<unknown>;
    const columnSeq = rowLike(seq[0]);
    for (let t = 0; t < seq.length; t++) {
      const v = seq[t];
      if (columnSeq) {
        if (!rowLike(v) || v.length !== 1) {
          throw new InputError(`X[${s}][${t}]`, `a one-symbol row [s], as X[${s}][0] (the sequence is a column)`, describe(v));
        }
        symbols[at++] = check(v[0], () => `X[${s}][${t}][0]`);
      } else {
        symbols[at++] = check(v, () => `X[${s}][${t}]`);
      }
    }
  }
  return { symbols, symbolBound: bound, n, lengths, starts: startsOf(lengths), nested: true };
}

/** A `{ data, rows, cols }` matrix of symbols: its one column (hmmlearn's (n_samples, 1)), as a flat array. */
function symbolColumnMatrix(m: MatrixLike): ArrayLike<number> {
  if (m.cols !== 1) {
    throw new InputError('X.cols', '1 (a matrix of symbols is one column, hmmlearn\'s (n_samples, 1))', describe(m.cols));
  }
  if (!isArrayLike(m.data) || m.data.length !== m.rows) {
    throw new InputError('X.data', `rows = ${describe(m.rows)} symbols`, describe(m.data));
  }
  return m.data as ArrayLike<number>;
}

/**
 * Throws unless `data` has `d` features (when d is known), naming where d comes from (`source`), e.g. the given means
 * or the model's nFeatures.
 */
export function checkFeatures(data: GaussianSequences, d: number | undefined, source: string): void {
  if (d !== undefined && data.d !== d) {
    throw new InputError('X', `observations of ${d} features (${source})`, `${data.d} features`, data.nested ? undefined
      : `X is read as one matrix whose rows are observations (hmmlearn's (n_samples, n_features)); write several ` +
        `sequences as a list of T×${d} sequences (number[][][]), or as one ${data.n}×${d} matrix with { lengths }`);
  }
}

/**
 * Refuses a fit on one `number[][]` of fewer rows than columns, given without `lengths` or `nFeatures`: read as
 * hmmlearn's (n_samples, n_features) it is a single sequence of fewer observations than features, which is almost
 * always sequences written as rows (`[[1, …, 6], [7, …, 12]]` for two 1-feature sequences). The message shows how to
 * write each meaning.
 */
export function checkRowsAreObservations(X: unknown, data: GaussianSequences, options: GaussianSequenceOptions | undefined): void {
  if (data.nested || !Array.isArray(X) || data.n >= data.d) return;
  if (options?.lengths !== undefined || options?.nFeatures !== undefined) return;
  throw new InputError('X', 'one sequence of observations as rows (hmmlearn\'s (n_samples, n_features))',
    `${data.n} row${data.n > 1 ? 's' : ''} of ${data.d} features: fewer observations than features, which is how ` +
    'sequences written as rows look',
    `For ${data.n} sequence${data.n > 1 ? 's' : ''} of 1-feature observations write a list of columns ` +
    '(number[][][]: [[[x0], [x1], …], …]); for one such sequence write one column ([[x0], [x1], …]); ' +
    `if ${data.n} observation${data.n > 1 ? 's' : ''} of ${data.d} features are meant, confirm with { nFeatures: ${data.d} }`);
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
