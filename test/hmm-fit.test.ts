/**
 * Fitting hidden Markov models on both backends: parameter recovery from sampled sequences, the log-likelihood never
 * decreasing (fast-check), the two backends agreeing, outliers and empty states, fitAsync and abort, sampling,
 * BIC/AIC, JSON round trips and typed input errors raised before any kernel runs.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { wasmBackend } from '../src/backend/wasm/index.js';
import { AbortError, CategoricalHMM, DegenerateComponentError, GaussianHMM, InputError } from '../src/index.js';
import { expectAllRelClose, expectRelClose } from './helpers/close.js';

const BACKENDS = ['js', 'wasm'] as const;

/** The permutation of 0…K−1 minimizing Σ_k cost(k, perm[k]). */
function bestPermutation(K: number, cost: (a: number, b: number) => number): number[] {
  let best: number[] = [];
  let bestCost = Infinity;
  const walk = (prefix: number[]): void => {
    if (prefix.length === K) {
      const c = prefix.reduce((a, b, i) => a + cost(i, b), 0);
      if (c < bestCost) [bestCost, best] = [c, prefix.slice()];
      return;
    }
    for (let j = 0; j < K; j++) if (!prefix.includes(j)) walk([...prefix, j]);
  };
  walk([]);
  return best;
}

const TRUE_GAUSSIAN = {
  nStates: 3, covarianceType: 'full' as const, startProb: [0.6, 0.3, 0.1],
  transMat: [[0.90, 0.07, 0.03], [0.05, 0.90, 0.05], [0.10, 0.10, 0.80]],
  means: [[0, 0], [4, 1], [-2, 5]],
  covariances: [[[1, 0.3], [0.3, 0.8]], [[0.6, -0.2], [-0.2, 1.2]], [[1.5, 0], [0, 0.5]]],
  learn: '',
};

const TRUE_CATEGORICAL = {
  nStates: 2, startProb: [0.7, 0.3], transMat: [[0.9, 0.1], [0.2, 0.8]],
  emissionProb: [[0.7, 0.2, 0.1], [0.1, 0.2, 0.7]], learn: '',
};

/** `count` sequences of `length` from a model (fitted on a dummy so that sample can run), seeds 1…count. */
function gaussianSequences(count: number, length: number): { X: number[][][]; states: number[][] } {
  const truth = new GaussianHMM(TRUE_GAUSSIAN).fit([[[0, 0]]]);
  const X: number[][][] = [];
  const states: number[][] = [];
  for (let s = 0; s < count; s++) {
    const { X: m, states: z } = truth.sample(length, { seed: s + 1 });
    X.push(Array.from({ length }, (_, t) => [m.data[2 * t]!, m.data[2 * t + 1]!]));
    states.push(Array.from(z));
  }
  return { X, states };
}

function categoricalSequences(count: number, length: number): number[][] {
  const truth = new CategoricalHMM(TRUE_CATEGORICAL).fit([[0, 1, 2]]);
  return Array.from({ length: count }, (_, s) => Array.from(truth.sample(length, { seed: 100 + s }).X));
}

