/**
 * Numeric CSV: the reader the CLI uses for data files, and the writer for its outputs.
 *
 * The reader is deliberately small and strict. It accepts RFC 4180 CSV (quoted fields, `""` escapes, line breaks inside
 * quotes) with the variations real files have: CRLF or CR line ends, a UTF-8 byte-order mark, spaces around fields,
 * blank lines at the start or end, and `;` or tab as the delimiter when the first line has no comma. Every error names
 * the source, the 1-based line (counting the header), the column and the offending text, so a user can open the file
 * at the right place.
 *
 * It never touches the file system: it works on text, in Node and in browsers. Bytes are decoded by `CsvDecoder`
 * (decode.ts), chunk by chunk, so that no input is ever one string: only a record longer than `MAX_RECORD_LENGTH`
 * characters is refused (V8 cannot make a string of more than about 2^29 characters).
 */
import { InputError } from '../errors.js';
import { RowLines } from './row-lines.js';

/** How empty fields and `NA`/`NaN` are treated: an error, or `NaN` (a missing entry, as the CLI reads them). */
export type MissingPolicy = 'error' | 'nan';

/** The delimiters the reader knows. */
export type CsvDelimiter = ',' | ';' | '\t';

/** The decimal marks the reader knows. */
export type CsvDecimal = '.' | ',';

/**
 * Longest record (a line, or the lines of a record whose quoted field holds line breaks) the reader accepts by default,
 * in characters: 64 MiB. A longer one is a `CsvError` naming its line, raised as soon as that much has been read.
 */
export const MAX_RECORD_LENGTH = 64 * 2 ** 20;

export interface ParseCsvOptions {
  /** Name of the input in error messages (a path, `'stdin'`). Default `'CSV'`. */
  source?: string;
  /** Missing values (empty field, `NA`, `NaN`, …): `'error'` (default) or `'nan'`. */
  missing?: MissingPolicy;
  /**
   * Field delimiter. Default: `,`, or `;` / tab when the first line has no comma but has one of those (with
   * `decimal: ','`: `;`, or tab when the first line has no `;` but a tab).
   */
  delimiter?: CsvDelimiter;
  /** Decimal mark of the numbers: `.` (default) or `,` (`1,5`; then the delimiter cannot be `,`). */
  decimal?: CsvDecimal;
  /**
   * Whether the first non-blank row is a header: `true`, `false`, or detected (default): a header when every field is
   * a name (not a number, not a missing-value marker such as an empty field or `NA`), data when none is, and an error
   * naming line 1 when it mixes both. A header of names that look like numbers (`2019,2020`) cannot be told from data:
   * give `header: true`.
   */
  header?: boolean;
  /** Longest record accepted, in characters [`MAX_RECORD_LENGTH`, 64 MiB]. */
  maxRecordLength?: number;
  /** How hints name the reader's options: as this API's (`{ header: true }`, default) or the CLI's flags (`--header`). */
  advice?: 'api' | 'cli';
}

/** A numeric table read from CSV. */
export interface NumericCsv {
  /** Row-major values, rows×cols. */
  data: Float64Array;
  rows: number;
  cols: number;
  /** Column names when the first row is a header, else `null`. */
  header: string[] | null;
  /** The 1-based file line of each row (0-based), for messages about a row's values. */
  lines: RowLines;
  /** The delimiter the rows were read with (given or detected; `,` when absent). */
  delimiter?: CsvDelimiter;
  /** The decimal mark the rows were read with (`.` when absent). */
  decimal?: '.' | ',';
}

/**
 * A CSV input that cannot be read as a numeric table (an `InputError`, whose `name` it keeps). `line` and `column` are
 * 1-based; `column` is null for errors about a whole row, both are null for errors about the whole input.
 */
export class CsvError extends InputError {
  readonly source: string;
  readonly line: number | null;
  readonly column: number | null;
  /** The offending field or record as written in the file, when there is one. */
  readonly text: string | null;
  constructor(
    where: {
      source: string;
      line?: number | null;
      column?: number | null;
      columnName?: string | null;
      text?: string | null;
    },
    expected: string,
    received: string,
    hint?: string,
  ) {
    const line = where.line ?? null;
    const column = where.column ?? null;
    let argument = where.source;
    if (line !== null) argument += `, line ${line}`;
    if (column !== null) argument += `, column ${column}${where.columnName ? ` (${columnLabel(where.columnName)})` : ''}`;
    super(argument, expected, received, hint);
    this.source = where.source;
    this.line = line;
    this.column = column;
    this.text = where.text ?? null;
  }
}

