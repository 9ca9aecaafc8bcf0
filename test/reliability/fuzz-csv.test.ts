/**
 * Fuzzing the CSV reader: whatever the text, `parseNumericCsv`, `NumericCsvReader` (fed in pieces cut anywhere) and the
 * CLI reading a file either give a table or a `CsvError` (an `InputError`; for the CLI, one line on stderr and exit
 * status 1 or 2) — never another exception, never a hang, and never a number other than `Number(field)`.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CsvError, NumericCsvReader, parseNumericCsv, type ParseCsvOptions } from '../../src/io/csv.js';
import { InputError } from '../../src/index.js';
import { Counter, runs, show, timeout, typedOnly } from './fuzz-helpers.js';
import { cliInProcess } from '../helpers/cli-in-process.js';

const CORPUS = fileURLToPath(new URL('./corpus/', import.meta.url));
const counter = new Counter('csv');
afterAll(() => counter.report());

type Outcome = { data: number[]; rows: number; cols: number; header: string[] | null } | { error: string };

/** Longest message a CSV error may have: a line a terminal shows, not a copy of the input. */
const MAX_MESSAGE = 600;

function checkError(e: unknown, what: string): string {
  if (!(e instanceof CsvError)) {
    throw new Error(`${what}: threw ${(e as Error)?.name}: ${(e as Error)?.message}`, { cause: e });
  }
  expect(e.message.length, `${what}: message of ${e.message.length} characters`).toBeLessThanOrEqual(MAX_MESSAGE);
  expect(e.message, `${what}: a message on one line`).not.toMatch(/[\r\n]/);
  return e.message;
}

/** The whole-string reader's outcome. */
function whole(text: string, options: ParseCsvOptions = {}): Outcome {
  counter.add();
  return typedOnly(() => {
    try {
      const csv = parseNumericCsv(text, options);
      return { data: Array.from(csv.data), rows: csv.rows, cols: csv.cols, header: csv.header };
    } catch (e) {
      return { error: checkError(e, `parseNumericCsv(${show(text)})`) };
    }
  }, `parseNumericCsv(${show(text)})`)!;
}

/** The chunked reader's outcome with `text` cut at `cuts` (indices, any order, duplicates allowed). */
function chunked(text: string, cuts: number[], options: ParseCsvOptions = {}): Outcome {
  counter.add();
  const at = [...new Set(cuts.map((c) => Math.min(c, text.length)))].sort((a, b) => a - b);
  return typedOnly(() => {
    const data: number[] = [];
    try {
      const reader = new NumericCsvReader(options, (row) => data.push(...row));
      let from = 0;
      for (const cut of [...at, text.length]) {
        reader.push(text.slice(from, cut));
        from = cut;
      }
      const { rows, cols, header } = reader.end();
      return { data, rows, cols, header };
    } catch (e) {
      return { error: checkError(e, `NumericCsvReader(${show(text)}, cuts ${at})`) };
    }
  }, `NumericCsvReader(${show(text)})`)!;
}

/** Both readers agree (bit for bit, -0 and NaN included) and their outcome is returned. */
function bothReaders(text: string, cuts: number[], options: ParseCsvOptions = {}): Outcome {
  const a = whole(text, options);
  const b = chunked(text, cuts, options);
  expect(Object.is, 'same comparison').toBeTypeOf('function');
  if ('error' in a || 'error' in b) {
    expect(b, `chunked vs whole for ${show(text)} cut at ${cuts}`).toEqual(a);
  } else {
    expect({ ...b, data: b.data.map(bits) }, `chunked vs whole for ${show(text)}`).toEqual({ ...a, data: a.data.map(bits) });
  }
  return a;
}

/** A number as a comparable string that keeps -0 and NaN apart from 0. */
function bits(x: number): string {
  return Object.is(x, -0) ? '-0' : String(x);
}

// ─── Arbitrary text ─────────────────────────────────────────────────────────────────────────────────────────────────

