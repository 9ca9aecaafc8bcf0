/**
 * Bad input gives a typed `InputError` naming the argument, what was expected and what was given — thrown before any
 * kernel runs.
 */
import { describe, expect, it, vi } from 'vitest';
import { jsBackend } from '../src/backend/js/index.js';
import { GaussianMixture, InputError, NotFittedError, selectModel } from '../src/index.js';

const good = [[0, 1], [1, 2], [2, 0], [3, 3], [4, 1]];

const bind = vi.spyOn(jsBackend, 'bind');

/** Runs `fn`, expecting an InputError for `argument` and no data bound to a kernel (on the js backend) before it. */
function expectInputError(fn: () => unknown, argument: string, message: RegExp): void {
  let error: unknown;
  const calls = bind.mock.calls.length;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(bind.mock.calls.length, `${argument}: a kernel ran before the error`).toBe(calls);
  expect(error, `expected an InputError for ${argument}`).toBeInstanceOf(InputError);
  expect((error as InputError).argument).toBe(argument);
  expect((error as InputError).message).toMatch(message);
}

describe.each(['js', 'wasm'] as const)('input errors on the %s backend', (backend) => {
  const fit = (X: unknown, opts: Record<string, unknown> = {}, fitOpts: Record<string, unknown> = {}) =>
    new GaussianMixture({ nComponents: 2, backend, ...opts }).fit(X as number[][], fitOpts);

  it('ragged rows, empty data, non-numbers', () => {
    expectInputError(() => fit([[1, 2], [3]]), 'X[1]', /expected a row of 2 numbers.*got 1 values/);
    expectInputError(() => fit([]), 'X', /at least one row/);
    expectInputError(() => fit([[1, 2], [3, '4']]), 'X[1][1]', /expected a number, got "4"/);
    expectInputError(() => fit('abc'), 'X', /number\[\]\[\]/);
    expectInputError(() => fit([1, 2, 3]), 'X[0]', /a row/);
  });

  it('wrong lengths of flat and matrix inputs', () => {
    expectInputError(() => fit(new Float64Array(7), {}, { nFeatures: 2 }), 'X', /multiple of nFeatures = 2.*length 7/);
    expectInputError(() => fit(new Float64Array(8)), 'options.nFeatures', /number of columns/);
    expectInputError(() => fit({ data: new Float64Array(5), rows: 3, cols: 2 }), 'X.data', /3 × 2 = 6 numbers.*got 5/);
    const gm = new GaussianMixture({ nComponents: 2, backend, seed: 0 }).fit(good);
    expectInputError(() => gm.predict([[1, 2, 3]]), 'X', /2 columns \(the model's nFeatures\), got 3 columns/);
  });

  it('±Infinity is an input error; NaN marks a missing entry, but a column with no observed entry is an error', () => {
    expectInputError(() => fit([[1, 2], [Infinity, 0], [1, 1]]), 'X[1][0]', /finite number or NaN \(missing\), got Infinity/);
    expectInputError(() => fit([[1, 2], [-Infinity, 0], [1, 1]]), 'X[1][0]', /got -Infinity/);
    expectInputError(() => fit([[1, NaN], [0, NaN], [1, NaN]]), 'X', /column 1 entirely missing.*Drop that column/);
    expectInputError(() => fit([[NaN, NaN], [NaN, NaN]]), 'X', /column 0 entirely missing/);
  });

  it('nComponents < 1 or > the number of distinct rows', () => {
    expectInputError(() => new GaussianMixture({ nComponents: 0 }), 'options.nComponents', /integer ≥ 1, got 0/);
    expectInputError(() => new GaussianMixture({ nComponents: 2.5 }), 'options.nComponents', /integer/);
    expectInputError(() => fit([[1, 1], [1, 1], [2, 2]], { nComponents: 3 }), 'options.nComponents',
      /at most the number of distinct rows with positive weight \(2\), got 3/);
    // Rows with weight 0 do not count.
    expectInputError(() => fit([[1, 1], [2, 2], [3, 3]], { nComponents: 3 }, { sampleWeight: [1, 0, 1] }),
      'options.nComponents', /\(2\), got 3/);
  });

  it('unknown or out-of-range options', () => {
    expectInputError(() => new GaussianMixture({ nComponent: 2 } as never), 'options.nComponent', /unknown option/);
    expectInputError(() => new GaussianMixture({ covarianceType: 'ful' as never }), 'options.covarianceType', /'full', 'tied'/);
    expectInputError(() => new GaussianMixture({ tol: -1 }), 'options.tol', /≥ 0, got -1/);
    expectInputError(() => new GaussianMixture({ regCovar: NaN }), 'options.regCovar', /got NaN/);
    expectInputError(() => new GaussianMixture({ maxIter: -1 }), 'options.maxIter', /≥ 0/);
    expectInputError(() => new GaussianMixture({ init: 'k-means' as never }), 'options.init', /'kmeans\+\+'/);
    expectInputError(() => new GaussianMixture({ backend: 'gpu' as never }), 'options.backend', /'auto', 'wasm', 'js'/);
    expectInputError(() => fit(good, {}, { sampleWeights: [1] }), 'options.sampleWeights', /unknown option/);
    expectInputError(() => fit(good, { init: { means: [[0, 0]] } }), 'options.init.means', /length 2, got length 1/);
    expectInputError(() => fit(good, { init: { means: [[0, 0], [1, 1]], weights: [0.5, 0.6] } }), 'options.init.weights', /summing to 1/);
    expectInputError(() => fit(good, { covarianceType: 'full', init: { means: [[0, 0], [1, 1]], covariances: [[[1, 2], [2, 1]], [[1, 0], [0, 1]]] } }),
      'options.init.covariances[0]', /positive definite/);
    expectInputError(() => selectModel(good, { nComponents: [3, 1] }), 'options.nComponents', /min ≤ max/);
    expectInputError(() => selectModel(good, { covarianceTypes: ['full', 'x' as never] }), 'options.covarianceTypes[1]', /'full'/);
  });

  it('negative, non-finite or wrongly sized sample weights', () => {
    expectInputError(() => fit(good, {}, { sampleWeight: [1, 1, -1, 1, 1] }), 'options.sampleWeight[2]', /≥ 0, got -1/);
    expectInputError(() => fit(good, {}, { sampleWeight: [1, 1, 1] }), 'options.sampleWeight', /5 weights.*got 3/);
    expectInputError(() => fit(good, {}, { sampleWeight: [1, 1, Infinity, 1, 1] }), 'options.sampleWeight[2]', /Infinity/);
    expectInputError(() => fit(good, {}, { sampleWeight: [0, 0, 0, 0, 0] }), 'options.sampleWeight', /at least one positive/);
  });

  it('model JSON: wrong format, shapes, non-positive-definite covariances', () => {
    const gm = new GaussianMixture({ nComponents: 2, seed: 0, backend }).fit(good);
    const json = gm.toJSON();
    expectInputError(() => GaussianMixture.fromJSON({ ...json, format: 'x' }), 'json.format', /wasm-em\/gaussian-mixture/);
    expectInputError(() => GaussianMixture.fromJSON({ ...json, means: [[0, 0]] }), 'json.means', /length 2/);
    expectInputError(() => GaussianMixture.fromJSON({ ...json, weights: [0.7, 0.7] }), 'json.weights', /summing to 1/);
    expectInputError(() => GaussianMixture.fromJSON({ ...json, covariances: [[[1, 0], [0, -1]], [[1, 0], [0, 1]]] }),
      'json.covariances[0]', /positive definite/);
    expectInputError(() => GaussianMixture.fromJSON({ ...json, nFeatures: 1e9 }), 'json.means[0]', /length 1000000000/);
    expectInputError(() => GaussianMixture.fromJSON('{'), 'json', /does not parse/);
  });

  it('methods of an unfitted model say to fit first', () => {
    const gm = new GaussianMixture({ nComponents: 2, backend });
    expect(() => gm.predict(good)).toThrowError(NotFittedError);
    expect(() => gm.means).toThrowError(/call fit\(X\) first/);
  });
});
