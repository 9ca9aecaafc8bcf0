/**
 * A fit depends only on the ratios of the sample weights: w and c·w give the same model for c = 1e-300, 1e305 and a
 * subnormal scale (they used to fail with "values within 0.00 of the column's mean" and with a
 * `DegenerateComponentError`), and scores with such weights stay finite and count Σw rows.
 */
import { describe, expect, it } from 'vitest';
import { BernoulliMixture, GaussianMixture, PoissonMixture, type CovarianceType } from '../src/index.js';
import { expectAllRelClose, expectRelClose } from './helpers/close.js';

// Spread over ±400 so that Σw·deviation² of weights 1e305 overflowed (the old 'Scale the features' error).
const X = [[0, 10], [30, -20], [10, 40], [-20, 20], [400, 420], [430, 390], [380, 410], [410, 440], [200, 210]];
const w = [1, 2, 3, 1, 2, 3, 1, 2, 1];
const SCALES: [string, number][] = [['1e-300', 1e-300], ['1e305', 1e305], ['2^-1070 (subnormal)', 2 ** -1070]];

describe.each(['js', 'wasm'] as const)('sample weights on any scale, %s backend', (backend) => {
  it.each(SCALES)('GaussianMixture: w × %s gives the model of w', (_label, c) => {
    for (const covarianceType of ['full', 'tied', 'diag', 'spherical'] as CovarianceType[]) {
      const opts = { nComponents: 2, covarianceType, seed: 3, backend } as const;
      const a = new GaussianMixture(opts).fit(X, { sampleWeight: w });
      const cw = w.map((v) => v * c);
      const b = new GaussianMixture(opts).fit(X, { sampleWeight: cw });
      expectRelClose(b.lowerBound, a.lowerBound, 1e-12, `${covarianceType}: lowerBound`);
      expectAllRelClose(b.means.flatMap((r) => Array.from(r)), a.means.flatMap((r) => Array.from(r)), 1e-12,
        `${covarianceType}: means`);
      expectAllRelClose(Array.from(b.weights), Array.from(a.weights), 1e-12, `${covarianceType}: weights`);
      expect(b.nIter).toBe(a.nIter);
      expectRelClose(a.score(X, { sampleWeight: cw }), a.score(X, { sampleWeight: w }), 1e-12, 'score');
      // BIC counts a weight as that many rows: −2 c log L + p ln(c Σw).
      const bic = a.bic(X, { sampleWeight: cw });
      const sumW = w.reduce((s, v) => s + v, 0);
      const logL = a.score(X, { sampleWeight: w }) * sumW;
      expectRelClose(bic, -2 * c * logL + a.nParameters * (Math.log(c) + Math.log(sumW)), 1e-12, 'bic');
    }
  });

  it.each(SCALES)('discrete mixtures: w × %s gives the model of w', (_label, c) => {
    // Binary rows give k-means++ candidates of equal potential, a tie that the last bit of the weights breaks; with
    // weights that are powers of two, c·w keeps their ratios exactly and the fits must agree to rounding.
    const counts = [[0, 3], [1, 5], [4, 0], [2, 2], [7, 1], [0, 9], [3, 4], [6, 2], [11, 0], [5, 7]];
    const bin = [[0, 1, 1, 0], [1, 0, 1, 1], [1, 1, 0, 0], [0, 0, 1, 1], [1, 0, 0, 0], [0, 1, 0, 1], [1, 1, 1, 0],
      [0, 0, 0, 1], [1, 1, 1, 1], [0, 1, 1, 1]];
    const wb = [1, 2, 4, 1, 0.5, 4, 2, 1, 0.5, 2];
    const cw = wb.map((v) => v * c);
    const cases: [string, () => BernoulliMixture | PoissonMixture, number[][]][] = [
      ['Bernoulli', () => new BernoulliMixture({ nComponents: 2, seed: 1, backend }), bin],
      ['Poisson', () => new PoissonMixture({ nComponents: 2, seed: 1, backend }), counts],
    ];
    for (const [name, make, rows] of cases) {
      const a = make().fit(rows, { sampleWeight: wb });
      const b = make().fit(rows, { sampleWeight: cw });
      expectRelClose(b.lowerBound, a.lowerBound, 1e-12, `${name}: lowerBound`);
      expectAllRelClose(Array.from(b.weights), Array.from(a.weights), 1e-12, `${name}: weights`);
    }
  });
});
