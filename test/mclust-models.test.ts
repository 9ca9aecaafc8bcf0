// mclust's fourteen covariance models (src/families/mclust-models.ts) against mclust 6 (test/fixtures/mclust-models,
// see PROVENANCE.md there): the M-step from the same z as mclust's mstep(), an EM loop written here (mclust's me()
// from the same z: M-step, E-step, stop when |Δ loglik| / (1 + |loglik|) ≤ tol) to convergence and for five
// iterations, BIC and parameter counts; plain and with priorControl()'s prior. The four models the library already
// had (VVV, EEE, VVI, VII) are checked against src/families/gaussian.ts's maximize too.
import { afterAll, describe, expect, it } from 'vitest';
import { componentStatsLength, statsLength } from '../src/backend/kernel.js';
import { DegenerateComponentError } from '../src/errors.js';
import { maximize, type CovarianceType } from '../src/families/gaussian.js';
import {
  MCLUST_ALIASES, MCLUST_MODELS, MCLUST_PRIOR_MODELS, mclustBic, mclustMStep, mclustParameterCount, mclustStatistics,
  resolveMclustModel, type MclustDecomposition, type MclustModel, type MclustMStepResult, type MclustPrior,
} from '../src/families/mclust-models.js';

import {
  INNER_TOL, TOL, data, fixture, flat, rel, type Case, type Fit,
} from './helpers/mclust-models-fixture.js';

/** Models whose MAP M-step is written (mclust-prior.ts). */
const MAP_DONE = new Set<MclustModel>(MCLUST_PRIOR_MODELS);

/** Largest difference of the axes (columns of each d×d block), each column's sign matched to mclust's first. */
function axesDifference(got: Float64Array, want: number[], d: number): number {
  expect(got.length).toBe(want.length);
  let worstDiff = 0;
  for (let off = 0; off < want.length; off += d * d) {
    for (let j = 0; j < d; j++) {
      let dot = 0;
      for (let a = 0; a < d; a++) dot += got[off + a * d + j]! * want[off + a * d + j]!;
      const sign = dot < 0 ? -1 : 1;
      for (let a = 0; a < d; a++) worstDiff = Math.max(worstDiff, Math.abs(sign * got[off + a * d + j]! - want[off + a * d + j]!));
    }
  }
  return worstDiff;
}

const worst = new Map<string, number>();
function record(key: string, value: number): number {
  worst.set(key, Math.max(worst.get(key) ?? 0, value));
  return value;
}

function unmap(cls: number[], G: number): Float64Array {
  const z = new Float64Array(cls.length * G);
  cls.forEach((c, i) => { z[i * G + c - 1] = 1; });
  return z;
}

function toPrior(c: Case): MclustPrior {
  const h = c.hyper!;
  return { shrinkage: h.shrinkage, mean: Float64Array.from(h.mean), dof: h.dof, scale: Float64Array.from(flat(h.scale)) };
}

/** The E-step: log-densities through the Cholesky factor of each covariance; returns loglik and writes z. */
function eStep(X: Float64Array, n: number, d: number, p: MclustMStepResult, z: Float64Array): number {
  const k = p.k;
  const L = new Float64Array(k * d * d);
  const logConst = new Float64Array(k);
  for (let c = 0; c < k; c++) {
    const o = c * d * d;
    let logDet = 0;
    for (let j = 0; j < d; j++) {
      let s = p.covariances[o + j * d + j]!;
      for (let m = 0; m < j; m++) s -= L[o + j * d + m]! ** 2;
      if (!(s > 0)) throw new DegenerateComponentError(c, 'E-step: not positive definite');
      L[o + j * d + j] = Math.sqrt(s);
      logDet += Math.log(s) / 2;
      for (let i = j + 1; i < d; i++) {
        let t = p.covariances[o + i * d + j]!;
        for (let m = 0; m < j; m++) t -= L[o + i * d + m]! * L[o + j * d + m]!;
        L[o + i * d + j] = t / L[o + j * d + j]!;
      }
    }
    logConst[c] = Math.log(p.weights[c]!) - (d / 2) * Math.log(2 * Math.PI) - logDet;
  }
  const y = new Float64Array(d);
  const lp = new Float64Array(k);
  let loglik = 0;
  for (let i = 0; i < n; i++) {
    let max = -Infinity;
    for (let c = 0; c < k; c++) {
      const o = c * d * d;
      let q = 0;
      for (let j = 0; j < d; j++) {
        let s = X[i * d + j]! - p.means[c * d + j]!;
        for (let m = 0; m < j; m++) s -= L[o + j * d + m]! * y[m]!;
        y[j] = s / L[o + j * d + j]!;
        q += y[j]! * y[j]!;
      }
      lp[c] = logConst[c]! - q / 2;
      max = Math.max(max, lp[c]!);
    }
    let s = 0;
    for (let c = 0; c < k; c++) s += Math.exp(lp[c]! - max);
    const lse = max + Math.log(s);
    loglik += lse;
    for (let c = 0; c < k; c++) z[i * k + c] = Math.exp(lp[c]! - lse);
  }
  return loglik;
}

