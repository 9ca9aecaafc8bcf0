import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AbortError, GaussianMixture, InputError } from '../src/index.js';
import type { GaussianMixtureOptions, StreamChunk } from '../src/index.js';
import { NumericCsvReader, formatCsv, parseNumericCsv } from '../src/io/csv.js';
import { generateMixture } from './helpers/gen-mixture.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wasm-em-stream-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** n×d rows of a k-mixture, with a fraction `missing` of the entries NaN (seeded). */
function data(n: number, d: number, k: number, seed: number, missing = 0): Float64Array {
  const X = generateMixture(n, d, k, seed).X.slice();
  let s = seed * 7919 + 1;
  for (let p = 0; p < X.length && missing > 0; p++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    if (s / 2147483648 < missing) X[p] = NaN;
  }
  return X;
}

/** The rows as CSV text with a header (NaN written as an empty field). */
function csvText(X: Float64Array, d: number): string {
  const header = Array.from({ length: d }, (_, j) => `x${j}`);
  return formatCsv({ data: X, rows: X.length / d, cols: d }, { header }).replace(/NaN/g, '');
}

function writeCsv(name: string, X: Float64Array, d: number): string {
  const path = join(dir, name);
  writeFileSync(path, csvText(X, d));
  return path;
}

/** A factory yielding the rows as `number[][]` chunks of `size` rows. */
function chunked(X: Float64Array, d: number, size: number): () => AsyncIterable<StreamChunk> {
  const n = X.length / d;
  return async function* () {
    for (let i = 0; i < n; i += size) {
      const rows: number[][] = [];
      for (let r = i; r < Math.min(n, i + size); r++) rows.push(Array.from(X.subarray(r * d, (r + 1) * d)));
      yield rows;
    }
  };
}

const json = (gm: GaussianMixture): string => JSON.stringify(gm.toJSON());

describe('fitStream gives fit\'s model, to the bit', () => {
  const d = 3;
  const n = 10_000;
  const X = data(n, d, 3, 5);
  const options: GaussianMixtureOptions = { nComponents: 3, seed: 11, initCandidates: 2, maxIter: 30, backend: 'wasm' };
  let expected: string;
  let path: string;
  beforeAll(() => {
    expected = json(new GaussianMixture(options).fit(X, { nFeatures: d }));
    path = writeCsv('a.csv', X, d);
  });

  it('over a CSV file', async () => {
    const gm = await new GaussianMixture(options).fitStream(path);
    expect(json(gm)).toBe(expected);
  });

  it.each([1, 4095, 4096, 4097, 10_000])('over number[][] chunks of %i rows', async (size) => {
    const gm = await new GaussianMixture(options).fitStream(chunked(X, d, size));
    expect(json(gm)).toBe(expected);
  });

  it('over { data, rows, cols } and flat Float64Array chunks (synchronous iterables too)', async () => {
    const matrices = function* () {
      for (let i = 0; i < n; i += 3000) {
        const rows = Math.min(3000, n - i);
        yield { data: X.slice(i * d, (i + rows) * d), rows, cols: d };
      }
    };
    expect(json(await new GaussianMixture(options).fitStream(matrices))).toBe(expected);
    const flat = async function* () {
      for (let i = 0; i < n; i += 5000) yield X.slice(i * d, Math.min(n, i + 5000) * d);
    };
    expect(json(await new GaussianMixture(options).fitStream(flat, { nFeatures: d }))).toBe(expected);
  });

  it('over a Node Readable of CSV bytes cut at odd places', async () => {
    const bytes = Buffer.from(csvText(X, d));
    const pieces: Buffer[] = [];
    for (let p = 0; p < bytes.length; p += 7919) pieces.push(bytes.subarray(p, p + 7919));
    const gm = await new GaussianMixture(options).fitStream(() => Readable.from(pieces));
    expect(json(gm)).toBe(expected);
  });

  it('on both backends, with the js backend too', async () => {
    const js = { ...options, backend: 'js' as const };
    const inMemory = json(new GaussianMixture(js).fit(X, { nFeatures: d }));
    expect(json(await new GaussianMixture(js).fitStream(chunked(X, d, 4097)))).toBe(inMemory);
  });

  it('with missing entries (empty CSV fields) and float32', async () => {
    const Xm = data(n, d, 3, 6, 0.1);
    const missingPath = writeCsv('missing.csv', Xm, d);
    for (const dtype of ['float64', 'float32'] as const) {
      const o = { ...options, dtype };
      const fitted = new GaussianMixture(o).fit(Xm, { nFeatures: d });
      const streamed = await new GaussianMixture(o).fitStream(missingPath);
      expect(json(streamed)).toBe(json(fitted));
      expect(streamed.nRowsAllMissing).toBe(fitted.nRowsAllMissing);
    }
  });

  it('from given means, and as a warm start', async () => {
    const means = [[0, 0, 0], [1, 1, 1], [-1, 2, 0]];
    const o = { ...options, init: { means } };
    expect(json(await new GaussianMixture(o).fitStream(path))).toBe(json(new GaussianMixture(o).fit(X, { nFeatures: d })));
    const warm = { ...options, warmStart: true, maxIter: 5 };
    const a = new GaussianMixture(warm).fit(X, { nFeatures: d });
    const b = await new GaussianMixture(warm).fitStream(path);
    expect(json(a.fit(X, { nFeatures: d }))).toBe(json(await b.fitStream(path)));
  });
});