/** The hints of `advice: 'api'` and the CLI's flags for the same options, for `withCliAdvice`. */
const CLI_ADVICE: [string, string][] = [
  ["{ delimiter: ';', decimal: ',' }", "--delimiter ';' --decimal ','"],
  ["{ delimiter: '\\t', decimal: ',' }", "--delimiter tab --decimal ','"],
  ["decimal: ','", "--decimal ','"],
  ['header: true', '--header'],
];

/**
 * The message of a `CsvError` raised by a reader created with the API's hints (a `fitStream` file path), rewritten to
 * name the CLI's flags; the error is returned, its message changed.
 */
export function withCliAdvice(e: CsvError): CsvError {
  let message = e.message;
  for (const [api, cli] of CLI_ADVICE) message = message.split(api).join(cli);
  e.message = message;
  return e;
}

/** Longest part of a field quoted in a message: a message is one line, not a copy of a 1 MB field. */
const QUOTED_MAX = 40;

/** A field as quoted in a message: JSON-escaped (one line), cut after `QUOTED_MAX` characters. */
function quoted(field: string): string {
  return JSON.stringify(field.length > QUOTED_MAX ? field.slice(0, QUOTED_MAX) + '…' : field);
}

/** A header name in a message: as written when short and printable, else quoted (JSON, cut after 40 characters). */
export function columnLabel(name: string): string {
  return name.length <= QUOTED_MAX && !/[\x00-\x1f\x7f]/.test(name) ? name : quoted(name);
}

/** Spellings read as a missing value. */
const MISSING_TOKENS = new Set(['', 'NA', 'N/A', 'n/a', '#N/A', 'NaN', 'nan', 'NAN', '-NaN', '-nan', 'NULL', 'null']);
/** A decimal number as written in CSV files: no hex, no separators, no `Infinity`. */
const NUMBER_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INFINITY_RE = /^[+-]?(?:inf|infinity)$/i;
/** A decimal comma (`1,5`), which only survives tokenizing with a `;` or tab delimiter. */
const DECIMAL_COMMA_RE = /^[+-]?\d*,\d+$/;
/** A decimal number written with a decimal comma (`decimal: ','`). */
const COMMA_NUMBER_RE = /^[+-]?(?:\d+,?\d*|,\d+)(?:[eE][+-]?\d+)?$/;

type FieldKind = 'number' | 'missing' | 'infinite' | 'text';

function classify(field: string, decimalComma = false): FieldKind {
  // Numbers first: they are nearly every field, and a regular expression test costs less than hashing a new string.
  if ((decimalComma ? COMMA_NUMBER_RE : NUMBER_RE).test(field)) return 'number';
  if (MISSING_TOKENS.has(field)) return 'missing';
  if (INFINITY_RE.test(field)) return 'infinite';
  return 'text';
}

/** One record (a logical CSV row, which may span several physical lines when a quoted field holds a line break). */
interface CsvRecord {
  /**
   * Field values: unquoted fields trimmed, quoted fields verbatim; with `ScanMode.numbers`, an unquoted plain decimal
   * that `Number` reads exactly (see `fastDecimal`) as its number.
   */
  fields: (string | number)[];
  /** Physical line (1-based) where the record starts. */
  line: number;
  /** True for a line with nothing but whitespace. */
  blank: boolean;
  /** The scanned text and the record's range in it (without its line end), to read it again as text. */
  text: string;
  start: number;
  end: number;
}

/** How `scanRecords` hands fields over; read at every record, so a callback may change it for the next one. */
interface ScanMode {
  /** Whether unquoted plain decimals are handed over as numbers. */
  numbers: boolean;
  /** The decimal mark of those numbers (a character code) [`.`]. */
  point?: number;
}

/** The value `fastDecimal` read. */
let fastValue = 0;

const DIGIT_0 = 0x30;
const POWERS_OF_TEN = Array.from({ length: 23 }, (_, e) => 10 ** e);

/**
 * Reads an unquoted field at `i` that is a plain decimal (`[+-]digits[.digits][e[+-]digits]`, at most 15 significant
 * digits, a power of ten within 10^±22, followed by optional padding and the end of the field) into `fastValue`, and
 * returns the index after it; −1 for anything else, which the caller reads as text. Such a number is the correctly
 * rounded product or quotient of two exact doubles (Clinger's fast path), so it equals `Number(field)` bit for bit,
 * without making a string of the field.
 */
