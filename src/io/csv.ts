/**
 * Numeric CSV: the reader the CLI uses for data files, and the writer for its outputs.
 *
 * The reader is deliberately small and strict. It accepts RFC 4180 CSV (quoted fields, `""` escapes, line breaks inside
 * quotes) with the variations real files have: CRLF or CR line ends, a UTF-8 byte-order mark, spaces around fields,
 * blank lines at the start or end, and `;` or tab as the delimiter when the first line has no comma. Every error names
 * the source, the 1-based line (counting the header), the column and the offending text, so a user can open the file
 * at the right place.
 *
 * It never touches the file system: it works on a string, in Node and in browsers.
 */
import { InputError } from '../errors.js';

/** How empty fields and `NA`/`NaN` are treated: an error, or `NaN` (a missing entry, as the CLI reads them). */
export type MissingPolicy = 'error' | 'nan';

/** The delimiters the reader knows. */
export type CsvDelimiter = ',' | ';' | '\t';

export interface ParseCsvOptions {
  /** Name of the input in error messages (a path, `'stdin'`). Default `'CSV'`. */
  source?: string;
  /** Missing values (empty field, `NA`, `NaN`, …): `'error'` (default) or `'nan'`. */
  missing?: MissingPolicy;
  /** Field delimiter. Default: `,`, or `;` / tab when the first line has no comma but has one of those. */
  delimiter?: CsvDelimiter;
}

/** A numeric table read from CSV. */
export interface NumericCsv {
  /** Row-major values, rows×cols. */
  data: Float64Array;
  rows: number;
  cols: number;
  /** Column names when the first row is a header, else `null`. */
  header: string[] | null;
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
    if (column !== null) argument += `, column ${column}${where.columnName ? ` (${where.columnName})` : ''}`;
    super(argument, expected, received, hint);
    this.source = where.source;
    this.line = line;
    this.column = column;
    this.text = where.text ?? null;
  }
}

/** Spellings read as a missing value. */
const MISSING_TOKENS = new Set(['', 'NA', 'N/A', 'n/a', '#N/A', 'NaN', 'nan', 'NAN', '-NaN', '-nan', 'NULL', 'null']);
/** A decimal number as written in CSV files: no hex, no separators, no `Infinity`. */
const NUMBER_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INFINITY_RE = /^[+-]?(?:inf|infinity)$/i;
/** A decimal comma (`1,5`), which only survives tokenizing with a `;` or tab delimiter. */
const DECIMAL_COMMA_RE = /^[+-]?\d*,\d+$/;

type FieldKind = 'number' | 'missing' | 'infinite' | 'text';

function classify(field: string): FieldKind {
  if (MISSING_TOKENS.has(field)) return 'missing';
  if (NUMBER_RE.test(field)) return 'number';
  if (INFINITY_RE.test(field)) return 'infinite';
  return 'text';
}

/** One record (a logical CSV row, which may span several physical lines when a quoted field holds a line break). */
interface CsvRecord {
  /** Field values: unquoted fields trimmed, quoted fields verbatim. */
  fields: string[];
  /** Physical line (1-based) where the record starts. */
  line: number;
  /** True for a line with nothing but whitespace. */
  blank: boolean;
}

/**
 * The delimiter of a text: `,` unless the first non-blank record has no comma but a `;` or a tab (outside quotes).
 */
export function detectDelimiter(text: string): CsvDelimiter {
  let inQuotes = false;
  let nonBlank = false;
  let semicolon = false;
  let tab = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inQuotes) {
      if (ch === '"') inQuotes = false; // an escaped "" closes and reopens
      continue;
    }
    if (ch === ',') return ',';
    if (ch === '"') {
      inQuotes = true;
      nonBlank = true;
    } else if (ch === ';') semicolon = true;
    else if (ch === '\t') tab = true;
    else if (ch === '\n' || ch === '\r') {
      if (nonBlank) break;
      semicolon = tab = false;
    } else if (ch !== ' ' && ch !== '\ufeff') nonBlank = true;
  }
  return semicolon ? ';' : tab ? '\t' : ',';
}

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;

/**
 * Splits `text` into records and hands each to `onRecord`. A quoted field runs to its closing quote, across delimiters
 * and line ends; `""` inside it is one quote. Spaces (and tabs, unless tab is the delimiter) around a field are
 * dropped.
 */
