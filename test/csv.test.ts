import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { InputError } from '../src/errors.js';
import {
  CsvError,
  detectDelimiter,
  formatCsv,
  formatCsvField,
  formatCsvRow,
  formatNumber,
  parseNumericCsv,
  type NumericCsv,
} from '../src/io/csv.js';

const values = (csv: NumericCsv): number[] => Array.from(csv.data);

/** Parses `text` expecting a CsvError, and returns it. */
function csvError(text: string, options: Parameters<typeof parseNumericCsv>[1] = { source: 'data.csv' }): CsvError {
  try {
    parseNumericCsv(text, options);
  } catch (e) {
    expect(e).toBeInstanceOf(CsvError);
    expect(e).toBeInstanceOf(InputError);
    return e as CsvError;
  }
  throw new Error(`expected a CsvError for ${JSON.stringify(text)}`);
}

describe('parseNumericCsv: headers', () => {
  it('detects a header when a field of the first row is text', () => {
    const csv = parseNumericCsv('eruptions,waiting\n3.6,79\n1.8,54\n');
    expect(csv.header).toEqual(['eruptions', 'waiting']);
    expect(csv.rows).toBe(2);
    expect(csv.cols).toBe(2);
    expect(values(csv)).toEqual([3.6, 79, 1.8, 54]);
  });

  it('reads a first row of numbers as data', () => {
    const csv = parseNumericCsv('3.6,79\n1.8,54');
    expect(csv.header).toBeNull();
    expect(values(csv)).toEqual([3.6, 79, 1.8, 54]);
  });

  it('refuses a first row with one text field among numbers, unless told it is a header', () => {
    const e = csvError('1,x\n2,3');
    expect([e.line, e.column]).toEqual([1, null]);
    expect(e.message).toMatch(/expected a header of names only, or a row of numbers/);
    const csv = parseNumericCsv('1,x\n2,3', { header: true });
    expect(csv.header).toEqual(['1', 'x']);
    expect(values(csv)).toEqual([2, 3]);
  });

  it('keeps quoted header names verbatim, including delimiters and quotes', () => {
    const csv = parseNumericCsv('"a, b"," c ","say ""hi"""\n1,2,3');
    expect(csv.header).toEqual(['a, b', ' c ', 'say "hi"']);
  });

  it('accepts a header name with a line break inside quotes and counts its lines', () => {
    const csv = parseNumericCsv('"two\nlines",b\n1,2\n');
    expect(csv.header).toEqual(['two\nlines', 'b']);
    expect(csv.rows).toBe(1);
    expect(csvError('"two\nlines",b\n1,2\n3,x').line).toBe(4);
  });
});

describe('parseNumericCsv: formats', () => {
  it('handles CRLF, a UTF-8 BOM, surrounding whitespace and blank trailing lines', () => {
    const csv = parseNumericCsv('\ufeffa , b\r\n 1 ,\t2 \r\n3,4\r\n\r\n  \r\n');
    expect(csv.header).toEqual(['a', 'b']);
    expect(values(csv)).toEqual([1, 2, 3, 4]);
  });

  it('handles a lone CR as the line end', () => {
    expect(values(parseNumericCsv('1,2\r3,4\r'))).toEqual([1, 2, 3, 4]);
  });

  it('ignores blank lines before the first row', () => {
    const csv = parseNumericCsv('\n\n  \na,b\n1,2\n');
    expect(csv.header).toEqual(['a', 'b']);
    expect(values(csv)).toEqual([1, 2]);
  });

  it('reads quoted numbers', () => {
    expect(values(parseNumericCsv('"1.5", " 2 "\n"-3e2",4'))).toEqual([1.5, 2, -300, 4]);
  });

  it('reads every decimal spelling and rejects hex', () => {
    expect(values(parseNumericCsv('+1,-2,.5,5.,1e3,-1.5E-2,007'))).toEqual([1, -2, 0.5, 5, 1000, -0.015, 7]);
    expect(csvError('x\n0x10').message).toContain('"0x10"');
  });

  it('reads a single column, with and without a header', () => {
    expect(values(parseNumericCsv('x\n1\n2\n\n'))).toEqual([1, 2]);
    expect(parseNumericCsv('1\n2\n').cols).toBe(1);
  });

  it('keeps the last line without a line end', () => {
    expect(values(parseNumericCsv('1,2\n3,4'))).toEqual([1, 2, 3, 4]);
  });

  it('detects ";" and tab when the first line has no comma', () => {
    expect(detectDelimiter('a;b\n1;2')).toBe(';');
    expect(detectDelimiter('a\tb\n1\t2')).toBe('\t');
    expect(detectDelimiter('a,b;c\n')).toBe(',');
    expect(detectDelimiter('\n\na;b')).toBe(';');
    expect(detectDelimiter('"a,b";c\n1;2')).toBe(';');
    expect(detectDelimiter('"a\nb";c')).toBe(';');
    expect(detectDelimiter('1\n2')).toBe(',');
    const semi = parseNumericCsv('a;b\n1;2\n3;4');
    expect(semi.header).toEqual(['a', 'b']);
    expect(values(semi)).toEqual([1, 2, 3, 4]);
    const tab = parseNumericCsv('a\tb\n1\t 2\n');
    expect(tab.header).toEqual(['a', 'b']);
    expect(values(tab)).toEqual([1, 2]);
  });

  it('uses an explicit delimiter', () => {
    expect(values(parseNumericCsv('1;2\n3;4', { delimiter: ';' }))).toEqual([1, 2, 3, 4]);
  });

  it('returns a Float64Array of exactly rows×cols values', () => {
    const text = Array.from({ length: 3000 }, (_, i) => `${i},${-i}`).join('\n');
    const csv = parseNumericCsv(text);
    expect(csv.data).toBeInstanceOf(Float64Array);
    expect(csv.data.length).toBe(6000);
    expect(csv.data[5999]).toBe(-2999);
  });
});

