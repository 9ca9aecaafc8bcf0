/**
 * HMM behaviours at the edges, on both backends: a row of zero density under every state gives the same typed
 * error from every method (never a confident posterior, a silent −∞ or NaN), `sample()` with no count draws one
 * observation, and not-fitted errors name the class and the method called.
 */
import { describe, expect, it } from 'vitest';
import { CategoricalHMM, GaussianHMM, InputError, NotFittedError, PoissonHMM } from '../src/index.js';

const BACKENDS = ['js', 'wasm'] as const;

/** Every method of a fitted HMM that reads observations, as thunks on X. */
function methods(hmm: GaussianHMM | CategoricalHMM | PoissonHMM, X: never): Record<string, () => unknown> {
  return {
    score: () => hmm.score(X),
    scoreSamples: () => hmm.scoreSamples(X),
    predict: () => hmm.predict(X),
    predictProba: () => hmm.predictProba(X),
    'decode viterbi': () => hmm.decode(X, { algorithm: 'viterbi' }),
    'decode map': () => hmm.decode(X, { algorithm: 'map' }),
    bic: () => hmm.bic(X),
    aic: () => hmm.aic(X),
  };
}

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

describe.each(BACKENDS)('HMM edges (%s backend)', (backend) => {
  const unit = {
    nStates: 2, startProb: [0.5, 0.5], transMat: [[0.9, 0.1], [0.1, 0.9]], means: [[0], [3]],
    covariances: [[1], [1]], learn: '', init: '', backend,
  };

  it('a row 1e160 away: every method throws the same InputError naming the sequence and row', () => {
    const hmm = new GaussianHMM(unit).fit([[0], [3]]);
    const X = [[[0.1], [2.9]], [[0], [1e160], [3]]] as never;
    const messages = new Set<string>();
    for (const [name, f] of Object.entries(methods(hmm, X))) {
      const e = thrown(f);
      expect(e, name).toBeInstanceOf(InputError);
      expect((e as InputError).argument, name).toBe('X[1][1]');
      messages.add((e as Error).message);
    }
    expect(messages.size).toBe(1);
    expect([...messages][0]).toMatch(/row 1 of sequence 1 has zero density under every state \(1\.00e\+160 standard deviations from the nearest state's mean\)/);
  });

  it('one sequence: the error names the row only', () => {
    const hmm = new GaussianHMM({ ...unit, covarianceType: 'full', covariances: [[[1]], [[1]]] }).fit([[0], [3]]);
    const e = thrown(() => hmm.predictProba([[0], [3], [-1e200]]));
    expect(e).toBeInstanceOf(InputError);
    expect((e as Error).message).toMatch(/^X\[2\]: .*row 2 has zero density under every state \(1\.00e\+200/);
    // Near ±MAX_VALUE the distance itself overflows: said so, never "Infinity" or "NaN".
    const narrow = new GaussianHMM({ ...unit, covariances: [[0.01], [0.01]] }).fit([[0], [3]]);
    expect(() => narrow.score([[0], [-1.7e308]])).toThrow(/\(over 1\.8e\+308 standard deviations from the nearest state's mean\)/);
  });

  it('a row far away but of positive density is finite everywhere', () => {
    const hmm = new GaussianHMM(unit).fit([[0], [3]]);
    const X = [[0], [1e100], [3]];
    expect(Number.isFinite(hmm.score(X))).toBe(true);
    const p = hmm.predictProba(X);
    for (const v of p.data) expect(v >= 0 && v <= 1).toBe(true);
    // The rows either side keep their own states: the far row's −5e199 log-densities do not absorb the Viterbi
    // differences (4.5 nats at row 2).
    for (const states of [hmm.predict(X), hmm.decode(X, { algorithm: 'map' }).states]) {
      expect(states[0]).toBe(0);
      expect(states[2]).toBe(1);
    }
    expect(Number.isFinite(hmm.decode(X).logProb)).toBe(true);
  });

  it('an impossible transition: every method throws the same InputError naming the row', () => {
    const cat = new CategoricalHMM({
      nStates: 2, startProb: [1, 0], transMat: [[1, 0], [0, 1]], emissionProb: [[0.5, 0.5, 0], [0, 0, 1]],
      learn: '', init: '', backend,
    }).fit([0, 1]);
    for (const [name, f] of Object.entries(methods(cat, [0, 1, 2, 0] as never))) {
      const e = thrown(f);
      expect(e, name).toBeInstanceOf(InputError);
      expect((e as InputError).argument, name).toBe('X[2]');
      expect((e as Error).message, name).toMatch(/row 2 cannot follow the rows before it/);
    }
    // A symbol of probability 0 under every state names the symbol.
    const none = new CategoricalHMM({
      nStates: 2, startProb: [0.5, 0.5], transMat: [[0.5, 0.5], [0.5, 0.5]], emissionProb: [[0.5, 0.5, 0], [0.5, 0.5, 0]],
      learn: '', init: '', backend,
    }).fit([0, 1]);
    expect(() => none.score([[0], [2]])).toThrow(/row 1 has zero density under every state \(symbol 2\)/);
  });

  it('sample() with no count draws one observation (every HMM class)', () => {
    const g = new GaussianHMM({ ...unit, covarianceType: 'diag' }).fit([[0], [3]]).sample();
    expect(g.X.rows).toBe(1);
    expect(g.X.data.length).toBe(1);
    expect(g.states.length).toBe(1);
    const c = new CategoricalHMM({ nStates: 2, seed: 1, backend }).fit([0, 1, 1, 0]).sample();
    expect(c.X.length).toBe(1);
    expect(c.states.length).toBe(1);
    const p = new PoissonHMM({ nStates: 2, seed: 1, backend }).fit([[0], [5], [1], [6]]).sample();
    expect(p.X.rows).toBe(1);
    expect(p.X.data.length).toBe(1);
  });

  it('not-fitted errors name the class and the method called', () => {
    const cases: [string, () => unknown][] = [
      ['GaussianHMM.predict()', () => new GaussianHMM({ backend }).predict([[0]])],
      ['GaussianHMM.decode()', () => new GaussianHMM({ backend }).decode([[0]])],
      ['GaussianHMM.means', () => new GaussianHMM({ backend }).means],
      ['CategoricalHMM.predict()', () => new CategoricalHMM({ backend }).predict([0])],
      ['CategoricalHMM.score()', () => new CategoricalHMM({ backend }).score([0])],
      ['PoissonHMM.predictProba()', () => new PoissonHMM({ backend }).predictProba([[0]])],
      ['PoissonHMM.sample()', () => new PoissonHMM({ backend }).sample(3)],
    ];
    for (const [name, f] of cases) {
      const e = thrown(f);
      expect(e, name).toBeInstanceOf(NotFittedError);
      const cls = name.split('.')[0]!;
      expect((e as Error).message, name).toContain(`${name} needs a fitted model`);
      expect((e as Error).message, name).toContain(`${cls}.fromJSON()`);
      expect((e as Error).message, name).not.toContain('GaussianMixture');
    }
  });
});
