/** Data input: the accepted matrix forms and their validation into one row-major `Float64Array`. */
import { InputError, describe } from './errors.js';

/** A dense row-major matrix: entry (i, j) is `data[i·cols + j]`. */
export interface Matrix {
  readonly data: Float64Array;
  readonly rows: number;
  readonly cols: number;
}

/** A row-major matrix given by the caller: `data` may be a `Float64Array`, a `Float32Array` or a plain array. */
export interface MatrixLike {
  readonly data: ArrayLike<number>;
  readonly rows: number;
  readonly cols: number;
}

/**
 * Data accepted wherever a method takes rows:
 * - `number[][]` — one inner array per row;
 * - `{ data, rows, cols }` — a row-major array of rows·cols numbers;
 * - a row-major `Float64Array` or `Float32Array`, with `nFeatures` in the call's options.
 */
export type DataInput = ArrayLike<ArrayLike<number>> | MatrixLike | Float64Array | Float32Array;

/** Options shared by every method that takes data. */
export interface DataOptions {
  /** Number of columns of a flat `Float64Array`/`Float32Array` input. */
  nFeatures?: number;
}

function isTypedArray(x: unknown): x is Float64Array | Float32Array {
  return x instanceof Float64Array || x instanceof Float32Array;
}

/** Throws on ±Infinity; NaN is a missing entry (handled by the model, `src/missing/`). */
function checkFinite(data: Float64Array, cols: number, name: string): void {
  for (let p = 0; p < data.length; p++) {
    const v = data[p];
    if (v === Infinity || v === -Infinity) {
      const i = Math.floor(p / cols);
      throw new InputError(`${name}[${i}][${p - i * cols}]`, 'a finite number or NaN (missing)', String(v));
    }
  }
}

/**
 * Validates `X` and returns it as a row-major `Float64Array` (a copy unless `X` is already such an array or matrix;
 * the library never writes into it). Throws `InputError` naming the first bad entry.
 * @param expectedCols the number of columns the data must have (a fitted model's `nFeatures`), if known
 */
