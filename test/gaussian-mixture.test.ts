/** GaussianMixture's API on both backends: fitting, prediction, scoring, sampling, JSON, warm starts, inputs. */
import { Rng } from '../src/rng.js';
import { describe, expect, it } from 'vitest';
import { DegenerateComponentError, GaussianMixture, selectModel, type SklearnCovarianceType } from '../src/index.js';
import { generateMixture } from './helpers/gen-mixture.js';
import { expectAllRelClose, expectRelClose } from './helpers/close.js';
import { loadReference } from './helpers/load-csv.js';

const TYPES: SklearnCovarianceType[] = ['full', 'tied', 'diag', 'spherical'];
const faithful = loadReference('faithful');

describe.each(['js', 'wasm'] as const)('GaussianMixture on the %s backend', (backend) => {
  it('accepts number[][], {data, rows, cols}, Float64Array and Float32Array with nFeatures alike', () => {
    const opts = { nComponents: 2, seed: 1, backend } as const;
    const a = new GaussianMixture(opts).fit(faithful.array);
    const b = new GaussianMixture(opts).fit({ data: faithful.data, rows: faithful.rows, cols: 2 });
    const c = new GaussianMixture(opts).fit(faithful.data, { nFeatures: 2 });
    expect(b.lowerBound).toBe(a.lowerBound);
    expect(c.lowerBound).toBe(a.lowerBound);
    const f32 = Float32Array.from(faithful.data);
    const d = new GaussianMixture(opts).fit(f32, { nFeatures: 2 });
    expectRelClose(d.lowerBound, a.lowerBound, 1e-6, 'Float32Array input');
    expect(a.score(faithful.data, { nFeatures: 2 })).toBe(a.score(faithful.array));
  });

  it.each(TYPES)('fit then predict agree with predictProba; probabilities sum to 1 (%s)', (covarianceType) => {
    const gm = new GaussianMixture({ nComponents: 3, covarianceType, seed: 2, backend }).fit(faithful.array);
    const proba = gm.predictProba(faithful.array);
    const labels = gm.predict(faithful.array);
    expect(proba.rows).toBe(272);
    expect(proba.cols).toBe(3);
    for (let i = 0; i < proba.rows; i++) {
      const row = Array.from(proba.data.subarray(i * 3, i * 3 + 3));
      expect(Math.abs(row.reduce((s, v) => s + v, 0) - 1)).toBeLessThan(1e-12);
      expect(labels[i]).toBe(row.indexOf(Math.max(...row)));
    }
    const samples = gm.scoreSamples(faithful.array);
    const mean = samples.reduce((s, v) => s + v, 0) / samples.length;
    expectRelClose(gm.score(faithful.array), mean, 1e-12, 'score = mean of scoreSamples');
    // The final parameters score at least the last E-step's lower bound (EM's M-step does not decrease it).
    expect(gm.score(faithful.array)).toBeGreaterThanOrEqual(gm.lowerBound - 1e-12);
  });

  it('the likelihood never decreases from one EM step to the next', () => {
    for (const covarianceType of TYPES) {
      const gm = new GaussianMixture({ nComponents: 4, covarianceType, seed: 5, tol: 0, maxIter: 60, init: 'random', backend });
      const warnings: string[] = [];
      gm.fit(faithful.array, { onWarning: (m) => warnings.push(m) });
      const h = gm.logLikelihoodHistory;
      expect(h.length).toBe(gm.nIter);
      for (let t = 1; t < h.length; t++) expect(h[t] - h[t - 1], `${covarianceType} step ${t}`).toBeGreaterThan(-1e-12 * Math.abs(h[t]));
      expect(warnings.filter((w) => w.includes('decreased'))).toEqual([]);
    }
  });

  it('reports iterations through onIteration and stops at tol', () => {
    const seen: number[] = [];
    const gm = new GaussianMixture({ nComponents: 2, seed: 1, nInit: 2, tol: 1e-3, backend });
    gm.fit(faithful.array, { onIteration: (info) => seen.push(info.init) });
    expect(new Set(seen)).toEqual(new Set([0, 1]));
    expect(gm.converged).toBe(true);
    const h = gm.logLikelihoodHistory;
    expect(Math.abs(h[h.length - 1] - h[h.length - 2])).toBeLessThan(1e-3);
  });

  it('initCandidates: a sound first solution is the answer; the others run only after a degenerate one', () => {
    const seen = new Set<number>();
    const gm = new GaussianMixture({ nComponents: 3, seed: 2, initCandidates: 3, tol: 1e-8, maxIter: 500, backend });
    gm.fit(faithful.array, { onIteration: (info) => seen.add(info.candidate) });
    expect(seen).toEqual(new Set([0]));
    expect(gm.degenerateComponents).toEqual([]);
    expect(gm.logLikelihoodHistory.length).toBe(gm.nIter);
    const h = gm.logLikelihoodHistory;
    for (let t = 1; t < h.length; t++) expect(h[t] - h[t - 1]).toBeGreaterThan(-1e-12 * Math.abs(h[t]));
    expect(gm.converged).toBe(true);
    // Six equal rows beside a blob: a full K = 2 start that puts a component on them is degenerate, and the next
    // candidates run until one is sound (or all have run).
    const rng = new Rng(11);
    const blobRows = Array.from({ length: 120 }, () => [rng.normal(), rng.normal()]);
    const X = [...blobRows, ...Array.from({ length: 6 }, () => [8, 8])];
    for (const seed of [0, 1, 2]) {
      const candidates: number[] = [];
      const one = new GaussianMixture({ nComponents: 2, seed, initCandidates: 1, backend }).fit(X);
      const many = new GaussianMixture({ nComponents: 2, seed, initCandidates: 5, backend })
        .fit(X, { onIteration: (info) => { if (!candidates.includes(info.candidate)) candidates.push(info.candidate); } });
      if (one.degenerateComponents.length === 0) {
        expect(candidates).toEqual([0]);
      } else {
        expect(candidates.length).toBeGreaterThan(1);
        expect(candidates).toEqual(candidates.map((_, i) => i));
        const last = candidates.length - 1;
        expect(many.degenerateComponents.length === 0 || last === 4).toBe(true);
      }
    }
  });

  it('initCandidates: a restart never ends below plain EM from its first start', () => {
    for (const seed of [0, 1, 2, 3]) {
      const opts = { nComponents: 5, covarianceType: 'diag', seed, tol: 1e-6, maxIter: 1000, backend } as const;
      const plain = new GaussianMixture({ ...opts, initCandidates: 1 }).fit(faithful.array);
      const wide = new GaussianMixture({ ...opts, initCandidates: 4 }).fit(faithful.array);
      expect(wide.lowerBound).toBeGreaterThanOrEqual(plain.lowerBound);
    }
  });

  it('a seed gives the same model; restarts keep the best lower bound', () => {
    const opts = { nComponents: 4, seed: 9, nInit: 4, backend } as const;
    const a = new GaussianMixture(opts).fit(faithful.array);
    const b = new GaussianMixture(opts).fit(faithful.array);
    expect(b.toJSON()).toEqual(a.toJSON());
    for (let s = 0; s < 4; s++) {
      const single = new GaussianMixture({ nComponents: 4, seed: 9, nInit: 1, backend }).fit(faithful.array);
      expect(a.lowerBound).toBeGreaterThanOrEqual(single.lowerBound - 1e-12);
    }
  });

  it.each(['kmeans++', 'kmeans', 'random', 'randomFromData'] as const)('init %s reaches the two-cluster optimum', (init) => {
    const gm = new GaussianMixture({ nComponents: 2, init, seed: 4, nInit: 3, backend, maxIter: 1000, tol: 1e-6 }).fit(faithful.array);
    // scikit-learn 1.2.1 reaches −4.155382208 per row on Old Faithful with k = 2, full (test/fixtures/reference).
    expect(gm.score(faithful.array)).toBeGreaterThan(-4.1554);
  });

  it('given means: what is not given is estimated; given weights and covariances are used', () => {
    const means = [[2, 55], [4.5, 80]];
    const a = new GaussianMixture({ nComponents: 2, init: { means }, maxIter: 1, backend }).fit(faithful.array);
    const weights = [0.4, 0.6];
    const covariances = [[[0.1, 0], [0, 30]], [[0.2, 0], [0, 40]]];
    const gm = new GaussianMixture({ nComponents: 2, init: { means, weights, covariances }, maxIter: 1, backend });
    gm.fit(faithful.array);
    // After one iteration the lower bound is the likelihood of the starting parameters.
    const start = GaussianMixture.fromJSON({ format: 'wasm-em/gaussian-mixture', version: 1, covarianceType: 'full',
      nFeatures: 2, weights, means, covariances, converged: false, nIter: 0, lowerBound: null }, { backend });
    expectRelClose(gm.lowerBound, start.score(faithful.array), 1e-12, 'lower bound of the given start');
    expect(a.lowerBound).not.toBe(gm.lowerBound);
  });

  it('warmStart continues from the fitted parameters', () => {
    // tol 0: every run does all its iterations (from the hierarchical start faithful converges in 2 at tol 1e-3).
    const gm = new GaussianMixture({ nComponents: 2, seed: 1, maxIter: 2, tol: 0, warmStart: true, backend });
    gm.fit(faithful.array);
    const first = gm.lowerBound;
    gm.fit(faithful.array);
    expect(gm.lowerBound).toBeGreaterThan(first);
    const cold = new GaussianMixture({ nComponents: 2, seed: 1, maxIter: 4, tol: 0, backend }).fit(faithful.array);
    expectRelClose(gm.lowerBound, cold.lowerBound, 1e-12, 'two warm runs of 2 iterations = one of 4');
  });

  it('data offset by 1e6 fits like centred data', () => {
    const g = generateMixture(1500, 3, 3, 5, 4);
    const shifted = g.X.map((v) => v + 1e6);
    for (const covarianceType of TYPES) {
      const opts = { nComponents: 3, covarianceType, seed: 2, tol: 1e-10, maxIter: 500, backend } as const;
      const a = new GaussianMixture(opts).fit(g.X, { nFeatures: 3 });
      const b = new GaussianMixture(opts).fit(shifted, { nFeatures: 3 });
      expectRelClose(b.lowerBound, a.lowerBound, 1e-7, `${covarianceType}: lower bound`);
      const ca = [a.toJSON().covariances].flat(3) as number[];
      const cb = [b.toJSON().covariances].flat(3) as number[];
      const scale = Math.max(...ca.map(Math.abs));
      ca.forEach((v, i) => expect(Math.abs(cb[i] - v) / scale).toBeLessThan(1e-6));
    }
  });

  it('sample draws from the fitted mixture, grouped by component, reproducibly', () => {
    const gm = new GaussianMixture({ nComponents: 2, seed: 1, backend }).fit(faithful.array);
    const { X, labels } = gm.sample(20000, { seed: 3 });
    expect(X.rows).toBe(20000);
    expect(X.cols).toBe(2);
    for (let i = 1; i < labels.length; i++) expect(labels[i]).toBeGreaterThanOrEqual(labels[i - 1]);
    const frac = labels.filter((c) => c === 0).length / labels.length;
    expect(Math.abs(frac - gm.weights[0])).toBeLessThan(0.02);
    const refit = new GaussianMixture({ nComponents: 2, seed: 1, backend }).fit(X);
    const order = refit.means[0][0] < refit.means[1][0] === gm.means[0][0] < gm.means[1][0] ? [0, 1] : [1, 0];
    order.forEach((c, r) => gm.means[r].forEach((v, j) => expect(Math.abs(refit.means[c][j] - v) / (1 + Math.abs(v))).toBeLessThan(0.03)));
    expect(gm.sample(5, { seed: 3 }).X.data).toEqual(gm.sample(5, { seed: 3 }).X.data);
  });

  it.each(TYPES)('toJSON / fromJSON round-trip (%s)', (covarianceType) => {
    const gm = new GaussianMixture({ nComponents: 3, covarianceType, seed: 1, backend }).fit(faithful.array);
    const json = JSON.parse(JSON.stringify(gm.toJSON()));
    expect(json.format).toBe('wasm-em/gaussian-mixture');
    expect(json.version).toBe(1);
    const shape = { full: [3, 2, 2], tied: [2, 2], diag: [3, 2], spherical: [3] }[covarianceType];
    let v: unknown = json.covariances;
    for (const len of shape) {
      expect((v as unknown[]).length).toBe(len);
      v = (v as unknown[])[0];
    }
    const back = GaussianMixture.fromJSON(json, { backend });
    expectAllRelClose(back.scoreSamples(faithful.array), gm.scoreSamples(faithful.array), 1e-12, 'scoreSamples');
    expect(back.toJSON()).toEqual(gm.toJSON());
    expect(back.nParameters).toBe(gm.nParameters);
  });

  it('bic and aic follow scikit-learn: −2 log L + p ln n, −2 log L + 2p', () => {
    const gm = new GaussianMixture({ nComponents: 2, seed: 1, backend }).fit(faithful.array);
    const ll = gm.score(faithful.array) * 272;
    expect(gm.nParameters).toBe(11);
    expectRelClose(gm.bic(faithful.array), -2 * ll + 11 * Math.log(272), 1e-14, 'bic');
    expectRelClose(gm.aic(faithful.array), -2 * ll + 22, 1e-14, 'aic');
  });

  it('a component that collapses gives a DegenerateComponentError that says what to do', () => {
    // Three distinct points, three components, no regularization: every covariance collapses to 0.
    const X = [[0, 0], [0, 0], [1, 1], [1, 1], [5, 2], [5, 2]];
    const gm = new GaussianMixture({ nComponents: 3, regCovar: 0, seed: 1, backend });
    expect(() => gm.fit(X)).toThrowError(DegenerateComponentError);
    expect(() => gm.fit(X)).toThrowError(/fewer components.*regCovar.*scal/);
    // With the default regularization the same data fits, without NaN.
    const ok = new GaussianMixture({ nComponents: 3, seed: 1, backend }).fit(X);
    expect(Number.isFinite(ok.lowerBound)).toBe(true);
    expect(ok.means.flatMap((m) => Array.from(m)).every(Number.isFinite)).toBe(true);
  });

  it('selectModel fits the grid and returns the table and the best model', () => {
    const result = selectModel(faithful.array, { nComponents: [1, 4], covarianceTypes: ['full', 'diag'], seed: 0, nInit: 3, backend });
    expect(result.table.length).toBe(8);
    const best = result.table[result.bestIndex];
    for (const row of result.table) expect(best.bic).toBeLessThanOrEqual(row.bic);
    expect(result.best.nComponents).toBe(best.nComponents);
    expect(result.best.covarianceType).toBe(best.covarianceType);
    expectRelClose(result.best.bic(faithful.array), best.bic, 1e-12, 'best bic');
    const aic = selectModel(faithful.array, { nComponents: [2, 3], covarianceTypes: ['full'], criterion: 'aic', seed: 0, backend });
    expect(aic.criterion).toBe('aic');
    expect(aic.table.map((r) => r.nComponents)).toEqual([2, 3]);
  });
});