describe('parseNumericCsv: errors name the source, line, column and text', () => {
  it('ragged rows', () => {
    const e = csvError('a,b\n1,2\n3,4,5\n');
    expect(e.message).toBe(
      'data.csv, line 3: expected 2 fields (as in the header on line 1), got 3. ' +
        'Every row needs the same number of fields',
    );
    expect(e.line).toBe(3);
    expect(e.column).toBeNull();
    expect(e.text).toBe('3,4,5');
    expect(csvError('1,2\n3\n').message).toMatch(/^data\.csv, line 2: expected 2 fields \(as on line 1\), got 1/);
  });

  it('counts lines across quoted line breaks and CRLF', () => {
    const e = csvError('"a\r\nb",c\r\n1,2\r\n3,x\r\n');
    expect(e.line).toBe(4);
    expect(e.column).toBe(2);
  });

  it('non-numeric fields, with the column name from the header', () => {
    const e = csvError('eruptions,waiting\n3.6,79\n1.8,fifty\n');
    expect(e.message).toBe('data.csv, line 3, column 2 (waiting): expected a number, got "fifty"');
    expect(e.argument).toBe('data.csv, line 3, column 2 (waiting)');
    expect(e.source).toBe('data.csv');
    expect(e.line).toBe(3);
    expect(e.column).toBe(2);
    expect(e.text).toBe('fifty');
  });

  it('non-numeric fields without a header', () => {
    expect(csvError('1,2\n3,abc').message).toBe('data.csv, line 2, column 2: expected a number, got "abc"');
  });

  it('a decimal comma gets a hint', () => {
    expect(csvError('a;b\n1,5;2').message).toContain("Write decimals with a point (1.5), or read the file with decimal: ','");
  });

  it('Infinity in any spelling, and numbers that overflow', () => {
    for (const inf of ['Infinity', '-Infinity', 'inf', '-Inf', '+INF']) {
      const e = csvError(`a,b\n1,2\n${inf},3`);
      expect(e.message).toBe(
        `data.csv, line 3, column 1 (a): expected a finite number, got "${inf}". Infinite values are not allowed`,
      );
    }
    expect(csvError('1e999,1').message).toBe(
      'data.csv, line 1, column 1: expected a finite number, got "1e999", which overflows float64',
    );
  });

  it('missing values are an error unless read with { missing: \'nan\' }, which the message says', () => {
    for (const [text, got] of [
      ['a,b\n1,\n', 'an empty field'],
      ['a,b\n1,NA\n', '"NA"'],
      ['a,b\n1,NaN\n', '"NaN"'],
      ['a,b\n1,""\n', 'an empty field'],
    ] as const) {
      const e = csvError(text);
      expect(e.message).toBe(
        `data.csv, line 2, column 2 (b): expected a number, got ${got}. ` +
          "Read it with { missing: 'nan' } to treat it as a missing entry",
      );
    }
  });

  it("missing: 'nan' reads missing values as NaN", () => {
    const csv = parseNumericCsv('a,b\n1,\nNA,2\n3,NaN\n', { missing: 'nan' });
    expect(values(csv)).toEqual([1, NaN, NaN, 2, 3, NaN]);
    expect(values(parseNumericCsv('1\n\n2', { missing: 'nan' }))).toEqual([1, NaN, 2]);
  });

  it('a blank line between rows', () => {
    expect(csvError('a,b\n1,2\n\n3,4\n').message).toBe(
      'data.csv, line 3: expected 2 fields (as in the header on line 1), got a blank line. ' +
        'Remove blank lines between rows',
    );
    expect(csvError('1\n\n2\n').line).toBe(2);
  });

  it('an empty input', () => {
    for (const text of ['', '\ufeff', '\n\r\n  \n']) {
      expect(csvError(text).message).toBe(
        'data.csv: expected a CSV table with at least one row of numbers, got an empty input',
      );
    }
  });

  it('a header without data', () => {
    const e = csvError('\neruptions,waiting\r\n\r\n');
    expect(e.message).toBe(
      'data.csv: expected at least one row of numbers after the header, got only a header line (line 2)',
    );
  });

  it('an unterminated quote names the line where it opened', () => {
    const e = csvError('a,b\n1,"2\n3,4\n');
    expect(e.line).toBe(2);
    expect(e.column).toBe(2);
    expect(e.message).toContain('expected a closing quote');
  });

  it('text after a closing quote', () => {
    const e = csvError('a,b\n"1"2,3');
    expect(e.line).toBe(2);
    expect(e.message).toContain('got "2,3"');
  });

  it("uses 'CSV' as the source when none is given", () => {
    expect(csvError('', {}).message).toMatch(/^CSV: /);
  });
});

