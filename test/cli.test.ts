import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { version } from '../package.json';
import { runCli } from '../src/cli/run.js';
import { GaussianMixture, WasmUnavailableError, selectModel } from '../src/index.js';
import { generateMixture } from './helpers/gen-mixture.js';
import { loadReference } from './helpers/load-csv.js';

const FAITHFUL = fileURLToPath(new URL('./fixtures/reference/faithful.csv', import.meta.url));
const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const FIXTURES = fileURLToPath(new URL('./fixtures/cli/', import.meta.url));
const fixture = (name: string): string => join(FIXTURES, name);
const faithful = loadReference('faithful');
const sklearn = JSON.parse(readFileSync(new URL('./fixtures/reference/sklearn-gmm.json', import.meta.url), 'utf8')) as {
  records: { dataset: string; K: number; covariance_type: string; mean_loglik: number }[];
};

interface Run {
  code: number;
  out: string;
  err: string;
}

/** Runs the CLI in-process with captured streams; `stdin` is what `-` reads. */
async function cli(argv: string[], options: { stdin?: string | Buffer[]; isTTY?: boolean } = {}): Promise<Run> {
  let out = '';
  let err = '';
  const chunks = options.stdin === undefined ? [] : typeof options.stdin === 'string' ? [options.stdin] : options.stdin;
  const code = await runCli(argv, {
    stdin: Readable.from(chunks),
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    isTTY: options.isTTY ?? false,
  });
  return { code, out, err };
}

/** Asserts a user error: exit `code`, nothing on stdout, exactly one line `wasm-em: …` on stderr, no stack. */
function expectUserError(run: Run, code: 1 | 2, pattern: RegExp): void {
  expect(run.code, run.err).toBe(code);
  expect(run.out).toBe('');
  expect(run.err).toMatch(/^wasm-em: [^\n]+\n$/);
  expect(run.err).not.toMatch(/\bat .+:\d+:\d+/);
  expect(run.err).toMatch(pattern);
}