/** Pieces CSV readers trip over. */
const TOKENS = [
  ',', ',', ';', '\t', '"', '""', '\n', '\n', '\r\n', '\r', ' ', '  ', 'NA', '\ufeff', '\0', 'e', 'E', '.', '-', '+',
  'x', '1', '2.5', '-0', '.5', '5.', '1e999', '-1e-999', '0x10', '1_000', 'Infinity', '-inf', 'NaN', '1,5', '\uFFFD',
  '\uD800', '日本', '#N/A', '007', '1e22', '1e23', '123456789012345678', '0.1', '9007199254740993', '4.9e-324',
];
const csvish = fc.array(fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...TOKENS) },
  { weight: 3, arbitrary: fc.integer({ min: -1e6, max: 1e6 }).map(String) },
  { weight: 2, arbitrary: fc.double().map(String) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 6 }) },
), { maxLength: 60 }).map((parts) => parts.join(''));
const cutsOf = fc.array(fc.nat({ max: 400 }), { maxLength: 8 });
const options = fc.record({
  missing: fc.constantFrom<'error' | 'nan' | undefined>(undefined, 'error', 'nan'),
  delimiter: fc.constantFrom<',' | ';' | '\t' | undefined>(undefined, undefined, ',', ';', '\t'),
  header: fc.constantFrom<boolean | undefined>(undefined, undefined, true, false),
  decimal: fc.constantFrom<'.' | ',' | undefined>(undefined, undefined, '.', ','),
}, { requiredKeys: [] }).map((o) => {
  // A decimal comma needs another delimiter (the options are refused otherwise, before any text).
  if (o.decimal === ',' && o.delimiter === ',') delete o.decimal;
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as ParseCsvOptions;
});

describe('CSV reader: arbitrary text', () => {
  it('CSV-like text: a table or a CsvError, the same from whole text and from pieces', () => {
    fc.assert(fc.property(csvish, cutsOf, options, (text, cuts, opts) => {
      bothReaders(text, cuts, opts);
    }), runs(1500, 0xc5f1));
  }, timeout(20_000));

  it('binary garbage (any UTF-16 units, lone surrogates, NULs)', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), cutsOf, (text, cuts) => {
      bothReaders(text, cuts);
    }), runs(500, 0xc5f2));
  }, timeout(20_000));

  it('invalid UTF-8 bytes decode to U+FFFD text, which is a CsvError, never a wrong number', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 120 }), (bytes) => {
      const text = new TextDecoder().decode(bytes);
      const out = bothReaders(text, [text.length >> 1]);
      if ('data' in out) for (const v of out.data) expect(Number.isFinite(v), show(text)).toBe(true);
    }), runs(400, 0xc5f3));
  }, timeout(20_000));
});

// ─── Numbers ────────────────────────────────────────────────────────────────────────────────────────────────────────

const digits = (max: number) => fc.string({ unit: fc.constantFrom(...'0123456789'), maxLength: max });
/** Decimal spellings: plain, signed, leading/trailing points, long mantissas, exponents of 1–5 digits. */
const decimal = fc.oneof(
  fc.tuple(fc.constantFrom('', '+', '-'), digits(25), fc.option(digits(25)), fc.option(fc.tuple(
    fc.constantFrom('e', 'E'), fc.constantFrom('', '+', '-'), digits(5).filter((s) => s.length > 0))))
    .map(([sign, int, frac, exp]) => sign + int + (frac === null ? '' : '.' + frac) + (exp === null ? '' : exp.join('')))
    .filter((s) => /\d/.test(s.replace(/[eE].*/, ''))),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).chain((x) => fc.integer({ min: 0, max: 20 }).map((p) => x.toExponential(p))),
  fc.double({ noNaN: true, min: -1e20, max: 1e20 }).chain((x) => fc.integer({ min: 0, max: 20 }).map((p) => x.toFixed(p))),
  fc.constantFrom('-0', '0', '.5', '5.', '-.5', '+5.', '0.1', '1e22', '1e23', '9007199254740993', '4.9e-324', '2.2250738585072014e-308',
    '1.7976931348623157e308', '1.7976931348623159e308', '0.30000000000000004', '123456789012345.6', '1234567890123456.7'),
);
/** Spellings that are not decimal numbers and must never be read as one. */
const notDecimal = fc.constantFrom('0x10', '1_000', '1e', '1e+', '.', '-', '+', 'e5', '1..2', '1.2.3', '--1', '0b1', '1 2',
  'Infinity', '-inf', '1e999', '-1e999', '1,5', '١٢', '１', '1e0001x', '0o7', '12abc', '5\u00a05');

const pad = fc.constantFrom('', '', ' ', '  ', '\t');
const lineEnd = fc.constantFrom('\n', '\r\n', '\r');