/** mclust's me(): from z, M-step then E-step until the relative change of the log-likelihood is at most TOL. */
function me(c: Case, prior: MclustPrior | undefined, maxIterations: number) {
  const { X, n, d } = data[c.data]!;
  const z = unmap(c.class, c.G);
  let start: MclustDecomposition | undefined;
  let previous = Number.MAX_VALUE / 2;
  let loglik = Number.MAX_VALUE;
  let iterations = 0;
  let fit: MclustMStepResult;
  for (;;) {
    fit = mclustMStep(c.model, mclustStatistics(X, n, d, z, c.G), { tol: INNER_TOL, start, prior });
    start = fit.decomposition;
    loglik = eStep(X, n, d, fit, z);
    iterations++;
    const err = Math.abs(loglik - previous) / (1 + Math.abs(loglik));
    previous = loglik;
    if (!(err > TOL && iterations < maxIterations)) break;
  }
  return { fit, loglik, iterations };
}

function compareParams(key: string, got: MclustMStepResult, want: Fit, tol: number): void {
  const diffs = {
    pro: rel(got.weights, flat(want.pro)),
    mean: rel(got.means, flat(want.mean)),
    sigma: rel(got.covariances, flat(want.sigma)),
  };
  const scale = want.scale !== undefined && got.decomposition.scale ? rel(got.decomposition.scale, flat(want.scale)) : 0;
  const shape = want.shape !== undefined && got.decomposition.shape ? rel(got.decomposition.shape, flat(want.shape)) : 0;
  const orientation = want.orientation !== undefined && got.decomposition.orientation
    ? axesDifference(got.decomposition.orientation, flat(want.orientation), got.d) : 0;
  const all = Math.max(diffs.pro, diffs.mean, diffs.sigma, scale, shape, orientation);
  record(key, all);
  record(`${key} orientation`, orientation);
  expect(all, `${key}: ${JSON.stringify({ ...diffs, scale, shape, orientation })}`).toBeLessThanOrEqual(tol);
}

function checkFit(label: string, c: Case, want: Fit, prior: MclustPrior | undefined, maxIterations: number): void {
  if (want.failed) {
    expect(() => me(c, prior, maxIterations), `${label}: mclust returned NA`).toThrow(DegenerateComponentError);
    return;
  }
  const r = me(c, prior, maxIterations);
  const key = `${c.model} ${label}`;
  compareParams(key, r.fit, want, 1e-8);
  const dl = Math.abs(r.loglik - want.loglik!) / Math.abs(want.loglik!);
  record(`${c.model} ${label} loglik`, dl);
  expect(dl, `${key} loglik ${r.loglik} vs ${want.loglik}`).toBeLessThanOrEqual(1e-8);
  // mclust reports −iterations when the cap stopped EM
  expect(r.iterations, `${key} iterations`).toBe(Math.abs(want.iterations!));
  const { n, d } = data[c.data]!;
  expect(Math.abs(mclustBic(c.model, r.loglik, n, c.G, d) + want.bic!) / Math.abs(want.bic!)).toBeLessThanOrEqual(1e-8);
}

