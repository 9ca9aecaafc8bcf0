/**
 * Reading CSV input: which first row is a header, records too long to hold, binary input, encodings and decimal
 * commas. Each case runs through the whole-text reader and the chunked one (fed in small pieces), which must agree.
 */
import { describe, expect, it } from 'vitest';
import { InputError } from '../src/errors.js';
import { CsvError, NumericCsvReader, parseNumericCsv, type ParseCsvOptions } from '../src/io/csv.js';
import { CsvDecoder } from '../src/io/decode.js';
import { RowLines } from '../src/io/row-lines.js';

/** The table or the error message of both readers (the chunked one fed `piece` characters at a time); they agree. */
function read(text: string, options: ParseCsvOptions = {}, piece = 3): { values: number[]; header: string[] | null } | string {
  const whole = (() => {
    try {
      const csv = parseNumericCsv(text, { source: 'f.csv', ...options });
      return { values: Array.from(csv.data), header: csv.header };
    } catch (e) {
      expect(e).toBeInstanceOf(CsvError);
      return (e as Error).message;
    }
  })();
  const chunked = (() => {
    const values: number[] = [];
    try {
      const reader = new NumericCsvReader({ source: 'f.csv', ...options }, (row) => values.push(...row));
      for (let i = 0; i < text.length; i += piece) reader.push(text.slice(i, i + piece));
      return { values, header: reader.end().header };
    } catch (e) {
      expect(e).toBeInstanceOf(CsvError);
      return (e as Error).message;
    }
  })();
  expect(chunked).toEqual(whole);
  return whole;
}

describe('the first row: a header of names, a row of numbers, or an error', () => {
  it('a first row that mixes numbers and non-numbers is an error naming line 1 (was: taken as a header, row lost)', () => {
    expect(read('100,?\n1,2\n3,4\n')).toBe(
      'f.csv, line 1: expected a header of names only, or a row of numbers, got "?" (column 2), which is not a number, ' +
        'and "100" (column 1), a number. If line 1 is a header, read the file with header: true; if it is data, ' +
        'correct the value',
    );
    for (const first of ['-,2', '1,2x', '0x10,3', '3,1e', 'x,7', '1.2.3,4']) {
      expect(read(`${first}\n1,2\n`), first).toMatch(/^f\.csv, line 1: expected a header of names only/);
    }
  });

  it('names after blank lines: the error names the line of the row', () => {
    expect(read('\n\n5,a\n1,2\n')).toMatch(/^f\.csv, line 3: expected a header of names only/);
  });

  it('missing markers (empty, NA, NaN) are not names', () => {
    for (const first of ['a,', ',a', 'a,NA', 'NaN,b', 'a, ,c']) {
      expect(read(`${first}\n1,2\n`, { missing: 'nan' }), first).toMatch(/line 1: expected a header of names only.*a missing value/);
    }
    // A row of missing markers and numbers is data.
    expect(read('NA,1\n2,3\n', { missing: 'nan' })).toEqual({ values: [NaN, 1, 2, 3], header: null });
  });

  it('a row of names is a header, a row of numbers is data', () => {
    expect(read('a,b\n1,2\n')).toEqual({ values: [1, 2], header: ['a', 'b'] });
    expect(read('0x10,inf x\n1,2\n')).toEqual({ values: [1, 2], header: ['0x10', 'inf x'] });
    expect(read('2019,2020\n1,2\n')).toEqual({ values: [2019, 2020, 1, 2], header: null });
  });

  it('header: true takes the first row as names whatever it holds; header: false reads it as data', () => {
    expect(read('2019,2020\n1,2\n', { header: true })).toEqual({ values: [1, 2], header: ['2019', '2020'] });
    expect(read('100,?\n1,2\n', { header: true })).toEqual({ values: [1, 2], header: ['100', '?'] });
    expect(read('\n a , b \n1,2\n', { header: true })).toEqual({ values: [1, 2], header: ['a', 'b'] });
    expect(read('100,?\n1,2\n', { header: false })).toBe('f.csv, line 1, column 2: expected a number, got "?"');
    expect(read('a,b\n1,2\n', { header: false })).toMatch(/^f\.csv, line 1, column 1: expected a number, got "a"/);
    expect(read('1,2\n3,4\n', { header: false })).toEqual({ values: [1, 2, 3, 4], header: null });
  });

  it("hints name the CLI's flags when read for the CLI", () => {
    expect(read('100,?\n1,2\n', { advice: 'cli' })).toMatch(/read the file with --header; if it is data/);
  });
});

