/** Reading data and models from files or standard input, and writing outputs. */
import { readFile, stat } from 'node:fs/promises';
import { GaussianMixture, InputError, discreteMixtureFromJSON } from '../index.js';
import { checkModelFormat } from './model-format.js';
import type { CliModel } from './commands.js';
import { parseNumericCsv, type NumericCsv } from '../io/csv.js';
import { DataError, systemReason } from './errors.js';
import type { CliIO } from './run.js';
import { writeFileAtomic } from './write-file.js';

/** The name of an input in messages: the path as given, or `stdin` for `-`. */
export function sourceName(path: string): string {
  return path === '-' ? 'stdin' : path;
}

/** All of standard input as text. */
async function readStdin(stdin: CliIO['stdin']): Promise<string> {
  const decoder = new TextDecoder();
  let text = '';
  for await (const chunk of stdin) {
    text += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
  }
  return text + decoder.decode();
}

/** The text of a file, or of standard input for `-`. */
export async function readText(path: string, io: CliIO): Promise<string> {
  if (path === '-') return readStdin(io.stdin);
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    throw new DataError(`cannot read ${path}: ${systemReason(e)}`);
  }
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

/** A numeric CSV table from a file or standard input. */
export async function readData(path: string, io: CliIO): Promise<NumericCsv> {
  const text = await readText(path, io);
  if (/^\ufeff?\s*[{[]/.test(text)) {
    throw new DataError(
      `${sourceName(path)}: expected CSV data, got JSON (is it a model file in the place of DATA.csv?)`,
    );
  }
  // An empty field, NA, NaN (and the like) is a missing entry: the models handle them.
  return parseNumericCsv(text, { source: sourceName(path), missing: 'nan' });
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
