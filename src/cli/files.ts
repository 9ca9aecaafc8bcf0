/** Reading data and models from files or standard input, and writing outputs. */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { GaussianMixture, InputError, discreteMixtureFromJSON } from '../index.js';
import { checkModelFormat } from './model-format.js';
import type { CliModel } from './commands.js';
import { BLOCK_ROWS } from '../em/driver.js';
import { NumericCsvReader, TableBuilder, columnLabel, type NumericCsv, type NumericCsvShape, type ParseCsvOptions } from '../io/csv.js';
import { CsvDecoder } from '../io/decode.js';
import { RowLines } from '../io/row-lines.js';
import { DataError, systemReason } from './errors.js';
import type { CliIO } from './run.js';
import { writeFileAtomic } from './write-file.js';

/** The name of an input in messages: the path as given, or `stdin` for `-`. */
export function sourceName(path: string): string {
  return path === '-' ? 'stdin' : path;
}

/** Bytes read from a file at a time. */
const READ_CHUNK = 1 << 16;

/**
 * The chunks of a file (`READ_CHUNK` bytes at a time) or of standard input for `-`, as they arrive: nothing is ever
 * joined into one string, so an input of any size can be read.
 */
async function* inputChunks(path: string, io: CliIO, chunkSize = READ_CHUNK): AsyncGenerator<string | Uint8Array> {
  if (path === '-') {
    yield* io.stdin;
    return;
  }
  const stream = createReadStream(path, { highWaterMark: chunkSize });
  try {
    for await (const chunk of stream) yield chunk as Uint8Array;
  } catch (e) {
    throw new DataError(`cannot read ${path}: ${systemReason(e)}`);
  } finally {
    stream.destroy();
  }
}

/**
 * Longest model file read: JSON.parse needs the whole file as one string, and V8's longest string is 2^29 − 24
 * characters; past it (or `/dev/zero`, which never ends) the read stops at once.
 */
const MAX_MODEL_BYTES = 2 ** 29 - 24;

/** The text of a (model) file, or of standard input for `-`; refused past `MAX_MODEL_BYTES` or at a NUL byte. */
export async function readText(path: string, io: CliIO): Promise<string> {
  const decoder = new CsvDecoder();
  const parts: string[] = [];
  let bytes = 0;
  for await (const chunk of inputChunks(path, io)) {
    bytes += chunk.length;
    if (bytes > MAX_MODEL_BYTES) {
      throw new DataError(`${sourceName(path)}: not a model file: more than ${MAX_MODEL_BYTES} bytes, the longest ` +
        'JSON text that can be read');
    }
    const text = typeof chunk === 'string' ? chunk : decoder.decode(chunk);
    if (text.includes('\0')) throw new DataError(`${sourceName(path)}: not a model file: binary data (a NUL byte)`);
    parts.push(text);
  }
  parts.push(decoder.end());
  return parts.join('');
}

/** The size of a file in bytes; a `DataError` when it cannot be read (missing, a directory). */
export async function fileSize(path: string): Promise<number> {
  let size: number;
  try {
    const info = await stat(path);
    if (info.isDirectory()) throw Object.assign(new Error('a directory'), { code: 'EISDIR' });
    size = info.size;
  } catch (e) {
    throw new DataError(`cannot read ${path}: ${systemReason(e)}`);
  }
  return size;
}

/** How the CLI reads a data file: the `--header`/`--no-header`, `--delimiter` and `--decimal` choices. */
export type CsvReadOptions = Pick<ParseCsvOptions, 'header' | 'delimiter' | 'decimal'>;

/** Test hooks: the bytes read at a time and the longest record. */
export interface ReadTuning {
  chunkSize?: number;
  maxRecordLength?: number;
}

/**
 * Reads a CSV data input chunk by chunk (bytes decoded by their byte-order mark, UTF-8 without one) into `onRow`,
 * pausing after each chunk (a step of the generator, so that the caller can hand on the rows it completed), and
 * returns the table's shape. Missing entries (an empty field, NA, NaN, …) are read as NaN: the models say which of them
 * they handle.
 */