for (const backend of BACKENDS) {
  describe(`fitting hidden Markov models, ${backend} backend`, () => {
    it('recovers a 3-state Gaussian HMM from 20 sequences of 500 (states matched up to relabelling)', () => {
      const { X } = gaussianSequences(20, 500);
      const hmm = new GaussianHMM({ nStates: 3, covarianceType: 'full', seed: 3, nInit: 2, maxIter: 200, tol: 1e-4, backend })
        .fit(X);
      expect(hmm.converged).toBe(true);
      const perm = bestPermutation(3, (a, b) => (TRUE_GAUSSIAN.means[a]![0]! - hmm.means[b]![0]!) ** 2 +
        (TRUE_GAUSSIAN.means[a]![1]! - hmm.means[b]![1]!) ** 2);
      // 10 000 observations, ≥ 1500 per state: standard errors ≈ 0.03 for the means and covariance entries and
      // ≈ 0.01 for the transition probabilities; the tolerances are about 4 of them.
      const cov = hmm.covariances as Float64Array[][];
      for (let a = 0; a < 3; a++) {
        const b = perm[a]!;
        for (let j = 0; j < 2; j++) expect(Math.abs(hmm.means[b]![j]! - TRUE_GAUSSIAN.means[a]![j]!), `mean ${a},${j}`).toBeLessThan(0.12);
        for (let i = 0; i < 2; i++) {
          for (let j = 0; j < 2; j++) {
            expect(Math.abs(cov[b]![i]![j]! - TRUE_GAUSSIAN.covariances[a]![i]![j]!), `cov ${a},${i},${j}`).toBeLessThan(0.15);
          }
        }
        for (let c = 0; c < 3; c++) {
          expect(Math.abs(hmm.transMat[b]![perm[c]!]! - TRUE_GAUSSIAN.transMat[a]![c]!), `A ${a},${c}`).toBeLessThan(0.04);
        }
      }
    });

    it('recovers a 2-state categorical HMM from 50 sequences of 200', () => {
      const X = categoricalSequences(50, 200);
      const hmm = new CategoricalHMM({ nStates: 2, seed: 1, nInit: 3, maxIter: 500, tol: 1e-6, backend }).fit(X);
      const B = hmm.emissionProb;
      const perm = bestPermutation(2, (a, b) => Math.abs(B[b]![0]! - TRUE_CATEGORICAL.emissionProb[a]![0]!));
      // 10 000 symbols: standard errors ≈ 0.01–0.02 (the states are inferred, not seen); tolerance 0.06.
      for (let a = 0; a < 2; a++) {
        for (let m = 0; m < 3; m++) {
          expect(Math.abs(B[perm[a]!]![m]! - TRUE_CATEGORICAL.emissionProb[a]![m]!), `B ${a},${m}`).toBeLessThan(0.06);
        }
        for (let c = 0; c < 2; c++) {
          expect(Math.abs(hmm.transMat[perm[a]!]![perm[c]!]! - TRUE_CATEGORICAL.transMat[a]![c]!), `A ${a},${c}`).toBeLessThan(0.06);
        }
      }
    });

    it('the log-likelihood never decreases (fast-check, small random sequences)', () => {
      const seq = (min: number) => fc.array(fc.integer({ min: -300, max: 300 }).map((v) => [v / 100]), { minLength: min, maxLength: 12 });
      fc.assert(fc.property(fc.array(seq(2), { minLength: 1, maxLength: 4 }), fc.integer({ min: 2, max: 3 }),
        fc.constantFrom('full', 'diag', 'spherical', 'tied'), (X, K, covarianceType) => {
          const distinct = new Set(X.flat().map((r) => r[0])).size;
          fc.pre(distinct >= K);
          // minCovar 0: the M-step is then the exact maximizer (a floor added to the covariances is not, and can
          // lower the likelihood by ~1e-9 near convergence). A fit whose covariance collapses onto a point is skipped.
          let hmm: GaussianHMM;
          try {
            hmm = new GaussianHMM({ nStates: K, covarianceType, seed: 7, maxIter: 25, tol: 0, minCovar: 0, backend }).fit(X);
          } catch (e) {
            if (e instanceof DegenerateComponentError) return;
            throw e;
          }
          const h = hmm.logLikelihoodHistory;
          for (let i = 1; i < h.length; i++) expect(h[i]! - h[i - 1]!, `iteration ${i + 1}`).toBeGreaterThanOrEqual(-1e-9 * Math.max(1, Math.abs(h[i]!)));
          expect(h.every(Number.isFinite)).toBe(true);
        }), { seed: 42, numRuns: 40 });
      fc.assert(fc.property(fc.array(fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 10 }), { minLength: 1, maxLength: 4 }),
        (X) => {
          const hmm = new CategoricalHMM({ nStates: 3, seed: 5, maxIter: 25, tol: 0, backend }).fit(X);
          const h = hmm.logLikelihoodHistory;
          for (let i = 1; i < h.length; i++) expect(h[i]! - h[i - 1]!).toBeGreaterThanOrEqual(-1e-9 * Math.max(1, Math.abs(h[i]!)));
        }), { seed: 43, numRuns: 40 });
    });

    it('long sequences with outliers: finite parameters and scores', () => {
      const { X } = gaussianSequences(1, 20_000);
      const seq = X[0]!;
      for (let t = 1000; t < seq.length; t += 2500) seq[t] = [1e6 * (t % 2 ? 1 : -1), -3e5];
      for (const covarianceType of ['full', 'diag', 'spherical', 'tied'] as const) {
        const hmm = new GaussianHMM({ nStates: 3, covarianceType, seed: 2, maxIter: 30, backend }).fit([seq]);
        expect(Number.isFinite(hmm.logLikelihood)).toBe(true);
        expect([hmm.toJSON().means, hmm.toJSON().covariances, hmm.toJSON().transMat].flat(3).every(Number.isFinite), covarianceType).toBe(true);
        expect(Number.isFinite(hmm.score([seq]))).toBe(true);
        expect(hmm.predict([seq]).length).toBe(seq.length);
      }
    });

    it('a state that receives no posterior mass keeps its parameters and is reported', () => {
      const { X } = gaussianSequences(3, 300);
      const warnings: string[] = [];
      const start = { nStates: 4, covarianceType: 'diag' as const, means: [[0, 0], [4, 1], [-2, 5], [1e3, 1e3]],
        covariances: [[1, 1], [1, 1], [1, 1], [1, 1]] };
      const hmm = new GaussianHMM({ ...start, seed: 1, maxIter: 5, backend }).fit(X, { onWarning: (m) => warnings.push(m) });
      expect(hmm.emptyStates).toEqual([3]);
      expect(Array.from(hmm.means[3]!)).toEqual([1e3, 1e3]);
      expect(Array.from((hmm.covariances as Float64Array[])[3]!)).toEqual([1, 1]);
      expect(Array.from(hmm.transMat[3]!)).toEqual([0.25, 0.25, 0.25, 0.25]);
      expect(warnings.some((w) => /state 3 received no posterior mass/.test(w)), warnings.join('\n')).toBe(true);
      expect([hmm.toJSON().means, hmm.toJSON().covariances].flat(3).every(Number.isFinite)).toBe(true);
      // The categorical model: a state whose emissions rule out every symbol seen.
      const cat = new CategoricalHMM({ nStates: 2, emissionProb: [[0.5, 0.5, 0], [0, 0, 1]], seed: 1, maxIter: 3, backend })
        .fit([[0, 1, 0, 1, 1]], { onWarning: () => undefined });
      expect(cat.emptyStates).toEqual([1]);
      expect(Array.from(cat.emissionProb[1]!)).toEqual([0, 0, 1]);
    });

    it('fitAsync gives fit\'s model; an aborted fitAsync rejects with AbortError and leaves the model unchanged', async () => {
      const { X } = gaussianSequences(4, 200);
      const opts = { nStates: 3, seed: 4, maxIter: 20, backend } as const;
      const a = new GaussianHMM(opts).fit(X);
      const b = await new GaussianHMM(opts).fitAsync(X);
      expect(b.toJSON()).toEqual(a.toJSON());
      const controller = new AbortController();
      controller.abort();
      const c = new GaussianHMM(opts);
      await expect(c.fitAsync(X, { signal: controller.signal })).rejects.toBeInstanceOf(AbortError);
      expect(c.isFitted).toBe(false);
    });

    it('sample, nParameters, BIC and AIC', () => {
      const truth = new GaussianHMM(TRUE_GAUSSIAN).fit([[[0, 0]]]);
      const s = truth.sample(50, { seed: 9 });
      expect(s.X.rows).toBe(50);
      expect(s.X.cols).toBe(2);
      expect(Array.from(s.states).every((z) => z >= 0 && z < 3)).toBe(true);
      expect(Array.from(truth.sample(50, { seed: 9 }).X.data)).toEqual(Array.from(s.X.data));
      const X = [Array.from({ length: 50 }, (_, t) => [s.X.data[2 * t]!, s.X.data[2 * t + 1]!])];
      const hmm = new GaussianHMM({ nStates: 3, covarianceType: 'full', seed: 1, backend }).fit(X);
      // start 2 + transitions 6 + means 6 + full covariances 3·3.
      expect(hmm.nParameters).toBe(2 + 6 + 6 + 9);
      expectRelClose(hmm.bic(X), -2 * hmm.score(X) + 23 * Math.log(50), 1e-15, 'bic');
      expectRelClose(hmm.aic(X), -2 * hmm.score(X) + 46, 1e-15, 'aic');
      const onlyMeans = new GaussianHMM({ nStates: 3, covarianceType: 'diag', seed: 1, learn: 'm', backend }).fit(X);
      expect(onlyMeans.nParameters).toBe(6);
      const cat = new CategoricalHMM({ nStates: 2, nSymbols: 4, seed: 1, backend }).fit([[0, 1, 3, 2, 2]]);
      expect(cat.nParameters).toBe(1 + 2 + 2 * 3);
      expect(Array.from(cat.sample(30, { seed: 1 }).X).every((x) => x >= 0 && x < 4)).toBe(true);
    });

    it('JSON round trip (object and text) gives the same model and predictions', () => {
      const { X } = gaussianSequences(2, 300);
      for (const covarianceType of ['full', 'tied', 'diag', 'spherical'] as const) {
        const hmm = new GaussianHMM({ nStates: 3, covarianceType, seed: 1, maxIter: 15, backend }).fit(X);
        const again = GaussianHMM.fromJSON(JSON.stringify(hmm.toJSON()), { backend });
        expect(again.toJSON()).toEqual(hmm.toJSON());
        expect(again.score(X)).toBe(hmm.score(X));
        expect(Array.from(again.predict(X))).toEqual(Array.from(hmm.predict(X)));
        expect(again.nParameters).toBe(hmm.nParameters);
      }
      const cat = new CategoricalHMM({ nStates: 2, seed: 1, backend }).fit(categoricalSequences(3, 50));
      const back = CategoricalHMM.fromJSON(cat.toJSON(), { backend });
      expect(back.toJSON()).toEqual(cat.toJSON());
      expect(back.score([0, 1, 2])).toBe(cat.score([0, 1, 2]));
    });
  });
}