describe('fitStream over more rows than a start sees (100 000)', () => {
  const d = 2;
  const n = 120_000;
  it('samples each start from its source as fit does', async () => {
    const X = data(n, d, 3, 8);
    const path = writeCsv('big.csv', X, d);
    const o: GaussianMixtureOptions = { nComponents: 3, seed: 3, initCandidates: 2, nInit: 2, maxIter: 4, tol: 0 };
    const passes: string[] = [];
    const gm = await new GaussianMixture(o).fitStream(path, {
      onProgress: (p) => {
        if (p.rowsSeen === n && (p.pass === 1 || p.phase !== 'em')) passes.push(p.phase);
      },
    });
    expect(json(gm)).toBe(json(new GaussianMixture(o).fit(X, { nFeatures: d })));
    // The first pass (which also samples the rows the degeneracy rule measures), then one pass for the sample of
    // each of the 2 × 2 starts.
    expect(passes).toEqual(['scan', 'init', 'init', 'init', 'init']);
  }, 60_000);

  it('with missing entries, float32, and given means', async () => {
    const X = data(n, d, 3, 9, 0.05);
    const flat = async function* () {
      for (let i = 0; i < n; i += 10_007) yield X.slice(i * d, Math.min(n, i + 10_007) * d);
    };
    const o: GaussianMixtureOptions = { nComponents: 3, seed: 4, initCandidates: 2, maxIter: 4, tol: 0, dtype: 'float32' };
    expect(json(await new GaussianMixture(o).fitStream(flat, { nFeatures: d })))
      .toBe(json(new GaussianMixture(o).fit(X, { nFeatures: d })));
    const complete = data(n, d, 3, 9);
    const given: GaussianMixtureOptions = { nComponents: 2, init: { means: [[0, 0], [3, 3]] }, maxIter: 3, tol: 0 };
    const completeFlat = async function* () {
      yield complete;
    };
    expect(json(await new GaussianMixture(given).fitStream(completeFlat, { nFeatures: d })))
      .toBe(json(new GaussianMixture(given).fit(complete, { nFeatures: d })));
  }, 60_000);
});