function fastDecimal(text: string, i: number, n: number, delim: number, padTab: boolean, point: number): number {
  let ch = text.charCodeAt(i);
  const negative = ch === 0x2d;
  if (negative || ch === 0x2b) ch = text.charCodeAt(++i);
  let mantissa = 0;
  let significant = 0;
  let digits = 0;
  let scale = 0;
  while (ch >= DIGIT_0 && ch <= DIGIT_0 + 9) {
    if (mantissa > 0 || ch > DIGIT_0) significant++;
    mantissa = mantissa * 10 + (ch - DIGIT_0);
    digits++;
    ch = text.charCodeAt(++i);
  }
  if (ch === point) {
    ch = text.charCodeAt(++i);
    while (ch >= DIGIT_0 && ch <= DIGIT_0 + 9) {
      if (mantissa > 0 || ch > DIGIT_0) significant++;
      mantissa = mantissa * 10 + (ch - DIGIT_0);
      digits++;
      scale--;
      ch = text.charCodeAt(++i);
    }
  }
  if (digits === 0 || significant > 15) return -1;
  if (ch === 0x65 || ch === 0x45) {
    ch = text.charCodeAt(++i);
    const negativeExponent = ch === 0x2d;
    if (negativeExponent || ch === 0x2b) ch = text.charCodeAt(++i);
    let exponent = 0;
    let exponentDigits = 0;
    while (ch >= DIGIT_0 && ch <= DIGIT_0 + 9 && exponentDigits < 4) {
      exponent = exponent * 10 + (ch - DIGIT_0);
      exponentDigits++;
      ch = text.charCodeAt(++i);
    }
    if (exponentDigits === 0 || (ch >= DIGIT_0 && ch <= DIGIT_0 + 9)) return -1;
    scale += negativeExponent ? -exponent : exponent;
  }
  while (i < n && (ch === SPACE || (ch === TAB && padTab))) ch = text.charCodeAt(++i);
  if (i < n && ch !== delim && ch !== LF && ch !== CR) return -1;
  if (scale < -22 || scale > 22) return -1;
  const value = scale >= 0 ? mantissa * POWERS_OF_TEN[scale]! : mantissa / POWERS_OF_TEN[-scale]!;
  fastValue = negative ? -value : value;
  return i;
}

/**
 * The delimiter of a text: `,` unless the first non-blank record has no comma but a `;` or a tab (outside quotes).
 */
export function detectDelimiter(text: string): CsvDelimiter {
  return scanDelimiter(text).delimiter;
}

/**
 * `detectDelimiter`, and whether the text decides it: false when the text ends before the first non-blank record
 * does, so that more text (the next chunk of a stream) could still hold a comma.
 */
function scanDelimiter(text: string, commaIsDecimal = false): { delimiter: CsvDelimiter; decided: boolean } {
  let inQuotes = false;
  let nonBlank = false;
  let semicolon = false;
  let tab = false;
  let decided = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inQuotes) {
      if (ch === '"') inQuotes = false; // an escaped "" closes and reopens
      continue;
    }
    if (ch === ',' && !commaIsDecimal) return { delimiter: ',', decided: true };
    if (ch === ';' && commaIsDecimal) return { delimiter: ';', decided: true };
    if (ch === '"') {
      inQuotes = true;
      nonBlank = true;
    } else if (ch === ';') semicolon = true;
    else if (ch === '\t') tab = true;
    else if (ch === '\n' || ch === '\r') {
      if (nonBlank) {
        decided = true;
        break;
      }
      semicolon = tab = false;
    } else if (ch !== ' ' && ch !== '\ufeff') nonBlank = true;
  }
  return { delimiter: semicolon ? ';' : tab ? '\t' : commaIsDecimal ? ';' : ',', decided };
}

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;

/** Where `scanRecords` stopped: the index of the first character not consumed, and its 1-based line. */
interface ScanEnd {
  next: number;
  line: number;
}

/**
 * Splits `text` from index `from` (at 1-based line `line`) into records and hands each to `onRecord`. A quoted field
 * runs to its closing quote, across delimiters and line ends; `""` inside it is one quote. Spaces (and tabs, unless
 * tab is the delimiter) around a field are dropped. Unless `final`, the text is a prefix of the input: a record that
 * reaches its end (it might go on in the next chunk) is left unconsumed, and the returned `next` is where it starts.
 */
