/**
 * Sources of rows that are read again on every pass (`GaussianMixture.fitStream`): a CSV file, or a factory of async
 * iterables of row blocks or of CSV text. Whatever the source's own chunks, its rows come out re-cut into blocks of
 * `BLOCK_ROWS` rows (the last may be shorter), the blocks of the EM driver, so that a streamed fit sums the same
 * block statistics in the same order as `fit` does in memory.
 */
import { BLOCK_ROWS } from '../em/driver.js';
import { InputError, describe } from '../errors.js';
import { NumericCsvReader } from '../io/csv.js';
import { CsvDecoder } from '../io/decode.js';
import { toMatrix, type MatrixLike } from '../matrix.js';
import { raceAbort, throwIfAborted } from '../parallel/abort.js';

/**
 * One chunk of rows a source yields: `number[][]`, `{ data, rows, cols }`, or a flat row-major `Float64Array` /
 * `Float32Array` (with `nFeatures` in the options); or a piece of CSV text (a string, or UTF-8 bytes such as the
 * `Buffer`s of a Node `Readable`). A source yields either rows or text, not both.
 */
export type StreamChunk = ArrayLike<ArrayLike<number>> | MatrixLike | Float64Array | Float32Array | string | Uint8Array;

/**
 * What `fitStream` reads: the path of a CSV file (Node; read incrementally, pass after pass), or a function that
 * opens the source anew for every pass and returns an (async) iterable of chunks, such as a Node `Readable` of CSV text
 * or bytes. Every pass must yield the same rows in the same order.
 */
export type StreamSource = string | (() => AsyncIterable<StreamChunk> | Iterable<StreamChunk>);

/** A block of at most `BLOCK_ROWS` rows of a pass, `first` the index of its first row in the source. */
export interface RowBlock {
  readonly data: Float64Array;
  readonly rows: number;
  readonly cols: number;
  readonly first: number;
}

/** How to read a source. */
export interface ReadOptions {
  /** Number of columns of flat typed-array chunks. */
  readonly nFeatures: number | undefined;
  readonly signal: AbortSignal | undefined;
  /** Name of the source in messages [its path, or `source`]. */
  readonly label?: string;
}

/** The name of a source in error messages: its path, or `source`. */
export function sourceLabel(source: StreamSource): string {
  return typeof source === 'string' ? source : 'source';
}

/** Checks that `source` is a path or a function, before any pass. */
export function checkSource(source: unknown): StreamSource {
  if ((typeof source === 'string' && source.length > 0) || typeof source === 'function') return source as StreamSource;
  throw new InputError('source', 'a CSV file path or a function returning an (async) iterable of row blocks or CSV text',
    describe(source));
}

/** Collects rows into blocks of exactly `BLOCK_ROWS` rows (copies), in order. */
class BlockCutter {
  cols = -1;
  /** Blocks filled and not yet taken. */
  readonly ready: RowBlock[] = [];
  private buffer = new Float64Array(0);
  private filled = 0;
  private emitted = 0;

  /** Appends `rows` rows of `cols` values from the row-major `data`. */
  add(data: Float64Array, rows: number, cols: number): void {
    if (this.cols < 0) {
      this.cols = cols;
      this.buffer = new Float64Array(BLOCK_ROWS * cols);
    }
    let r = 0;
    while (r < rows) {
      const take = Math.min(rows - r, BLOCK_ROWS - this.filled);
      this.buffer.set(data.subarray(r * cols, (r + take) * cols), this.filled * cols);
      this.filled += take;
      r += take;
      if (this.filled === BLOCK_ROWS) this.emit();
    }
  }

  /** Rows added so far. */
  get rows(): number {
    return this.emitted + this.filled;
  }

  /** Emits the partial last block. */
  finish(): void {
    if (this.filled > 0) this.emit();
  }