async function* readCsv(
  path: string, io: CliIO, read: CsvReadOptions, onRow: (row: Float64Array, line: number, reader: NumericCsvReader) => void,
  tuning: ReadTuning = {},
): AsyncGenerator<void, NumericCsvShape> {
  const source = sourceName(path);
  const reader: NumericCsvReader = new NumericCsvReader(
    { ...read, source, missing: 'nan', advice: 'cli', maxRecordLength: tuning.maxRecordLength },
    (row, line) => onRow(row, line, reader));
  const decoder = new CsvDecoder();
  let head = '';
  for await (const chunk of inputChunks(path, io, tuning.chunkSize)) {
    const text = typeof chunk === 'string' ? chunk : decoder.decode(chunk);
    if (head.length < 64) {
      head += text.slice(0, 64);
      if (/^\ufeff?\s*[{[]/.test(head)) {
        throw new DataError(`${source}: expected CSV data, got JSON (is it a model file in the place of DATA.csv?)`);
      }
    }
    reader.push(text);
    yield;
  }
  reader.push(decoder.end());
  return reader.end();
}

/** A numeric CSV table from a file or standard input, read in chunks (never one string of the whole input). */
export async function readData(path: string, io: CliIO, read: CsvReadOptions = {}, tuning?: ReadTuning): Promise<NumericCsv> {
  const table = new TableBuilder();
  const steps = readCsv(path, io, read, (row, line) => table.add(row, line), tuning);
  for (;;) {
    const step = await steps.next();
    if (step.done) return table.finish(step.value);
  }
}

/**
 * A block of rows of a data input: `first` is the index of its first row, `lines` the file lines of all rows so far,
 * `header` the input's column names (null without a header row).
 */
export interface DataBlock {
  readonly data: Float64Array;
  readonly rows: number;
  readonly cols: number;
  readonly first: number;
  readonly lines: RowLines;
  readonly header: string[] | null;
}

/**
 * The rows of a data input in blocks of `BLOCK_ROWS` (copies), each handed on once its rows have been read, so that
 * memory stays bounded whatever the size of the input.
 */
export async function* dataBlocks(
  path: string, io: CliIO, read: CsvReadOptions = {}, tuning?: ReadTuning,
): AsyncGenerator<DataBlock> {
  const lines = new RowLines();
  const ready: DataBlock[] = [];
  let block: Float64Array | null = null;
  let filled = 0;
  let first = 0;
  let header: string[] | null = null;
  const emit = (cols: number): void => {
    const data = filled === BLOCK_ROWS ? block! : block!.slice(0, filled * cols);
    ready.push({ data, rows: filled, cols, first, lines, header });
    first += filled;
    filled = 0;
    block = null;
  };
  const steps = readCsv(path, io, read, (row, line, reader) => {
    if (block === null) {
      block = new Float64Array(BLOCK_ROWS * row.length);
      header = reader.headerNames;
    }
    block.set(row, filled * row.length);
    lines.add(line);
    if (++filled === BLOCK_ROWS) emit(row.length);
  }, tuning);
  try {
    for (;;) {
      const step = await steps.next();
      yield* ready.splice(0);
      if (step.done) {
        if (filled > 0) emit(step.value.cols);
        yield* ready.splice(0);
        return;
      }
    }
  } finally {
    await steps.return(undefined as never);
  }
}

/**
 * An `InputError` a model raised about a value of the data (`X[i][j]`, 0-based) renamed to the place in the file:
 * `data.csv, line 4502, column 1 (name)`. `lines` and `first` map the row of the matrix given to the model to its line.
 */
export function locatedInFile(
  e: unknown, source: string, lines: RowLines, first = 0, header: readonly string[] | null = null,
): unknown {
  if (!(e instanceof InputError)) return e;
  const m = /^X\[(\d+)\](?:\[(\d+)\])?/.exec(e.argument);
  if (m === null || m[0].length !== e.argument.length) return e;
  const line = lines.line(first + Number(m[1]));
  if (line < 0) return e;
  let where = `${source}, line ${line}`;
  if (m[2] !== undefined) {
    const j = Number(m[2]);
    const name = header?.[j];
    where += `, column ${j + 1}${name ? ` (${columnLabel(name)})` : ''}`;
  }
  return e.renamed(where);
}

/**
 * A model saved by `wasm-em fit` (or `toJSON`), from a file or standard input: the class its `format` names (a
 * Bernoulli, categorical or Poisson mixture), else a Gaussian mixture.
 */
export async function readModel(path: string, io: CliIO): Promise<CliModel> {
  const source = sourceName(path);
  const text = await readText(path, io);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new DataError(`${source}: not a model file: invalid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  checkModelFormat(json, source);
  try {
    return discreteMixtureFromJSON(json) ?? GaussianMixture.fromJSON(json);
  } catch (e) {
    if (e instanceof InputError) throw new DataError(`${source}: not a valid wasm-em model: ${e.message}`);
    throw e;
  }
}

/**
 * Writes `text` to a file, or to standard output for `-` or no path. A file is replaced atomically (`writeFileAtomic`):
 * if the write fails or the process is killed, the previous file is intact.
 */
export async function writeText(path: string | undefined, text: string, io: CliIO): Promise<void> {
  if (path === undefined || path === '-') {
    io.stdout.write(text);
    return;
  }
  try {
    await writeFileAtomic(path, text);
  } catch (e) {
    // `-o /dev/stdout | head`: the reader went away, as for stdout itself; nothing to report.
    if ((e as { code?: unknown }).code === 'EPIPE') return;
    throw new DataError(`cannot write ${path}: ${systemReason(e)}`);
  }
}
