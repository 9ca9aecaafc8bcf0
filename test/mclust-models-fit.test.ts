// mclust's fourteen covariance models as GaussianMixture's covarianceType (test/fixtures/mclust-models, see
// PROVENANCE.md there): from the z that mclust's me() was given (init.responsibilities), a fit runs mclust's EM, so
// its parameters, log-likelihood and BIC equal mclust 6's, plain and with priorControl(), on both backends. Then the
// rest of the library for every model: aliases, float32, fitAsync, fitStream, missing values, model files, errors.
import { describe, expect, it, onTestFinished } from 'vitest';
import {
  DegenerateComponentError, GaussianHMM, GaussianMixture, InputError, MCLUST_MODELS, type CovarianceType,
} from '../src/index.js';
import { covarianceMatrixOf, exactMStep, type GaussianParams } from '../src/families/gaussian.js';
import { setWorkerScript } from '../src/parallel/platform.js';
import { data, fixture, flat, INNER_TOL, rel, type Case } from './helpers/mclust-models-fixture.js';

const paramsOf = (gm: GaussianMixture): GaussianParams => (gm as unknown as { params: GaussianParams }).params;

const RUNS = ['me', 'short', 'mePrior', 'shortPrior'] as const;

function rowsOf(name: string): number[][] {
  const { X, n, d } = data[name]!;
  return Array.from({ length: n }, (_, i) => Array.from(X.subarray(i * d, (i + 1) * d)));
}

function unmap(c: Case): number[][] {
  return c.class.map((l) => Array.from({ length: c.G }, (_, g) => (g === l - 1 ? 1 : 0)));
}

function sigmas(p: GaussianParams): Float64Array {
  const out = new Float64Array(p.k * p.d * p.d);
  for (let c = 0; c < p.k; c++) out.set(covarianceMatrixOf(p, c), c * p.d * p.d);
  return out;
}

/**
 * mclust's me() from z with `iterations` M-steps is the start's M-step and `iterations − 1` EM iterations; its tol is
 * replaced by that count, and the inner tolerance is the fixture's.
 */
function fromZ(c: Case, run: (typeof RUNS)[number], backend: 'js' | 'wasm', maxIter: number): GaussianMixture {
  return new GaussianMixture({
    nComponents: c.G, covarianceType: c.model, init: { responsibilities: unmap(c) }, maxIter, tol: 0, regCovar: 0,
    innerTol: INNER_TOL, backend, ...(run.endsWith('Prior') ? { prior: 'default' } : {}),
  });
}

describe.each(['js', 'wasm'] as const)('GaussianMixture equals mclust me() from the same z (%s)', (backend) => {
  for (const c of fixture.cases) {
    for (const run of RUNS) {
      const want = c[run];
      if (want === undefined) continue;
      it(`${c.data} ${c.model} G=${c.G} ${run}`, () => {
        const X = rowsOf(c.data);
        if (want.failed) {
          const warnings: string[] = [];
          expect(() => fromZ(c, run, backend, 1000).fit(X, { onWarning: (m) => warnings.push(m) }))
            .toThrow(DegenerateComponentError);
          return;
        }
        const gm = fromZ(c, run, backend, Math.abs(want.iterations!) - 1).fit(X);
        const p = paramsOf(gm);
        expect(rel(p.weights, flat(want.pro)), 'weights').toBeLessThanOrEqual(1e-10);
        expect(rel(p.means, flat(want.mean)), 'means').toBeLessThanOrEqual(1e-10);
        expect(rel(sigmas(p), flat(want.sigma)), 'covariances').toBeLessThanOrEqual(1e-10);
        const { n } = data[c.data]!;
        const loglik = gm.score(X) * n;
        expect(Math.abs(loglik - want.loglik!) / Math.abs(want.loglik!), 'log-likelihood').toBeLessThanOrEqual(1e-10);
        // mclust's BIC is 2 loglik − npar log n, ours its negative.
        expect(Math.abs(-gm.bic(X) - want.bic!) / Math.abs(want.bic!), 'BIC').toBeLessThanOrEqual(1e-10);
        expect(gm.nParameters).toBe(c.npar);
      });
    }
  }
});

