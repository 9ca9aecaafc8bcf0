/**
 * scikit-learn 1.2.1's `GaussianMixture` surface beyond `fit`: `fit_predict`, `precisions_`, `max_iter=0`, a start given
 * by precisions, `get_params` and the option getters. The numbers come from test/fixtures/sklearn-surface/surface.json
 * (made by make-surface-fixtures.py from a start given in full, so no random draw enters), on both backends.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GaussianMixture, InputError, type CovarianceType } from '../src/index.js';
import { expectAllRelClose, expectRelClose } from './helpers/close.js';
import { loadReference, type CsvTable } from './helpers/load-csv.js';
import { thrown } from './helpers/thrown.js';

interface SurfaceRun {
  labels: number[];
  predict: number[];
  weights: number[];
  means: number[][];
  precisions: unknown;
  nIter: number;
  converged: boolean;
  lowerBound: number | null;
  score: number;
}

interface SurfaceCase {
  data: 'iris' | 'faithful';
  covarianceType: CovarianceType;
  init: { means: number[][]; weights: number[]; precisions: unknown };
  fit: SurfaceRun;
  maxIter0: SurfaceRun;
}

const fixture = JSON.parse(readFileSync(new URL('./fixtures/sklearn-surface/surface.json', import.meta.url), 'utf8')) as
  { sklearnVersion: string; regCovar: number; cases: SurfaceCase[] };
const data: Record<string, CsvTable> = { faithful: loadReference('faithful'), iris: loadReference('iris') };

/** Every number of a nested array, in order. */
function flat(v: unknown): number[] {
  if (typeof v === 'number') return [v];
  return Array.from(v as ArrayLike<unknown>).flatMap(flat);
}

/** Converged EM from the same start to the same tolerance: the iterates agree to rounding. */
const RTOL = 1e-10;