describe('records longer than the limit', () => {
  it('a record over maxRecordLength is an error naming its line, from both readers', () => {
    const message = 'f.csv, line 2: expected a record (line) of at most 10 characters, got a longer one. Is it a CSV ' +
      'file? A binary file or one without line ends reads as one huge line';
    expect(read('1,2\n' + '1'.repeat(11) + '\n3,4\n', { maxRecordLength: 10 })).toBe(message);
    expect(read('1,2\n' + '1'.repeat(30), { maxRecordLength: 10 })).toBe(message);
    expect(read('1,2\n"' + 'a\n'.repeat(10) + '",1\n', { maxRecordLength: 10 })).toBe(message);
    expect(read('1,2\n1,' + '1'.repeat(8) + '\n', { maxRecordLength: 10 })).toEqual({ values: [1, 2, 1, 11111111], header: null });
  });

  it('the chunked reader refuses an endless line as soon as the limit is passed, holding no more than that', () => {
    const reader = new NumericCsvReader({ source: 'pipe', maxRecordLength: 1000 }, () => {});
    let pushed = 0;
    expect(() => {
      for (; pushed < 1e6; pushed += 7) reader.push('1234567');
    }).toThrow(/^pipe, line 1: expected a record \(line\) of at most 1000 characters/);
    expect(pushed).toBeLessThanOrEqual(1000);
  });

  it('the line of an over-long first record after blank lines, and a record ended by a CR split from its chunk', () => {
    expect(read('\n\n' + '1'.repeat(20), { maxRecordLength: 10 })).toMatch(/^f\.csv, line 3: expected a record/);
    expect(read('1,2\r3,4', { maxRecordLength: 3 }, 4)).toEqual({ values: [1, 2, 3, 4], header: null });
  });

  it('the default limit is 64 MiB, named in the message', () => {
    const reader = new NumericCsvReader({ source: 'pipe' }, () => {});
    const mib = '7'.repeat(2 ** 20);
    expect(() => {
      for (let i = 0; i < 65; i++) reader.push(mib);
    }).toThrow('pipe, line 1: expected a record (line) of at most 64 MiB characters, got a longer one');
  });
});

describe('binary input', () => {
  it('a NUL character is an error naming its line, whatever comes before it (was: a field error, or nothing)', () => {
    const message = 'f.csv, line 2: expected CSV text, got a NUL character (binary data?). Is it a binary file, or UTF-16 ' +
      'text without a byte-order mark? Save it as UTF-8 (or UTF-16 with its mark)';
    expect(read('1,2\n3,\u00004\n')).toBe(message);
    expect(read('"a\nb",c\r\n\0')).toBe('f.csv, line 3' + message.slice('f.csv, line 2'.length));
    // An earlier fault in the text is the one reported.
    expect(read('1,2\n3,x\n\0')).toBe('f.csv, line 2, column 2: expected a number, got "x"');
    // UTF-16 read as UTF-8: every other character is NUL.
    expect(read('a\0,\0b\0\n\0')).toBe('f.csv, line 1' + message.slice('f.csv, line 2'.length));
  });

  it('an endless stream of NUL stops at the first chunk', () => {
    const reader = new NumericCsvReader({ source: '/dev/zero' }, () => {});
    expect(() => reader.push('\0'.repeat(65536))).toThrow(/^\/dev\/zero, line 1: expected CSV text, got a NUL/);
  });
});