describe('CSV reader: numbers', () => {
  it('every decimal field reads as Number(field), in both readers, whatever the padding, quoting and line ends', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 5 }).chain((cols) => fc.array(fc.array(fc.tuple(decimal, pad, pad, fc.boolean()),
        { minLength: cols, maxLength: cols }), { minLength: 1, maxLength: 6 })),
      lineEnd, fc.constantFrom(',', ';'), cutsOf,
      (table, eol, delim, cuts) => {
        const text = table.map((row) => row.map(([f, a, b, q]) => (q ? `${a}"${f}"${b}` : a + f + b)).join(delim)).join(eol) + eol;
        const expected = table.flat().map(([f]) => Number(f));
        const out = bothReaders(text, cuts, { delimiter: delim });
        if (expected.every(Number.isFinite)) {
          expect('data' in out ? out.data.map(bits) : out, show(text)).toEqual(expected.map(bits));
        } else {
          expect(out, show(text)).toHaveProperty('error', expect.stringMatching(/overflows float64/));
        }
      },
    ), runs(1200, 0xdec1));
  }, timeout(20_000));

  it('a field that is not a decimal number is a CsvError naming its line and column', () => {
    fc.assert(fc.property(notDecimal, fc.nat({ max: 2 }), fc.nat({ max: 2 }), lineEnd, (bad, row, col, eol) => {
      const rows = [['a', 'b', 'c'], ...Array.from({ length: 3 }, (_, i) => ['1', '2', String(i)])];
      rows[row + 1]![col] = bad.includes(',') ? `"${bad}"` : bad;
      const text = rows.map((r) => r.join(',')).join(eol);
      const out = bothReaders(text, [text.length >> 1]);
      expect(out, show(text)).toHaveProperty('error', expect.stringContaining(`line ${row + 2}, column ${col + 1}`));
    }), runs(300, 0xdec2));
  }, timeout(20_000));
});

// ─── Large inputs ───────────────────────────────────────────────────────────────────────────────────────────────────

/** Cuts every `size` characters, as a file read in blocks. */
const blocks = (text: string, size: number) => Array.from({ length: Math.floor(text.length / size) }, (_, i) => (i + 1) * size);

describe('CSV reader: large fields and long lines', () => {
  const MB = 1 << 20;
  const cases: [string, () => string, 'ok' | RegExp][] = [
    ['a 1 MB unquoted text field', () => '1,2\n' + 'a'.repeat(MB) + ',3\n', /expected a number/],
    ['a 1 MB quoted field with line breaks', () => 'x,y\n"' + 'ab\n'.repeat(MB / 3) + '",1\n', /expected a number/],
    ['a 1 MB run of digits', () => 'x\n' + '7'.repeat(MB) + '\n', /overflows float64/],
    ['a 1 MB unterminated quote', () => 'x\n"' + 'q'.repeat(MB), /closing quote/],
    ['a 1 MB header field', () => 'h'.repeat(MB) + '\n1\n', 'ok'],
    ['a line of 100 000 fields', () => Array.from({ length: 100_000 }, (_, j) => j % 10).join(',') + '\n', 'ok'],
    ['100 000 blank lines before a row', () => '\n'.repeat(100_000) + '1,2\n', 'ok'],
    ['a 1 MB line of spaces', () => ' '.repeat(MB) + '\n1\n', 'ok'],
    ['1 MB of commas', () => ','.repeat(MB), /expected a number/],
    ['1 MB of NUL', () => '\0'.repeat(MB), /line 1: expected CSV text, got a NUL character/],
  ];
  it.each(cases)('%s: whole and in 64 KiB pieces', (_name, make, expected) => {
    const text = make();
    for (const cuts of [[], blocks(text, 65536), blocks(text, 4096)]) {
      const out = cuts.length === 0 ? whole(text) : chunked(text, cuts);
      if (expected === 'ok') expect(out).toHaveProperty('rows');
      else expect(out).toHaveProperty('error', expect.stringMatching(expected));
    }
  }, 30_000);
});

// ─── The corpus, through the readers and the CLI ────────────────────────────────────────────────────────────────────

/** Expected outcome of each corpus file: `[rows, cols]`, or a pattern of the error. */
const EXPECTED: Record<string, [number, number] | RegExp> = {
  'binary-garbage.bin': /expected/,
  'blank-between.csv': /blank line/,
  'bom-semicolon.csv': /decimals with a point/,
  'cr-only.csv': [3, 2],
  'crlf-header.csv': [2, 2],
  'empty.csv': /empty input/,
  'header-only.csv': /only a header/,
  'hex.csv': /line 2, column 1 \(a\): expected a number, got "0x10"/,
  'infinity.csv': /Infinite values/,
  'invalid-utf8.csv': /line 2, column 1: expected a number/,
  'json-as-csv.csv': /JSON|only a header/,
  'mixed-first-row.csv': /line 1: expected a header of names only, or a row of numbers/,
  'newline-header-bad-field.csv': /line 4, column 1/,
  'nul-byte.csv': /line 2: expected CSV text, got a NUL character/,
  'numeric-header.csv': [3, 2],
  'odd-decimals.csv': [2, 3],
  'overflow.csv': /overflows float64/,
  'quoted-escapes.csv': [2, 2],
  'quoted-newline-header.csv': [2, 2],
  'ragged.csv': /line 2: expected 3 fields/,
  'semicolon-decimal-comma.csv': /line 1: expected fields separated by commas.*semicolon-separated with decimal commas/,
  'text-after-quote.csv': /line 3, column 1: expected a delimiter/,
  'underscore.csv': /"1_000"/,
  'unbalanced-quote.csv': /closing quote/,
  'whitespace-only.csv': /empty input/,
};