describe('the two backends agree', () => {
  it('Gaussian (every covariance type) and categorical fits from the same seed', () => {
    const { X } = gaussianSequences(5, 200);
    for (const covarianceType of ['full', 'tied', 'diag', 'spherical'] as const) {
      const opts = { nStates: 3, covarianceType, seed: 8, maxIter: 50, tol: 1e-6 };
      const js = new GaussianHMM({ ...opts, backend: 'js' }).fit(X);
      const wasm = new GaussianHMM({ ...opts, backend: 'wasm' }).fit(X);
      expect(wasm.nIter, covarianceType).toBe(js.nIter);
      expectRelClose(wasm.logLikelihood, js.logLikelihood, 1e-10, `${covarianceType} log-likelihood`);
      const flat = (h: GaussianHMM) => [h.toJSON().means, h.toJSON().covariances, h.toJSON().transMat].flat(3) as number[];
      const a = flat(js);
      flat(wasm).forEach((v, i) => expect(Math.abs(v - a[i]!), `${covarianceType} [${i}]`).toBeLessThan(1e-8 * (1 + Math.abs(a[i]!))));
      expect(Array.from(wasm.predict(X))).toEqual(Array.from(js.predict(X)));
    }
    const S = categoricalSequences(5, 100);
    const cj = new CategoricalHMM({ nStates: 3, seed: 2, maxIter: 50, backend: 'js' }).fit(S);
    const cw = new CategoricalHMM({ nStates: 3, seed: 2, maxIter: 50, backend: 'wasm' }).fit(S);
    expectAllRelClose(cw.emissionProb.flatMap((r) => Array.from(r)), cj.emissionProb.flatMap((r) => Array.from(r)), 1e-9, 'B');
  });
});