function scanRecords(
  text: string,
  delimiter: CsvDelimiter,
  source: string,
  onRecord: (record: CsvRecord) => void,
): void {
  const n = text.length;
  const delim = delimiter.charCodeAt(0);
  const isPad = (ch: number): boolean => ch === SPACE || (ch === TAB && delim !== TAB);
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  while (i < n) {
    const recordLine = line;
    const fields: string[] = [];
    let blank = true;
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
            throw new CsvError(
              { source, line: openLine, column: fields.length + 1 },
              'a closing quote (")',
              'the end of the input',
              'A quoted field must end with a double quote; a quote inside it is written as ""',
            );
          }
          const ch = text.charCodeAt(i);
          if (ch === QUOTE) {
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
        const next = i < n ? text.charCodeAt(i) : -1;
        if (next !== -1 && next !== delim && next !== LF && next !== CR) {
          const rest = /^[^\r\n]*/.exec(text.slice(i, i + 40))![0];
          throw new CsvError(
            { source, line, column: fields.length + 1, text: rest },
            'a delimiter or the end of the line after a closing quote',
            JSON.stringify(rest),
            'A quote inside a quoted field is written as ""',
          );
        }
        fields.push(value);
      } else {
        const start = i;
        while (i < n) {
          const ch = text.charCodeAt(i);
          if (ch === delim || ch === LF || ch === CR) break;
          i++;
        }
        let end = i;
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
    // Consume the line end: CRLF, LF or a lone CR.
    if (i < n) {
      if (text.charCodeAt(i) === CR && text.charCodeAt(i + 1) === LF) i += 2;
      else i++;
      line++;
    }
    onRecord({ fields, line: recordLine, blank });
  }
}

/**
 * Parses a numeric CSV table.
 *
 * The first row is a header when any of its fields is text (not a number and not a missing-value marker). Every other
 * row must have as many fields as the first and hold only finite decimal numbers. Blank lines before the first row and
 * after the last are ignored; a blank line between rows is an error (it would be a row of missing values).
 *
 * @throws CsvError (an `InputError`) naming the source, line, column and offending text.
 */
export function parseNumericCsv(text: string, options: ParseCsvOptions = {}): NumericCsv {
  const source = options.source ?? 'CSV';
  const missing = options.missing ?? 'error';
  const delimiter = options.delimiter ?? detectDelimiter(text);

  let header: string[] | null = null;
  let headerLine = 0;
  let cols = -1;
  let rows = 0;
  let data = new Float64Array(1024);
  /** Blank lines after the first record: ignored at the end, rows of missing values (an error) before another row. */
  const pendingBlanks: CsvRecord[] = [];

  const columnName = (j: number): string | null => (header ? header[j] ?? null : null);

  const addRow = (record: CsvRecord): void => {
    const { fields, line } = record;
    if (fields.length !== cols) {
      const like = header ? `as in the header on line ${headerLine}` : `as on line ${headerLine}`;
      throw new CsvError(
        { source, line, text: fields.join(delimiter) },
        `${cols} field${cols === 1 ? '' : 's'} (${like})`,
        record.blank ? 'a blank line' : `${fields.length}`,
        record.blank ? 'Remove blank lines between rows' : 'Every row needs the same number of fields',
      );
    }
    if ((rows + 1) * cols > data.length) {
      const grown = new Float64Array(Math.max(data.length * 2, (rows + 1) * cols));
      grown.set(data);
      data = grown;
    }
    const offset = rows * cols;
    for (let j = 0; j < cols; j++) {
      const field = fields[j]!;
      const where = { source, line, column: j + 1, columnName: columnName(j), text: field };
      data[offset + j] = parseField(field, where, missing);
    }
    rows++;
  };

  scanRecords(text, delimiter, source, (record) => {
    if (cols < 0) {
      if (record.blank) return; // leading blank lines
      cols = record.fields.length;
      headerLine = record.line;
      if (record.fields.some((f) => classify(f.trim()) === 'text')) {
        header = record.fields;
        return;
      }
      addRow(record);
      return;
    }
    if (record.blank) {
      pendingBlanks.push(record);
      return;
    }
    for (const blank of pendingBlanks.splice(0)) addRow(blank);
    addRow(record);
  });

  if (cols < 0) {
    throw new CsvError({ source }, 'a CSV table with at least one row of numbers', 'an empty input');
  }
  if (rows === 0) {
    throw new CsvError(
      { source },
      'at least one row of numbers after the header',
      `only a header line (line ${headerLine})`,
    );
  }
  return { data: data.length === rows * cols ? data : data.slice(0, rows * cols), rows, cols, header };
}

/** Reads one field as a number, or throws a `CsvError` saying why it is not one. */
function parseField(
  field: string,
  where: { source: string; line: number; column: number; columnName: string | null; text: string },
  missing: MissingPolicy,
): number {
  const t = field.trim();
  switch (classify(t)) {
    case 'number': {
      const x = Number(t);
      if (Number.isFinite(x)) return x;
      throw new CsvError(where, 'a finite number', `${JSON.stringify(field)}, which overflows float64`);
    }
    case 'missing':
      if (missing === 'nan') return NaN;
      throw new CsvError(
        where,
        'a number',
        t === '' ? 'an empty field' : JSON.stringify(field),
        "Read it with { missing: 'nan' } to treat it as a missing entry",
      );
    case 'infinite':
      throw new CsvError(where, 'a finite number', JSON.stringify(field), 'Infinite values are not allowed');
    case 'text':
      throw new CsvError(
        where,
        'a number',
        JSON.stringify(field),
        DECIMAL_COMMA_RE.test(t) ? 'Write decimals with a point (1.5), not a comma' : undefined,
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
      line += formatNumber(data[i * cols + j]!);
    }
    lines.push(line);
  }
  return lines.length === 0 ? '' : lines.join('\n') + '\n';
}