let dir: string;
const tmp = (name: string): string => join(dir, name);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wasm-em-cli-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe('fit, predict, score', () => {
  const modelPath = (): string => tmp('faithful-k2.json');
  const fitArgs = ['fit', FAITHFUL, '-k', '2', '--seed', '0', '--n-init', '3', '--tol', '1e-6', '--max-iter', '1000'];

  it('fit writes the model JSON to -o and nothing on a non-terminal stderr', async () => {
    const run = await cli([...fitArgs, '-o', modelPath()]);
    expect(run).toEqual({ code: 0, out: '', err: '' });
    const json = JSON.parse(readFileSync(modelPath(), 'utf8'));
    expect(json).toMatchObject({
      format: 'wasm-em/gaussian-mixture',
      version: 1,
      covarianceType: 'full',
      nFeatures: 2,
    });
    expect(json.weights).toHaveLength(2);
    expect(json.converged).toBe(true);
    // Pretty-printed, ending with a line break.
    expect(readFileSync(modelPath(), 'utf8')).toMatch(/^\{\n  "format"[\s\S]*\}\n$/);
  });

  it('fit writes the same model to stdout without -o', async () => {
    const run = await cli(fitArgs);
    expect(run.code).toBe(0);
    expect(run.out).toBe(readFileSync(modelPath(), 'utf8'));
  });

  it('predict prints one label per row, as the library does', async () => {
    const run = await cli(['predict', modelPath(), FAITHFUL]);
    expect(run.code).toBe(0);
    expect(run.err).toBe('');
    const lines = run.out.trimEnd().split('\n');
    expect(lines[0]).toBe('label');
    expect(lines).toHaveLength(faithful.rows + 1);
    const gm = GaussianMixture.fromJSON(JSON.parse(readFileSync(modelPath(), 'utf8')));
    expect(lines.slice(1).map(Number)).toEqual(Array.from(gm.predict(faithful.array)));
    // The two clusters of Old Faithful: about 64% long eruptions, 36% short.
    const sizes = [0, 1].map((c) => lines.slice(1).filter((l) => l === String(c)).length).sort((a, b) => a - b);
    expect(sizes[0]! + sizes[1]!).toBe(272);
    expect(sizes[0]).toBeGreaterThan(90);
    expect(sizes[0]).toBeLessThan(105);
  });

  it('predict --proba prints p0,p1 and rows that sum to 1, whose argmax is the label', async () => {
    const proba = await cli(['predict', modelPath(), FAITHFUL, '--proba']);
    const labels = await cli(['predict', modelPath(), FAITHFUL]);
    expect(proba.code).toBe(0);
    const lines = proba.out.trimEnd().split('\n');
    expect(lines[0]).toBe('p0,p1');
    expect(lines).toHaveLength(faithful.rows + 1);
    const labelLines = labels.out.trimEnd().split('\n').slice(1);
    lines.slice(1).forEach((line, i) => {
      const p = line.split(',').map(Number);
      expect(p).toHaveLength(2);
      expect(p[0]! + p[1]!).toBeCloseTo(1, 12);
      expect(String(p[0]! >= p[1]! ? 0 : 1)).toBe(labelLines[i]);
    });
  });

  it('score prints the mean log-likelihood per row, exactly as the library, and as scikit-learn', async () => {
    const run = await cli(['score', modelPath(), FAITHFUL]);
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/^-?\d+\.\d+\n$/);
    const value = Number(run.out);
    const gm = GaussianMixture.fromJSON(JSON.parse(readFileSync(modelPath(), 'utf8')));
    expect(value).toBe(gm.score(faithful.array));
    const ref = sklearn.records.find((r) => r.dataset === 'faithful' && r.K === 2 && r.covariance_type === 'full')!;
    expect(Math.abs(value - ref.mean_loglik) / Math.abs(ref.mean_loglik)).toBeLessThan(1e-6);
  });

  it('every option of fit is passed on', async () => {
    const run = await cli([
      'fit', FAITHFUL, '--k=3', '--covariance', 'diag', '--n-init', '2', '--seed', '7', '--max-iter', '50',
      '--tol', '1e-4', '--reg-covar', '1e-5', '--init', 'random-from-data', '--backend', 'js',
    ]);
    expect(run.code, run.err).toBe(0);
    const json = JSON.parse(run.out);
    const gm = new GaussianMixture({
      nComponents: 3, covarianceType: 'diag', nInit: 2, seed: 7, maxIter: 50, tol: 1e-4, regCovar: 1e-5,
      init: 'randomFromData', backend: 'js',
    }).fit(faithful.array);
    expect(json).toEqual(JSON.parse(JSON.stringify(gm.toJSON())));
  });

  it('fit --workers 2 (the built CLI, its worker bundle beside it) writes the model fitted without workers', async () => {
    // Two blocks of rows, so that both workers get rows.
    const { X } = generateMixture(6000, 2, 3, 5);
    const rows = Array.from({ length: 6000 }, (_, i) => `${X[2 * i]},${X[2 * i + 1]}`);
    writeFileSync(tmp('two-blocks.csv'), `a,b\n${rows.join('\n')}\n`);
    const args = ['fit', tmp('two-blocks.csv'), '-k', '3', '--seed', '4', '--init-candidates', '2'];
    const parallel = execFileSync(process.execPath, [CLI, ...args, '--workers', '2'], { encoding: 'utf8' });
    const here = await cli(args);
    expect(here.code, here.err).toBe(0);
    expect(JSON.parse(parallel)).toEqual(JSON.parse(here.out));
  });

  it('reads data without a header, with ";" delimiters and CRLF', async () => {
    const run = await cli(['fit', fixture('faithful-head.semicolon.csv'), '-k', '1', '--seed', '1']);
    expect(run.code, run.err).toBe(0);
    const json = JSON.parse(run.out);
    expect(json.nFeatures).toBe(2);
    expect(json.means[0][0]).toBeCloseTo((3.6 + 1.8 + 3.333 + 2.283 + 4.533 + 2.883) / 6, 12);
  });
});