describe('fitStream: progress, abort, errors', () => {
  const d = 2;
  const X = data(9000, d, 2, 1);

  it('reports each pass block by block', async () => {
    const seen: { phase: string; pass: number; rowsSeen: number; rowsTotal: number | null }[] = [];
    await new GaussianMixture({ nComponents: 2, seed: 1, maxIter: 3, tol: 0, initCandidates: 1 }).fitStream(
      chunked(X, d, 1000), { onProgress: (p) => {
        expect(p.rowsPerSecond).toBeGreaterThanOrEqual(0);
        seen.push({ phase: p.phase, pass: p.pass, rowsSeen: p.rowsSeen, rowsTotal: p.rowsTotal });
      } });
    expect(seen.slice(0, 3)).toEqual([
      { phase: 'scan', pass: 1, rowsSeen: 4096, rowsTotal: null },
      { phase: 'scan', pass: 1, rowsSeen: 8192, rowsTotal: null },
      { phase: 'scan', pass: 1, rowsSeen: 9000, rowsTotal: null },
    ]);
    expect(seen.filter((p) => p.phase === 'em' && p.rowsSeen === 9000).map((p) => p.pass)).toEqual([2, 3, 4]);
    expect(seen.every((p) => p.phase === 'scan' || p.rowsTotal === 9000)).toBe(true);
  });

  it('aborts with AbortError and leaves the model unchanged', async () => {
    const gm = new GaussianMixture({ nComponents: 2, seed: 1 }).fit(X, { nFeatures: d });
    const before = json(gm);
    const controller = new AbortController();
    const run = gm.fitStream(chunked(X, d, 500), {
      signal: controller.signal,
      onProgress: (p) => {
        if (p.phase === 'em' && p.iteration === 2) controller.abort();
      },
    });
    await expect(run).rejects.toBeInstanceOf(AbortError);
    expect(json(gm)).toBe(before);
    const aborted = new AbortController();
    aborted.abort();
    await expect(new GaussianMixture().fitStream(chunked(X, d, 500), { signal: aborted.signal })).rejects.toThrow(AbortError);
  });

  it('names the line of a ragged row or a non-numeric field in a file', async () => {
    const text = csvText(X, d).split('\n');
    const ragged = join(dir, 'ragged.csv');
    writeFileSync(ragged, [...text.slice(0, 5001), '1,2,3', ...text.slice(5001)].join('\n'));
    await expect(new GaussianMixture({ nComponents: 2 }).fitStream(ragged))
      .rejects.toThrow(/ragged\.csv, line 5002: expected 2 fields \(as in the header on line 1\), got 3/);
    const word = join(dir, 'word.csv');
    writeFileSync(word, [...text.slice(0, 7000), '1,abc', ...text.slice(7000)].join('\n'));
    await expect(new GaussianMixture({ nComponents: 2 }).fitStream(word))
      .rejects.toThrow(/word\.csv, line 7001, column 2 \(x1\): expected a number, got "abc"/);
    await expect(new GaussianMixture().fitStream(join(dir, 'none.csv'))).rejects.toThrow(/no such file/);
  });

  it('names the row of a bad entry in row chunks', async () => {
    const bad = X.slice();
    bad[4100 * d + 1] = Infinity;
    const err = await new GaussianMixture().fitStream(chunked(bad, d, 1000)).catch((e) => e);
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toMatch(/^source row 4100, column 1: expected a finite number or NaN/);
    const ragged = async function* () {
      yield [[1, 2], [3, 4]];
      yield [[1, 2, 3]];
    };
    await expect(new GaussianMixture().fitStream(ragged)).rejects.toThrow(/source chunk 1: expected rows of 2 columns/);
  });

  it('rejects a source whose later pass has other rows', async () => {
    let opened = 0;
    const shrinking = () => {
      opened++;
      return chunked(X.subarray(0, (opened === 1 ? 9000 : 8000) * d), d, 1000)();
    };
    await expect(new GaussianMixture({ nComponents: 2, seed: 1 }).fitStream(shrinking))
      .rejects.toThrow(/source: expected 9000 rows on every pass \(as on the first\), got 8000 rows on pass 2/);
    opened = 0;
    const growing = () => {
      opened++;
      return chunked(opened === 1 ? X.subarray(0, 8000 * d) : X, d, 1000)();
    };
    await expect(new GaussianMixture({ nComponents: 2, seed: 1 }).fitStream(growing)).rejects.toThrow(/more on pass 2/);
  });

  it('rejects bad arguments with InputError naming them', async () => {
    const gm = new GaussianMixture();
    await expect(gm.fitStream(42 as never)).rejects.toThrow(/^source: expected a CSV file path or a function/);
    await expect(gm.fitStream(() => 5 as never)).rejects.toThrow(/^source\(\): expected an iterable/);
    await expect(gm.fitStream(chunked(X, d, 10), { sampleWeight: [1] } as never)).rejects.toThrow(/^options.sampleWeight/);
    await expect(gm.fitStream(chunked(X, d, 10), { onProgress: 1 } as never)).rejects.toThrow(/^options.onProgress/);
    await expect(gm.fitStream(async function* () {})).rejects.toThrow(/^source: expected at least one row/);
    await expect(gm.fitStream(async function* () {
      yield new Float64Array(4);
    })).rejects.toThrow(/options.nFeatures/);
    await expect(new GaussianMixture({ nComponents: 3 }).fitStream(() => [[[1, 1]], [[1, 1]]]))
      .rejects.toThrow(/^options.nComponents/);
    await expect(gm.fitStream(() => ['1,2\n', [[1, 2]]] as never)).rejects.toThrow(/source chunk 1: expected CSV text/);
    const modelFile = join(dir, 'model.json');
    writeFileSync(modelFile, '{"format": "wasm-em/gaussian-mixture"}');
    await expect(gm.fitStream(modelFile)).rejects.toThrow(/expected CSV data, got JSON/);
    expect(gm.isFitted).toBe(false);
  });
});

