/**
 * Command-line arguments: a strict reader over Node's `util.parseArgs` tokens, and validators whose messages name the
 * flag as the user typed it (`-k` or `--k`).
 */
import { parseArgs } from 'node:util';
import type { ParseCsvOptions } from '../io/csv.js';
import { UsageError } from './errors.js';

/** One option of a subcommand. */
export interface OptionSpec {
  /** Long name, without dashes (`'max-iter'`). */
  readonly name: string;
  /** One-letter alias (`'k'` for `-k`). */
  readonly short?: string;
  /** `'string'` takes a value; `'boolean'` is a switch. */
  readonly type: 'string' | 'boolean';
  /** Placeholder of the value in the help (`'K'`). */
  readonly placeholder?: string;
  /** One line of help, defaults included. */
  readonly help: string;
}

/** A given option: its value (`true` for a switch) and the flag as typed. */
export interface GivenOption {
  readonly value: string | true;
  readonly flag: string;
}

export interface ParsedArgs {
  readonly options: ReadonlyMap<string, GivenOption>;
  readonly positionals: readonly string[];
  /** `-h` / `--help` was given. */
  readonly help: boolean;
}

/** The flags shown for an option: `-k, --k K` or `--tol T`. */
export function optionLabel(spec: OptionSpec): string {
  const names = spec.short ? `-${spec.short}, --${spec.name}` : `--${spec.name}`;
  return spec.type === 'string' ? `${names} ${spec.placeholder ?? 'VALUE'}` : names;
}

/**
 * Reads `argv` (the arguments after the subcommand) against `specs`. Unknown options, a missing value, a value given
 * to a switch and an option given twice are usage errors. `-h`/`--help` is always accepted.
 */
