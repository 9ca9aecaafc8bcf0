/**
 * scikit-learn 1.2.1's `sklearn/mixture/tests/test_gaussian_mixture.py`, restated for this API and run on both
 * backends: option and start checks, predict against predictProba, labels after fit, recovery of a known mixture,
 * restarts, free-parameter counts, BIC/AIC, warm starts and their convergence, score against scoreSamples, a
 * likelihood that never decreases one EM step at a time, regularisation, covariances against precisions, sampling,
 * k = 1. Internal tests of scikit-learn's private helpers (`_estimate_gaussian_covariances_*`, `_compute_log_det_cholesky`)
 * are covered by the kernel tests; `fitPredict` must equal `fit(X).predict(X)` (scikit-learn's final E-step).
 * Differences kept on purpose are noted where they occur.
 */
import { describe, expect, it } from 'vitest';
import {
  DegenerateComponentError, GaussianMixture, InputError, NotFittedError, type SklearnCovarianceType,
} from '../src/index.js';
import { Rng } from '../src/rng.js';
import { adjustedRandIndex } from './helpers/ari.js';
import { thrown } from './helpers/thrown.js';

const TYPES: SklearnCovarianceType[] = ['spherical', 'diag', 'tied', 'full'];

/** A random symmetric positive definite d×d matrix (scikit-learn's `make_spd_matrix`: Uᵀ diag(1 + s) U, U orthonormal). */
function spdMatrix(d: number, rng: Rng): number[][] {
  // Gram–Schmidt on Gaussian vectors gives an orthonormal U.
  const U: number[][] = [];
  while (U.length < d) {
    const v = Array.from({ length: d }, () => rng.normal());
    for (const u of U) {
      const dot = u.reduce((s, x, j) => s + x * v[j], 0);
      for (let j = 0; j < d; j++) v[j] -= dot * u[j];
    }
    const norm = Math.hypot(...v);
    if (norm > 1e-8) U.push(v.map((x) => x / norm));
  }
  const s = Array.from({ length: d }, () => 1 + rng.random());
  return Array.from({ length: d }, (_, a) => Array.from({ length: d }, (_, b) =>
    U.reduce((acc, u, m) => acc + u[a] * s[m] * u[b], 0) * 1));
}

/** The lower Cholesky factor of a small SPD matrix. */
function cholesky(A: number[][]): number[][] {
  const d = A.length;
  const L = A.map(() => new Array<number>(d).fill(0));
  for (let j = 0; j < d; j++) {
    let s = A[j][j];
    for (let m = 0; m < j; m++) s -= L[j][m] ** 2;
    L[j][j] = Math.sqrt(s);
    for (let i = j + 1; i < d; i++) {
      let t = A[i][j];
      for (let m = 0; m < j; m++) t -= L[i][m] * L[j][m];
      L[i][j] = t / L[j][j];
    }
  }
  return L;
}

/** scikit-learn's `RandomData`: weights, means × scale, covariances of each type, rows drawn per component. */
interface RandomData {
  weights: number[];
  means: number[][];
  covariances: Record<SklearnCovarianceType, number[][][]>;
  X: Record<SklearnCovarianceType, number[][]>;
  labels: number[];
  d: number;
  k: number;
}

