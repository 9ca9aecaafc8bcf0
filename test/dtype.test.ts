/**
 * `dtype: 'float32'`: a fit on centred float32 data reaches the float64 fit's lower bound and means, on both backends,
 * for every covariance type, on Old Faithful, on generated mixtures and on the same data offset by 1e6 (centring); the
 * option reaches `selectModel` and the CLI; a bad value is an `InputError` naming `options.dtype`.
 */
import { describe, expect, it } from 'vitest';
import { GaussianMixture, InputError, selectModel, type CovarianceType } from '../src/index.js';
import { runCli, type CliIO } from '../src/cli/run.js';
import { generateMixture } from './helpers/gen-mixture.js';
import { loadCsv } from './helpers/load-csv.js';
import { expectRelClose } from './helpers/close.js';

const TYPES: CovarianceType[] = ['full', 'tied', 'diag', 'spherical'];
const FAITHFUL_PATH = new URL('./fixtures/reference/faithful.csv', import.meta.url);
const faithful = loadCsv(FAITHFUL_PATH);
const mixture = generateMixture(3000, 5, 4, 7, 4);

interface DataSet {
  readonly name: string;
  readonly X: Float64Array;
  readonly d: number;
  readonly k: number;
}

const DATA: DataSet[] = [
  { name: 'faithful', X: faithful.data, d: 2, k: 2 },
  { name: 'faithful + 1e6', X: faithful.data.map((v) => v + 1e6), d: 2, k: 2 },
  { name: 'mixture 3000×5', X: mixture.X, d: 5, k: 4 },
  { name: 'mixture 3000×5 + 1e6', X: mixture.X.map((v) => v + 1e6), d: 5, k: 4 },
];

/** Standard deviation of each column, the scale for comparing means. */
function columnStd(X: Float64Array, d: number): number[] {
  const n = X.length / d;
  return Array.from({ length: d }, (_, j) => {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += X[i * d + j]! / n;
    let v = 0;
    for (let i = 0; i < n; i++) v += (X[i * d + j]! - mean) ** 2 / n;
    return Math.sqrt(v);
  });
}

describe.each(['js', 'wasm'] as const)('dtype float32 on the %s backend', (backend) => {
  for (const set of DATA) {
    it(`${set.name}: every covariance type reaches the float64 fit`, () => {
      const std = columnStd(set.X, set.d);
      for (const covarianceType of TYPES) {
        const opts = { nComponents: set.k, covarianceType, seed: 3, tol: 1e-9, maxIter: 300, initCandidates: 1, backend };
        const a = new GaussianMixture(opts).fit(set.X, { nFeatures: set.d });
        const b = new GaussianMixture({ ...opts, dtype: 'float32' }).fit(set.X, { nFeatures: set.d });
        const what = `${set.name} ${covarianceType}`;
        expectRelClose(b.lowerBound, a.lowerBound, 1e-6, `${what}: lower bound`);
        // The float32 E-step is not the float64 one: equal lower bounds would mean the option did nothing.
        expect(b.lowerBound, `${what}: float32 ran`).not.toBe(a.lowerBound);
        a.means.forEach((row, c) => row.forEach((v, j) => {
          const err = Math.abs(b.means[c]![j]! - v) / std[j]!;
          expect(err, `${what}: means[${c}][${j}] ${b.means[c]![j]} vs ${v}`).toBeLessThan(1e-4);
        }));
        expectRelClose(b.weights[0]!, a.weights[0]!, 1e-4, `${what}: weights[0]`);
      }
    });
  }

  it('sample weights: float32 matches float64', () => {
    const w = Array.from({ length: faithful.rows }, (_, i) => (i % 3 === 0 ? 0 : 1 + (i % 5)));
    const opts = { nComponents: 2, seed: 1, tol: 1e-9, maxIter: 300, backend } as const;
    const a = new GaussianMixture(opts).fit(faithful.array, { sampleWeight: w });
    const b = new GaussianMixture({ ...opts, dtype: 'float32' }).fit(faithful.array, { sampleWeight: w });
    expectRelClose(b.lowerBound, a.lowerBound, 1e-6, 'weighted lower bound');
  });

  it('a warm start continues from the fitted model in original coordinates', () => {
    const X = faithful.data.map((v) => v + 1e6);
    const opts = { nComponents: 2, seed: 1, tol: 1e-9, maxIter: 300, backend, dtype: 'float32' } as const;
    const gm = new GaussianMixture({ ...opts, warmStart: true }).fit(X, { nFeatures: 2 });
    const first = gm.lowerBound;
    gm.fit(X, { nFeatures: 2 });
    // The first E-step of the second fit scores the fitted model: it must see it where the data are.
    expectRelClose(gm.logLikelihoodHistory[0]!, first, 1e-6, 'first lower bound of the warm start');
    expectRelClose(gm.lowerBound, first, 1e-6, 'warm-started lower bound');
  });
});

describe('dtype option', () => {
  it('rejects a bad dtype before any computation, naming options.dtype', () => {
    for (const bad of ['float16', 'f32', 32, null]) {
      let error: unknown = null;
      try {
        new GaussianMixture({ dtype: bad as never });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(InputError);
      expect((error as InputError).argument).toBe('options.dtype');
      expect((error as Error).message).toMatch(/float64.*float32/);
    }
    expect(() => selectModel(faithful.array, { nComponents: [1, 2], dtype: 'float16' as never }))
      .toThrow(/options\.dtype/);
  });

  it('selectModel passes dtype to every fit', () => {
    const opts = { nComponents: [1, 3], covarianceTypes: ['full', 'diag'], seed: 0, backend: 'wasm' } as const;
    const a = selectModel(faithful.array, opts);
    const b = selectModel(faithful.array, { ...opts, dtype: 'float32' });
    expect(b.bestIndex).toBe(a.bestIndex);
    b.table.forEach((row, i) => expectRelClose(row.bic, a.table[i]!.bic, 1e-5, `bic of row ${i}`));
    expect(b.table.some((row, i) => row.logLikelihood !== a.table[i]!.logLikelihood)).toBe(true);
  });

  it('the CLI takes --dtype float32 and names the flag on a bad value', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const io: CliIO = {
      stdin: (async function* () {})(), stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) },
      isTTY: false,
    };
    const path = FAITHFUL_PATH.pathname;
    const code = await runCli(['fit', path, '-k', '2', '--seed', '0', '--dtype', 'float32'], io);
    expect(code, err.join('')).toBe(0);
    expect(JSON.parse(out.join('')).weights).toHaveLength(2);
    err.length = 0;
    const bad = await runCli(['fit', path, '-k', '2', '--dtype', 'float16'], io);
    expect(bad).toBe(2);
    expect(err.join('')).toMatch(/--dtype: expected one of float64, float32, got "float16"/);
  });
});