describe('formatCsv', () => {
  it('writes numbers with String(x), a header, and a line end after every row', () => {
    const table = { data: new Float64Array([0.1, -2, 1e-300, 12345678.9]), rows: 2, cols: 2 };
    const text = formatCsv(table, { header: ['a', 'b'] });
    expect(text).toBe('a,b\n0.1,-2\n1e-300,12345678.9\n');
    const labels = { data: Int32Array.of(0, 2, 1), rows: 3, cols: 1 };
    expect(formatCsv(labels, { header: ['label'] })).toBe('label\n0\n2\n1\n');
    expect(formatCsv({ data: [], rows: 0, cols: 2 })).toBe('');
  });

  it('quotes header names only when needed', () => {
    expect(formatCsvField('plain')).toBe('plain');
    expect(formatCsvField('a,b')).toBe('"a,b"');
    expect(formatCsvField('say "hi"')).toBe('"say ""hi"""');
    expect(formatCsvField(' padded')).toBe('" padded"');
    expect(formatCsvField('a;b')).toBe('"a;b"');
    expect(formatCsvField('a\tb')).toBe('"a\tb"');
  });

  it('keeps the sign of zero', () => {
    expect(formatNumber(-0)).toBe('-0');
    expect(Object.is(parseNumericCsv(formatCsvRow([-0, 0])).data[0], -0)).toBe(true);
  });

  it('rejects a table whose sizes disagree', () => {
    expect(() => formatCsv({ data: [1, 2, 3], rows: 2, cols: 2 })).toThrow(InputError);
    expect(() => formatCsv({ data: [1, 2], rows: 1, cols: 2 }, { header: ['a'] })).toThrow(InputError);
  });
});

describe('round trip', () => {
  const finite = fc.double({ noNaN: true, noDefaultInfinity: true });
  const matrix = fc
    .tuple(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 20 }))
    .chain(([cols, rows]) =>
      fc.record({
        cols: fc.constant(cols),
        rows: fc.constant(rows),
        data: fc.array(finite, { minLength: rows * cols, maxLength: rows * cols }),
      }),
    );
  // A leading letter makes each name text, so the header is detected; the rest may need quoting.
  const headerName = fc.string({ maxLength: 8 }).map((s) => `h${s}`);

  it('formatted random matrices parse back to the same numbers', () => {
    fc.assert(
      fc.property(matrix, fc.constantFrom(',', ';', '\t') as fc.Arbitrary<',' | ';' | '\t'>, (m, delimiter) => {
        const csv = parseNumericCsv(formatCsv(m, { delimiter }), { delimiter });
        expect(csv.rows).toBe(m.rows);
        expect(csv.cols).toBe(m.cols);
        expect(csv.header).toBeNull();
        expect(Array.from(csv.data)).toEqual(m.data); // toEqual tells -0 from 0
      }),
    );
  });

  it('with a header, and with the delimiter detected', () => {
    fc.assert(
      fc.property(
        matrix.chain((m) =>
          fc.record({ m: fc.constant(m), header: fc.array(headerName, { minLength: m.cols, maxLength: m.cols }) }),
        ),
        fc.constantFrom(',', ';', '\t') as fc.Arbitrary<',' | ';' | '\t'>,
        fc.constantFrom('\n', '\r\n'),
        ({ m, header }, delimiter, eol) => {
          const text = formatCsv(m, { header, delimiter }).replace(/\n/g, eol);
          const csv = parseNumericCsv(text);
          expect(csv.header).toEqual(header);
          expect(Array.from(csv.data)).toEqual(m.data);
        },
      ),
    );
  });
});