describe('stdin', () => {
  const text = readFileSync(FAITHFUL, 'utf8');

  it("'-' reads the data from stdin", async () => {
    const fromFile = await cli(['fit', FAITHFUL, '-k', '2', '--seed', '3']);
    const fromStdin = await cli(['fit', '-', '-k', '2', '--seed', '3'], { stdin: text });
    expect(fromStdin.code).toBe(0);
    expect(fromStdin.out).toBe(fromFile.out);
  });

  it('decodes UTF-8 split across chunks', async () => {
    const bytes = Buffer.from('\ufeffé,ü\n1,2\n3,5\n');
    const chunks = [bytes.subarray(0, 4), bytes.subarray(4, 5), bytes.subarray(5)];
    const run = await cli(['fit', '-', '-k', '1', '--seed', '1'], { stdin: chunks });
    expect(run.code, run.err).toBe(0);
    expect(JSON.parse(run.out).means).toEqual([[2, 3.5]]);
  });

  it('predict and score read the data or the model from stdin', async () => {
    const model = (await cli(['fit', FAITHFUL, '-k', '2', '--seed', '3'])).out;
    const path = tmp('stdin-model.json');
    writeFileSync(path, model);
    const a = await cli(['predict', path, '-'], { stdin: text });
    const b = await cli(['predict', '-', FAITHFUL], { stdin: model });
    expect(a.code).toBe(0);
    expect(a.out).toBe(b.out);
    const s = await cli(['score', '-', FAITHFUL], { stdin: model });
    expect(s.out).toBe((await cli(['score', path, FAITHFUL])).out);
  });

  it('names stdin in data errors', async () => {
    const run = await cli(['fit', '-', '-k', '2'], { stdin: 'a,b\n1,2\n3\n' });
    expectUserError(run, 1, /^wasm-em: stdin, line 3: expected 2 fields/);
  });
});

describe('select', () => {
  it('prints the aligned table with the best row marked and writes the best model', async () => {
    const best = tmp('best.json');
    const run = await cli([
      'select', FAITHFUL, '--k', '1..3', '--covariance', 'full,diag', '--seed', '0', '--n-init', '2', '-o', best,
    ]);
    expect(run.code, run.err).toBe(0);
    expect(run.err).toBe('');
    const lines = run.out.split('\n');
    expect(lines[0]).toMatch(/^\s+K\s+covariance\s+logLik\s+nParameters\s+BIC\s+AIC\s+ICL\s+converged$/);
    const rows = lines.slice(1, 7);
    expect(rows.every((r) => r.length <= lines[0]!.length)).toBe(true);
    const parsed = rows.map((r) => {
      const cells = r.replace(/^\*/, '').trim().split(/\s+/);
      const [k, cov, logLik, p, bic, aic, converged] = cells;
      return {
        marked: r.startsWith('*'),
        k: Number(k),
        cov,
        logLik: Number(logLik),
        p: Number(p),
        bic: Number(bic),
        aic: Number(aic),
        converged,
      };
    });
    expect(parsed.map((r) => `${r.k} ${r.cov}`)).toEqual(['1 full', '2 full', '3 full', '1 diag', '2 diag', '3 diag']);
    expect(parsed.map((r) => r.p)).toEqual([5, 11, 17, 4, 9, 14]);
    // Columns are aligned: every BIC ends at the same position as its title.
    const bicEnd = lines[0]!.indexOf('BIC') + 3;
    for (const r of rows) expect(r.slice(0, bicEnd)).toMatch(/\d$/);
    expect(parsed.filter((r) => r.marked)).toHaveLength(1);
    const marked = parsed.find((r) => r.marked)!;
    expect(marked.bic).toBe(Math.min(...parsed.map((r) => r.bic)));
    expect(marked).toMatchObject({ k: 2, cov: 'full' });
    expect(run.out).toContain('best by BIC: K=2, covariance=full\n');

    const result = selectModel(faithful.array, {
      nComponents: [1, 3],
      covarianceTypes: ['full', 'diag'],
      seed: 0,
      nInit: 2,
    });
    parsed.forEach((r, i) => {
      expect(r.logLik).toBeCloseTo(result.table[i]!.logLikelihood, 4);
      expect(r.bic).toBeCloseTo(result.table[i]!.bic, 2);
      expect(r.aic).toBeCloseTo(result.table[i]!.aic, 2);
    });
    expect(JSON.parse(readFileSync(best, 'utf8'))).toEqual(JSON.parse(JSON.stringify(result.best.toJSON())));
  });

  it('--criterion aic and a single K', async () => {
    const run = await cli([
      'select', FAITHFUL, '--k', '2', '--covariance', 'tied', '--criterion', 'aic', '--seed', '1',
    ]);
    expect(run.code, run.err).toBe(0);
    expect(run.out.split('\n')[1]).toMatch(/^\*\s+2\s+tied\s/);
    expect(run.out).toContain('best by AIC: K=2, covariance=tied');
  });

  it('shows fits that failed, and their reason, below the table', async () => {
    const run = await cli([
      'select', fixture('three-points.csv'), '--k', '1..2', '--covariance', 'full', '--reg-covar', '0', '--seed', '1',
    ]);
    expect(run.code, run.err).toBe(0);
    expect(run.out).toMatch(/\n\*\s+1\s+full\s/);
    expect(run.out).toMatch(/\n\s+2\s+full\s+-\s+11\s+-\s+-\s+-\s+failed\n/);
    expect(run.out).toMatch(/\nK=2 full failed: .*collapsed.*--reg-covar/);
  });
});

