/**
 * The CLI reading DATA.csv: the header flags, errors located by file, line and column in every command and family
 * (streamed or in memory, files or stdin), binary and oversized input, UTF-16 and decimal commas, and reading in chunks.
 */
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readData } from '../src/cli/files.js';
import { runCli, type CliIO } from '../src/cli/run.js';
import { parseNumericCsv } from '../src/io/csv.js';

interface Run {
  code: number;
  out: string;
  err: string;
}

/** Runs the CLI in-process; `stdin` is what `-` reads. */
async function cli(argv: string[], stdin: (string | Buffer)[] = []): Promise<Run> {
  let out = '';
  let err = '';
  const code = await runCli(argv, {
    stdin: Readable.from(stdin),
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    isTTY: false,
  });
  return { code, out, err };
}

/** A user error: exit 1 (or 2), nothing on stdout, one line on stderr matching `pattern`, no stack. */
function expectError(run: Run, pattern: RegExp, code = 1): void {
  expect(run.code, run.err).toBe(code);
  expect(run.out).toBe('');
  expect(run.err).toMatch(/^wasm-em: [^\n]+\n$/);
  expect(run.err).toMatch(pattern);
}

let dir: string;
const file = (name: string, content: string | Buffer): string => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wasm-em-cli-input-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const means = (run: Run): number[] => (JSON.parse(run.out) as { means: number[][] }).means.flat();

describe('the header row', () => {
  it('a first row mixing a number and a non-number is an error naming line 1 in every command (was: swallowed)', async () => {
    const data = file('mixed.csv', '100,?\n1,2\n3,4\n');
    const model = file('m.json', (await cli(['fit', file('ok.csv', 'a,b\n1,2\n3,5\n'), '-k', '1'])).out);
    const pattern = /^wasm-em: .*mixed\.csv, line 1: expected a header of names only, or a row of numbers, got "\?" \(column 2\).*--header/;
    expectError(await cli(['fit', data, '-k', '1']), pattern);
    expectError(await cli(['fit', data, '-k', '1', '--memory-budget', '0.000001']), pattern);
    expectError(await cli(['fit', data, '-k', '1', '--family', 'poisson']), pattern);
    expectError(await cli(['select', data, '--k', '1']), pattern);
    for (const command of ['predict', 'score', 'impute']) expectError(await cli([command, model, data]), pattern);
    expectError(await cli(['fit', '-', '-k', '1'], ['100,?\n1,2\n']), /^wasm-em: stdin, line 1: expected a header/);
  });

  it('--no-header reads row 1 as data: its bad field is named', async () => {
    const data = file('mixed2.csv', '100,?\n1,2\n3,4\n');
    expectError(await cli(['fit', data, '-k', '1', '--no-header']), /mixed2\.csv, line 1, column 2: expected a number, got "\?"/);
  });

  it('--header takes a numeric-looking first row as names, and impute writes it back (was: fitted as data)', async () => {
    const data = file('years.csv', '2019,2020\n1,2\n3,4\n');
    const asData = means(await cli(['fit', data, '-k', '1']));
    expect(asData[0]).toBeCloseTo(2023 / 3, 9);
    expect(asData[1]).toBeCloseTo(2026 / 3, 9);
    for (const extra of [[], ['--memory-budget', '0.000001']]) {
      const run = await cli(['fit', data, '-k', '1', '--header', ...extra]);
      expect(run.code, run.err).toBe(0);
      expect(means(run)).toEqual([2, 3]);
    }
    const model = file('years.json', (await cli(['fit', data, '-k', '1', '--header'])).out);
    const gaps = file('years-gaps.csv', '2019,2020\n1,\n3,4\n');
    const imputed = await cli(['impute', model, gaps, '--header']);
    expect(imputed.code, imputed.err).toBe(0);
    expect(imputed.out.split('\n')[0]).toBe('2019,2020');
    const predicted = await cli(['predict', model, data, '--header']);
    expect(predicted.out).toBe('label\n0\n0\n');
  });

  it('impute writes a semicolon, decimal-comma file back in its own dialect, which reads back the same', async () => {
    const data = file('eu.csv', 'a;b\n1,5;2\n2,5;NA\n3,1;4,25\n4;5\n');
    const model = file('eu.json', (await cli(['fit', data, '-k', '1', '--delimiter', ';', '--decimal', ','])).out);
    for (const flags of [['--delimiter', ';', '--decimal', ','], ['--decimal', ',']]) {
      const imputed = await cli(['impute', model, data, ...flags]);
      expect(imputed.code, imputed.err).toBe(0);
      const lines = imputed.out.trimEnd().split('\n');
      expect(lines[0]).toBe('a;b');
      expect(lines[1]).toBe('1,5;2');
      expect(lines[3]).toBe('3,1;4,25');
      expect(lines[2]).toMatch(/^2,5;\d+,\d+$/);
      const again = parseNumericCsv(imputed.out, { delimiter: ';', decimal: ',' });
      expect(again.rows).toBe(4);
      expect(Number.isFinite(again.data[3])).toBe(true);
    }
  });

  it('--header and --no-header together are a usage error', async () => {
    expectError(await cli(['fit', 'x.csv', '-k', '1', '--header', '--no-header']), /--header and --no-header/, 2);
  });
});