  private emit(): void {
    const rows = this.filled;
    const data = rows === BLOCK_ROWS ? this.buffer : this.buffer.slice(0, rows * this.cols);
    this.ready.push({ data, rows, cols: this.cols, first: this.emitted });
    this.emitted += rows;
    this.filled = 0;
    this.buffer = new Float64Array(BLOCK_ROWS * this.cols);
  }
}

/**
 * An input error about a chunk of rows, renamed to count in the whole source: `X[5][1]` of the chunk whose first row
 * is 4096 becomes `source row 4101, column 1`, `X.data` becomes `source chunk 2 (.data)`.
 */
function inSource(e: InputError, label: string, chunk: number, first: number): InputError {
  if (!e.argument.startsWith('X')) return e;
  const m = /^X\[(\d+)\](?:\[(\d+)\])?/.exec(e.argument);
  if (m === null) return e.renamed(`${label} chunk ${chunk}${e.argument.length > 1 ? ` (${e.argument.slice(1)})` : ''}`);
  return e.renamed(`${label} row ${first + Number(m[1])}${m[2] === undefined ? '' : `, column ${m[2]}`}`);
}

/** An opened pass: its chunks, and how to release the source when the pass stops before its end. */
interface OpenedPass {
  readonly next: () => Promise<IteratorResult<StreamChunk>>;
  /** Releases the source (destroys a stream, closes a file, returns an iterator); not awaited, never throws. */
  readonly release: () => void;
}

/** The reason a file cannot be read, as an `InputError`; other errors as they are. */
function fileError(e: unknown, path: string): unknown {
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return e;
  const reason = code === 'ENOENT' ? 'no such file' : code === 'EACCES' || code === 'EPERM' ? 'permission denied'
    : code === 'EISDIR' ? 'a directory' : code;
  return new InputError('source', 'a readable CSV file', `${JSON.stringify(path)}: ${reason}`);
}

/** One pass of a file (Node only; the module is imported here so that browsers never load it). */
async function openFile(path: string): Promise<OpenedPass> {
  const { createReadStream } = await import(/* webpackIgnore: true */ /* @vite-ignore */ 'node:fs');
  const stream = createReadStream(path, { highWaterMark: 1 << 16 });
  const chunks = stream[Symbol.asyncIterator]() as AsyncIterator<Uint8Array>;
  return {
    next: () => chunks.next().catch((e: unknown) => {
      throw fileError(e, path);
    }),
    // A read pending on a FIFO completes in the thread pool before the descriptor closes (when the writer writes or
    // closes); the pass does not wait for it.
    release: () => stream.destroy(),
  };
}

/** One pass of a source function's iterable (sync or async); throws `InputError` if `source()` returns neither. */
function openIterable(opened: unknown): OpenedPass {
  const isObject = opened !== null && (typeof opened === 'object' || typeof opened === 'function');
  const asyncIt = isObject ? (opened as Partial<AsyncIterable<StreamChunk>>)[Symbol.asyncIterator] : undefined;
  const syncIt = isObject ? (opened as Partial<Iterable<StreamChunk>>)[Symbol.iterator] : undefined;
  if (typeof asyncIt !== 'function' && typeof syncIt !== 'function') {
    throw new InputError('source()', 'an iterable or async iterable of row blocks or CSV text', describe(opened));
  }
  const it = typeof asyncIt === 'function' ? asyncIt.call(opened) : syncIt!.call(opened);
  return {
    next: async () => {
      const r = await it.next();
      // A synchronous iterable may yield promises of chunks, which `for await` would await.
      return r.done === true ? r : { done: false, value: await r.value };
    },
    release: () => {
      // A Node Readable: destroying it settles a pending read (its iterator's return() would wait for that read).
      const destroy = (opened as { destroy?: unknown }).destroy;
      try {
        if (typeof destroy === 'function') destroy.call(opened);
        const returned = it.return?.();
        if (returned !== undefined && typeof (returned as Promise<unknown>).then === 'function') {
          (returned as Promise<unknown>).then(undefined, () => undefined);
        }
      } catch {
        // The source failed while being released: the pass has already stopped, with its own error.
      }
    },
  };
}

