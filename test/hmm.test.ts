/**
 * GaussianHMM and CategoricalHMM on both backends: the umbrella example's published posteriors, score / predictProba /
 * predict / decode against enumeration of every state path, the reduction to a Gaussian mixture when every
 * transition row equals the start distribution, and sequence boundaries in the Baum–Welch statistics.
 */
import { describe, expect, it } from 'vitest';
import { CategoricalHMM, GaussianHMM, GaussianMixture, type SklearnCovarianceType } from '../src/index.js';
import { enumerate, logNormalDiag } from './helpers/hmm-brute.js';
import { expectAllRelClose, expectRelClose } from './helpers/close.js';

const BACKENDS = ['js', 'wasm'] as const;
const TYPES: SklearnCovarianceType[] = ['full', 'tied', 'diag', 'spherical'];

/** The umbrella world (Russell & Norvig): state 0 rain, 1 no rain; symbol 0 umbrella, 1 none. */
const UMBRELLA = {
  nStates: 2, startProb: [0.5, 0.5], transMat: [[0.7, 0.3], [0.3, 0.7]], emissionProb: [[0.9, 0.1], [0.2, 0.8]],
};

for (const backend of BACKENDS) {
  describe(`hidden Markov models, ${backend} backend`, () => {
    it('umbrella example: smoothed posteriors 0.8673, 0.8204, 0.3075, 0.8204, 0.8673 and the brute-force likelihood', () => {
      const hmm = new CategoricalHMM({ ...UMBRELLA, backend, learn: '' }).fit([[0, 0, 1, 0, 0]]);
      const obs = [0, 0, 1, 0, 0];
      const rain = hmm.predictProba(obs);
      expect(rain.rows).toBe(5);
      const published = [0.8673, 0.8204, 0.3075, 0.8204, 0.8673];
      published.forEach((v, t) => expect(Math.abs(rain.data[t * 2] - v), `t=${t}`).toBeLessThan(5e-5));
      const brute = enumerate({
        start: UMBRELLA.startProb, trans: UMBRELLA.transMat,
        logB: obs.map((x) => UMBRELLA.emissionProb.map((r) => Math.log(r[x]!))),
      });
      expectRelClose(hmm.score(obs), brute.logLik, 1e-13, 'score');
      // Nothing learned: the parameters are the given ones.
      expect(Array.from(hmm.transMat[0]!)).toEqual([0.7, 0.3]);
    });

    it('categorical: score, predictProba, Viterbi and MAP decoding equal enumeration over several sequences', () => {
      const model = {
        nStates: 3, startProb: [0.5, 0.3, 0.2],
        transMat: [[0.6, 0.3, 0.1], [0.2, 0.5, 0.3], [0.25, 0.25, 0.5]],
        emissionProb: [[0.7, 0.2, 0.1, 0], [0.1, 0.6, 0.2, 0.1], [0.05, 0.05, 0.3, 0.6]],
      };
      const seqs = [[0, 1, 3, 3, 2], [2, 0], [1, 1, 1, 0, 3, 2]];
      const hmm = new CategoricalHMM({ ...model, backend, learn: '' }).fit(seqs);
      let total = 0;
      let viterbi = 0;
      const gamma: number[] = [];
      const path: number[] = [];
      const mapPath: number[] = [];
      for (const s of seqs) {
        const e = enumerate({ start: model.startProb, trans: model.transMat, logB: s.map((x) => model.emissionProb.map((r) => Math.log(r[x]!))) });
        total += e.logLik;
        viterbi += e.bestLogProb;
        gamma.push(...e.gamma.flat());
        path.push(...e.best);
        mapPath.push(...e.gamma.map((r) => r.indexOf(Math.max(...r))));
        expectRelClose(hmm.score(s), e.logLik, 1e-13, 'score of one sequence');
      }
      expectRelClose(hmm.score(seqs), total, 1e-13, 'score of all');
      const proba = hmm.predictProba(seqs);
      proba.data.forEach((v, i) => expect(Math.abs(v - gamma[i]!), `gamma[${i}]`).toBeLessThan(1e-13));
      expect(Array.from(hmm.predict(seqs))).toEqual(path);
      const dv = hmm.decode(seqs);
      expectRelClose(dv.logProb, viterbi, 1e-13, 'Viterbi log-probability');
      const dm = hmm.decode(seqs, { algorithm: 'map' });
      expect(Array.from(dm.states)).toEqual(mapPath);
      expectRelClose(dm.logProb, total, 1e-13, 'map logProb is log p(X)');
      // The flat form with lengths is the same input.
      expectRelClose(hmm.score(seqs.flat(), { lengths: seqs.map((s) => s.length) }), total, 1e-15, 'flat with lengths');
    });

    it('gaussian (diag, d=2): score, predictProba and Viterbi equal enumeration', () => {
      const means = [[0, 0], [2, 1], [-1, 3]];
      const variances = [[1, 0.5], [0.7, 1.2], [2, 0.3]];
      const start = [0.2, 0.5, 0.3];
      const trans = [[0.8, 0.1, 0.1], [0.2, 0.7, 0.1], [0.3, 0.3, 0.4]];
      const seqs = [[[0.1, 0.2], [1.9, 1.1], [1.2, 2.5], [-0.8, 2.9], [0.3, -0.4]], [[2, 2], [0, 1], [1, 1], [-1, 2]]];
      const hmm = new GaussianHMM({ nStates: 3, covarianceType: 'diag', startProb: start, transMat: trans, means,
        covariances: variances, backend, learn: '' }).fit(seqs);
      let total = 0;
      const gamma: number[] = [];
      const path: number[] = [];
      for (const s of seqs) {
        const e = enumerate({ start, trans, logB: s.map((x) => means.map((m, k) => logNormalDiag(x, m, variances[k]!))) });
        total += e.logLik;
        gamma.push(...e.gamma.flat());
        path.push(...e.best);
      }
      expectRelClose(hmm.score(seqs), total, 1e-12, 'score');
      hmm.predictProba(seqs).data.forEach((v, i) => expect(Math.abs(v - gamma[i]!), `gamma[${i}]`).toBeLessThan(1e-12));
      expect(Array.from(hmm.predict(seqs))).toEqual(path);
    });

    for (const covarianceType of TYPES) {
      it(`${covarianceType}: with every transition row equal to π, the HMM is the mixture with weights π`, () => {
        // Rows of A equal to π make z_1…z_T independent draws from π, so p(x) = Π_t Σ_k π_k N(x_t | μ_k, Σ_k): the
        // sequence log-likelihood is the mixture's summed over rows, and γ_t are the mixture's responsibilities.
        // Hence one Baum–Welch iteration that learns only the emissions ('mc') computes the γ-weighted means and
        // covariances that one EM iteration of the mixture computes from the same start (the mixture also updates
        // its weights, which the HMM keeps: that is why the comparison is per iteration, each restarted from the
        // mixture's previous parameters with π set to its weights).
        const gen = new GaussianHMM({ nStates: 3, covarianceType: 'full', startProb: [0.3, 0.3, 0.4],
          transMat: [[0.3, 0.3, 0.4], [0.3, 0.3, 0.4], [0.3, 0.3, 0.4]], means: [[0, 0], [3, 1], [-2, 3]],
          covariances: [[[1, 0.3], [0.3, 1]], [[0.5, 0], [0, 2]], [[1.5, -0.4], [-0.4, 0.8]]], learn: '' });
        gen.fit([[[0, 0]]]);
        const X = Array.from({ length: 400 }, () => [0, 0]);
        const sample = gen.sample(400, { seed: 5 }).X;
        for (let i = 0; i < 400; i++) X[i] = [sample.data[2 * i]!, sample.data[2 * i + 1]!];
        let gm = GaussianMixture.fromJSON({
          format: 'wasm-em/gaussian-mixture', version: 1, covarianceType, nFeatures: 2, nComponents: 3,
          weights: [0.2, 0.3, 0.5], means: [[0.5, 0.5], [2, 2], [-1, 2]],
          covariances: { full: [[[2, 0], [0, 2]], [[2, 0], [0, 2]], [[2, 0], [0, 2]]], tied: [[2, 0], [0, 2]],
            diag: [[2, 2], [2, 2], [2, 2]], spherical: [2, 2, 2] }[covarianceType], converged: false, nIter: 0, lowerBound: null,
        }, { backend });
        for (let step = 0; step < 4; step++) {
          const w = Array.from(gm.weights);
          const start = {
            nStates: 3, covarianceType, startProb: w, transMat: [w, w, w], means: gm.means.map((r) => Array.from(r)),
            covariances: JSON.parse(JSON.stringify(gm.toJSON().covariances)), backend,
          };
          const scored = new GaussianHMM({ ...start, learn: '' }).fit(X);
          expectRelClose(scored.score(X), gm.score(X) * X.length, 1e-12, `step ${step}: log-likelihood`);
          const hmm = new GaussianHMM({ ...start, learn: 'mc', maxIter: 1, minCovar: 1e-6 }).fit(X);
          const next = new GaussianMixture({ nComponents: 3, covarianceType, regCovar: 1e-6, maxIter: 1, backend,
            init: { means: start.means, weights: w, covariances: start.covariances } }).fit(X);
          expectRelClose(hmm.logLikelihoodHistory[0]!, next.logLikelihoodHistory[0]! * X.length, 1e-12, `step ${step}: E-step`);
          expectAllRelClose(hmm.means.flatMap((r) => Array.from(r)), next.means.flatMap((r) => Array.from(r)), 1e-10, `step ${step}: means`);
          expectAllRelClose([hmm.toJSON().covariances].flat(3) as number[], [next.toJSON().covariances].flat(3) as number[], 1e-10, `step ${step}: covariances`);
          expectAllRelClose(hmm.startProb, w, 1e-15, 'startProb (not learned)');
          gm = next;
        }
      });
    }

    it('many short sequences: statistics summed per sequence, no transition across a boundary', () => {
      const s1 = [0, 1, 1, 2];
      const s2 = [2, 2, 0];
      const model = { nStates: 2, startProb: [0.6, 0.4], transMat: [[0.7, 0.3], [0.4, 0.6]],
        emissionProb: [[0.5, 0.3, 0.2], [0.1, 0.3, 0.6]] };
      const per = [s1, s2].map((s) => enumerate({ start: model.startProb, trans: model.transMat,
        logB: s.map((x) => model.emissionProb.map((r) => Math.log(r[x]!))) }));
      // Hand-summed statistics of the two E-steps, then the maximum-likelihood M-step.
      const start = [0, 1].map((k) => per[0]!.gamma[0]![k]! + per[1]!.gamma[0]![k]!);
      const xi = [0, 1].map((i) => [0, 1].map((j) => per[0]!.xiSum[i]![j]! + per[1]!.xiSum[i]![j]!));
      const counts = [0, 1].map((k) => [0, 1, 2].map((m) => [s1, s2].reduce((acc, s, q) =>
        acc + s.reduce((a, x, t) => a + (x === m ? per[q]!.gamma[t]![k]! : 0), 0), 0)));
      const norm = (r: number[]) => r.map((v) => v / r.reduce((a, b) => a + b, 0));
      const fitted = new CategoricalHMM({ ...model, backend, maxIter: 1 }).fit([s1, s2]);
      expectAllRelClose(fitted.startProb, norm(start), 1e-13, 'startProb');
      expectAllRelClose(fitted.transMat.flatMap((r) => Array.from(r)), xi.flatMap(norm), 1e-13, 'transMat');
      expectAllRelClose(fitted.emissionProb.flatMap((r) => Array.from(r)), counts.flatMap(norm), 1e-13, 'emissionProb');
      expectRelClose(fitted.logLikelihoodHistory[0]!, per[0]!.logLik + per[1]!.logLik, 1e-13, 'log-likelihood');
      // The concatenation is one sequence: one start, and a transition s1 → s2 counted across the join.
      const joined = new CategoricalHMM({ ...model, backend, maxIter: 1 }).fit([[...s1, ...s2]]);
      const diff = joined.transMat.flatMap((r, i) => Array.from(r, (v, j) => Math.abs(v - fitted.transMat[i]![j]!)));
      expect(Math.max(...diff)).toBeGreaterThan(1e-3);
      expect(Math.abs(joined.startProb[0]! - fitted.startProb[0]!)).toBeGreaterThan(1e-3);
      // A flat array with lengths is the list of sequences.
      const flat = new CategoricalHMM({ ...model, backend, maxIter: 1 }).fit([...s1, ...s2], { lengths: [4, 3] });
      expect(Array.from(flat.transMat[0]!)).toEqual(Array.from(fitted.transMat[0]!));
    });

    it('gaussian boundaries: fitting [s1, s2] equals the hand-summed per-sequence E-steps (means, variances)', () => {
      const s1 = [[0.1], [1.2], [2.1]];
      const s2 = [[1.9], [-0.3], [0.4], [2.2]];
      const model = { nStates: 2, startProb: [0.5, 0.5], transMat: [[0.9, 0.1], [0.2, 0.8]], means: [[0], [2]],
        covariances: [[1], [1]] };
      const per = [s1, s2].map((s) => enumerate({ start: model.startProb, trans: model.transMat,
        logB: s.map((x) => model.means.map((m, k) => logNormalDiag(x, m, model.covariances[k]!))) }));
      const rows = [...s1, ...s2].map((r) => r[0]!);
      const gamma = [...per[0]!.gamma, ...per[1]!.gamma];
      const minCovar = 1e-3;
      const fitted = new GaussianHMM({ ...model, backend, maxIter: 1, minCovar }).fit([s1, s2]);
      for (let k = 0; k < 2; k++) {
        const n = gamma.reduce((a, g) => a + g[k]!, 0);
        const mean = gamma.reduce((a, g, i) => a + g[k]! * rows[i]!, 0) / n;
        const variance = gamma.reduce((a, g, i) => a + g[k]! * (rows[i]! - mean) ** 2, 0) / n + minCovar;
        expectRelClose(fitted.means[k]![0]!, mean, 1e-12, `mean ${k}`);
        expectRelClose((fitted.covariances as Float64Array[])[k]![0]!, variance, 1e-12, `variance ${k}`);
        const xiRow = [0, 1].map((j) => per[0]!.xiSum[k]![j]! + per[1]!.xiSum[k]![j]!);
        expectRelClose(fitted.transMat[k]![0]!, xiRow[0]! / (xiRow[0]! + xiRow[1]!), 1e-12, `transMat[${k}][0]`);
      }
      const joined = new GaussianHMM({ ...model, backend, maxIter: 1, minCovar }).fit([[...s1, ...s2]]);
      expect(Math.abs(joined.transMat[0]![0]! - fitted.transMat[0]![0]!)).toBeGreaterThan(1e-4);
    });
  });
}