describe('errors name the file, line and column in every command and family', () => {
  // 4600 rows of 0/1 under a header: row 4500 (0-based) is on line 4502, past the first block of 4096 rows.
  const rows = Array.from({ length: 4600 }, (_, i) => `${i % 2},${(i >> 1) % 2}`);
  const bad = [...rows];
  bad[4500] = ',1'; // a missing entry, which the discrete families refuse

  it('discrete fit and predict, in memory, streamed and from stdin (was: X[4500][0], X[404][0])', async () => {
    const good = file('bits.csv', ['a,b', ...rows].join('\n') + '\n');
    const badPath = file('bits-bad.csv', ['a,b', ...bad].join('\n') + '\n');
    const where = /bits-bad\.csv, line 4502, column 1 \(a\): expected/;
    expectError(await cli(['fit', badPath, '-k', '2', '--family', 'bernoulli', '--seed', '0']), where);
    expectError(await cli(['fit', badPath, '-k', '2', '--family', 'bernoulli', '--workers', '1', '--seed', '0']), where);
    const fitted = await cli(['fit', good, '-k', '2', '--family', 'bernoulli', '--seed', '0']);
    expect(fitted.code, fitted.err).toBe(0);
    const model = file('bits.json', fitted.out);
    // predict streams: the first block's labels are out before the bad row is read.
    const streamedError = (run: Run, pattern: RegExp): void => {
      expect(run.code, run.err).toBe(1);
      expect(run.out.split('\n')).toHaveLength(4098);
      expect(run.err).toMatch(/^wasm-em: [^\n]+\n$/);
      expect(run.err).toMatch(pattern);
    };
    streamedError(await cli(['predict', model, badPath]), where);
    streamedError(await cli(['predict', model, badPath, '--proba']), where);
    streamedError(await cli(['predict', model, '-'], [['a,b', ...bad].join('\n')]), /^wasm-em: stdin, line 4502, column 1 \(a\): expected/);
    expectError(await cli(['score', model, badPath]), where);
  });

  it('a row whose line is pushed on by a quoted line break', async () => {
    const rowsQ = ['"a\nb",c', '0,1', '"1",0', '3,1'];
    const path = file('quoted.csv', rowsQ.join('\n') + '\n');
    expectError(await cli(['fit', path, '-k', '1', '--family', 'bernoulli']), /quoted\.csv, line 5, column 1 \("a\\nb"\): expected/);
  });
});

describe('binary and oversized input', () => {
  it('predict on /dev/zero is one line, fast (was: RangeError, exit 70)', async () => {
    const model = file('m2.json', (await cli(['fit', file('ok2.csv', 'a,b\n1,2\n3,5\n'), '-k', '1'])).out);
    const t0 = performance.now();
    expectError(await cli(['predict', model, '/dev/zero']), /^wasm-em: \/dev\/zero, line 1: expected CSV text, got a NUL character/);
    expect(performance.now() - t0).toBeLessThan(5000);
  });

  it('zeros on stdin, in memory', async () => {
    const zeros = Array.from({ length: 16 }, () => Buffer.alloc(1 << 16));
    expectError(await cli(['fit', '-', '-k', '1'], zeros), /^wasm-em: stdin, line 1: expected CSV text, got a NUL/);
  });

  it('a line over 64 MiB is an InputError naming it, in memory, streamed and from stdin (was: Invalid string length)', async () => {
    const mib = Buffer.alloc(2 ** 20, '7');
    const chunks = [Buffer.from('1\n2\n'), ...Array.from({ length: 65 }, () => mib)];
    const pattern = /line 3: expected a record \(line\) of at most 64 MiB characters, got a longer one/;
    expectError(await cli(['fit', '-', '-k', '1'], chunks), pattern);
    const path = file('long-line.csv', Buffer.concat(chunks));
    expectError(await cli(['fit', path, '-k', '1']), pattern);
    expectError(await cli(['fit', path, '-k', '1', '--memory-budget', '1']), pattern);
  }, 60_000);
});

