/**
 * PoissonHMM on both backends: score, posteriors and Viterbi against enumeration of every state path, recovery of a
 * known 2-state model, the backends agreeing, JSON round trip and typed errors for counts that are not counts.
 */
import { describe, expect, it } from 'vitest';
import { InputError, PoissonHMM } from '../src/index.js';
import { enumerate } from './helpers/hmm-brute.js';
import { expectRelClose } from './helpers/close.js';

/** log Poisson(x | λ), with log x! summed directly. */
function logPoisson(x: number, lambda: number): number {
  let lf = 0;
  for (let i = 2; i <= x; i++) lf += Math.log(i);
  return x * Math.log(lambda) - lambda - lf;
}

const TRUE = { nStates: 2, startProb: [0.5, 0.5], transMat: [[0.95, 0.05], [0.1, 0.9]], lambdas: [[1, 6], [8, 2]], learn: '' };

for (const backend of ['js', 'wasm'] as const) {
  describe(`PoissonHMM, ${backend} backend`, () => {
    it('score, predictProba and Viterbi equal enumeration (d = 2, two sequences)', () => {
      const model = { nStates: 3, startProb: [0.3, 0.3, 0.4], transMat: [[0.8, 0.1, 0.1], [0.2, 0.6, 0.2], [0.3, 0.3, 0.4]],
        lambdas: [[0.5, 3], [4, 1], [10, 10]] };
      const seqs = [[[0, 2], [5, 1], [9, 12], [1, 4]], [[3, 0], [0, 0], [12, 8]]];
      const hmm = new PoissonHMM({ ...model, learn: '', backend }).fit(seqs);
      let total = 0;
      const gamma: number[] = [];
      const path: number[] = [];
      for (const s of seqs) {
        const e = enumerate({ start: model.startProb, trans: model.transMat,
          logB: s.map((x) => model.lambdas.map((l) => logPoisson(x[0]!, l[0]!) + logPoisson(x[1]!, l[1]!))) });
        total += e.logLik;
        gamma.push(...e.gamma.flat());
        path.push(...e.best);
      }
      expectRelClose(hmm.score(seqs), total, 1e-12, 'score');
      hmm.predictProba(seqs).data.forEach((v, i) => expect(Math.abs(v - gamma[i]!), `gamma[${i}]`).toBeLessThan(1e-12));
      expect(Array.from(hmm.predict(seqs))).toEqual(path);
    });

    it('recovers a 2-state model from 20 sequences of 300; JSON round trip', () => {
      const truth = new PoissonHMM(TRUE).fit([[[0, 0]]]);
      const X = Array.from({ length: 20 }, (_, s) => {
        const { X: m } = truth.sample(300, { seed: s + 1 });
        return Array.from({ length: 300 }, (_, t) => [m.data[2 * t]!, m.data[2 * t + 1]!]);
      });
      const hmm = new PoissonHMM({ nStates: 2, seed: 1, maxIter: 200, tol: 1e-6, backend }).fit(X);
      const swap = hmm.lambdas[0]![0]! > hmm.lambdas[1]![0]! ? [1, 0] : [0, 1];
      // 6000 counts, ~2000–4000 per state: standard errors of λ ≈ 0.02–0.06; of A ≈ 0.005–0.01.
      for (let a = 0; a < 2; a++) {
        for (let j = 0; j < 2; j++) expect(Math.abs(hmm.lambdas[swap[a]!]![j]! - TRUE.lambdas[a]![j]!), `λ ${a},${j}`).toBeLessThan(0.25);
        expect(Math.abs(hmm.transMat[swap[a]!]![swap[a]!]! - TRUE.transMat[a]![a]!), `A ${a}`).toBeLessThan(0.04);
      }
      expect(hmm.nParameters).toBe(1 + 2 + 4);
      const again = PoissonHMM.fromJSON(JSON.stringify(hmm.toJSON()), { backend });
      expect(again.toJSON()).toEqual(hmm.toJSON());
      expect(again.score(X)).toBe(hmm.score(X));
    });
  });
}

describe('PoissonHMM', () => {
  it('the backends agree', () => {
    const truth = new PoissonHMM(TRUE).fit([[[0, 0]]]);
    const { X } = truth.sample(2000, { seed: 3 });
    const js = new PoissonHMM({ nStates: 2, seed: 2, maxIter: 50, backend: 'js' }).fit(X, { lengths: [1000, 1000] });
    const wasm = new PoissonHMM({ nStates: 2, seed: 2, maxIter: 50, backend: 'wasm' }).fit(X, { lengths: [1000, 1000] });
    expect(wasm.nIter).toBe(js.nIter);
    expectRelClose(wasm.logLikelihood, js.logLikelihood, 1e-10, 'log-likelihood');
    wasm.lambdas.flatMap((r) => Array.from(r)).forEach((v, i) => expectRelClose(v, js.lambdas.flatMap((r) => Array.from(r))[i]!, 1e-9, `λ[${i}]`));
  });

  it('counts that are not counts, and bad rates, are InputErrors naming them', () => {
    const at = (f: () => unknown): string => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(InputError);
        return (e as InputError).argument;
      }
      throw new Error('no error');
    };
    expect(at(() => new PoissonHMM({ nStates: 2 }).fit([[[1], [2]], [[0.5], [3]]]))).toBe('X[2][0]');
    expect(at(() => new PoissonHMM({ nStates: 2 }).fit([[1], [-2], [3]]))).toBe('X[1][0]');
    expect(at(() => new PoissonHMM({ nStates: 2, lambdas: [[1], [0]] }))).toBe('options.lambdas[1][0]');
    expect(at(() => new PoissonHMM({ nStates: 2, alpha: 0 }))).toBe('options.alpha');
  });
});