describe('mclust models: names and counts', () => {
  it('lists the fourteen models in mclust order, with the four aliases', () => {
    expect([...MCLUST_MODELS]).toEqual(fixture.models);
    expect(resolveMclustModel('full')).toBe('VVV');
    expect(Object.values(MCLUST_ALIASES)).toEqual(['VII', 'VVI', 'EEE', 'VVV']);
    expect(() => resolveMclustModel('XYZ')).toThrow(/EII/);
  });
  it('counts parameters as nMclustParams, with and without the weights', () => {
    for (const c of fixture.cases) {
      const { d } = data[c.data]!;
      expect(mclustParameterCount(c.model, c.G, d), `${c.model} d=${d} G=${c.G}`).toBe(c.npar);
      expect(mclustParameterCount(c.model, c.G, d, false)).toBe(c.nparNoWeights);
    }
  });
  it('refuses a prior where mclust does', () => {
    for (const c of fixture.cases.filter((x) => x.priorRefused !== undefined)) {
      expect(c.priorRefused).toMatch(/not available with prior/);
      expect(MCLUST_PRIOR_MODELS).not.toContain(c.model);
    }
    const refused = new Set(fixture.cases.filter((x) => x.priorRefused !== undefined).map((x) => x.model));
    expect([...refused].sort()).toEqual(['EVE', 'EVV', 'VEE', 'VVE']);
  });
});

for (const model of MCLUST_MODELS) {
  const cases = fixture.cases.filter((c) => c.model === model);
  describe(`mclust model ${model}`, () => {
    for (const c of cases) {
      const name = `${c.data} G=${c.G}`;
      it(`${name}: mstep from z equals mclust's mstep`, () => {
        const { X, n, d } = data[c.data]!;
        const stats = mclustStatistics(X, n, d, unmap(c.class, c.G), c.G);
        if (c.mstep.failed) {
          expect(() => mclustMStep(model, stats, { tol: INNER_TOL, routine: 'mstep' })).toThrow(DegenerateComponentError);
          return;
        }
        compareParams(`${model} mstep`, mclustMStep(model, stats, { tol: INNER_TOL, routine: 'mstep' }), c.mstep, 1e-10);
      });
      it(`${name}: EM from z equals mclust's me (converged and five iterations)`, () => {
        checkFit('me', c, c.me, undefined, Number.MAX_SAFE_INTEGER);
        checkFit('short', c, c.short, undefined, 5);
      });
      if (c.hyper && MAP_DONE.has(model)) {
        it(`${name}: with priorControl(), mstep and me equal mclust's`, () => {
          const prior = toPrior(c);
          const { X, n, d } = data[c.data]!;
          const stats = mclustStatistics(X, n, d, unmap(c.class, c.G), c.G);
          if (c.mstepPrior!.failed) {
            expect(() => mclustMStep(model, stats, { tol: INNER_TOL, prior, routine: 'mstep' })).toThrow(DegenerateComponentError);
          } else {
            compareParams(`${model} mstepPrior`, mclustMStep(model, stats, { tol: INNER_TOL, prior, routine: 'mstep' }), c.mstepPrior!, 1e-10);
          }
          checkFit('mePrior', c, c.mePrior!, prior, Number.MAX_SAFE_INTEGER);
          checkFit('shortPrior', c, c.shortPrior!, prior, 5);
        });
      }
    }
  });
}