describe('encodings and delimiters', () => {
  const text = 'x,y\n1,2\n3,5\n2,4\n';
  const reference = async (): Promise<number[]> => means(await cli(['fit', file('utf8.csv', text), '-k', '1']));

  it('UTF-16 files with a byte-order mark are read as their UTF-8 twin (was: pseudo-header names)', async () => {
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const be = Buffer.from(le);
    for (let i = 0; i < be.length; i += 2) [be[i], be[i + 1]] = [be[i + 1]!, be[i]!];
    const expected = await reference();
    for (const [name, bytes] of [['le.csv', le], ['be.csv', be]] as const) {
      const path = file(name, bytes);
      expect(means(await cli(['fit', path, '-k', '1']))).toEqual(expected);
      expect(means(await cli(['fit', path, '-k', '1', '--memory-budget', '0.000001']))).toEqual(expected);
    }
  });

  it('UTF-16 without a mark is refused as binary, naming the file and line', async () => {
    expectError(await cli(['fit', file('nomark.csv', Buffer.from(text, 'utf16le')), '-k', '1']),
      /nomark\.csv, line 1: expected CSV text, got a NUL character .*UTF-16/);
  });

  it("a semicolon file with decimal commas: the error suggests --delimiter ';' --decimal ',', which read it", async () => {
    const path = file('eu.csv', '5,2;3,1\n4,8;2,9\n5,0;3,0\n');
    for (const extra of [[], ['--memory-budget', '0.000001']]) {
      expectError(await cli(['fit', path, '-k', '1', ...extra]),
        /eu\.csv, line 1: .*looks semicolon-separated with decimal commas: read it with --delimiter ';' --decimal ','$/m);
    }
    for (const extra of [[], ['--memory-budget', '0.000001']]) {
      const run = await cli(['fit', path, '-k', '1', '--delimiter', ';', '--decimal', ',', ...extra]);
      expect(run.code, run.err).toBe(0);
      expect(means(run).map((m) => +m.toFixed(12))).toEqual([5, 3]);
    }
    expect((await cli(['fit', path, '-k', '1', '--decimal', ','])).code).toBe(0);
    expectError(await cli(['fit', path, '-k', '1', '--decimal', ',', '--delimiter', ',']), /--decimal ',' needs another delimiter/, 2);
    expectError(await cli(['fit', path, '-k', '1', '--delimiter', '|']), /--delimiter: expected ',' ';' or tab, got "\|"/, 2);
  });
});

describe('reading in chunks', () => {
  const io = (chunks: (string | Buffer)[] = []): CliIO => ({
    stdin: Readable.from(chunks),
    stdout: { write: () => true },
    stderr: { write: () => true },
    isTTY: false,
  });

  it('a file read a few bytes at a time gives the table of the whole text (characters split, the mark split)', async () => {
    const text = '\ufeffgröße,"hö\nhe"\r\n1.5,2\r\n3,-4e2\n\n';
    const path = file('chunks.csv', text);
    const expected = parseNumericCsv(text, { source: path, missing: 'nan' });
    for (const chunkSize of [1, 2, 3, 7, 64]) {
      const csv = await readData(path, io(), {}, { chunkSize });
      expect({ ...csv, lines: [csv.lines.line(0), csv.lines.line(1)] }, `chunk ${chunkSize}`)
        .toEqual({ ...expected, lines: [3, 4] });
    }
    const fromStdin = await readData('-', io([...Buffer.from(text)].map((b) => Buffer.from([b]))));
    expect(Array.from(fromStdin.data)).toEqual(Array.from(expected.data));
  });

  it('the record limit applies while reading, before the record is whole', async () => {
    const path = file('limit.csv', '1,2\n' + '3'.repeat(100) + '\n');
    await expect(readData(path, io(), {}, { chunkSize: 8, maxRecordLength: 50 })).rejects.toThrow(/line 2: expected a record/);
  });

  const BIG = process.env.WASM_EM_BIG_CSV === '1';
  // V8's longest string is 2^29 − 24 = 536,870,888 characters; this file is longer, and under the 512 MiB budget.
  it.runIf(BIG)('a 536,870,900-byte CSV fits in memory (was: cannot read …: Invalid string length)', async () => {
    const row = '0.123456789,1.234567891\n'; // 24 bytes
    const last = '0.1234567,1.2345678\n'; // 20 bytes: 22,369,620 × 24 + 20 = 536,870,900
    const path = join(dir, 'big.csv');
    const fd = openSync(path, 'w');
    const block = Buffer.from(row.repeat(1 << 16));
    let rows = 22_369_620;
    for (; rows >= 1 << 16; rows -= 1 << 16) writeSync(fd, block);
    writeSync(fd, row.repeat(rows) + last);
    closeSync(fd);
    expect(statSync(path).size).toBe(536_870_900);
    const run = await cli(['fit', path, '-k', '1', '--max-iter', '2']);
    expect(run.code, run.err).toBe(0);
  }, 600_000);
});