describe('decimal commas', () => {
  it('a semicolon-separated file with decimal commas and no header says so (was: a pseudo-header)', () => {
    expect(read('5,2;3,1\n4,9;3,0\n')).toBe(
      'f.csv, line 1: expected fields separated by commas, got "5,2;3,1". The file looks semicolon-separated with ' +
        "decimal commas: read it with { delimiter: ';', decimal: ',' }",
    );
    expect(read('5,2\t3\n4,9\t3,0\n', { advice: 'cli' })).toMatch(/looks tab-separated with decimal commas: read it with --delimiter tab --decimal ','$/);
    // Commas that are delimiters are not taken for decimal commas.
    expect(read('1,2\n3,4\n')).toEqual({ values: [1, 2, 3, 4], header: null });
  });

  it("decimal: ',' reads them (the delimiter detected among ';' and tab), and refuses a point", () => {
    expect(read('5,2;3,1\n-4,9;3\n', { delimiter: ';', decimal: ',' })).toEqual({ values: [5.2, 3.1, -4.9, 3], header: null });
    expect(read('a;b\n5,2;3,1e2\n', { decimal: ',' })).toEqual({ values: [5.2, 310], header: ['a', 'b'] });
    expect(read('5,25\t,5\n', { decimal: ',' })).toEqual({ values: [5.25, 0.5], header: null });
    expect(read('a;b\n5.2;3\n', { decimal: ',' })).toMatch(/line 2, column 1 \(a\): expected a number with a decimal comma \(1,5\), got "5\.2"/);
    expect(() => parseNumericCsv('1;2', { delimiter: ',', decimal: ',' })).toThrow(InputError);
  });

  it('with a header and point decimals, a decimal comma suggests the decimal option', () => {
    expect(read('a;b\n1,5;2\n', { advice: 'cli' })).toMatch(/Write decimals with a point \(1\.5\), or read the file with --decimal ','$/);
  });
});

describe('CsvDecoder', () => {
  const decodeInPieces = (bytes: Uint8Array, piece: number): string => {
    const decoder = new CsvDecoder();
    let text = '';
    for (let i = 0; i < bytes.length; i += piece) text += decoder.decode(bytes.subarray(i, i + piece));
    return text + decoder.end();
  };
  const text = 'größe,höhe\n1,2\n';
  const utf16be = (s: string): Uint8Array => {
    const le = Buffer.from(s, 'utf16le');
    for (let i = 0; i < le.length; i += 2) [le[i], le[i + 1]] = [le[i + 1]!, le[i]!];
    return le;
  };

  it('decodes UTF-8 (its mark dropped) and UTF-16 LE and BE by their marks, cut anywhere', () => {
    const inputs: [string, Uint8Array][] = [
      ['utf-8', Buffer.from(text)],
      ['utf-8', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)])],
      ['utf-16le', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')])],
      ['utf-16be', Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be(text)])],
    ];
    for (const [encoding, bytes] of inputs) {
      for (const piece of [1, 2, 3, 5, 1000]) expect(decodeInPieces(bytes, piece), `${encoding} / ${piece}`).toBe(text);
      const decoder = new CsvDecoder();
      decoder.decode(bytes);
      expect(decoder.encoding).toBe(encoding);
    }
  });

  it('a UTF-16 file read through it parses as its UTF-8 twin', () => {
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    expect(parseNumericCsv(decodeInPieces(bytes, 7)).header).toEqual(['größe', 'höhe']);
  });

  it('short inputs: empty, one byte, two bytes', () => {
    expect(decodeInPieces(new Uint8Array(0), 1)).toBe('');
    expect(decodeInPieces(Buffer.from('7'), 1)).toBe('7');
    expect(decodeInPieces(Buffer.from('7\n'), 1)).toBe('7\n');
  });
});

describe('the line of each row', () => {
  it('follows quoted line breaks and leading blank lines', () => {
    const csv = parseNumericCsv('\n\na,"b\nc"\n1,2\n"3\n",4\n5,6\n');
    expect(Array.from({ length: csv.rows }, (_, i) => csv.lines.line(i))).toEqual([5, 6, 8]);
    expect(csv.lines.line(3)).toBe(-1);
  });

  it('RowLines keeps one entry per run of consecutive lines', () => {
    const lines = new RowLines();
    for (const line of [2, 3, 4, 7, 8, 20]) lines.add(line);
    expect([0, 1, 2, 3, 4, 5].map((i) => lines.line(i))).toEqual([2, 3, 4, 7, 8, 20]);
    expect(lines.count).toBe(6);
  });
});