function scanRecords(
  text: string,
  from: number,
  line: number,
  final: boolean,
  delimiter: CsvDelimiter,
  source: string,
  onRecord: (record: CsvRecord) => void,
  mode: ScanMode = { numbers: false },
): ScanEnd {
  const n = text.length;
  const delim = delimiter.charCodeAt(0);
  const isPad = (ch: number): boolean => ch === SPACE || (ch === TAB && delim !== TAB);
  const point = mode.point ?? 0x2e;
  let i = from;
  while (i < n) {
    const recordStart = i;
    const recordLine = line;
    const incomplete = (): ScanEnd => ({ next: recordStart, line: recordLine });
    const fields: (string | number)[] = [];
    const numbers = mode.numbers;
    let blank = true;
    let end = 0;
    // One iteration per field; leaves `i` just past the delimiter, or at the line end / end of text.
    for (;;) {
      while (i < n && isPad(text.charCodeAt(i))) i++;
      if (i < n && text.charCodeAt(i) === QUOTE) {
        blank = false;
        const openLine = line;
        let value = '';
        let start = ++i;
        for (;;) {
          if (i >= n) {
            if (!final) return incomplete();
            throw new CsvError(
              { source, line: openLine, column: fields.length + 1 },
              'a closing quote (")',
              'the end of the input',
              'A quoted field must end with a double quote; a quote inside it is written as ""',
            );
          }
          const ch = text.charCodeAt(i);
          if (ch === QUOTE) {
            if (i + 1 >= n && !final) return incomplete();
            if (text.charCodeAt(i + 1) === QUOTE) {
              value += text.slice(start, i + 1);
              i += 2;
              start = i;
              continue;
            }
            value += text.slice(start, i);
            i++;
            break;
          }
          if (ch === LF || (ch === CR && text.charCodeAt(i + 1) !== LF)) line++;
          i++;
        }
        while (i < n && isPad(text.charCodeAt(i))) i++;
        if (i >= n && !final) return incomplete();
        const next = i < n ? text.charCodeAt(i) : -1;
        if (next !== -1 && next !== delim && next !== LF && next !== CR) {
          // The message quotes the rest of the line up to 40 characters: wait for them, or for the line end.
          if (!final && n - i < 40 && !/[\r\n]/.test(text.slice(i))) return incomplete();
          const rest = /^[^\r\n]*/.exec(text.slice(i, i + 40))![0];
          throw new CsvError(
            { source, line, column: fields.length + 1, text: rest },
            'a delimiter or the end of the line after a closing quote',
            JSON.stringify(rest),
            'A quote inside a quoted field is written as ""',
          );
        }
        fields.push(value);
      } else if (numbers && i < n && (end = fastDecimal(text, i, n, delim, delim !== TAB, point)) >= 0) {
        i = end;
        if (i >= n && !final) return incomplete();
        blank = false;
        fields.push(fastValue);
      } else {
        const start = i;
        while (i < n) {
          const ch = text.charCodeAt(i);
          if (ch === delim || ch === LF || ch === CR) break;
          i++;
        }
        if (i >= n && !final) return incomplete();
        end = i;
        while (end > start && isPad(text.charCodeAt(end - 1))) end--;
        if (end > start) blank = false;
        fields.push(text.slice(start, end));
      }
      if (i < n && text.charCodeAt(i) === delim) {
        blank = false;
        i++;
        continue;
      }
      break;
    }
    const recordEnd = i;
    // Consume the line end: CRLF, LF or a lone CR (a CR at the end of a chunk may be the first half of a CRLF).
    if (i < n) {
      if (text.charCodeAt(i) === CR && i + 1 >= n && !final) return incomplete();
      if (text.charCodeAt(i) === CR && text.charCodeAt(i + 1) === LF) i += 2;
      else i++;
      line++;
    }
    onRecord({ fields, line: recordLine, blank, text, start: recordStart, end: recordEnd });
  }
  return { next: i, line };
}

/**
 * Parses a numeric CSV table.
 *
 * The first row is a header when every field is a name (see `ParseCsvOptions.header`). Every other row must have as
 * many fields as the first and hold only finite decimal numbers. Blank lines before the first row and after the last
 * are ignored; a blank line between rows is an error (it would be a row of missing values).
 *
 * @throws CsvError (an `InputError`) naming the source, line, column and offending text.
 */
export function parseNumericCsv(text: string, options: ParseCsvOptions = {}): NumericCsv {
  const table = new TableBuilder();
  const reader = new NumericCsvReader(options, (row, line) => table.add(row, line));
  reader.push(text);
  return table.finish(reader.end());
}

/** The shape of a table read by `NumericCsvReader`. */
export interface NumericCsvShape {
  rows: number;
  cols: number;
  /** Column names when the first row is a header, else `null`. */
  header: string[] | null;
  /** The delimiter the rows were read with (given or detected). */
  delimiter?: CsvDelimiter;
  /** The decimal mark the rows were read with. */
  decimal?: '.' | ',';
}

/**
 * Collects the rows `NumericCsvReader` hands over into one `Float64Array` of exactly rows×cols values, and their lines.
 * Rows are kept in pieces of at most 2^20 values until `finish`, so that the table is copied once, not once per
 * doubling.
 */
export class TableBuilder {
  private readonly pieces: Float64Array[] = [];
  private piece = new Float64Array(0);
  private filled = 0;
  private total = 0;
  readonly lines = new RowLines();