describe('help and version', () => {
  it('--help, -h and help print the program help on stdout', async () => {
    for (const argv of [['--help'], ['-h'], ['help']]) {
      const run = await cli(argv);
      expect(run.code).toBe(0);
      expect(run.err).toBe('');
      for (const c of ['fit', 'predict', 'score', 'select']) expect(run.out).toContain(`wasm-em ${c} `);
      expect(run.out).toContain('Exit status');
    }
  });

  it('no arguments print the help on stderr with exit code 2', async () => {
    const run = await cli([]);
    expect(run.code).toBe(2);
    expect(run.out).toBe('');
    expect(run.err).toContain('Usage:');
  });

  it('every subcommand has its help, listing its options', async () => {
    const expected: Record<string, string[]> = {
      fit: [
        '-k, --k K', '--covariance', '--n-init', '--seed', '--max-iter', '--tol', '--reg-covar', '--init', '--backend',
        '--workers', '-o, --output', 'random-from-data', '--prior NAME',
      ],
      predict: ['--proba', '"label"', '"p0,p1,...,p(K-1)"'],
      score: ['mean'],
      select: ['-k, --k MIN..MAX', '--covariance', '--criterion', '--n-init', '--seed', '-o, --output', 'BIC', '--prior NAME'],
    };
    for (const [command, needles] of Object.entries(expected)) {
      const run = await cli([command, '--help']);
      expect(run.code).toBe(0);
      expect(run.err).toBe('');
      expect(run.out).toMatch(new RegExp(`^Usage: wasm-em ${command} `));
      for (const needle of needles) expect(run.out).toContain(needle);
      expect((await cli(['help', command])).out).toBe(run.out);
      // --help wins over anything else on the line.
      expect((await cli([command, '-k', 'abc', '--help'])).out).toBe(run.out);
    }
  });

  it('--version prints the package version', async () => {
    expect(await cli(['--version'])).toEqual({ code: 0, out: `wasm-em ${version}\n`, err: '' });
  });
});

