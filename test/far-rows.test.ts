/**
 * Rows far from every component: the squared Mahalanobis distance overflows (1e160 standard deviations), which gave
 * `predictProba` NaN, `predict` 0 and `score` −Infinity. Posteriors must be valid and put the mass on the component
 * nearest in Mahalanobis distance, every method must agree, and `score` is −Infinity only because the log-density
 * (below −1e308) is not representable.
 */
import { describe, expect, it } from 'vitest';
import { GaussianMixture, type CovarianceType } from '../src/index.js';
import { repairFarRows } from '../src/far-rows.js';
import { toKernelParams } from '../src/families/gaussian.js';
import { jsBackend } from '../src/backend/js/index.js';
import { MissingBound } from '../src/missing/bound.js';

const TYPES: CovarianceType[] = ['full', 'tied', 'diag', 'spherical'];
// Two clusters of different shapes, so that the components' distances to a far row differ.
const X = [[0, 0], [1, 0.2], [0.4, 1.1], [-0.6, 0.3], [0.2, -0.9], [10, 10], [10.5, 12], [9, 11], [11, 9.5], [10.2, 8]];

/**
 * The log of the squared Mahalanobis distance of x to component c of a 2-feature model, from its covariance matrix.
 */
function logMahalanobis(gm: GaussianMixture, c: number, x: number[]): number {
  const [[a, b], [, d]] = gm.covarianceMatrix(c);
  const mu = gm.means[c];
  // Scaled by the largest difference so that the squares stay finite; compared by ratio only.
  const s = Math.max(Math.abs(x[0] - mu[0]), Math.abs(x[1] - mu[1]));
  const u = (x[0] - mu[0]) / s;
  const v = (x[1] - mu[1]) / s;
  return Math.log((d * u * u - 2 * b * u * v + a * v * v) / (a * d - b * b)) + 2 * Math.log(s);
}