describe('input errors are typed InputErrors naming the argument, before any kernel runs', () => {
  const proto = Object.getPrototypeOf(wasmBackend()) as { bind: () => unknown };
  afterEach(() => vi.restoreAllMocks());

  const cases: [string, () => unknown, string][] = [
    ['ragged sequence', () => new GaussianHMM({ nStates: 2, backend: 'wasm' }).fit([[[0, 1], [1, 2]], [[0, 1], [3]]]), 'X[1][1]'],
    ['wrong lengths sum', () => new GaussianHMM({ nStates: 2, backend: 'wasm' }).fit([[0], [1], [2]], { lengths: [1, 1] }), 'options.lengths'],
    ['zero length', () => new GaussianHMM({ nStates: 2, backend: 'wasm' }).fit([[0], [1], [2]], { lengths: [3, 0] }), 'options.lengths[1]'],
    ['lengths with a list', () => new GaussianHMM({ nStates: 2, backend: 'wasm' }).fit([[[0], [1]], [[2]]], { lengths: [3] }), 'options.lengths'],
    ['NaN', () => new GaussianHMM({ nStates: 2, backend: 'wasm' }).fit([[[0], [1]], [[2], [NaN]]]), 'X[1][1][0]'],
    ['NaN in a matrix', () => new GaussianHMM({ nStates: 2, backend: 'wasm' }).fit([[0], [NaN], [1]]), 'X[1][0]'],
    ['symbol out of range', () => new CategoricalHMM({ nStates: 2, nSymbols: 3, backend: 'wasm' }).fit([[0, 1], [2, 3]]), 'X[1][1]'],
    ['negative symbol', () => new CategoricalHMM({ nStates: 2, backend: 'wasm' }).fit([0, 1, -1]), 'X[2]'],
    ['fractional symbol', () => new CategoricalHMM({ nStates: 2, backend: 'wasm' }).fit([[0, 1.5]]), 'X[0][1]'],
    ['startProb not summing to 1', () => new GaussianHMM({ nStates: 2, startProb: [0.5, 0.4] }), 'options.startProb'],
    ['negative transition', () => new GaussianHMM({ nStates: 2, transMat: [[1.2, -0.2], [0.5, 0.5]] }), 'options.transMat[0][1]'],
    ['transition row sum', () => new CategoricalHMM({ nStates: 2, transMat: [[0.6, 0.6], [0.5, 0.5]] }), 'options.transMat[0]'],
    ['transMat shape', () => new CategoricalHMM({ nStates: 2, transMat: [[1]] }), 'options.transMat'],
    ['emissionProb row', () => new CategoricalHMM({ nStates: 2, emissionProb: [[0.5, 0.5], [0.9, 0.2]] }), 'options.emissionProb[1]'],
    ['bad prior', () => new CategoricalHMM({ nStates: 2, transMatPrior: 0 }), 'options.transMatPrior'],
    ['bad learn', () => new GaussianHMM({ nStates: 2, learn: 'sx' }), 'options.learn'],
    ['given and initialized', () => new GaussianHMM({ nStates: 2, startProb: [0.5, 0.5], init: 'stmc' }), 'options.init'],
    ['neither given nor initialized', () => new GaussianHMM({ nStates: 2, init: 'st' }), 'options.init'],
    ['too many states', () => new GaussianHMM({ nStates: 3, backend: 'wasm' }).fit([[[1], [1], [2]]]), 'options.nStates'],
    ['wrong features at predict', () => new GaussianHMM({ nStates: 1, backend: 'wasm', means: [[0]], covariances: [[1]] })
      .fit([[0], [1]]).predict([[0, 1]]), 'X'],
    ['unknown option', () => new CategoricalHMM({ nStates: 2, nComponents: 2 } as never), 'options.nComponents'],
  ];
  for (const [what, run, argument] of cases) {
    it(what, () => {
      const bind = vi.spyOn(proto, 'bind');
      let error: unknown;
      try {
        run();
      } catch (e) {
        error = e;
      }
      expect(error, what).toBeInstanceOf(InputError);
      expect((error as InputError).argument, (error as Error).message).toBe(argument);
      if (what !== 'wrong features at predict') expect(bind).not.toHaveBeenCalled();
    });
  }

  it('bad model files', () => {
    const good = new CategoricalHMM({ nStates: 2, seed: 1, backend: 'js' }).fit([[0, 1, 1, 0]]).toJSON();
    const bad: [Record<string, unknown>, string][] = [
      [{ format: 'wasm-em/gaussian-hmm' }, 'json.format'],
      [{ version: 2 }, 'json.version'],
      [{ nStates: 3 }, 'json.nStates'],
      [{ transMat: [[0.5, 0.6], [0.5, 0.5]] }, 'json.transMat[0]'],
      [{ emissionProb: [[1, 0], [0.5]] }, 'json.emissionProb[1]'],
      [{ emptyStates: [2] }, 'json.emptyStates[0]'],
      [{ learn: 'stm' }, 'json.learn'],
      [{ extra: 1 }, 'json.extra'],
    ];
    for (const [patch, argument] of bad) {
      expect(() => CategoricalHMM.fromJSON({ ...good, ...patch }), argument).toThrow(InputError);
      try {
        CategoricalHMM.fromJSON({ ...good, ...patch });
      } catch (e) {
        expect((e as InputError).argument).toBe(argument);
      }
    }
    const g = new GaussianHMM({ nStates: 2, covarianceType: 'full', seed: 1, backend: 'js' }).fit([[0, 1], [1, 0], [3, 3], [2, 4]]).toJSON();
    expect(() => GaussianHMM.fromJSON({ ...g, covariances: [[[1, 2], [2, 1]], [[1, 0], [0, 1]]] })).toThrow(/positive definite/);
    expect(() => GaussianHMM.fromJSON('{not json')).toThrow(InputError);
  });
});