export function readArgs(argv: readonly string[], specs: readonly OptionSpec[], command: string): ParsedArgs {
  const config: Record<string, { type: 'string' | 'boolean'; short?: string }> = {
    help: { type: 'boolean', short: 'h' },
  };
  for (const s of specs) config[s.name] = s.short ? { type: s.type, short: s.short } : { type: s.type };
  // strict: false so that this module, not parseArgs, words the errors; every token is checked below.
  const { tokens } = parseArgs({
    args: [...argv],
    options: config,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const options = new Map<string, GivenOption>();
  const positionals: string[] = [];
  // --help anywhere wins over mistakes elsewhere on the line: the help explains them.
  if (tokens.some((t) => t.kind === 'option' && t.name === 'help')) return { options, positionals, help: true };
  const see = `see 'wasm-em ${command} --help'`;
  for (const token of tokens) {
    if (token.kind === 'positional') {
      positionals.push(token.value);
      continue;
    }
    if (token.kind !== 'option') continue; // the `--` terminator
    const spec = specs.find((s) => s.name === token.name);
    if (!spec) throw new UsageError(`unknown option ${token.rawName} for '${command}' (${see})`, command);
    if (options.has(spec.name)) {
      throw new UsageError(`${token.rawName} is given more than once`, command);
    }
    if (spec.type === 'boolean') {
      if (token.value !== undefined) {
        throw new UsageError(`${token.rawName} takes no value, got ${JSON.stringify(token.value)}`, command);
      }
      options.set(spec.name, { value: true, flag: token.rawName });
      continue;
    }
    const value = token.value;
    // `-k --seed 1`: parseArgs hands "--seed" to -k as its value; that is a forgotten value, not a bad one.
    if (value === undefined || (!token.inlineValue && /^-[^\d.]/.test(value))) {
      throw new UsageError(
        `${token.rawName} needs a value (${token.rawName} ${spec.placeholder ?? 'VALUE'})` +
          (value === undefined ? '' : `, got the option ${value}`),
        command,
      );
    }
    options.set(spec.name, { value, flag: token.rawName });
  }
  return { options, positionals, help: false };
}

/** Checks the number of positional arguments, naming the missing or extra ones. `usage` is the command's usage line. */
export function expectPositionals(
  args: ParsedArgs,
  names: readonly string[],
  command: string,
  usage: string,
): string[] {
  const got = args.positionals;
  if (got.length < names.length) {
    const missing = names.slice(got.length).join(' and ');
    throw new UsageError(`missing ${missing} (usage: wasm-em ${usage})`, command);
  }
  if (got.length > names.length) {
    const extra = got.slice(names.length).map((a) => JSON.stringify(a)).join(' ');
    throw new UsageError(
      `unexpected argument${got.length - names.length > 1 ? 's' : ''} ${extra} (usage: wasm-em ${usage})`,
      command,
    );
  }
  return [...got];
}

// ─── Values ─────────────────────────────────────────────────────────────────────────────────────────────────────────

/** A decimal number as typed: no hex, no empty string (which `Number` reads as 0), no `Infinity`. */
const DECIMAL_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

function bad(option: GivenOption, expected: string, command: string): UsageError {
  return new UsageError(`${option.flag}: expected ${expected}, got ${JSON.stringify(option.value)}`, command);
}

/** An integer in `[min, max]`. */
export function integerValue(option: GivenOption, command: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const raw = String(option.value).trim();
  const x = Number(raw);
  if (!/^[+-]?\d+$/.test(raw) || !Number.isSafeInteger(x) || x < min || x > max) {
    const what =
      min === 1 && max === Number.MAX_SAFE_INTEGER
        ? 'a positive integer'
        : min === 0 && max === Number.MAX_SAFE_INTEGER
          ? 'a non-negative integer'
          : `an integer from ${min} to ${max}`;
    throw bad(option, what, command);
  }
  return x;
}

/** A finite number ≥ 0. */
export function nonNegativeValue(option: GivenOption, command: string): number {
  const raw = String(option.value).trim();
  const x = Number(raw);
  if (!DECIMAL_RE.test(raw) || !Number.isFinite(x) || x < 0) throw bad(option, 'a number ≥ 0', command);
  return x;
}

/** One of `allowed`. */
export function choiceValue<T extends string>(option: GivenOption, command: string, allowed: readonly T[]): T {
  const raw = String(option.value).trim();
  if (!(allowed as readonly string[]).includes(raw)) throw bad(option, `one of ${allowed.join(', ')}`, command);
  return raw as T;
}

/** A comma-separated list of distinct values from `allowed` (at least one). */
export function choiceListValue<T extends string>(option: GivenOption, command: string, allowed: readonly T[]): T[] {
  const items = String(option.value)
    .split(',')
    .map((s) => s.trim());
  const out: T[] = [];
  for (const item of items) {
    if (!(allowed as readonly string[]).includes(item)) {
      throw new UsageError(
        `${option.flag}: expected a comma-separated list of ${allowed.join(', ')}, got ${JSON.stringify(item)}` +
          ` in ${JSON.stringify(option.value)}`,
        command,
      );
    }
    if (!out.includes(item as T)) out.push(item as T);
  }
  return out;
}

/** `MIN..MAX` (inclusive, 1 ≤ MIN ≤ MAX) or a single `K`, as `[MIN, MAX]`. */
export function rangeValue(option: GivenOption, command: string): [number, number] {
  const raw = String(option.value).trim();
  const m = /^(\d+)(?:\s*\.\.\s*(\d+))?$/.exec(raw);
  const lo = m ? Number(m[1]) : NaN;
  const hi = m ? Number(m[2] ?? m[1]) : NaN;
  if (!m || !Number.isSafeInteger(lo) || !Number.isSafeInteger(hi) || lo < 1 || lo > hi) {
    const why = m && lo > hi ? ' with MIN ≤ MAX' : m && lo < 1 ? ' with MIN ≥ 1' : '';
    throw bad(option, `a range MIN..MAX of component counts${why} (e.g. 1..8) or one count`, command);
  }
  return [lo, hi];
}

// ─── Reading DATA.csv ───────────────────────────────────────────────────────────────────────────────────────────────

/** The options of every command that reads DATA.csv: its header row, delimiter and decimal mark. */
export const CSV_INPUT_OPTIONS: readonly OptionSpec[] = [
  {
    name: 'header',
    type: 'boolean',
    help: 'the first row of DATA.csv is a header, whatever it holds (say so when names look like numbers: 2019,2020) [detected]',
  },
  {
    name: 'no-header',
    type: 'boolean',
    help: 'the first row of DATA.csv is data [detected: a header when every field is a name, an error when it mixes names and numbers]',
  },
  {
    name: 'delimiter',
    type: 'string',
    placeholder: 'C',
    help: "field delimiter: ',' ';' or tab [',', or ';' or tab when the first line has no comma]",
  },
  {
    name: 'decimal',
    type: 'string',
    placeholder: 'C',
    help: "decimal mark: '.' or ',' (1,5; the delimiter is then ';' or tab) ['.']",
  },
];

const DELIMITERS: Record<string, ',' | ';' | '\t'> = { ',': ',', ';': ';', tab: '\t', '\t': '\t', '\\t': '\t' };

/** How to read DATA.csv, from `CSV_INPUT_OPTIONS`; only what was given. */
export function csvInputValue(args: ParsedArgs, command: string): Pick<ParseCsvOptions, 'header' | 'delimiter' | 'decimal'> {
  const out: Pick<ParseCsvOptions, 'header' | 'delimiter' | 'decimal'> = {};
  const header = args.options.get('header');
  const noHeader = args.options.get('no-header');
  if (header && noHeader) throw new UsageError(`${header.flag} and ${noHeader.flag} contradict each other: give one`, command);
  if (header) out.header = true;
  if (noHeader) out.header = false;
  const delimiter = args.options.get('delimiter');
  if (delimiter) {
    const d = DELIMITERS[String(delimiter.value)];
    if (d === undefined) throw bad(delimiter, "',' ';' or tab", command);
    out.delimiter = d;
  }
  const decimal = args.options.get('decimal');
  if (decimal) {
    const raw = String(decimal.value);
    if (raw !== '.' && raw !== ',') throw bad(decimal, "'.' or ','", command);
    if (raw === ',' && out.delimiter === ',') {
      throw new UsageError(`${decimal.flag} ',' needs another delimiter: give --delimiter ';' (or tab)`, command);
    }
    out.decimal = raw;
  }
  return out;
}