  /** Appends a row (copied) that starts on file line `line`. */
  add(row: Float64Array, line: number): void {
    let from = 0;
    while (from < row.length) {
      if (this.filled === this.piece.length) {
        if (this.filled > 0) this.pieces.push(this.piece);
        this.piece = new Float64Array(Math.min(2 ** 20, Math.max(1024, 2 * this.total)));
        this.filled = 0;
      }
      const take = Math.min(row.length - from, this.piece.length - this.filled);
      this.piece.set(take === row.length ? row : row.subarray(from, from + take), this.filled);
      this.filled += take;
      from += take;
    }
    this.total += row.length;
    this.lines.add(line);
  }

  /** The table, with the reader's shape. */
  finish(shape: NumericCsvShape): NumericCsv {
    let data: Float64Array;
    if (this.pieces.length === 0) {
      data = this.filled === this.piece.length ? this.piece : this.piece.slice(0, this.filled);
    } else {
      try {
        data = new Float64Array(this.total);
      } catch (e) {
        if (!(e instanceof RangeError)) throw e;
        throw new InputError('table', 'at most 2^32 values to hold in memory', `${this.total} values`,
          'Stream the rows instead (fitStream, or wasm-em fit on a file larger than --memory-budget)');
      }
      let at = 0;
      for (const piece of this.pieces) {
        data.set(piece, at);
        at += piece.length;
      }
      data.set(this.piece.subarray(0, this.filled), at);
    }
    this.pieces.length = 0;
    this.piece = new Float64Array(0);
    return {
      data, rows: shape.rows, cols: shape.cols, header: shape.header, lines: this.lines,
      delimiter: shape.delimiter ?? ',', decimal: shape.decimal ?? '.',
    };
  }
}

/**
 * The numeric CSV reader of `parseNumericCsv`, fed text chunk by chunk (a file or a pipe read piece by piece), with
 * the same rules and errors: each row is handed to `onRow` as soon as its line end has been read, so a table of any
 * size passes through a bounded amount of memory. Chunks may split the text anywhere, inside a field, a quoted line
 * break or a CRLF. The delimiter, when not given, is detected once the first non-blank record is complete.
 *
 * Text is held only for the record being read: one longer than `maxRecordLength` is an error as soon as that much of
 * it has arrived (so a fault further into that record may be reported by the whole-text reader and not by this one),
 * and so is a NUL character (binary data), with the text before it read first so that whatever is cut where, the first
 * fault in the text is the one reported.
 */
export class NumericCsvReader {
  private readonly source: string;
  private readonly missing: MissingPolicy;
  private delimiter: CsvDelimiter | undefined;
  /** Whether the delimiter was detected (not given), which the decimal-comma check needs to know. */
  private readonly detected: boolean;
  private readonly decimalComma: boolean;
  private readonly headerOption: boolean | undefined;
  private readonly maxRecord: number;
  private readonly cli: boolean;
  /** Text received and not yet consumed: the start of a record whose end has not arrived. */
  private pending = '';
  /**
   * Length `pending` must reach before it is scanned again: twice what the last scan left unconsumed (an incomplete
   * record), so that a long record arriving in small chunks is scanned O(log) times, not once per chunk.
   */
  private rescanAt = 0;
  /** Whether a line break arrived since the last scan (else no record can have ended). */
  private lineBreakPending = false;
  /** Whether `pending` ends with a CR. */
  private endsWithCR = false;
  private line = 1;
  private begun = false;
  private ended = false;
  private header: string[] | null = null;
  private headerLine = 0;
  private cols = -1;
  private rows = 0;
  private row = new Float64Array(0);
  /** Blank lines after the first record: ignored at the end, rows of missing values (an error) before another row. */
  private readonly pendingBlanks: CsvRecord[] = [];
  /** Numbers are read as such once the first record (perhaps a header, whose text is kept) has been read. */
  private readonly mode: ScanMode;

  /**
   * @param options as `parseNumericCsv`'s
   * @param onRow called with each row's values (an array reused for the next row: copy what you keep) and its line
   */
  constructor(options: ParseCsvOptions, private readonly onRow: (values: Float64Array, line: number) => void) {
    this.source = options.source ?? 'CSV';
    this.missing = options.missing ?? 'error';
    this.delimiter = options.delimiter;
    this.detected = options.delimiter === undefined;
    this.decimalComma = options.decimal === ',';
    this.headerOption = options.header;
    this.maxRecord = options.maxRecordLength ?? MAX_RECORD_LENGTH;
    this.cli = options.advice === 'cli';
    if (this.decimalComma && this.delimiter === ',') {
      throw new InputError(this.cli ? '--decimal' : 'options.decimal', 'a decimal mark other than the delimiter',
        '"," with the delimiter ","', this.cli ? "Give --delimiter ';' (or tab)" : "Give delimiter: ';' (or '\\t')");
    }
    if (!(this.maxRecord >= 1)) {
      throw new InputError('options.maxRecordLength', 'a number of characters ≥ 1', String(options.maxRecordLength));
    }
    this.mode = { numbers: false, point: this.decimalComma ? 0x2c : 0x2e };
  }