function randomData(seed: number, n = 200, k = 2, d = 2, scale = 50): RandomData {
  const rng = new Rng(seed);
  const raw = Array.from({ length: k }, () => rng.random());
  const total = raw.reduce((a, b) => a + b, 0);
  const weights = raw.map((w) => w / total);
  const means = Array.from({ length: k }, () => Array.from({ length: d }, () => rng.random() * scale));
  const eye = (v: number[]): number[][] => v.map((x, a) => v.map((_, b) => (a === b ? x : 0)));
  const spherical = Array.from({ length: k }, () => 0.5 + rng.random());
  const diag = Array.from({ length: k }, () => Array.from({ length: d }, () => (0.5 + rng.random()) ** 2));
  const tied = spdMatrix(d, rng);
  const full = Array.from({ length: k }, () => spdMatrix(d, rng).map((r) => r.map((v) => v * 0.5)));
  const covariances: Record<SklearnCovarianceType, number[][][]> = {
    spherical: spherical.map((s) => eye(new Array(d).fill(s))),
    diag: diag.map(eye),
    tied: Array.from({ length: k }, () => tied),
    full,
  };
  const counts = weights.map((w) => Math.round(w * n));
  const labels = counts.flatMap((m, c) => new Array<number>(m).fill(c));
  const X = {} as Record<SklearnCovarianceType, number[][]>;
  for (const type of TYPES) {
    X[type] = [];
    for (let c = 0; c < k; c++) {
      const L = cholesky(covariances[type][c]);
      for (let i = 0; i < counts[c]; i++) {
        const z = Array.from({ length: d }, () => rng.normal());
        X[type].push(means[c].map((m, a) => m + L[a].reduce((s, l, b) => s + l * z[b], 0)));
      }
    }
  }
  return { weights, means, covariances, X, labels, d, k };
}

/** Given starting parameters in this package's form: weights, means and covariances of the type. */
function givenInit(data: RandomData, type: SklearnCovarianceType) {
  const cov = data.covariances[type];
  const covariances = type === 'full' ? cov : type === 'tied' ? cov[0]
    : type === 'diag' ? cov.map((m) => m.map((r, a) => r[a])) : cov.map((m) => m[0][0]);
  return { weights: data.weights, means: data.means, covariances };
}

function standardNormal(n: number, d: number, seed: number): number[][] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => Array.from({ length: d }, () => rng.normal()));
}

function mean(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i];
  return s / v.length;
}