describe.each(['js', 'wasm'] as const)('far rows on the %s backend', (backend) => {
  it.each(TYPES)('valid posteriors, the nearest component wins, methods agree (%s)', (covarianceType) => {
    const gm = new GaussianMixture({ nComponents: 2, covarianceType, seed: 1, backend }).fit(X);
    const rows = [[1e160, 0], [0, -1e200], [-1e300, 1e300], [1e154, 1e154], [5e307, -5e307]];
    const proba = gm.predictProba(rows);
    const labels = gm.predict(rows);
    const samples = gm.scoreSamples(rows);
    rows.forEach((x, i) => {
      const p = Array.from(proba.data.subarray(2 * i, 2 * i + 2));
      expect(p.every((v) => v >= 0 && v <= 1), `${x}: ${p}`).toBe(true);
      expect(p[0] + p[1]).toBeCloseTo(1, 12);
      expect(labels[i]).toBe(p[0] >= p[1] ? 0 : 1);
      const m0 = logMahalanobis(gm, 0, x);
      const m1 = logMahalanobis(gm, 1, x);
      if (Math.abs(m0 - m1) > 1e-6) expect(labels[i], `${x}: log distances ${m0}, ${m1}`).toBe(m0 < m1 ? 0 : 1);
      // log p(x) = −½δ²_nearest (to 1e-10, the other terms are negligible): a float when it is above
      // −Number.MAX_VALUE, else −Infinity; never NaN.
      const logHalf = Math.min(m0, m1) - Math.LN2;
      if (logHalf < Math.log(Number.MAX_VALUE) - 1e-6) {
        expect(Math.abs(-samples[i] / Math.exp(logHalf) - 1), `${x}: ${samples[i]}`).toBeLessThan(1e-10);
      } else if (logHalf > Math.log(Number.MAX_VALUE) + 1e-6) {
        expect(samples[i], `${x}`).toBe(-Infinity);
      }
    });
    expect(gm.score(rows)).toBe(-Infinity);
    // A far row does not disturb the other rows of its block.
    const mixed = gm.predictProba([X[0], [1e160, 0], X[5]]);
    expect(Array.from(mixed.data.subarray(0, 2))).toEqual(Array.from(gm.predictProba([X[0]]).data));
    expect(Array.from(mixed.data.subarray(4, 6))).toEqual(Array.from(gm.predictProba([X[5]]).data));
  });

  it.each(TYPES)('a model of data scaled by 1e-150 and a row of 1e5 (%s)', (covarianceType) => {
    const tiny = X.map((r) => r.map((v) => v * 1e-150));
    const gm = new GaussianMixture({ nComponents: 2, covarianceType, seed: 1, regCovar: 0, backend }).fit(tiny);
    const proba = gm.predictProba([[1e5, 0], [0, 1e5]]);
    expect(Array.from(proba.data).every((v) => v >= 0 && v <= 1)).toBe(true);
    expect(proba.data[0] + proba.data[1]).toBeCloseTo(1, 12);
    expect(gm.predict([[1e5, 0]])[0]).toBe(proba.data[0] >= proba.data[1] ? 0 : 1);
  });

  it('a tied model: the component nearest by its linear gap wins, although the distances agree to rounding', () => {
    // With one covariance Σ, δ²_c − δ²_r = −2 (μ_c − μ_r)ᵀ Σ⁻¹ x + const: for x = t·v with t → ∞ the nearest component
    // maximises μ_cᵀ Σ⁻¹ v, and the gap (about t) decides the posterior outright, while δ² (about t²) agree to 1e-160.
    const gm = new GaussianMixture({ nComponents: 2, covarianceType: 'tied', seed: 1, backend }).fit(X);
    const [[a, b], [, d]] = gm.covarianceMatrix(0);
    const det = a * d - b * b;
    const linear = (c: number, v: number[]): number => {
      const [m0, m1] = gm.means[c];
      return (m0 * (d * v[0] - b * v[1]) + m1 * (a * v[1] - b * v[0])) / det;
    };
    for (const [t, v] of [[1e160, [1, 0]], [1e160, [0, 1]], [1e200, [-1, 0.5]], [1e300, [0.3, -1]], [1e170, [1, -1]]] as const) {
      const x = [t * v[0], t * v[1]];
      const expected = linear(0, [...v]) > linear(1, [...v]) ? 0 : 1;
      const p = Array.from(gm.predictProba([x]).data);
      expect(gm.predict([x])[0], `${x}`).toBe(expected);
      expect(p[expected], `${x}: ${p}`).toBe(1);
      expect(p[1 - expected]).toBe(0);
    }
  });

  it('a far row with a missing entry uses the observed one', () => {
    const gm = new GaussianMixture({ nComponents: 2, seed: 1, backend }).fit(X);
    const proba = gm.predictProba([[1e160, NaN], [NaN, -1e200]]);
    expect(Array.from(proba.data).every((v) => v >= 0 && v <= 1)).toBe(true);
    expect(proba.data[0] + proba.data[1]).toBeCloseTo(1, 12);
    expect(proba.data[2] + proba.data[3]).toBeCloseTo(1, 12);
    // On one coordinate the distance is (x − μ_c)² / Σ_c,jj.
    const cov = [gm.covarianceMatrix(0), gm.covarianceMatrix(1)];
    const nearer = (j: number) => (cov[0][j][j] > cov[1][j][j] ? 0 : 1);
    expect(gm.predict([[1e160, NaN]])[0]).toBe(nearer(0));
    expect(gm.predict([[NaN, -1e200]])[0]).toBe(nearer(1));
  });
});

describe('repairFarRows recomputes what the kernels compute, where both are finite', () => {
  it.each(TYPES)('%s, complete and incomplete rows', (covarianceType) => {
    const gm = new GaussianMixture({ nComponents: 2, covarianceType, seed: 1, backend: 'js' }).fit(X);
    const params = toKernelParams((gm as unknown as { params: Parameters<typeof toKernelParams>[0] }).params);
    const rows = new Float64Array([3, -2, 40, 7, NaN, 5, 8, NaN]);
    const n = 4;
    const want = new Float64Array(n * 2);
    const bound = new MissingBound(jsBackend, rows, n, 2, null);
    bound.setParams(params);
    bound.logProb(0, n, want);
    bound.dispose();
    const lp = new Float64Array(n * 2).fill(-Infinity);
    const offset = repairFarRows(rows, 2, 0, n, params, lp)!;
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < 2; c++) {
        const got = offset[i] + lp[i * 2 + c];
        expect(Math.abs(got - want[i * 2 + c]), `row ${i}, component ${c}`).toBeLessThan(1e-10 * Math.max(1, Math.abs(want[i * 2 + c])));
      }
    }
  });
});