  /** Number of columns, once the first non-blank record has been read (−1 before). */
  get columns(): number {
    return this.cols;
  }

  /** The header's names, once the first non-blank record has been read and is a header (else null). */
  get headerNames(): string[] | null {
    return this.header;
  }

  /** Reads a chunk of text; throws `CsvError` at the first bad record. */
  push(chunk: string): void {
    if (this.ended) throw new Error('NumericCsvReader: push() after end()');
    const nul = chunk.indexOf('\0');
    if (nul < 0) {
      this.append(chunk, false);
      return;
    }
    this.append(chunk.slice(0, nul), true);
    this.ended = true;
    throw new CsvError({ source: this.source, line: this.line + lineBreaks(this.pending) }, 'CSV text',
      'a NUL character (binary data?)',
      'Is it a binary file, or UTF-16 text without a byte-order mark? Save it as UTF-8 (or UTF-16 with its mark)');
  }

  /**
   * Adds text and scans it when due (`force`: now), then checks the length of the record left incomplete. A record
   * ends only at a line break, so text without one is not scanned: a line of any length costs one `indexOf` per
   * chunk until it ends or passes the limit.
   */
  private append(chunk: string, force: boolean): void {
    this.pending = this.pending.length === 0 ? chunk : this.pending + chunk;
    if (chunk.length > 0) this.endsWithCR = chunk.charCodeAt(chunk.length - 1) === CR;
    if (!this.lineBreakPending && (chunk.includes('\n') || chunk.includes('\r'))) this.lineBreakPending = true;
    const long = this.pendingLength() > this.maxRecord;
    if (!force && !long && this.pending.length < this.rescanAt) return;
    if (force || long || this.lineBreakPending) {
      this.scan(false);
      this.rescanAt = 2 * this.pending.length;
      // What is left is one incomplete record, which only a new line break can end, unless the delimiter is not
      // decided yet (nothing was consumed) or it ends with a CR (whose record ends unless an LF follows).
      const rest = this.pending;
      this.endsWithCR = rest.length > 0 && rest.charCodeAt(rest.length - 1) === CR;
      this.lineBreakPending = this.delimiter === undefined ? /[\r\n]/.test(rest) : this.endsWithCR;
    }
    if (this.pendingLength() > this.maxRecord) throw this.tooLong(this.line + this.leadingBlankLines());
  }

  /**
   * Length of the pending record: a CR at the end, perhaps the first half of a CRLF, is its line end. (Known from the
   * chunks: asking `pending`, a string built by concatenation, would copy it whole at every chunk.)
   */
  private pendingLength(): number {
    return this.pending.length - (this.endsWithCR ? 1 : 0);
  }

  /** Blank lines at the start of `pending`, which is not consumed before the delimiter is decided. */
  private leadingBlankLines(): number {
    if (this.delimiter !== undefined) return 0;
    const first = this.pending.search(/[^\s\ufeff]/);
    return lineBreaks(first < 0 ? this.pending : this.pending.slice(0, first));
  }

  private tooLong(line: number): CsvError {
    const max = this.maxRecord;
    return new CsvError({ source: this.source, line },
      `a record (line) of at most ${max === MAX_RECORD_LENGTH ? '64 MiB' : max} characters`, 'a longer one',
      'Is it a CSV file? A binary file or one without line ends reads as one huge line');
  }

  /** Reads what is left (the last record may lack its line end) and returns the table's shape. */
  end(): NumericCsvShape {
    if (!this.ended) {
      this.scan(true);
      this.ended = true;
    }
    const { source, cols, rows, headerLine } = this;
    if (cols < 0) {
      throw new CsvError({ source }, 'a CSV table with at least one row of numbers', 'an empty input');
    }
    if (rows === 0) {
      throw new CsvError({ source }, 'at least one row of numbers after the header', `only a header line (line ${headerLine})`);
    }
    return { rows, cols, header: this.header, delimiter: this.delimiter ?? ',', decimal: this.decimalComma ? ',' : '.' };
  }