describe('NumericCsvReader', () => {
  it('reads every decimal as Number does, bit for bit (fast path or not)', () => {
    fc.assert(fc.property(
      fc.array(fc.tuple(fc.constantFrom('', '-', '+'), fc.stringMatching(/^\d{0,20}$/), fc.boolean(),
        fc.stringMatching(/^\d{0,20}$/), fc.constantFrom('', 'e', 'E-', 'e+'), fc.integer({ min: 0, max: 280 }),
        fc.constantFrom('', ' ', '  ')), { minLength: 1, maxLength: 20 }),
      (parts) => {
        const fields = parts.map(([sign, int, dot, frac, e, exp, pad]) =>
          `${pad}${sign}${int || (frac ? '' : '0')}${dot ? '.' : ''}${frac}${e ? e + exp : ''}${pad}`);
        const csv = parseNumericCsv(`${fields.map((_, j) => `c${j}`).join(',')}\n${fields.join(',')}\n`);
        fields.forEach((f, j) => expect(Object.is(csv.data[j], Number(f.trim()))).toBe(true));
      }), { numRuns: 500 });
    expect(Object.is(parseNumericCsv('a\n-0\n').data[0], -0)).toBe(true);
    expect(Array.from(parseNumericCsv('a\n0.1\n123456789012345678\n1e-30\n4.9e-324\n').data))
      .toEqual([0.1, 123456789012345678, 1e-30, 4.9e-324]);
  });

  it('reads text cut anywhere as parseNumericCsv reads it whole', () => {
    const text = '\ufeffa;"b\r\nc"\r\n1;2\r\n"3";\r\n5 ; "6"\r7;8\n\n';
    const whole = parseNumericCsv(text, { missing: 'nan' });
    for (let size = 1; size <= text.length; size++) {
      const values: number[] = [];
      const reader = new NumericCsvReader({ missing: 'nan' }, (row) => values.push(...row));
      for (let p = 0; p < text.length; p += size) reader.push(text.slice(p, p + size));
      expect(reader.end()).toEqual({
        rows: whole.rows, cols: whole.cols, header: whole.header, delimiter: whole.delimiter, decimal: whole.decimal,
      });
      expect(values).toEqual(Array.from(whole.data));
    }
  });
});