describe('progress and warnings', () => {
  it('shows progress on stderr only when it is a terminal, and clears it', async () => {
    const tty = await cli(['fit', FAITHFUL, '-k', '2', '--seed', '1'], { isTTY: true });
    expect(tty.code).toBe(0);
    expect(tty.err).toMatch(/\r\x1b\[Krestart 1\/1 {2}start 1 {2}iteration 1 {2}mean log-likelihood -\d+\.\d{6}/);
    expect(tty.err.endsWith('\r\x1b[K')).toBe(true);
    const quiet = await cli(['fit', FAITHFUL, '-k', '2', '--seed', '1']);
    expect(quiet.err).toBe('');
    expect(quiet.out).toBe(tty.out);
  });

  it('fit -o says what it wrote on a terminal', async () => {
    const run = await cli(['fit', FAITHFUL, '-k', '2', '--seed', '1', '-o', tmp('tty.json')], { isTTY: true });
    expect(run.code).toBe(0);
    expect(run.err).toMatch(/\r\x1b\[Kwrote .*tty\.json: K=2 full, converged after \d+ iterations, mean log-likelihood -4\.\d+\n$/);
  });

  it('select shows each fit as it completes on a terminal', async () => {
    const run = await cli(['select', FAITHFUL, '--k', '1..2', '--covariance', 'diag', '--seed', '1'], { isTTY: true });
    expect(run.err).toContain('fitted 2/2: K=2 diag');
  });

  it('reports non-convergence as a warning naming the flag, with exit code 0', async () => {
    const run = await cli(['fit', FAITHFUL, '-k', '2', '--seed', '1', '--max-iter', '1']);
    expect(run.code).toBe(0);
    expect(run.err).toMatch(/^wasm-em: warning: .*did not converge.*--max-iter[^\n]*\n$/);
    expect(JSON.parse(run.out).converged).toBe(false);
  });
});

describe('user errors: one line on stderr, exit code 2 (usage) or 1 (data)', () => {
  const usage: [string[], RegExp][] = [
    [['fitt'], /unknown command 'fitt'; the commands are fit, predict, score, select/],
    [['--bogus'], /unknown option --bogus/],
    [['help', 'nope'], /unknown command 'nope'/],
    [['fit'], /missing DATA\.csv \(usage: wasm-em fit DATA\.csv -k K \[options\]\)/],
    [['fit', FAITHFUL], /missing -k K/],
    [['fit', FAITHFUL, FAITHFUL, '-k', '2'], /unexpected argument ".*faithful\.csv"/],
    [['fit', FAITHFUL, '-k', '0'], /^wasm-em: -k: expected a positive integer, got "0"\n$/],
    [['fit', FAITHFUL, '-k', 'abc'], /^wasm-em: -k: expected a positive integer, got "abc"\n$/],
    [['fit', FAITHFUL, '--k', '2.5'], /^wasm-em: --k: expected a positive integer, got "2.5"/],
    [['fit', FAITHFUL, '-k'], /-k needs a value/],
    [['fit', FAITHFUL, '-k', '--seed', '1'], /-k needs a value \(-k K\), got the option --seed/],
    [['fit', FAITHFUL, '-k', '2', '-k', '3'], /-k is given more than once/],
    [['fit', FAITHFUL, '-k', '2', '--tol', '-1'], /^wasm-em: --tol: expected a number ≥ 0, got "-1"\n$/],
    [['fit', FAITHFUL, '-k', '2', '--tol', 'Infinity'], /--tol: expected a number ≥ 0/],
    [['fit', FAITHFUL, '-k', '2', '--tol', ''], /--tol: expected a number ≥ 0, got ""/],
    [['fit', FAITHFUL, '-k', '2', '--reg-covar', '0x1'], /--reg-covar: expected a number ≥ 0/],
    [['fit', FAITHFUL, '-k', '2', '--n-init', '0'], /--n-init: expected a positive integer/],
    [['fit', FAITHFUL, '-k', '2', '--max-iter', '1e3'], /--max-iter: expected a positive integer/],
    [['fit', FAITHFUL, '-k', '2', '--seed', '-1'], /--seed: expected a non-negative integer/],
    [
      ['fit', FAITHFUL, '-k', '2', '--covariance', 'weird'],
      /--covariance: expected one of full, tied, diag, spherical, EII, VII, .*, VVV, got "weird"/,
    ],
    [
      ['fit', FAITHFUL, '-k', '2', '--init', 'randomFromData'],
      /--init: expected one of hc, kmeans\+\+, kmeans, random, random-from-data/,
    ],
    [['fit', FAITHFUL, '-k', '2', '--backend', 'gpu'], /--backend: expected one of auto, wasm, js, got "gpu"/],
    [['fit', FAITHFUL, '-k', '2', '--workers', 'all'], /--workers: expected a positive integer or auto, got "all"/],
    [['fit', FAITHFUL, '-k', '2', '--workers', '0'], /--workers: expected a positive integer, got "0"/],
    [['fit', FAITHFUL, '-k', '2', '--proba'], /unknown option --proba for 'fit'/],
    [['fit', FAITHFUL, '-k', '2', '--foo=1'], /unknown option --foo for 'fit' \(see 'wasm-em fit --help'\)/],
    [['predict', 'model.json'], /missing DATA\.csv/],
    [['predict', 'model.json', FAITHFUL, '--proba=yes'], /--proba takes no value/],
    [['score', '-', '-'], /only one input can be read from stdin/],
    [['select', FAITHFUL], /missing --k MIN\.\.MAX/],
    [
      ['select', FAITHFUL, '--k', '3..1'],
      /^wasm-em: --k: expected a range MIN\.\.MAX .*with MIN ≤ MAX.*got "3\.\.1"\n$/,
    ],
    [['select', FAITHFUL, '--k', '0..3'], /--k: expected a range .*MIN ≥ 1/],
    [['select', FAITHFUL, '--k', '1-8'], /--k: expected a range/],
    [['select', FAITHFUL, '--k', '1..3', '--covariance', 'full,bogus'], /--covariance: .* got "bogus" in "full,bogus"/],
    [['select', FAITHFUL, '--k', '1..3', '--criterion', 'mdl'], /--criterion: expected one of bic, aic/],
    [['select', FAITHFUL, '--k', '1..3', '-o', '-'], /select prints its table on stdout/],
  ];
  it.each(usage)('usage: %j', async (argv, pattern) => {
    expectUserError(await cli(argv), 2, pattern);
  });

  const data: [string, () => string[], RegExp][] = [
    ['missing file', () => ['fit', tmp('nope.csv'), '-k', '2'], /cannot read .*nope\.csv: no such file or directory/],
    ['a directory', () => ['fit', dir, '-k', '2'], /cannot read .*: it is a directory/],
    [
      'ragged rows',
      () => ['fit', fixture('ragged.csv'), '-k', '1'],
      /ragged\.csv, line 4: expected 2 fields \(as in the header on line 1\), got 3/,
    ],
    [
      'a non-numeric field',
      () => ['fit', fixture('non-numeric.csv'), '-k', '1'],
      /non-numeric\.csv, line 3, column 2 \(waiting\): expected a number, got "seventy"/,
    ],
    [
      'Infinity',
      () => ['fit', fixture('infinity.csv'), '-k', '1'],
      /infinity\.csv, line 2, column 1 \(x\): expected a finite number, got "Infinity"/,
    ],
    [
      'a column with no observed value',
      () => ['fit', fixture('empty-column.csv'), '-k', '1'],
      /empty-column\.csv: expected every column to have at least one observed \(non-NaN\) value, got column 1 entirely missing\. Drop that column/,
    ],
    [
      'an empty file',
      () => ['fit', fixture('empty.csv'), '-k', '1'],
      /empty\.csv: expected a CSV table with at least one row of numbers, got an empty input/,
    ],
    [
      'a header-only file',
      () => ['fit', fixture('header-only.csv'), '-k', '1'],
      /header-only\.csv: expected at least one row of numbers after the header/,
    ],
    [
      'more components than distinct rows',
      () => ['fit', fixture('three-points.csv'), '-k', '4'],
      /^wasm-em: -k: expected at most/,
    ],
    [
      'a collapsing component',
      () => ['fit', fixture('three-points.csv'), '-k', '3', '--reg-covar', '0', '--seed', '1'],
      /collapsed.*fewer components \(-k\), a larger --reg-covar/,
    ],
    [
      'a model that is not JSON',
      () => ['predict', FAITHFUL, FAITHFUL],
      /faithful\.csv: not a model file: invalid JSON/,
    ],
    [
      'a JSON that is not a model',
      () => ['score', fixture('not-a-model.json'), FAITHFUL],
      /not-a-model\.json: not a valid wasm-em model: /,
    ],
    ['a missing model', () => ['predict', tmp('none.json'), FAITHFUL], /cannot read .*none\.json: no such file/],
    [
      'a model in the place of the data',
      () => ['predict', tmp('faithful-k2.json'), tmp('faithful-k2.json')],
      /faithful-k2\.json: expected CSV data, got JSON/,
    ],
    [
      'data with the wrong number of columns',
      () => ['score', tmp('faithful-k2.json'), fixture('one-column.csv')],
      /one-column\.csv has 1 column, but the model in .*faithful-k2\.json has 2 features/,
    ],
    [
      'an output in a missing directory',
      () => ['fit', FAITHFUL, '-k', '1', '-o', join(dir, 'no', 'm.json')],
      /cannot write .*m\.json: no such file or directory/,
    ],
  ];
  it.each(data)('data: %s', async (_, argv, pattern) => {
    writeFileSync(tmp('faithful-k2.json'), (await cli(['fit', FAITHFUL, '-k', '2', '--seed', '0'])).out);
    expectUserError(await cli(argv()), 1, pattern);
  });

  it('an explicit wasm backend that cannot load is a data error naming the flag', async () => {
    vi.spyOn(GaussianMixture.prototype, 'fit').mockImplementation(() => {
      throw new WasmUnavailableError('this JavaScript environment has no WebAssembly');
    });
    expectUserError(
      await cli(['fit', FAITHFUL, '-k', '1', '--backend', 'wasm']),
      1,
      /^wasm-em: the wasm backend is unavailable: this JavaScript environment has no WebAssembly\. Use --backend js/,
    );
  });
});

describe('missing values (empty field, NA, NaN)', () => {
  const text = 'x,y\n1.0,2.0\nNA,3.1\n4.2,\n0.9,NaN\n5.0,5.5\n4.8,6.1\n1.2,2.2\n';

  it('fit reads them as missing entries; impute fills them in, keeps the header and the observed entries', async () => {
    const fitted = await cli(['fit', '-', '-k', '2', '--seed', '1'], { stdin: text });
    expect(fitted.code, fitted.err).toBe(0);
    writeFileSync(tmp('missing-k2.json'), fitted.out);
    const run = await cli(['impute', tmp('missing-k2.json'), '-'], { stdin: text });
    expect(run.code, run.err).toBe(0);
    const lines = run.out.trimEnd().split('\n');
    expect(lines[0]).toBe('x,y');
    expect(lines.length).toBe(8);
    const rows = lines.slice(1).map((l) => l.split(',').map(Number));
    expect(rows.flat().every(Number.isFinite)).toBe(true);
    expect(rows[0]).toEqual([1, 2]);
    expect(rows[1]![1]).toBe(3.1);
    // The library's impute on the same model and rows, to the last digit written.
    const gm = GaussianMixture.fromJSON(JSON.parse(fitted.out));
    const want = gm.impute([[1, 2], [NaN, 3.1], [4.2, NaN], [0.9, NaN], [5, 5.5], [4.8, 6.1], [1.2, 2.2]]);
    expect(rows).toEqual(want);
  });

  it('fit --workers 2 on incomplete data (the built CLI) gives the model fitted without', async () => {
    // Two blocks of rows with empty fields and NA, so that both workers get incomplete rows.
    const { X } = generateMixture(6000, 2, 3, 6);
    const field = (v: number, i: number): string => (i % 7 === 0 ? '' : i % 11 === 0 ? 'NA' : String(v));
    const rows = Array.from({ length: 6000 }, (_, i) => `${field(X[2 * i]!, i)},${field(X[2 * i + 1]!, i + 3)}`);
    writeFileSync(tmp('two-blocks-missing.csv'), `a,b\n${rows.join('\n')}\n`);
    const args = ['fit', tmp('two-blocks-missing.csv'), '-k', '3', '--seed', '4'];
    const parallel = execFileSync(process.execPath, [CLI, ...args, '--workers', '2'], { encoding: 'utf8' });
    const here = await cli(args);
    expect(here.code, here.err).toBe(0);
    expect(JSON.parse(parallel)).toEqual(JSON.parse(here.out));
  });

  it('impute without a header writes none', async () => {
    writeFileSync(tmp('m1.json'), (await cli(['fit', FAITHFUL, '-k', '1', '--seed', '0'])).out);
    const run = await cli(['impute', tmp('m1.json'), '-'], { stdin: '3.6,79\nNA,54\n' });
    expect(run.code, run.err).toBe(0);
    const lines = run.out.trimEnd().split('\n');
    expect(lines.length).toBe(2);
    expect(lines[0]).toBe('3.6,79');
    expect(Number(lines[1]!.split(',')[0])).toBeGreaterThan(1);
  });
});

describe('internal errors', () => {
  it('print the stack and exit with 70', async () => {
    vi.spyOn(GaussianMixture.prototype, 'fit').mockImplementation(() => {
      throw new TypeError('boom');
    });
    const run = await cli(['fit', FAITHFUL, '-k', '2']);
    expect(run.code).toBe(70);
    expect(run.out).toBe('');
    expect(run.err).toMatch(/^wasm-em: internal error \(please report it .*\):\nTypeError: boom\n\s+at /);
  });
});