  private scan(final: boolean): void {
    let text = this.pending;
    if (!this.begun) {
      if (text.length === 0 && !final) return;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      this.begun = true;
    }
    if (this.delimiter === undefined) {
      const found = scanDelimiter(text, this.decimalComma);
      if (!found.decided && !final) {
        this.pending = text;
        return;
      }
      this.delimiter = found.delimiter;
    }
    const end = scanRecords(text, 0, this.line, final, this.delimiter, this.source, (record) => this.record(record),
      this.mode);
    this.pending = end.next === 0 ? text : text.slice(end.next);
    this.line = end.line;
  }

  private record(record: CsvRecord): void {
    if (record.end - record.start > this.maxRecord) throw this.tooLong(record.line);
    if (this.cols < 0) {
      if (record.blank) return; // leading blank lines
      this.cols = record.fields.length;
      this.row = new Float64Array(this.cols);
      this.headerLine = record.line;
      this.mode.numbers = true;
      const fields = record.fields as string[];
      if (this.detected && this.delimiter === ',') this.checkNotDecimalCommas(record);
      if (this.headerOption ?? this.isHeader(fields, record.line)) {
        this.header = fields;
        return;
      }
      this.addRow(record);
      return;
    }
    if (record.blank) {
      this.pendingBlanks.push(record);
      return;
    }
    for (const blank of this.pendingBlanks.splice(0)) this.addRow(blank);
    this.addRow(record);
  }

  /**
   * Whether a first row is a header: every field a name. A row that mixes names with numbers or missing-value
   * markers is neither a header nor data (a typo on line 1 would otherwise drop the row silently): an error.
   */
  private isHeader(fields: string[], line: number): boolean {
    const kinds = fields.map((f) => classify(f.trim(), this.decimalComma));
    const name = kinds.indexOf('text');
    if (name < 0) return false;
    const value = kinds.findIndex((k) => k !== 'text');
    if (value < 0) return true;
    const what = kinds[value] === 'missing' ? 'a missing value' : 'a number';
    throw new CsvError(
      { source: this.source, line },
      'a header of names only, or a row of numbers',
      `${quoted(fields[name]!)} (column ${name + 1}), which is not a number, and ${quoted(fields[value]!)} ` +
        `(column ${value + 1}), ${what}`,
      `If line ${line} is a header, read the file with ${this.cli ? '--header' : 'header: true'}; if it is data, ` +
        'correct the value',
    );
  }

  /**
   * A first line such as `5,2;3,1` split at commas reads as garbage: when splitting it at `;` (or tab) instead gives
   * numbers with decimal commas, say so rather than report a column count or a header.
   */
  private checkNotDecimalCommas(record: CsvRecord): void {
    const raw = record.text.slice(record.start, record.end);
    if (raw.includes('"')) return;
    for (const [alt, name, flag] of [[';', 'semicolon', "';'"], ['\t', 'tab', 'tab']] as const) {
      if (!raw.includes(alt)) continue;
      const fields = raw.split(alt).map((f) => f.trim());
      const numbers = fields.every((f) => COMMA_NUMBER_RE.test(f) || MISSING_TOKENS.has(f));
      if (!numbers || !fields.some((f) => f.includes(','))) continue;
      const how = this.cli ? `--delimiter ${flag} --decimal ','` : `{ delimiter: '${alt === ';' ? ';' : '\\t'}', decimal: ',' }`;
      throw new CsvError({ source: this.source, line: record.line, text: raw }, 'fields separated by commas',
        quoted(raw), `The file looks ${name}-separated with decimal commas: read it with ${how}`);
    }
  }

  private addRow(record: CsvRecord): void {
    const { fields, line } = record;
    const { cols, header, source } = this;
    if (fields.length !== cols) {
      const like = header ? `as in the header on line ${this.headerLine}` : `as on line ${this.headerLine}`;
      throw new CsvError(
        { source, line, text: this.fieldTexts(record).join(this.delimiter) },
        `${cols} field${cols === 1 ? '' : 's'} (${like})`,
        record.blank ? 'a blank line' : `${fields.length}`,
        record.blank ? 'Remove blank lines between rows' : 'Every row needs the same number of fields',
      );
    }
    for (let j = 0; j < cols; j++) {
      const field = fields[j]!;
      if (typeof field === 'number') {
        this.row[j] = field;
        continue;
      }
      const where = { source, line, column: j + 1, columnName: header ? header[j] ?? null : null, text: field };
      this.row[j] = parseField(field, where, this.missing, this.decimalComma, this.cli);
    }
    this.rows++;
    this.onRow(this.row, line);
  }

  /** The fields of a record as text (for messages), numbers included as written. */
  private fieldTexts(record: CsvRecord): string[] {
    let fields: string[] = [];
    scanRecords(record.text.slice(record.start, record.end), 0, record.line, true, this.delimiter!, this.source,
      (r) => (fields = r.fields as string[]));
    return fields;
  }
}

