/**
 * The wasm and js backends give the same fit from the same seed: log-likelihood and parameters within 1e-9 relative,
 * the same number of iterations (issue: "Tests run every suite on both backends").
 */
import { describe, expect, it } from 'vitest';
import { GaussianMixture, type CovarianceType } from '../src/index.js';
import { generateMixture } from './helpers/gen-mixture.js';
import { expectAllRelClose, expectRelClose } from './helpers/close.js';
import { loadReference } from './helpers/load-csv.js';

const TYPES: CovarianceType[] = ['full', 'tied', 'diag', 'spherical'];

function flatCov(gm: GaussianMixture): number[] {
  return [gm.toJSON().covariances].flat(3) as number[];
}

function compare(a: GaussianMixture, b: GaussianMixture, what: string): void {
  expect(b.nIter, `${what}: nIter`).toBe(a.nIter);
  expect(b.converged, `${what}: converged`).toBe(a.converged);
  expectRelClose(b.lowerBound, a.lowerBound, 1e-9, `${what}: lowerBound`);
  expectAllRelClose(b.weights, a.weights, 1e-9, `${what}: weights`);
  // Means and covariances are compared on a scale-aware basis: entries near 0 are compared to the matrix's scale.
  const scaleCompare = (x: number[], y: number[], name: string): void => {
    const scale = Math.max(...y.map(Math.abs));
    x.forEach((v, i) => expect(Math.abs(v - y[i]) / scale, `${what}: ${name}[${i}] ${v} vs ${y[i]}`).toBeLessThan(1e-9));
  };
  scaleCompare(b.means.flatMap((r) => Array.from(r)), a.means.flatMap((r) => Array.from(r)), 'means');
  scaleCompare(flatCov(b), flatCov(a), 'covariances');
}

describe('wasm and js backends give the same fit', () => {
  const faithful = loadReference('faithful');
  const iris = loadReference('iris');
  const synthetic = generateMixture(3001, 5, 4, 11, 3);
  const cases = [
    { name: 'faithful', X: faithful.array, k: 3 },
    { name: 'iris', X: iris.array, k: 4 },
    { name: 'synthetic 3001×5', X: { data: synthetic.X, rows: 3001, cols: 5 }, k: 4 },
  ];
  for (const { name, X, k } of cases) {
    for (const covarianceType of TYPES) {
      it(`${name}, k=${k}, ${covarianceType}`, () => {
        const opts = { nComponents: k, covarianceType, seed: 3, nInit: 2, tol: 1e-8, maxIter: 300 } as const;
        const js = new GaussianMixture({ ...opts, backend: 'js' }).fit(X);
        const wasm = new GaussianMixture({ ...opts, backend: 'wasm' }).fit(X);
        compare(js, wasm, `${name} ${covarianceType}`);
        // Per-row log-likelihoods near 0 come from a difference of O(1) terms: compare at the scale of those terms.
        const a = js.scoreSamples(X);
        wasm.scoreSamples(X).forEach((v, i) => expect(Math.abs(v - a[i]), `scoreSamples[${i}]`).toBeLessThan(1e-12 * (10 + Math.abs(a[i]))));
        expect(Array.from(wasm.predict(X))).toEqual(Array.from(js.predict(X)));
      });
    }
  }
});