/**
 * One pass over `source`: its rows in blocks of `BLOCK_ROWS` (copies, which the caller may keep). Throws `InputError`
 * naming the line (CSV) or row (row chunks) of bad input. Every read races `signal`: once it aborts, the pass rejects
 * at once with the signal's reason (`abortError`), even while the source has not answered, and releases the source
 * (destroys a Readable or the file's stream, calls the iterator's `return()`). A pass that stops early for any other
 * reason (bad input, a consumer that stops) releases it too.
 */
export async function* rowBlocks(source: StreamSource, options: ReadOptions): AsyncGenerator<RowBlock> {
  const label = options.label ?? sourceLabel(source);
  const { signal } = options;
  throwIfAborted(signal);
  const opened = typeof source === 'string' ? await raceAbort(openFile(source), signal) : openIterable(source());
  let released = false;
  const pass: OpenedPass = {
    next: opened.next,
    release: () => {
      if (released) return;
      released = true;
      opened.release();
    },
  };
  let ended = false;
  try {
    yield* cutPass(pass, label, options);
    ended = true;
  } finally {
    if (!ended) pass.release();
  }
}

/** The blocks of an opened pass (see `rowBlocks`). */
async function* cutPass(pass: OpenedPass, label: string, options: ReadOptions): AsyncGenerator<RowBlock> {
  const { signal } = options;
  const cutter = new BlockCutter();
  let csv: NumericCsvReader | null = null;
  let decoder: CsvDecoder | null = null;
  let chunkIndex = 0;
  for (;;) {
    const next = await raceAbort(pass.next(), signal, pass.release);
    if (next.done === true) break;
    const chunk = next.value;
    throwIfAborted(signal);
    const text = typeof chunk === 'string' || chunk instanceof Uint8Array;
    if (chunkIndex > 0 && text !== (csv !== null)) {
      throw new InputError(`${label} chunk ${chunkIndex}`, text ? 'row blocks, as the first chunk' : 'CSV text, as the first chunk',
        describe(chunk), 'A source yields either rows or CSV text');
    }
    if (text) {
      if (csv === null) {
        csv = new NumericCsvReader({ source: label, missing: 'nan' }, (row) => cutter.add(row, 1, row.length));
        decoder = new CsvDecoder();
      }
      if (chunkIndex === 0) checkNotJson(chunk, label);
      csv.push(typeof chunk === 'string' ? chunk : decoder!.decode(chunk));
    } else {
      let m;
      try {
        m = toMatrix(chunk, { nFeatures: options.nFeatures }, 'X');
      } catch (e) {
        throw e instanceof InputError ? inSource(e, label, chunkIndex, cutter.rows) : e;
      }
      if (cutter.cols >= 0 && m.cols !== cutter.cols) {
        throw new InputError(`${label} chunk ${chunkIndex}`, `rows of ${cutter.cols} columns (as the first chunk)`,
          `${m.cols} columns (source rows from ${cutter.rows})`);
      }
      cutter.add(m.data, m.rows, m.cols);
    }
    chunkIndex++;
    yield* cutter.ready.splice(0);
  }
  if (csv !== null) {
    csv.push(decoder!.end());
    csv.end();
  }
  throwIfAborted(signal);
  cutter.finish();
  if (cutter.rows === 0) throw new InputError(label, 'at least one row', 'no rows');
  yield* cutter.ready.splice(0);
}

/** A JSON document where CSV was expected (a model file given as data) is named as such. */
function checkNotJson(chunk: string | Uint8Array, label: string): void {
  const head = typeof chunk === 'string' ? chunk.slice(0, 64) : new TextDecoder().decode(chunk.subarray(0, 64));
  if (/^\ufeff?\s*[{[]/.test(head)) {
    throw new InputError(label, 'CSV data', 'JSON (is it a model file in the place of the data?)');
  }
}