export function toMatrix(X: unknown, options: DataOptions | undefined, name = 'X', expectedCols?: number): Matrix {
  const nFeatures = options?.nFeatures;
  let data: Float64Array;
  let rows: number;
  let cols: number;
  if (isTypedArray(X)) {
    if (nFeatures === undefined) {
      throw new InputError('options.nFeatures', `the number of columns of the flat ${X.constructor.name} ${name}`,
        'undefined', `Pass it as { nFeatures }, or give ${name} as { data, rows, cols }`);
    }
    if (!Number.isInteger(nFeatures) || nFeatures < 1) {
      throw new InputError('options.nFeatures', 'a positive integer', describe(nFeatures));
    }
    if (X.length % nFeatures !== 0) {
      throw new InputError(name, `a length that is a multiple of nFeatures = ${nFeatures}`, `length ${X.length}`);
    }
    cols = nFeatures;
    rows = X.length / nFeatures;
    data = X instanceof Float64Array ? X : Float64Array.from(X);
  } else if (X !== null && typeof X === 'object' && !Array.isArray(X) && 'data' in X) {
    const m = X as MatrixLike;
    if (!Number.isInteger(m.rows) || m.rows < 0) throw new InputError(`${name}.rows`, 'a non-negative integer', describe(m.rows));
    if (!Number.isInteger(m.cols) || m.cols < 1) throw new InputError(`${name}.cols`, 'a positive integer', describe(m.cols));
    if (m.data === null || typeof m.data !== 'object' || typeof m.data.length !== 'number') {
      throw new InputError(`${name}.data`, 'a Float64Array, Float32Array or array of numbers', describe(m.data));
    }
    if (m.data.length !== m.rows * m.cols) {
      throw new InputError(`${name}.data`, `rows × cols = ${m.rows} × ${m.cols} = ${m.rows * m.cols} numbers`,
        `${m.data.length}`);
    }
    if (nFeatures !== undefined && nFeatures !== m.cols) {
      throw new InputError('options.nFeatures', `${m.cols} (${name}.cols) or undefined`, describe(nFeatures));
    }
    rows = m.rows;
    cols = m.cols;
    // Numbers checked before the copy is allocated: a `length` that lies cannot allocate what is not there.
    if (!(m.data instanceof Float64Array) && !(m.data instanceof Float32Array)) checkNumbers(m.data, `${name}.data`);
    data = m.data instanceof Float64Array ? m.data : Float64Array.from(m.data as ArrayLike<number>);
  } else if (Array.isArray(X)) {
    rows = X.length;
    if (rows === 0) throw new InputError(name, 'at least one row', 'an empty array');
    const first = X[0];
    if (first === null || typeof first !== 'object' || typeof (first as ArrayLike<number>).length !== 'number') {
      throw new InputError(`${name}[0]`, 'a row (an array of numbers)', describe(first),
        'For a flat array of numbers use a Float64Array with { nFeatures }');
    }
    cols = (first as ArrayLike<number>).length;
    if (cols === 0) throw new InputError(`${name}[0]`, 'at least one column', 'an empty row');
    if (nFeatures !== undefined && nFeatures !== cols) {
      throw new InputError('options.nFeatures', `${cols} (the row length) or undefined`, describe(nFeatures));
    }
    data = new Float64Array(rows * cols);
    for (let i = 0; i < rows; i++) {
      const row = X[i] as ArrayLike<number>;
      if (row === null || typeof row !== 'object' || row.length !== cols) {
        throw new InputError(`${name}[${i}]`, `a row of ${cols} numbers (as ${name}[0])`,
          row !== null && typeof row === 'object' && typeof row.length === 'number' ? `${row.length} values` : describe(row));
      }
      for (let j = 0; j < cols; j++) {
        const v = row[j];
        if (typeof v !== 'number') throw new InputError(`${name}[${i}][${j}]`, 'a number', describe(v));
        data[i * cols + j] = v;
      }
    }
  } else {
    throw new InputError(name, 'number[][], { data, rows, cols } or a Float64Array/Float32Array with { nFeatures }',
      describe(X));
  }
  if (rows === 0) throw new InputError(name, 'at least one row', '0 rows');
  if (expectedCols !== undefined && cols !== expectedCols) {
    throw new InputError(name, `${expectedCols} columns (the model's nFeatures)`, `${cols} columns`);
  }
  checkFinite(data, cols, name);
  return { data, rows, cols };
}

function checkNumbers(values: ArrayLike<unknown>, name: string): void {
  for (let p = 0; p < values.length; p++) {
    if (typeof values[p] !== 'number') throw new InputError(`${name}[${p}]`, 'a number', describe(values[p]));
  }
}

/**
 * Validates per-row weights: `rows` finite numbers ≥ 0, not all zero. Returns them as a `Float64Array`
 * (`null` when `weights` is undefined).
 */
export function toSampleWeight(weights: unknown, rows: number, name = 'options.sampleWeight'): Float64Array | null {
  if (weights === undefined || weights === null) return null;
  if (typeof weights !== 'object' || typeof (weights as ArrayLike<number>).length !== 'number') {
    throw new InputError(name, `an array of ${rows} non-negative numbers`, describe(weights));
  }
  const w = weights as ArrayLike<unknown>;
  if (w.length !== rows) throw new InputError(name, `${rows} weights (one per row of X)`, `${w.length}`);
  const out = new Float64Array(rows);
  let total = 0;
  for (let i = 0; i < rows; i++) {
    const v = w[i];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw new InputError(`${name}[${i}]`, 'a finite number ≥ 0', describe(v));
    }
    out[i] = v;
    total += v;
  }
  if (!(total > 0)) throw new InputError(name, 'at least one positive weight', 'all weights are 0');
  return out;
}

/** `rows` rows of `cols` values from a flat row-major array, starting at `offset` (copies). */
export function rowsOf(flat: Float64Array, rows: number, cols: number, offset = 0): Float64Array[] {
  return Array.from({ length: rows }, (_, i) => flat.slice(offset + i * cols, offset + (i + 1) * cols));
}

/** The data an initializer sees: rows (weight 0 already removed) and their weights. */
export interface InitData {
  readonly X: Matrix;
  /** Per-row weights, or null for unit weights. */
  readonly weights: Float64Array | null;
}