/** Physical line breaks in `text` (LF, CRLF or a lone CR), as `scanRecords` counts them. */
function lineBreaks(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === LF || (ch === CR && text.charCodeAt(i + 1) !== LF)) count++;
  }
  return count;
}

/** Reads one field as a number, or throws a `CsvError` saying why it is not one. */
function parseField(
  field: string,
  where: { source: string; line: number; column: number; columnName: string | null; text: string },
  missing: MissingPolicy,
  decimalComma: boolean,
  cli: boolean,
): number {
  const t = field.trim();
  switch (classify(t, decimalComma)) {
    case 'number': {
      const x = Number(decimalComma ? t.replace(',', '.') : t);
      if (Number.isFinite(x)) return x;
      throw new CsvError(where, 'a finite number', `${quoted(field)}, which overflows float64`);
    }
    case 'missing':
      if (missing === 'nan') return NaN;
      throw new CsvError(
        where,
        'a number',
        t === '' ? 'an empty field' : quoted(field),
        "Read it with { missing: 'nan' } to treat it as a missing entry",
      );
    case 'infinite':
      throw new CsvError(where, 'a finite number', quoted(field), 'Infinite values are not allowed');
    case 'text':
      if (decimalComma) {
        throw new CsvError(where, 'a number with a decimal comma (1,5)', quoted(field),
          NUMBER_RE.test(t) ? `The file was read with ${cli ? "--decimal ','" : "decimal: ','"}; a point is not a decimal mark there` : undefined);
      }
      throw new CsvError(
        where,
        'a number',
        quoted(field),
        DECIMAL_COMMA_RE.test(t)
          ? `Write decimals with a point (1.5), or read the file with ${cli ? "--decimal ','" : "decimal: ','"}`
          : undefined,
      );
  }
}

// ─── Writing ──────────────────────────────────────────────────────────────────────────────────────────────────────

/** A number as CSV text: the shortest string that reads back as the same float64 (`String(x)`), keeping `-0`. */
export function formatNumber(x: number): string {
  return Object.is(x, -0) ? '-0' : String(x);
}

/**
 * A text field, quoted when it holds a quote, a line break, surrounding whitespace or any of the delimiters `,` `;`
 * tab (not only the one in use, so that `detectDelimiter` reads the written header right).
 */
export function formatCsvField(value: string): string {
  const needsQuotes = /[",;\t\r\n]/.test(value) || value !== value.trim() || value.charCodeAt(0) === 0xfeff;
  return needsQuotes ? `"${value.replace(/"/g, '""')}"` : value;
}

/** One CSV line (without the line end) from numbers. */
export function formatCsvRow(values: ArrayLike<number>, delimiter: CsvDelimiter = ','): string {
  let out = '';
  for (let j = 0; j < values.length; j++) {
    if (j > 0) out += delimiter;
    out += formatNumber(values[j]!);
  }
  return out;
}

export interface FormatCsvOptions {
  /** Column names written as the first line; none when omitted or null. */
  header?: readonly string[] | null;
  delimiter?: CsvDelimiter;
  /** Decimal mark of the numbers written: `.` (default) or `,` (then the delimiter must not be `,`). */
  decimal?: '.' | ',';
}

/**
 * A row-major table as CSV text, one line per row, each line ending with `\n`. Numbers round-trip exactly through
 * `parseNumericCsv` (which rejects the `Infinity` this would write for infinite values). A header whose names all look
 * like numbers would be read back as data.
 */
export function formatCsv(
  table: { data: ArrayLike<number>; rows: number; cols: number },
  options: FormatCsvOptions = {},
): string {
  const { data, rows, cols } = table;
  const delimiter = options.delimiter ?? ',';
  const decimalComma = options.decimal === ',';
  if (decimalComma && delimiter === ',') {
    throw new InputError('options.decimal', 'a decimal mark other than the delimiter', '"," with the delimiter ","');
  }
  if (data.length !== rows * cols) {
    throw new InputError('table.data', `${rows}×${cols} = ${rows * cols} values`, `${data.length}`);
  }
  const lines: string[] = [];
  if (options.header) {
    if (options.header.length !== cols) {
      throw new InputError('options.header', `${cols} names`, `${options.header.length}`);
    }
    lines.push(options.header.map(formatCsvField).join(delimiter));
  }
  for (let i = 0; i < rows; i++) {
    let line = '';
    for (let j = 0; j < cols; j++) {
      if (j > 0) line += delimiter;
      const text = formatNumber(data[i * cols + j]!);
      line += decimalComma ? text.replace('.', ',') : text;
    }
    lines.push(line);
  }
  return lines.length === 0 ? '' : lines.join('\n') + '\n';
}