const cli = cliInProcess;

describe('CSV corpus', () => {
  const files = readdirSync(CORPUS).filter((f) => f !== 'README.md').sort();
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'wasm-em-fuzz-csv-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('lists an expected outcome for every file', () => {
    expect(files).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(files)('%s: the readers give the expected table or error', (file) => {
    const text = readFileSync(join(CORPUS, file), 'utf8');
    const expected = EXPECTED[file]!;
    for (const cuts of [[], [1], [2, 3, 5, 7, 11], Array.from({ length: text.length }, (_, i) => i)]) {
      const out = bothReaders(text, cuts, { missing: 'nan' });
      if (Array.isArray(expected)) expect(out, JSON.stringify(out)).toMatchObject({ rows: expected[0], cols: expected[1] });
      else expect(out).toHaveProperty('error', expect.stringMatching(expected));
    }
  });

  it.each(files)('%s: the CLI fits it or exits with one line, in memory and streamed', async (file) => {
    const path = join(CORPUS, file);
    const expected = EXPECTED[file]!;
    for (const extra of [[], ['--memory-budget', '0.000001']]) {
      counter.add();
      const run = await cli(['fit', path, '-k', '1', '--max-iter', '5', ...extra]);
      if (Array.isArray(expected)) {
        expect(run.code, run.err).toBe(0);
        expect(JSON.parse(run.out)).toMatchObject({ nFeatures: expected[1] });
      } else {
        expect(run.code, run.err).toBe(1);
        expect(run.out).toBe('');
        expect(run.err).toMatch(/^wasm-em: [^\r\n]+\n$/);
        expect(run.err.length).toBeLessThan(MAX_MESSAGE + 100);
      }
    }
  });

  it('the CLI on generated large files: a 1 MB field, a long line, binary garbage', async () => {
    const big: [string, string | Buffer][] = [
      ['field.csv', 'x,y\n1,2\n"' + 'z'.repeat(1 << 20) + '",3\n'],
      ['long-line.csv', Array.from({ length: 50_000 }, () => '1').join(',') + '\n' + Array.from({ length: 50_000 }, () => 'x').join(',') + '\n'],
      ['garbage.bin', Buffer.from(Array.from({ length: 1 << 16 }, (_, i) => (i * 2654435761) >>> 24))],
    ];
    for (const [name, content] of big) {
      const path = join(dir, name);
      writeFileSync(path, content);
      for (const extra of [[], ['--memory-budget', '0.01']]) {
        counter.add();
        const t0 = performance.now();
        const run = await cli(['fit', path, '-k', '1', '--max-iter', '2', ...extra]);
        expect(performance.now() - t0, `${name} ${extra}`).toBeLessThan(10_000);
        expect(run.code, `${name} ${extra}: ${run.err.slice(0, 300)}`).toBe(1);
        expect(run.err).toMatch(/^wasm-em: [^\r\n]+\n$/);
        expect(run.err.length, run.err.slice(0, 300)).toBeLessThan(MAX_MESSAGE + 100);
      }
    }
  }, 60_000);
});

it('CsvError is an InputError', () => {
  expect(new CsvError({ source: 's' }, 'a', 'b')).toBeInstanceOf(InputError);
});

describe('CSV regressions found by fuzzing', () => {
  it('a long bad field is quoted in the message cut to 40 characters (was: the whole 1 MB field in the message)', () => {
    const e = whole('x\n' + 'a'.repeat(100) + '\n');
    expect(e).toEqual({ error: `CSV, line 2, column 1 (x): expected a number, got "${'a'.repeat(40)}…"` });
  });

  it('a header name with a line break is quoted in messages, which stay on one line (was: a two-line CLI error)', () => {
    expect(whole('"a\nb"\nfoo\n')).toEqual({ error: 'CSV, line 3, column 1 ("a\\nb"): expected a number, got "foo"' });
  });

  it('text after a closing quote is reported the same whole and in pieces (was: cut at the end of the chunk)', () => {
    const error = 'CSV, line 1, column 1: expected a delimiter or the end of the line after a closing quote, got ".5". ' +
      'A quote inside a quoted field is written as ""';
    expect(whole('"".5')).toEqual({ error });
    expect(chunked('"".5', [3])).toEqual({ error });
  });

  it('a long record fed in small pieces is not scanned again per piece (was: 1 MB of commas in 4 KiB pieces, 15 s)', () => {
    const text = ','.repeat(1 << 20);
    const t0 = performance.now();
    expect(chunked(text, blocks(text, 1024))).toHaveProperty('error', expect.stringMatching(/empty field/));
    expect(performance.now() - t0).toBeLessThan(5_000);
  });
});