describe('mclust models: singular statistics, refused priors, the inner cap', () => {
  // Component 1 holds two points in d = 3 (a rank-1 scatter); feature 2 is constant in the second data set.
  const X1 = Float64Array.from([0, 0, 0, 1, 2, 0, 2, 1, 1, 0, 1, 2, 1, 1, 1, 5, 5, 5, 6, 7, 5]);
  const X2 = Float64Array.from([0, 1, 3, 1, 1, 2, 2, 1, 0, 3, 1, 1, 5, 1, 4, 6, 1, 6]);
  const z1 = unmap([1, 1, 1, 1, 1, 2, 2], 2);
  const z2 = unmap([1, 1, 1, 2, 2, 2], 2);
  for (const model of MCLUST_MODELS) {
    it(`${model}: a typed error or finite positive definite estimates, never NaN`, () => {
      for (const [X, z, rows] of [[X1, z1, 7], [X2, z2, 6]] as const) {
        const stats = mclustStatistics(X, rows, 3, z, 2);
        let fit: MclustMStepResult | null = null;
        try {
          fit = mclustMStep(model, stats);
        } catch (e) {
          expect(e).toBeInstanceOf(DegenerateComponentError);
        }
        if (fit) for (const v of fit.covariances) expect(Number.isFinite(v)).toBe(true);
        // A rank-1 scatter and a constant feature leave no model with variable covariances and full axes fitted.
        if (model === 'VVV' || model === 'EVV') expect(fit).toBeNull();
        if (model === 'EII' || model === 'VII') expect(fit).not.toBeNull();
      }
    });
  }
  it('refuses a prior for EVE, VVE, VEE, EVV with an InputError', () => {
    const c = fixture.cases.find((x) => x.model === 'VVV' && x.data === 'iris' && x.G === 2)!;
    const { X, n, d } = data[c.data]!;
    const stats = mclustStatistics(X, n, d, unmap(c.class, c.G), c.G);
    for (const model of ['EVE', 'VVE', 'VEE', 'EVV'] as const) {
      expect(() => mclustMStep(model, stats, { prior: toPrior(c) })).toThrow(/prior/);
    }
  });
  it('stops the inner iterations at maxIterations (VEI may run one more, as mclust\'s msvei)', () => {
    const c = fixture.cases.find((x) => x.model === 'VVV' && x.data === 'gen5' && x.G === 3)!;
    const { X, n, d } = data[c.data]!;
    const stats = mclustStatistics(X, n, d, unmap(c.class, c.G), c.G);
    for (const model of ['VEI', 'VEV', 'VEE', 'EVE', 'VVE'] as const) {
      const fit = mclustMStep(model, stats, { tol: 0, maxIterations: 3 });
      expect(fit.inner!.iterations, model).toBe(model === 'VEI' ? 4 : 3);
    }
  });
});

describe('mclust models: the four the library had equal gaussian.ts maximize', () => {
  const types: [MclustModel, CovarianceType][] = [['VVV', 'full'], ['EEE', 'tied'], ['VVI', 'diag'], ['VII', 'spherical']];
  for (const [model, type] of types) {
    it(`${model} = ${type}`, () => {
      for (const c of fixture.cases.filter((x) => x.model === model)) {
        const { X, n, d } = data[c.data]!;
        const k = c.G;
        const s = mclustStatistics(X, n, d, unmap(c.class, k), k);
        const shape = type === 'full' || type === 'tied' ? 'full' : 'diag';
        const block = componentStatsLength(shape, d);
        const stats = new Float64Array(statsLength(shape, d, k));
        for (let comp = 0; comp < k; comp++) {
          const o = comp * block;
          stats[o] = s.n[comp]!;
          let p = o + 1 + d;
          for (let a = 0; a < d; a++) {
            if (shape === 'full') for (let b = a; b < d; b++) stats[p++] = s.scatter[comp * d * d + a * d + b]!;
            else stats[p++] = s.scatter[comp * d * d + a * d + a]!;
          }
        }
        const ref = maximize(type, k, d, stats, s.means, 0);
        const ours = mclustMStep(model, s);
        const cov = ours.covariances;
        let want: number[];
        if (type === 'full') want = Array.from(cov);
        else if (type === 'tied') want = Array.from(cov.subarray(0, d * d));
        else if (type === 'diag') want = Array.from({ length: k * d }, (_, i) => cov[Math.floor(i / d) * d * d + (i % d) * (d + 1)]!);
        else want = Array.from({ length: k }, (_, comp) => cov[comp * d * d]!);
        const r = record(`${model} vs maximize`, Math.max(rel(ref.covariances, want), rel(ref.weights, ours.weights), rel(ref.means, ours.means)));
        expect(r).toBeLessThanOrEqual(1e-13);
      }
    });
  }
});

afterAll(() => {
  const lines = [...worst.entries()].sort().map(([key, v]) => `${key.padEnd(32)} ${v.toExponential(2)}`);
  if (process.env.MCLUST_MODELS_REPORT) console.log(lines.join('\n'));
});