describe.each(['js', 'wasm'] as const)('scikit-learn GaussianMixture surface on the %s backend', (backend) => {
  it('the fixtures are scikit-learn 1.2.1\'s, for both data sets and the four covariance types', () => {
    expect(fixture.sklearnVersion).toBe('1.2.1');
    expect(fixture.cases).toHaveLength(8);
  });

  describe.each(fixture.cases.map((c) => [`${c.data} ${c.covarianceType}`, c] as const))('%s', (_, c) => {
    const X = data[c.data].array;
    const options = {
      nComponents: c.init.means.length, covarianceType: c.covarianceType, init: c.init, regCovar: fixture.regCovar, backend,
    };

    it('fitPredict: scikit-learn\'s fit_predict labels, equal to predict after the fit', () => {
      const gm = new GaussianMixture(options);
      const labels = gm.fitPredict(X);
      expect(Array.from(labels)).toEqual(c.fit.labels);
      expect(Array.from(gm.predict(X))).toEqual(Array.from(labels));
      expect(gm.nIter).toBe(c.fit.nIter);
      expect(gm.converged).toBe(c.fit.converged);
    });

    it('precisions: scikit-learn\'s precisions_ in its shape, and the inverse of the covariances', () => {
      const gm = new GaussianMixture(options).fit(X);
      const got = gm.precisions;
      expect(flat(got)).toHaveLength(flat(c.fit.precisions).length);
      expectAllRelClose(flat(got), flat(c.fit.precisions), RTOL, 'precisions');
      expectAllRelClose(gm.weights, c.fit.weights, RTOL, 'weights');
      expectAllRelClose(flat(gm.means), flat(c.fit.means), RTOL, 'means');
      expectRelClose(gm.lowerBound, c.fit.lowerBound!, RTOL, 'lowerBound');
      const d = X[0].length;
      const P = (c.covarianceType === 'full' ? (got as Float64Array[][])[0] : null);
      if (P !== null) {
        const S = gm.covarianceMatrix(0);
        for (let a = 0; a < d; a++) {
          for (let b = 0; b < d; b++) {
            let v = 0;
            for (let j = 0; j < d; j++) v += S[a][j] * P[j][b];
            expect(Math.abs(v - (a === b ? 1 : 0))).toBeLessThan(1e-8);
          }
        }
      }
    });

    it('maxIter 0 keeps the start: scikit-learn\'s parameters and labels, not converged, nIter 0, no warning', () => {
      const warnings: string[] = [];
      const gm = new GaussianMixture({ ...options, maxIter: 0 });
      const labels = gm.fitPredict(X, { onWarning: (m) => warnings.push(m) });
      expect(warnings).toEqual([]);
      expect(gm.converged).toBe(false);
      expect(gm.nIter).toBe(0);
      expect(gm.logLikelihoodHistory).toEqual([]);
      expect(Array.from(labels)).toEqual(c.maxIter0.labels);
      expectAllRelClose(gm.weights, c.maxIter0.weights, RTOL, 'weights');
      expectAllRelClose(flat(gm.means), flat(c.maxIter0.means), RTOL, 'means');
      expectAllRelClose(flat(gm.precisions), flat(c.maxIter0.precisions), RTOL, 'precisions');
      // scikit-learn leaves lower_bound_ at −∞; here it is the start's mean log-likelihood, its score.
      expect(c.maxIter0.lowerBound).toBeNull();
      expectRelClose(gm.lowerBound, c.maxIter0.score, RTOL, 'lowerBound');
      expectRelClose(gm.score(X), c.maxIter0.score, RTOL, 'score');
    });
  });

  it('maxIter 0 from a random start keeps that start, the same for a seed', () => {
    const X = data.faithful.array;
    const run = (): GaussianMixture => new GaussianMixture({ nComponents: 2, maxIter: 0, seed: 3, backend }).fit(X);
    const a = run();
    const b = run();
    expect(a.nIter).toBe(0);
    expect(a.converged).toBe(false);
    expect(Number.isFinite(a.lowerBound)).toBe(true);
    expect(flat(a.means)).toEqual(flat(b.means));
    expectRelClose(a.lowerBound, a.score(X), 1e-12, 'lowerBound');
    const one = new GaussianMixture({ nComponents: 2, maxIter: 1, seed: 3, initCandidates: 1, backend }).fit(X);
    const zero = new GaussianMixture({ nComponents: 2, maxIter: 0, seed: 3, initCandidates: 1, backend }).fit(X);
    expectRelClose(zero.lowerBound, one.logLikelihoodHistory[0], 1e-12, 'the start\'s log-likelihood');
  });

  it('a start given by precisions equals the same start given by covariances', () => {
    const c = fixture.cases.find((f) => f.data === 'iris' && f.covarianceType === 'full')!;
    const X = data.iris.array;
    const byPrecisions = new GaussianMixture({ nComponents: 3, init: c.init, maxIter: 0, backend }).fit(X);
    const covariances = byPrecisions.covariances;
    const byCovariances = new GaussianMixture({
      nComponents: 3, init: { means: c.init.means, weights: c.init.weights, covariances }, maxIter: 0, backend,
    }).fit(X);
    expectAllRelClose(flat(byCovariances.precisions), flat(c.init.precisions), 1e-10, 'precisions');
    expect(byCovariances.lowerBound).toBe(byPrecisions.lowerBound);
  });

  it('init: precisions and covariances together, or bad precisions, are InputErrors naming them', () => {
    const c = fixture.cases.find((f) => f.data === 'faithful' && f.covarianceType === 'full')!;
    const X = data.faithful.array;
    const both = thrown(() => new GaussianMixture({
      nComponents: 2, init: { means: c.init.means, precisions: c.init.precisions, covariances: c.init.precisions }, backend,
    }));
    expect(both).toBeInstanceOf(InputError);
    expect((both as InputError).argument).toBe('options.init');
    const asymmetric = [[[1, 0.5], [0, 1]], [[1, 0], [0, 1]]];
    const e = thrown(() => new GaussianMixture({
      nComponents: 2, init: { means: c.init.means, precisions: asymmetric }, backend,
    }).fit(X));
    expect(e).toBeInstanceOf(InputError);
    expect((e as InputError).argument).toBe('options.init.precisions[0][0][1]');
    const negative = thrown(() => new GaussianMixture({
      nComponents: 2, covarianceType: 'diag', init: { means: c.init.means, precisions: [[1, -1], [1, 1]] }, backend,
    }).fit(X));
    expect((negative as InputError).argument).toBe('options.init.precisions[0][1]');
    const shape = thrown(() => new GaussianMixture({
      nComponents: 2, covarianceType: 'spherical', init: { means: c.init.means, precisions: [1] }, backend,
    }).fit(X));
    expect(shape).toBeInstanceOf(InputError);
    expect((shape as InputError).argument).toMatch(/^options\.init\.precisions/);
  });

  it('getParams and the getters give every option resolved (scikit-learn\'s get_params)', () => {
    const gm = new GaussianMixture({ nComponents: 3, tol: 1e-4, seed: 7, backend });
    expect(gm.getParams()).toEqual({
      nComponents: 3, covarianceType: 'full', init: 'hc', hcModel: 'VVV', hcUse: 'SVD', initParams: 'kmeans', nInit: 1, initCandidates: 10, initCandidateIter: 10,
      maxIter: 100, tol: 1e-4, regCovar: 1e-6, innerTol: Math.sqrt(Number.EPSILON), innerMaxIter: 'auto', seed: 7,
      warmStart: false, backend, dtype: 'float64',
    });
    const copy = new GaussianMixture(gm.getParams());
    expect(copy.getParams()).toEqual(gm.getParams());
    expect([gm.nInit, gm.initCandidates, gm.initCandidateIter, gm.maxIter, gm.tol, gm.regCovar, gm.seed, gm.warmStart,
      gm.backend, gm.dtype, gm.init]).toEqual([1, 10, 10, 100, 1e-4, 1e-6, 7, false, backend, 'float64', 'hc']);
    expect(new GaussianMixture().seed).toBeUndefined();
    expect(new GaussianMixture({ initParams: 'random' }).initParams).toBe('random');
    const bad = thrown(() => new GaussianMixture({ initParams: 'k-means' as never }));
    expect((bad as InputError).argument).toBe('options.initParams');
  });

  describe.each(['full', 'tied', 'diag', 'spherical'] as const)('a start without means (%s)', (type) => {
    const c = fixture.cases.find((f) => f.data === 'iris' && f.covarianceType === type)!;
    const X = data.iris.array;
    const base = { nComponents: 3, covarianceType: type, maxIter: 0, seed: 5, backend } as const;
    const methodStart = (initParams: 'kmeans' | 'random'): GaussianMixture =>
      new GaussianMixture({ ...base, init: initParams, initCandidates: 1 }).fit(X);

    it.each(['kmeans', 'random'] as const)('initParams %s: its start, with the given weights or precisions', (initParams) => {
      const plain = methodStart(initParams);
      // weights_init alone: the method's means and covariances, the given weights.
      const byWeights = new GaussianMixture({ ...base, init: { weights: c.init.weights }, initParams }).fit(X);
      expectAllRelClose(byWeights.weights, c.init.weights, 1e-12, 'weights');
      expect(flat(byWeights.means)).toEqual(flat(plain.means));
      expect(flat(byWeights.covariances)).toEqual(flat(plain.covariances));
      // precisions_init alone: the method's means and weights, the given precisions.
      const byPrecisions = new GaussianMixture({ ...base, init: { precisions: c.init.precisions }, initParams }).fit(X);
      expectAllRelClose(flat(byPrecisions.precisions), flat(c.init.precisions), 1e-10, 'precisions');
      expect(flat(byPrecisions.means)).toEqual(flat(plain.means));
      expect(Array.from(byPrecisions.weights)).toEqual(Array.from(plain.weights));
      // The same seed, the same start; the fit from it converges as any other.
      const again = new GaussianMixture({ ...base, init: { precisions: c.init.precisions }, initParams }).fit(X);
      expect(flat(again.means)).toEqual(flat(byPrecisions.means));
      const fitted = new GaussianMixture({ ...base, maxIter: 100, init: { weights: c.init.weights }, initParams }).fit(X);
      expect(fitted.converged).toBe(true);
      expect(fitted.lowerBound).toBeGreaterThanOrEqual(byWeights.lowerBound);
    });

    it('restarts draw new starts for the rest; an empty init is initParams itself', () => {
      const one = new GaussianMixture({ ...base, init: { weights: c.init.weights }, nInit: 1 }).fit(X);
      const three = new GaussianMixture({ ...base, init: { weights: c.init.weights }, nInit: 3 }).fit(X);
      expect(three.lowerBound).toBeGreaterThanOrEqual(one.lowerBound);
      const empty = new GaussianMixture({ ...base, init: {}, initParams: 'kmeans' }).fit(X);
      expect(flat(empty.means)).toEqual(flat(methodStart('kmeans').means));
    });
  });
});