describe('every model through the rest of the library', () => {
  const faithful = rowsOf('faithful');
  const gen3 = rowsOf('gen3');
  const seedStart = (model: CovarianceType, k: number, extra: object = {}) => new GaussianMixture({
    nComponents: k, covarianceType: model, seed: 3, maxIter: 200, tol: 1e-8, ...extra,
  });

  it("scikit-learn's names fit mclust's models to the bit", () => {
    const pairs: [CovarianceType, CovarianceType][] = [['full', 'VVV'], ['tied', 'EEE'], ['diag', 'VVI'], ['spherical', 'VII']];
    for (const [alias, model] of pairs) {
      const a = seedStart(alias, 3).fit(gen3);
      const b = seedStart(model, 3).fit(gen3);
      expect(Array.from(paramsOf(b).covariances)).toEqual(Array.from(paramsOf(a).covariances));
      expect(b.lowerBound).toBe(a.lowerBound);
      expect(b.covarianceType).toBe(model);
    }
  });

  /**
   * EM never lowers its objective where the M-step maximizes it (`exactMStep`). Where mclust's M-step does not (its
   * VVE step, several of its MAP steps), the fit equals mclust's (above), a dip is not warned of, and it stays small:
   * below 0.01 per row (measured up to 3e-3; a broken orientation update had lost 2.4).
   */
  function checkClimbs(history: number[], warnings: string[], exact: boolean, slack: number): void {
    expect(history.length).toBeGreaterThan(1);
    const bound = exact ? slack : 1e-2;
    for (let t = 1; t < history.length; t++) expect(history[t]! - history[t - 1]!).toBeGreaterThan(-bound);
    expect(warnings.filter((m) => /decreased/.test(m))).toEqual([]);
  }

  it.each([...MCLUST_MODELS])('%s: the log-likelihood climbs and the structure holds', (model) => {
    const history: number[] = [];
    const warnings: string[] = [];
    const gm = seedStart(model, 3).fit(gen3, { onIteration: (i) => history.push(i.logLikelihood), onWarning: (m) => warnings.push(m) });
    checkClimbs(history, warnings, exactMStep(model, false), 1e-9);
    const p = paramsOf(gm);
    const d = 3;
    const dets = Array.from({ length: 3 }, (_, c) => -2 * p.logDetPrecChol[c]!);
    // Equal volumes: equal determinants; the spherical and diagonal models have no off-diagonal entries.
    if (model[0] === 'E') for (const v of dets) expect(Math.abs(v - dets[0]!)).toBeLessThan(1e-9 * Math.abs(dets[0]!) + 1e-12);
    if (model[2] === 'I') {
      for (let c = 0; c < 3; c++) {
        const S = covarianceMatrixOf(p, c);
        for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) if (a !== b) expect(S[a * d + b]).toBe(0);
        if (model[1] === 'I') expect(S[0]).toBe(S[4]);
      }
    }
  });

  it.each([...MCLUST_MODELS])('%s: float32, fitAsync, fitStream and the model file agree with fit', async (model) => {
    // The workers only accumulate statistics: the built worker (npm run build) serves this module's M-step.
    setWorkerScript(new URL('../dist/worker.js', import.meta.url));
    onTestFinished(() => setWorkerScript(null));
    const gm = seedStart(model, 2).fit(faithful);
    const json = JSON.stringify(gm.toJSON());
    expect(JSON.stringify((await seedStart(model, 2).fitAsync(faithful, { workers: 2 })).toJSON())).toBe(json);
    const loaded = GaussianMixture.fromJSON(JSON.parse(json));
    expect(loaded.covarianceType).toBe(model);
    expect(loaded.score(faithful)).toBe(gm.score(faithful));
    expect(Array.from(loaded.predict(faithful))).toEqual(Array.from(gm.predict(faithful)));
    // A streamed fit runs the same EM from the same given start (its hierarchical start samples alike only in memory).
    const init = { means: gm.means, weights: gm.weights, covariances: gm.covariances };
    const a = seedStart(model, 2, { init, maxIter: 20 }).fit(faithful);
    const b = await seedStart(model, 2, { init, maxIter: 20 }).fitStream(async function* () { yield faithful; });
    expect(JSON.stringify(b.toJSON())).toBe(JSON.stringify(a.toJSON()));
    const f32 = seedStart(model, 2, { dtype: 'float32' }).fit(faithful);
    expect(rel(paramsOf(f32).means, paramsOf(gm).means)).toBeLessThan(1e-4);
    expect(Math.abs(f32.score(faithful) - gm.score(faithful))).toBeLessThan(1e-5 * Math.abs(gm.score(faithful)));
  });

  it.each([...MCLUST_MODELS])('%s: missing entries fit, and the observed log-likelihood never decreases', (model) => {
    const X = gen3.map((r, i) => r.map((v, j) => ((i * 7 + j * 3) % 11 === 0 ? NaN : v)));
    const history: number[] = [];
    const warnings: string[] = [];
    const gm = seedStart(model, 3).fit(X, { onIteration: (i) => history.push(i.logLikelihood), onWarning: (m) => warnings.push(m) });
    checkClimbs(history, warnings, exactMStep(model, false), 1e-9);
    expect(Number.isFinite(gm.score(X))).toBe(true);
    const imputed = gm.impute(X) as number[][];
    expect(imputed.flat().every(Number.isFinite)).toBe(true);
  });

  it.each([...MCLUST_MODELS])('%s: with the prior the log posterior climbs', (model) => {
    const history: number[] = [];
    const warnings: string[] = [];
    seedStart(model, 3, { prior: 'default' }).fit(gen3, { onIteration: (i) => history.push(i.logLikelihood), onWarning: (m) => warnings.push(m) });
    // The inner iterations stop at a relative change of √ε, which bounds how exactly an M-step maximizes.
    checkClimbs(history, warnings, exactMStep(model, true), 1e-7);
  });

  it('an M-step stopped by innerMaxIter is a warning', () => {
    const warnings: string[] = [];
    seedStart('EVE', 3, { innerMaxIter: 1, innerTol: 0 }).fit(gen3, { onWarning: (m) => warnings.push(m) });
    expect(warnings.filter((m) => /EVE M-step stopped at innerMaxIter = 1/.test(m))).toHaveLength(1);
  });

  it('bad models and starts are InputErrors naming the option', () => {
    expect(() => new GaussianMixture({ covarianceType: 'VVX' as CovarianceType })).toThrow(/options\.covarianceType.*EII/s);
    const c = fixture.cases.find((x) => x.data === 'faithful' && x.G === 2)!;
    const z = unmap(c);
    expect(() => new GaussianMixture({ nComponents: 2, init: { responsibilities: z.slice(1) } }).fit(faithful))
      .toThrow(/options\.init\.responsibilities/);
    expect(() => new GaussianMixture({ nComponents: 2, init: { responsibilities: z.map(() => [0, 0]) } }).fit(faithful))
      .toThrow(/options\.init\.responsibilities\[0\]/);
    expect(() => new GaussianMixture({ nComponents: 2, init: { responsibilities: z.map(() => [1, 0]) } }).fit(faithful))
      .toThrow(/no weight for component 1/);
    expect(() => new GaussianMixture({ nComponents: 2, init: { responsibilities: z, means: [[1, 2], [3, 4]] } }))
      .toThrow(InputError);
    return expect(new GaussianMixture({ nComponents: 2, init: { responsibilities: z } })
      .fitStream(async function* () { yield faithful; })).rejects.toThrow(/options\.init\.responsibilities/);
  });

  it('zero-weight rows drop their responsibilities too', () => {
    const c = fixture.cases.find((x) => x.data === 'faithful' && x.G === 2 && x.model === 'VEV')!;
    const z = unmap(c);
    const w = faithful.map((_, i) => (i % 5 === 0 ? 0 : 1));
    const a = new GaussianMixture({ nComponents: 2, covarianceType: 'VEV', init: { responsibilities: z }, maxIter: 5 })
      .fit(faithful, { sampleWeight: w });
    const keep = faithful.filter((_, i) => i % 5 !== 0);
    const b = new GaussianMixture({ nComponents: 2, covarianceType: 'VEV',
      init: { responsibilities: z.filter((_, i) => i % 5 !== 0) }, maxIter: 5 }).fit(keep);
    expect(rel(paramsOf(a).means, paramsOf(b).means)).toBeLessThan(1e-12);
  });
});

describe("mclust's models as GaussianHMM emissions", () => {
  const gen3 = rowsOf('gen3');
  it.each([...MCLUST_MODELS])('%s: Baum–Welch climbs, and the model file keeps the type', (model) => {
    const hmm = new GaussianHMM({ nStates: 3, covarianceType: model, nIter: 30, tol: 1e-9, seed: 2 });
    const history: number[] = [];
    hmm.fit(gen3, { onIteration: (i) => history.push(i.logLikelihood) });
    expect(history.length).toBeGreaterThan(1);
    // minCovar (1e-3, hmmlearn's) floors each M-step, which then maximizes the likelihood only up to that floor.
    if (exactMStep(model, false)) {
      for (let t = 1; t < history.length; t++) expect(history[t]! - history[t - 1]!).toBeGreaterThan(-1e-8 * Math.abs(history[t]!));
    }
    const loaded = GaussianHMM.fromJSON(JSON.parse(JSON.stringify(hmm.toJSON())));
    expect(loaded.covarianceType).toBe(model);
    expect(loaded.score(gen3)).toBe(hmm.score(gen3));
  });
});