describe.each(['js', 'wasm'] as const)('scikit-learn mixture tests on the %s backend', (backend) => {
  it('test_gaussian_mixture_attributes: bad options are InputErrors naming them', () => {
    const bad: [string, Record<string, unknown>][] = [
      ['options.nComponents', { nComponents: 0 }], ['options.tol', { tol: -0.1 }], ['options.nInit', { nInit: 0 }],
      ['options.maxIter', { maxIter: -1 }], ['options.regCovar', { regCovar: -1 }],
      ['options.covarianceType', { covarianceType: 'bad_covariance_type' }], ['options.init', { init: 'bad_method' }],
    ];
    for (const [argument, options] of bad) {
      const e = thrown(() => new GaussianMixture({ ...options, backend } as never));
      expect(e, argument).toBeInstanceOf(InputError);
      expect((e as InputError).argument).toBe(argument);
    }
    const data = randomData(0);
    const gm = new GaussianMixture({ nComponents: 2, covarianceType: 'full', tol: 1e-3, regCovar: 1e-6, seed: 0, backend })
      .fit(data.X.full);
    expect(gm.nComponents).toBe(2);
    expect(gm.covarianceType).toBe('full');
    // scikit-learn accepts max_iter=0 (Interval(Integral, 0, None)): the fit keeps the start.
    expect(new GaussianMixture({ nComponents: 2, maxIter: 0, backend }).maxIter).toBe(0);
  });

  it('test_check_weights / test_check_means / test_check_precisions: given starts are checked', () => {
    const data = randomData(1);
    const X = data.X.full;
    const fitWith = (init: Record<string, unknown>) => thrown(() =>
      new GaussianMixture({ nComponents: 2, init: init as never, backend }).fit(X));
    const means = data.means;
    const cases: [string, Record<string, unknown>][] = [
      ['options.init.weights', { means, weights: [0.5] }],
      ['options.init.weights[0]', { means, weights: [-0.5, 1.5] }],
      ['options.init.weights', { means, weights: [0.2, 0.2] }],
      ['options.init.means', { means: [means[0]] }],
    ];
    for (const [argument, init] of cases) {
      const e = fitWith(init);
      expect(e, argument).toBeInstanceOf(InputError);
      expect((e as InputError).argument.startsWith(argument)).toBe(true);
    }
    // Covariances that are not positive definite.
    for (const [type, covariances] of [['full', [[[1, 2], [2, 1]], [[1, 0], [0, 1]]]], ['tied', [[1, 2], [2, 1]]],
      ['diag', [[1, -1], [1, 1]]], ['spherical', [1, -1]]] as const) {
      const e = thrown(() => new GaussianMixture({ nComponents: 2, covarianceType: type,
        init: { means, covariances: covariances as never }, backend }).fit(X));
      expect(e, type).toBeInstanceOf(InputError);
    }
  });

  it('test_gaussian_mixture_log_probabilities: scoreSamples against the density computed directly', () => {
    const data = randomData(2);
    for (const type of TYPES) {
      const gm = new GaussianMixture({ nComponents: 2, covarianceType: type, seed: 0, backend }).fit(data.X[type]);
      const rows = data.X[type].slice(0, 20);
      const got = gm.scoreSamples(rows);
      rows.forEach((x, i) => {
        let p = 0;
        for (let c = 0; c < 2; c++) {
          const [[a, b], [, d]] = gm.covarianceMatrix(c);
          const det = a * d - b * b;
          const u = x[0] - gm.means[c][0];
          const v = x[1] - gm.means[c][1];
          const maha = (d * u * u - 2 * b * u * v + a * v * v) / det;
          p += gm.weights[c] * Math.exp(-0.5 * maha) / (2 * Math.PI * Math.sqrt(det));
        }
        expect(Math.abs(got[i] - Math.log(p))).toBeLessThan(1e-10 * Math.max(1, Math.abs(got[i])));
      });
    }
  });

  it('test_gaussian_mixture_predict_predict_proba: predict is the argmax of predictProba; ARI > 0.95', () => {
    const data = randomData(0);
    for (const type of TYPES) {
      const gm = new GaussianMixture({ nComponents: 2, covarianceType: type, init: givenInit(data, type), backend });
      expect(thrown(() => gm.predict(data.X[type]))).toBeInstanceOf(NotFittedError);
      gm.fit(data.X[type]);
      const labels = gm.predict(data.X[type]);
      const proba = gm.predictProba(data.X[type]);
      labels.forEach((l, i) => expect(l).toBe(proba.data[2 * i] >= proba.data[2 * i + 1] ? 0 : 1));
      expect(adjustedRandIndex(labels, data.labels)).toBeGreaterThan(0.95);
    }
  });

  it.each([[0, 2, 1e-7], [1, 2, 1e-1], [3, 300, 1e-7], [4, 300, 1e-1]])(
    'test_gaussian_mixture_fit_predict (seed %i, maxIter %i, tol %d): the labels of fit are those of predict',
    (seed, maxIter, tol) => {
      const data = randomData(seed);
      for (const type of TYPES) {
        const opts = { nComponents: 2, covarianceType: type, init: givenInit(data, type), maxIter, tol, backend };
        const a = new GaussianMixture(opts).fitPredict(data.X[type]);
        const b = new GaussianMixture(opts).fit(data.X[type]).predict(data.X[type]);
        expect(Array.from(b)).toEqual(Array.from(a));
        expect(adjustedRandIndex(a, data.labels)).toBeGreaterThan(0.95);
      }
    });

  it('test_gaussian_mixture_fit_predict_n_init: with restarts too', () => {
    const X = standardNormal(1000, 5, 0);
    const a = new GaussianMixture({ nComponents: 5, nInit: 5, seed: 0, backend }).fit(X);
    const b = new GaussianMixture({ nComponents: 5, nInit: 5, seed: 0, backend }).fit(X);
    expect(Array.from(a.predict(X))).toEqual(Array.from(b.predict(X)));
  }, 60_000);

  it('test_gaussian_mixture_fit: recovers the weights, means and precisions of the generating mixture', () => {
    // Seed 1: weights 0.39 and 0.61 (this generator's seed 0 draws 0.986 and 0.014, a component of 3 rows).
    const data = randomData(1);
    for (const type of TYPES) {
      const gm = new GaussianMixture({ nComponents: 2, nInit: 20, regCovar: 0, seed: 0, covarianceType: type, backend })
        .fit(data.X[type]);
      const byFirst = (m: ArrayLike<number>[]) => m.map((r, c) => [r[0], c] as const).sort((x, y) => x[0] - y[0]).map((x) => x[1]);
      const order = byFirst(gm.means);
      const truth = byFirst(data.means);
      order.forEach((c, r) => {
        const t = truth[r];
        expect(Math.abs(gm.weights[c] - data.weights[t])).toBeLessThan(0.01 + 0.1 * data.weights[t]);
        gm.means[c].forEach((v, j) => expect(Math.abs(v - data.means[t][j])).toBeLessThan(0.01 + 0.1 * Math.abs(data.means[t][j])));
      });
      // The precisions, paired by trace, against the true ones: scikit-learn's EmpiricalCovariance.error_norm
      // (squared Frobenius norm over d) below 0.15.
      const inv = (m: number[][]) => {
        const det = m[0][0] * m[1][1] - m[0][1] * m[1][0];
        return [[m[1][1] / det, -m[0][1] / det], [-m[1][0] / det, m[0][0] / det]];
      };
      const est = [0, 1].map((c) => inv(gm.covarianceMatrix(c).map((row) => Array.from(row))));
      const tru = [0, 1].map((c) => inv(data.covariances[type][c]));
      const byTrace = (ps: number[][][]) => [0, 1].sort((x, y) => ps[x][0][0] + ps[x][1][1] - ps[y][0][0] - ps[y][1][1]);
      const e = byTrace(est);
      const t = byTrace(tru);
      for (let r = 0; r < 2; r++) {
        let sq = 0;
        for (let a = 0; a < 2; a++) for (let b = 0; b < 2; b++) sq += (est[e[r]][a][b] - tru[t[r]][a][b]) ** 2;
        expect(sq / 2, `${type}: precision ${r}`).toBeLessThan(0.15);
      }
    }
  });

  it('test_gaussian_mixture_fit_best_params / test_multiple_init / test_init: restarts never do worse', () => {
    const data = randomData(0);
    for (const type of TYPES) {
      const single = new GaussianMixture({ nComponents: 2, regCovar: 0, seed: 0, covarianceType: type, backend }).fit(data.X[type]);
      const best = new GaussianMixture({ nComponents: 2, nInit: 10, regCovar: 0, seed: 0, covarianceType: type, backend })
        .fit(data.X[type]);
      expect(best.score(data.X[type])).toBeGreaterThanOrEqual(single.score(data.X[type]) - 1e-9);
      const X = standardNormal(50, 5, 0);
      const one = new GaussianMixture({ nComponents: 2, covarianceType: type, seed: 0, backend }).fit(X).score(X);
      const five = new GaussianMixture({ nComponents: 2, covarianceType: type, seed: 0, nInit: 5, backend }).fit(X).score(X);
      expect(five).toBeGreaterThanOrEqual(one - 1e-9);
    }
    for (let seed = 0; seed < 15; seed++) {
      const X = randomData(seed, 50, 2, 2, 1).X.full;
      const a = new GaussianMixture({ nComponents: 2, nInit: 1, maxIter: 1, seed, backend }).fit(X);
      const b = new GaussianMixture({ nComponents: 2, nInit: 10, maxIter: 1, seed, backend }).fit(X);
      expect(b.lowerBound).toBeGreaterThanOrEqual(a.lowerBound - 1e-12);
    }
  });

  it('test_gaussian_mixture_fit_convergence_warning: maxIter 1 warns through onWarning', () => {
    const data = randomData(0, 200, 2, 2, 1);
    for (const type of TYPES) {
      const warnings: string[] = [];
      new GaussianMixture({ nComponents: 2, maxIter: 1, regCovar: 0, seed: 0, covarianceType: type, backend })
        .fit(data.X[type], { onWarning: (m) => warnings.push(m) });
      expect(warnings.some((m) => m.includes('did not converge'))).toBe(true);
    }
  });

  it('test_gaussian_mixture_n_parameters and test_bic_1d_1component', () => {
    const X = standardNormal(50, 5, 0);
    const want = { spherical: 13, diag: 21, tied: 26, full: 41 };
    for (const type of TYPES) {
      expect(new GaussianMixture({ nComponents: 2, covarianceType: type, seed: 0, backend }).fit(X).nParameters).toBe(want[type]);
    }
    const x1 = standardNormal(100, 1, 1);
    const bics = TYPES.map((type) => new GaussianMixture({ covarianceType: type, seed: 0, backend }).fit(x1).bic(x1));
    for (const b of bics) expect(Math.abs(b - bics[0])).toBeLessThan(1e-7);
  });

  it('test_gaussian_mixture_aic_bic: near the entropy of the standard normal', () => {
    const n = 50;
    const d = 3;
    const X = standardNormal(n, d, 0);
    // log det of the sample covariance (biased).
    const mu = [0, 1, 2].map((j) => mean(X.map((r) => r[j])));
    const S = [0, 1, 2].map((a) => [0, 1, 2].map((b) => mean(X.map((r) => (r[a] - mu[a]) * (r[b] - mu[b])))));
    const logDet = 2 * cholesky(S).reduce((s, r, j) => s + Math.log(r[j]), 0);
    const sgh = 0.5 * (logDet + d * (1 + Math.log(2 * Math.PI)));
    for (const type of TYPES) {
      const gm = new GaussianMixture({ nComponents: 2, covarianceType: type, seed: 0, maxIter: 200, backend }).fit(X);
      const bound = d / Math.sqrt(n);
      expect((gm.aic(X) - (2 * n * sgh + 2 * gm.nParameters)) / n).toBeLessThan(bound);
      expect((gm.bic(X) - (2 * n * sgh + Math.log(n) * gm.nParameters)) / n).toBeLessThan(bound);
    }
  });

  it.each([0, 1, 2])('test_warm_start (seed %i): two warm fits of one iteration are one fit of two', (seed) => {
    const rng = new Rng(seed);
    const X = Array.from({ length: 500 }, () => [rng.random(), rng.random()]);
    const g = new GaussianMixture({ nComponents: 2, maxIter: 2, regCovar: 0, seed, backend }).fit(X);
    const h = new GaussianMixture({ nComponents: 2, maxIter: 1, regCovar: 0, seed, warmStart: true, backend });
    const score1 = h.fit(X).score(X);
    const score2 = h.fit(X).score(X);
    for (let c = 0; c < 2; c++) {
      expect(Math.abs(g.weights[c] - h.weights[c])).toBeLessThan(1e-7);
      g.means[c].forEach((v, j) => expect(Math.abs(v - h.means[c][j])).toBeLessThan(1e-7));
    }
    expect(score2).toBeGreaterThan(score1);
    const cold = new GaussianMixture({ nComponents: 2, maxIter: 5, regCovar: 0, seed, tol: 1e-6, backend }).fit(X);
    expect(cold.converged).toBe(false);
    const warm = new GaussianMixture({ nComponents: 2, maxIter: 5, regCovar: 0, seed, tol: 1e-6, warmStart: true, backend });
    for (let i = 0; i < 1000 && !(warm.isFitted && warm.converged); i++) warm.fit(X);
    expect(warm.converged).toBe(true);
  });

  it('test_convergence_detected_with_warm_start', () => {
    const X = randomData(0).X.full;
    for (const maxIter of [1, 2, 50]) {
      const gm = new GaussianMixture({ nComponents: 2, warmStart: true, maxIter, seed: 0, backend });
      for (let i = 0; i < 100; i++) if (gm.fit(X).converged) break;
      expect(gm.converged).toBe(true);
      expect(gm.nIter).toBeLessThanOrEqual(maxIter);
    }
  });

  it('test_score / test_score_samples: score is the mean of scoreSamples and grows with EM', () => {
    const X = randomData(0, 200, 2, 2, 7).X.full;
    const gm1 = new GaussianMixture({ nComponents: 2, maxIter: 1, regCovar: 0, seed: 0, backend });
    expect(thrown(() => gm1.score(X))).toBeInstanceOf(NotFittedError);
    expect(thrown(() => gm1.scoreSamples(X))).toBeInstanceOf(NotFittedError);
    gm1.fit(X);
    const samples = gm1.scoreSamples(X);
    expect(samples.length).toBe(X.length);
    expect(Math.abs(gm1.score(X) - mean(samples))).toBeLessThan(1e-12 * Math.abs(mean(samples)));
    const gm2 = new GaussianMixture({ nComponents: 2, regCovar: 0, seed: 0, backend }).fit(X);
    // scikit-learn asserts "greater"; clusters this far apart give responsibilities of exactly 0 and 1, so one EM step
    // from k-means++ may already be the fixed point (equal to the bit).
    expect(gm2.score(X)).toBeGreaterThanOrEqual(gm1.score(X));
  });

  it('test_monotonic_likelihood: one warm EM step at a time never lowers the likelihood, and converges', () => {
    const data = randomData(0, 200, 2, 2, 7);
    for (const type of TYPES) {
      const X = data.X[type];
      const gm = new GaussianMixture({ nComponents: 2, covarianceType: type, regCovar: 0, warmStart: true, maxIter: 1,
        seed: 0, tol: 1e-7, backend });
      let current = -Infinity;
      for (let i = 0; i < 600; i++) {
        const previous = current;
        current = gm.fit(X).score(X);
        // Rounding of the sums may move a converged likelihood by a few ulps.
        expect(current, `${type}, step ${i}`).toBeGreaterThanOrEqual(previous - 1e-13 * Math.abs(previous));
        if (gm.converged) break;
      }
      expect(gm.converged, type).toBe(true);
    }
  });

  it('test_regularisation: collapsed components are a typed error without regCovar, fitted with it', () => {
    // Two distinct points repeated. scikit-learn fits 10 components to them with reg_covar = 1e-6; here more components
    // than distinct rows is an InputError whatever regCovar, so the regularised fit uses 2.
    const X = [...Array.from({ length: 5 }, () => [1, 1, 1, 1, 1]), ...Array.from({ length: 5 }, () => [0, 0, 0, 0, 0])];
    for (const type of TYPES) {
      const e = thrown(() => new GaussianMixture({ nComponents: 10, regCovar: 0, covarianceType: type, seed: 0, backend }).fit(X));
      expect(e instanceof InputError || e instanceof DegenerateComponentError, type).toBe(true);
      const e2 = thrown(() => new GaussianMixture({ nComponents: 2, regCovar: 0, covarianceType: type, seed: 0, backend }).fit(X));
      expect(e2, type).toBeInstanceOf(DegenerateComponentError);
      const gm = new GaussianMixture({ nComponents: 2, regCovar: 1e-6, covarianceType: type, seed: 0, backend }).fit(X);
      expect(Number.isFinite(gm.lowerBound)).toBe(true);
    }
  });

  it('test_property: the covariances are the inverses of the precisions', () => {
    const data = randomData(0, 200, 2, 2, 7);
    for (const type of TYPES) {
      const gm = new GaussianMixture({ nComponents: 2, covarianceType: type, nInit: 5, seed: 0, backend }).fit(data.X[type]);
      for (let c = 0; c < 2; c++) {
        const S = gm.covarianceMatrix(c);
        const pc = gm.precisionsCholesky;
        // Precision P = U Uᵀ (full/tied) or diag(1/σ²).
        const P = [[0, 0], [0, 0]];
        if (type === 'full' || type === 'tied') {
          const U = (type === 'full' ? (pc as Float64Array[][])[c] : (pc as Float64Array[])).map((r) => Array.from(r));
          for (let a = 0; a < 2; a++) for (let b = 0; b < 2; b++) P[a][b] = U[a][0] * U[b][0] + U[a][1] * U[b][1];
        } else {
          const s = type === 'diag' ? Array.from((pc as Float64Array[])[c]) : [(pc as Float64Array)[c], (pc as Float64Array)[c]];
          P[0][0] = s[0] ** 2;
          P[1][1] = s[1] ** 2;
        }
        for (let a = 0; a < 2; a++) {
          for (let b = 0; b < 2; b++) {
            const v = S[a][0] * P[0][b] + S[a][1] * P[1][b];
            expect(Math.abs(v - (a === b ? 1 : 0))).toBeLessThan(1e-10);
          }
        }
      }
    }
  });

  it('test_sample: counts, shapes, and moments of 20 000 draws', () => {
    const data = randomData(0, 200, 3, 2, 7);
    for (const type of TYPES) {
      const gm = new GaussianMixture({ nComponents: 3, covarianceType: type, seed: 0, backend });
      expect(thrown(() => gm.sample(1))).toBeInstanceOf(NotFittedError);
      gm.fit(data.X[type]);
      expect(thrown(() => gm.sample(0))).toBeInstanceOf(InputError);
      const n = 20000;
      const { X, labels } = gm.sample(n, { seed: 1 });
      expect(X.rows).toBe(n);
      expect(X.cols).toBe(2);
      for (let c = 0; c < 3; c++) {
        const rows: number[][] = [];
        labels.forEach((l, i) => l === c && rows.push([X.data[2 * i], X.data[2 * i + 1]]));
        const mu = [0, 1].map((j) => mean(rows.map((r) => r[j])));
        mu.forEach((v, j) => expect(Math.abs(v - gm.means[c][j]), `${type} mean`).toBeLessThan(0.15));
        const cov = gm.covarianceMatrix(c);
        for (let a = 0; a < 2; a++) {
          for (let b = 0; b < 2; b++) {
            const s = rows.reduce((acc, r) => acc + (r[a] - mu[a]) * (r[b] - mu[b]), 0) / (rows.length - 1);
            expect(Math.abs(s - cov[a][b]), `${type} covariance`).toBeLessThan(0.15);
          }
        }
      }
      for (let size = 1; size < 100; size += 7) expect(gm.sample(size).X.rows).toBe(size);
    }
  });

  it('test_init_means_not_duplicated / test_means_for_all_inits: every initialization finds both clusters', () => {
    const data = randomData(0);
    for (const init of ['kmeans++', 'kmeans', 'random', 'randomFromData'] as const) {
      const gm = new GaussianMixture({ nComponents: 2, init, seed: 0, backend }).fit(data.X.full);
      const [a, b] = gm.means;
      expect(Math.hypot(a[0] - b[0], a[1] - b[1]), init).toBeGreaterThan(1);
      expect(adjustedRandIndex(gm.predict(data.X.full), data.labels), init).toBeGreaterThan(0.95);
    }
  });

  it('test_gaussian_mixture_single_component_stable: one component on any data', () => {
    const X = standardNormal(1000, 3, 4).map((r) => r.map((v) => v * 1e-3 + 1e3));
    const gm = new GaussianMixture({ nComponents: 1, backend, seed: 0 }).fit(X);
    expect(gm.converged).toBe(true);
    expect(gm.sample(100).X.rows).toBe(100);
  });
});
