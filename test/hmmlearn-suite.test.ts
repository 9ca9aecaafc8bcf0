/**
 * What hmmlearn 0.3's own HMM tests check (test_base.py, test_categorical_hmm.py, test_gaussian_hmm.py), in our
 * words on our API and on both backends: the textbook forward–backward and Viterbi numbers, score_samples'
 * posteriors summing to 1, decode with both algorithms, sample shapes, fits with `lengths` (sequences of different
 * lengths, of length 1), the log-likelihood increasing one Baum–Welch iteration at a time (hmmlearn's
 * `assert_log_likelihood_increasing`: fit one iteration, restart from the result), fits that learn only some
 * parameters, Dirichlet priors, `nSymbols` inferred or respected, symbol validation, and positive AIC/BIC.
 * Observations are written in hmmlearn's layout: X one matrix (a categorical X one column) with `lengths`.
 */
import { describe, expect, it } from 'vitest';
import { CategoricalHMM, GaussianHMM, InputError, PoissonHMM, type SklearnCovarianceType } from '../src/index.js';
import { expectAllRelClose } from './helpers/close.js';
import { rng as uniform } from './helpers/kernel-cases.js';

const BACKENDS = ['js', 'wasm'] as const;
const TYPES: SklearnCovarianceType[] = ['spherical', 'diag', 'full', 'tied'];

function normalRng(u: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

const normalized = (r: number[]): number[] => r.map((v) => v / r.reduce((a, b) => a + b, 0));

/** hmmlearn's make_covar_matrix: covariances of each type with variances ≥ 0.01, in hmmlearn's shapes. */
function covarMatrix(type: SklearnCovarianceType, K: number, d: number, u: () => number): unknown {
  const spd = (): number[][] => {
    const A = Array.from({ length: d }, () => Array.from({ length: d }, () => u() * 2 - 1));
    return A.map((ra, i) => A.map((rb, j) => ra.reduce((s, v, m) => s + v * rb[m]!, 0) + (i === j ? 0.1 : 0)));
  };
  switch (type) {
    case 'spherical': return Array.from({ length: K }, () => (0.1 + 0.1 * u()) ** 2);
    case 'diag': return Array.from({ length: K }, () => Array.from({ length: d }, () => (0.1 + 0.1 * u()) ** 2));
    case 'full': return Array.from({ length: K }, spd);
    case 'tied': return spd();
  }
}

/** The rows of a sampled matrix as number[][] (hmmlearn's X). */
function rowsOf(m: { data: Float64Array; rows: number; cols: number }): number[][] {
  return Array.from({ length: m.rows }, (_, i) => Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols)));
}

/**
 * hmmlearn's assert_log_likelihood_increasing: `nIter` fits of one iteration each, every one starting from the
 * previous result (`next` builds that model), scored after each; some step must gain more than √ε.
 */
function expectLogLikelihoodIncreasing<M extends { score(X: never, o?: never): number }>(
  first: M, next: (m: M) => M, score: (m: M) => number, nIter: number,
): void {
  const ll: number[] = [];
  let m = first;
  for (let i = 0; i < nIter; i++) {
    m = next(m);
    ll.push(score(m));
  }
  const diffs = ll.slice(1).map((v, i) => v - ll[i]!);
  expect(Math.max(...diffs), `log-likelihoods ${ll.join(', ')}`).toBeGreaterThan(Math.sqrt(Number.EPSILON));
  // Baum–Welch never decreases it (beyond rounding).
  for (const d of diffs) expect(d).toBeGreaterThan(-1e-8 * Math.abs(ll[0]!));
}

describe.each(BACKENDS)('hmmlearn test_base, forward–backward example (%s backend)', (backend) => {
  // Wikipedia's forward–backward example: frame probabilities [0.9, 0.2] and [0.1, 0.8] are a categorical model's
  // emission columns for the symbols 0 and 1.
  const hmm = () => new CategoricalHMM({
    nStates: 2, startProb: [0.5, 0.5], transMat: [[0.7, 0.3], [0.3, 0.7]], emissionProb: [[0.9, 0.1], [0.2, 0.8]],
    learn: '', init: '', backend,
  }).fit([[0], [1]]);
  const X = [[0], [0], [1], [0], [0]];

  it('score and score_samples: −3.3725 and the published posteriors', () => {
    const h = hmm();
    expect(Math.round(h.score(X) * 1e4) / 1e4).toBe(-3.3725);
    const { logProb, posteriors } = h.scoreSamples(X);
    expect(Math.round(logProb * 1e4) / 1e4).toBe(-3.3725);
    const ref = [[0.8673, 0.1327], [0.8204, 0.1796], [0.3075, 0.6925], [0.8204, 0.1796], [0.8673, 0.1327]];
    for (let t = 0; t < 5; t++) {
      expect(posteriors.data[2 * t]! + posteriors.data[2 * t + 1]!).toBeCloseTo(1, 14);
      for (let k = 0; k < 2; k++) expect(Math.abs(posteriors.data[2 * t + k]! - ref[t]![k]!)).toBeLessThan(1e-4);
    }
  });

  it('Viterbi: path [0, 0, 1, 0, 0], log-probability −4.4590', () => {
    const { logProb, states } = hmm().decode(X);
    expect(Array.from(states)).toEqual([0, 0, 1, 0, 0]);
    expect(Math.round(logProb * 1e4) / 1e4).toBe(-4.459);
  });
});

describe.each(BACKENDS)('hmmlearn test_categorical_hmm (%s backend)', (backend) => {
  const WIKI = {
    nStates: 2, startProb: [0.6, 0.4], transMat: [[0.7, 0.3], [0.4, 0.6]],
    emissionProb: [[0.1, 0.4, 0.5], [0.6, 0.3, 0.1]],
  };
  const given = () => new CategoricalHMM({ ...WIKI, learn: '', init: '', backend }).fit([[0], [1], [2]]);
  const X = [[0], [1], [2]];

  it('Wikipedia Viterbi: states [1, 0, 0] with probability 0.01344; MAP the same', () => {
    const v = given().decode(X, { algorithm: 'viterbi' });
    expect(Math.round(Math.exp(v.logProb) * 1e5) / 1e5).toBe(0.01344);
    expect(Array.from(v.states)).toEqual([1, 0, 0]);
    expect(Array.from(given().decode(X, { algorithm: 'map' }).states)).toEqual([1, 0, 0]);
  });

  it('predict and predict_proba', () => {
    const h = given();
    expect(Array.from(h.predict(X))).toEqual([1, 0, 0]);
    const ref = [0.23170303, 0.76829697, 0.62406281, 0.37593719, 0.86397706, 0.13602294];
    const p = h.predictProba(X).data;
    for (let i = 0; i < 6; i++) expect(Math.abs(p[i]! - ref[i]!)).toBeLessThan(1e-6);
  });

  it('nSymbols is inferred from the data (3), or respected when given (5)', () => {
    const { X: S } = given().sample(500, { seed: 1 });
    const column = Array.from(S, (s) => [s]);
    const next = (nSymbols?: number) => (m: CategoricalHMM) => new CategoricalHMM({
      nStates: 2, startProb: m.startProb, transMat: m.transMat, emissionProb: m.emissionProb, init: '', maxIter: 1, backend,
      ...(nSymbols === undefined ? {} : { nSymbols }),
    }).fit(column, { lengths: [500] });
    const inferred = new CategoricalHMM({ nStates: 2, seed: 1, maxIter: 1, backend }).fit(column, { lengths: [500] });
    expect(inferred.nSymbols).toBe(3);
    expectLogLikelihoodIncreasing(inferred, next(), (m) => m.score(column, { lengths: [500] }), 10);
    const five = new CategoricalHMM({ nStates: 2, nSymbols: 5, seed: 1, maxIter: 1, backend }).fit(column, { lengths: [500] });
    expect(five.nSymbols).toBe(5);
    expectLogLikelihoodIncreasing(five, next(5), (m) => m.score(column, { lengths: [500] }), 10);
  });

  it('score_samples on random symbols: N×K posteriors whose rows sum to 1', () => {
    const u = uniform(7);
    const R = Array.from({ length: 20 }, () => [Math.floor(u() * 3)]);
    const { posteriors } = given().scoreSamples(R);
    expect([posteriors.rows, posteriors.cols]).toEqual([20, 2]);
    for (let i = 0; i < 20; i++) expect(posteriors.data[2 * i]! + posteriors.data[2 * i + 1]!).toBeCloseTo(1, 14);
  });

  it('sample: n symbols and n states, every symbol drawn', () => {
    const { X: S, states } = given().sample(1000, { seed: 3 });
    expect(S.length).toBe(1000);
    expect(states.length).toBe(1000);
    expect(new Set(S).size).toBe(3);
  });

  for (const learn of ['ste', 'e']) {
    it(`fit with lengths [10 × 10] from messed-up parameters, learning '${learn}': the log-likelihood increases`, () => {
      const lengths = Array(10).fill(10);
      const S = Array.from(given().sample(100, { seed: 5 }).X, (s) => [s]);
      const u = uniform(11);
      const start = new CategoricalHMM({
        nStates: 2, startProb: normalized([u(), u()]), transMat: [normalized([u(), u()]), normalized([u(), u()])],
        emissionProb: [normalized([u(), u(), u()]), normalized([u(), u(), u()])], learn, init: '', maxIter: 1, backend,
      }).fit(S, { lengths });
      const next = (m: CategoricalHMM) => new CategoricalHMM({
        nStates: 2, startProb: m.startProb, transMat: m.transMat, emissionProb: m.emissionProb, learn, init: '',
        maxIter: 1, backend,
      }).fit(S, { lengths });
      expectLogLikelihoodIncreasing(start, next, (m) => m.score(S, { lengths }), 5);
    });
  }

  it("fit with init 'ste' (every parameter initialized from the data): the log-likelihood increases", () => {
    const lengths = Array(10).fill(10);
    const S = Array.from(given().sample(100, { seed: 6 }).X, (s) => [s]);
    const first = new CategoricalHMM({ nStates: 2, init: 'ste', learn: 'ste', seed: 2, maxIter: 1, backend }).fit(S, { lengths });
    const next = (m: CategoricalHMM) => new CategoricalHMM({
      nStates: 2, startProb: m.startProb, transMat: m.transMat, emissionProb: m.emissionProb, init: '', maxIter: 1, backend,
    }).fit(S, { lengths });
    expectLogLikelihoodIncreasing(first, next, (m) => m.score(S, { lengths }), 5);
  });

  it('symbols must be non-negative integers', () => {
    const h = () => new CategoricalHMM({ nStates: 2, backend });
    expect(h().fit([[0], [0], [2], [1], [3], [1], [1]]).nSymbols).toBe(4);
    expect(h().fit(Uint8Array.of(0, 0, 1, 3, 1)).nSymbols).toBe(4);
    expect(() => h().fit([[0], [2.5], [1], [3]])).toThrow(InputError);
    expect(() => h().fit([[0], [-2], [1], [3], [1], [1]])).toThrow(InputError);
  });
});

describe.each(BACKENDS)('hmmlearn test_gaussian_hmm (%s backend)', (backend) => {
  describe.each(TYPES)('%s covariances', (covarianceType) => {
    const K = 3;
    const d = 3;
    const setup = (seed: number) => {
      const u = uniform(seed);
      return {
        u,
        startProb: normalized([u(), u(), u()]),
        transMat: Array.from({ length: K }, () => normalized([u(), u(), u()])),
        means: Array.from({ length: K }, () => Array.from({ length: d }, () => Math.floor(u() * 40) - 20)),
        covariances: covarMatrix(covarianceType, K, d, u),
      };
    };
    const truth = (s: ReturnType<typeof setup>, scale = 20) => new GaussianHMM({
      nStates: K, covarianceType, startProb: s.startProb, transMat: s.transMat,
      means: s.means.map((r) => r.map((v) => v * scale)), covariances: s.covariances, learn: '', init: '', backend,
    }).fit(s.means.map((r) => r.map((v) => v * scale)));

    it('score_samples and decode: posteriors sum to 1, Viterbi finds the generating states', () => {
      const s = setup(10);
      const z = normalRng(s.u);
      const idx = [0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2];
      const X = idx.map((k) => s.means[k]!.map((v) => 20 * v + z()));
      // hmmlearn's init_params="st": start and transitions initialized, the given means and covariances kept.
      const h = new GaussianHMM({
        nStates: K, covarianceType, means: s.means.map((r) => r.map((v) => 20 * v)), covariances: s.covariances,
        init: 'st', learn: '', backend,
      }).fit(X);
      const { posteriors } = h.scoreSamples(X);
      expect([posteriors.rows, posteriors.cols]).toEqual([15, K]);
      for (let i = 0; i < 15; i++) {
        let sum = 0;
        for (let k = 0; k < K; k++) sum += posteriors.data[i * K + k]!;
        expect(sum).toBeCloseTo(1, 12);
      }
      expect(Array.from(h.decode(X).states)).toEqual(idx);
      expect(Array.from(h.decode(X, { algorithm: 'map' }).states)).toEqual(idx);
      expect(Array.from(h.predict(X))).toEqual(idx);
    });

    it('sample: n×d observations and n states', () => {
      const { X, states } = truth(setup(10)).sample(1000, { seed: 1 });
      expect([X.rows, X.cols]).toEqual([1000, d]);
      expect(states.length).toBe(1000);
    });

    it('fit with lengths [10 × 10]; sequences of lengths 3, 4, 5; with a sequence of length 1', () => {
      const s = setup(10);
      const X = rowsOf(truth(s).sample(100, { seed: 2 }).X);
      expect(new GaussianHMM({ nStates: K, covarianceType, seed: 1, backend }).fit(X, { lengths: Array(10).fill(10) }).isFitted).toBe(true);
      for (const lengths of [[3, 4, 5], [10, 8, 1]]) {
        const n = lengths.reduce((a, b) => a + b, 0);
        const R = Array.from({ length: n }, () => [s.u(), s.u(), s.u()]);
        const h = new GaussianHMM({ nStates: K, covarianceType, seed: 1, backend }).fit(R, { lengths });
        expect(Number.isFinite(h.score(R, { lengths }))).toBe(true);
      }
    });

    // hmmlearn asserts `np.all(aic) > 0`, which holds whenever no AIC is exactly 0 (True > 0): with variances of
    // 0.01 the densities exceed 1, log p(X) is positive and AIC negative. What is checked here: AIC and BIC finite
    // and non-zero, and their definitions over the learned parameters.
    it('AIC and BIC for 2, 3 and 4 states: finite, non-zero, −2 log p(X) + 2p and + p ln N', () => {
      const s = setup(42);
      const X = rowsOf(truth(s, 10).sample(2000, { seed: 42 }).X);
      for (const n of [2, 3, 4]) {
        const h = new GaussianHMM({ nStates: n, covarianceType, maxIter: 50, seed: 42, backend }).fit(X);
        const aic = h.aic(X);
        const bic = h.bic(X);
        expect(Number.isFinite(aic) && aic !== 0 && Number.isFinite(bic) && bic !== 0).toBe(true);
        const free = { spherical: n, diag: n * d, full: (n * d * (d + 1)) / 2, tied: (d * (d + 1)) / 2 }[covarianceType];
        expect(h.nParameters).toBe(n - 1 + n * (n - 1) + n * d + free);
        expect(aic).toBeCloseTo(-2 * h.score(X) + 2 * h.nParameters, 6);
        expect(bic).toBeCloseTo(-2 * h.score(X) + h.nParameters * Math.log(2000), 6);
      }
    });

    it('a zero-variance feature (hmmlearn issue #2 data) fits', () => {
      const X = [
        [715, 585, 0, 0], [715, 520, 1.04705811, -60.3696289], [715, 455, 0.72088623, -52.7055664],
        [715, 390, -0.457946777, -78.0605469], [715, 325, -6.43127441, -55.9954834], [715, 260, -2.90063477, -78.0220947],
        [715, 195, 8.45532227, -70.3294373], [715, 130, 4.09387207, -58.3621216], [715, 65, -1.2166748, -44.8131409],
      ];
      const h = new GaussianHMM({ nStates: 3, covarianceType, seed: 1, backend }).fit(X);
      expect(Number.isFinite(h.score(X))).toBe(true);
    });

    it("fit with start and transition priors, means and covariances initialized ('mc'): increases, recovers the means", () => {
      const s = setup(10);
      const lengths = Array(10).fill(200);
      const X = rowsOf(truth(s).sample(2000, { seed: 3 }).X);
      const startProbPrior = s.startProb.map((p) => 10 * p + 2);
      const transMatPrior = s.transMat.map((r) => r.map((p) => 10 * p + 2));
      const options = { nStates: K, covarianceType, startProbPrior, transMatPrior, maxIter: 1, backend } as const;
      const first = new GaussianHMM({
        ...options, startProb: Array(K).fill(1 / K), transMat: Array.from({ length: K }, () => Array(K).fill(1 / K)),
        init: 'mc', seed: 1,
      }).fit(X, { lengths });
      const next = (m: GaussianHMM) => new GaussianHMM({
        ...options, startProb: m.startProb, transMat: m.transMat, means: m.means, covariances: m.covariances as never, init: '',
      }).fit(X, { lengths });
      let last = first;
      expectLogLikelihoodIncreasing(first, (m) => (last = next(m)), (m) => m.score(X, { lengths }), 20);
      const sorted = (v: number[]) => v.slice().sort((a, b) => a - b);
      expectAllRelClose(sorted(last.means.flatMap((r) => Array.from(r))), sorted(s.means.flat().map((v) => 20 * v)), 0.01, 'means');
    });
  });
});

describe.each(BACKENDS)('hmmlearn test_base, chain and consistency (%s backend)', (backend) => {
  it('generate_samples: a second sample continues from the first one\'s last state (currentState)', () => {
    const h = new CategoricalHMM({
      nStates: 2, startProb: [0.5, 0.5], transMat: [[0.7, 0.3], [0.3, 0.7]], emissionProb: [[0.9, 0.1], [0.2, 0.8]],
      learn: '', init: '', backend,
    }).fit([0, 1]);
    const first = h.sample(10, { seed: 1 });
    const second = h.sample(10, { seed: 2, currentState: first.states[9]! });
    expect(first.states.length).toBe(10);
    expect(second.states.length).toBe(10);
    expect(second.states[0]).toBe(first.states[9]);
    expect(() => h.sample(3, { currentState: 2 })).toThrow(/options\.currentState/);
  });

  it('stationary distribution: π A = π, Σ π = 1 (10 states, random chain; a periodic chain)', () => {
    const u = uniform(3);
    const K = 10;
    const transMat = Array.from({ length: K }, () => normalized(Array.from({ length: K }, u)));
    const h = new CategoricalHMM({
      nStates: K, startProb: Array(K).fill(1 / K), transMat, emissionProb: Array.from({ length: K }, () => [1]),
      learn: '', init: '', backend,
    }).fit([0]);
    const pi = h.stationaryDistribution();
    expect(pi.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 14);
    for (let j = 0; j < K; j++) expect(pi.reduce((a, p, i) => a + p * transMat[i]![j]!, 0)).toBeCloseTo(pi[j]!, 14);
    const flip = new CategoricalHMM({
      nStates: 2, startProb: [1, 0], transMat: [[0, 1], [1, 0]], emissionProb: [[1], [1]], learn: '', init: '', backend,
    }).fit([0]);
    expect(Array.from(flip.stationaryDistribution())).toEqual([0.5, 0.5]);
  });

  it('uniform start and transitions reduce the HMM to a mixture: posteriors are the normalized emissions', () => {
    const K = 8;
    const u = uniform(5);
    const means = Array.from({ length: K }, (_, k) => [k * 0.7]);
    const h = new GaussianHMM({
      nStates: K, covarianceType: 'diag', startProb: Array(K).fill(1 / K), transMat: Array.from({ length: K }, () => Array(K).fill(1 / K)),
      means, covariances: Array.from({ length: K }, () => [1]), learn: '', init: '', backend,
    }).fit([[0]]);
    const X = Array.from({ length: 10 }, () => [u() * 6 - 0.5]);
    const { posteriors } = h.scoreSamples(X);
    const states = h.decode(X).states;
    for (let i = 0; i < 10; i++) {
      const logB = means.map((m) => -0.5 * (X[i]![0]! - m[0]!) ** 2);
      const top = Math.max(...logB);
      const w = normalized(logB.map((v) => Math.exp(v - top)));
      for (let k = 0; k < K; k++) expect(posteriors.data[i * K + k]!).toBeCloseTo(w[k]!, 12);
      expect(states[i]).toBe(logB.indexOf(top));
    }
  });

  it('attributes: start and transition probabilities that do not sum to 1, or of the wrong shape, are refused', () => {
    const K = 20;
    const u = uniform(9);
    const startProb = normalized(Array.from({ length: K }, u));
    const transMat = Array.from({ length: K }, () => normalized(Array.from({ length: K }, u)));
    const make = (o: object) => new CategoricalHMM({ nStates: K, backend, ...o });
    expect(make({ startProb, transMat }).nStates).toBe(K);
    for (const bad of [{ startProb: startProb.map((p) => 2 * p) }, { startProb: [] }, { startProb: Array(K - 2).fill([0, 0]) },
      { transMat: transMat.map((r) => r.map((p) => 2 * p)) }, { transMat: [] }, { transMat: Array(K - 2).fill(Array(K).fill(1 / K)) }]) {
      expect(() => make(bad), JSON.stringify(bad).slice(0, 40)).toThrow(InputError);
    }
  });
});

describe.each(BACKENDS)('hmmlearn test_poisson_hmm (%s backend)', (backend) => {
  const TRUE = { nStates: 2, startProb: [0.6, 0.4], transMat: [[0.7, 0.3], [0.4, 0.6]], lambdas: [[3.1, 1.4, 4.5], [1.6, 5.3, 0.1]] };
  const given = () => new PoissonHMM({ ...TRUE, learn: '', init: '', backend }).fit([[0, 0, 0]]);

  it('sample and score_samples: n×3 counts, N×K posteriors summing to 1', () => {
    const { X, states } = given().sample(1000, { seed: 1 });
    expect([X.rows, X.cols]).toEqual([1000, 3]);
    expect(states.length).toBe(1000);
    const { posteriors } = given().scoreSamples(X);
    expect([posteriors.rows, posteriors.cols]).toEqual([1000, 2]);
    for (let i = 0; i < 1000; i++) expect(posteriors.data[2 * i]! + posteriors.data[2 * i + 1]!).toBeCloseTo(1, 12);
  });

  for (const learn of ['stl', 'l']) {
    it(`fit from messed-up parameters, learning '${learn}': the log-likelihood increases`, () => {
      const lengths = Array(10).fill(10);
      const X = rowsOf(given().sample(100, { seed: 2 }).X);
      const u = uniform(0);
      const gamma2 = () => -Math.log(1 - u()) - Math.log(1 - u());
      const start = new PoissonHMM({
        nStates: 2, startProb: normalized([u(), u()]), transMat: [normalized([u(), u()]), normalized([u(), u()])],
        lambdas: [[gamma2(), gamma2(), gamma2()], [gamma2(), gamma2(), gamma2()]], learn, init: '', maxIter: 1, backend,
      }).fit(X, { lengths });
      const next = (m: PoissonHMM) => new PoissonHMM({
        nStates: 2, startProb: m.startProb, transMat: m.transMat, lambdas: m.lambdas, learn, init: '', maxIter: 1, backend,
      }).fit(X, { lengths });
      expectLogLikelihoodIncreasing(start, next, (m) => m.score(X, { lengths }), 5);
    });
  }

  it("fit with init 'stl': the log-likelihood increases", () => {
    const lengths = Array(10).fill(10);
    const X = rowsOf(given().sample(100, { seed: 3 }).X);
    const first = new PoissonHMM({ nStates: 2, seed: 1, maxIter: 1, backend }).fit(X, { lengths });
    const next = (m: PoissonHMM) => new PoissonHMM({
      nStates: 2, startProb: m.startProb, transMat: m.transMat, lambdas: m.lambdas, init: '', maxIter: 1, backend,
    }).fit(X, { lengths });
    expectLogLikelihoodIncreasing(first, next, (m) => m.score(X, { lengths }), 5);
  });

  it('AIC and BIC for 2, 3 and 4 states: finite and positive (counts have probabilities ≤ 1)', () => {
    const X = rowsOf(given().sample(2000, { seed: 412 }).X);
    for (const n of [2, 3, 4]) {
      const h = new PoissonHMM({ nStates: n, maxIter: 100, seed: 412, backend }).fit(X);
      expect(h.aic(X)).toBeGreaterThan(0);
      expect(h.bic(X)).toBeGreaterThan(h.aic(X));
    }
  });

  it('attributes: rates of the wrong shape are refused', () => {
    expect(() => new PoissonHMM({ nStates: 2, lambdas: [] })).toThrow(InputError);
    expect(() => new PoissonHMM({ nStates: 2, lambdas: [[1, 2, 3]] })).toThrow(InputError);
  });
});

describe.each(BACKENDS)('hmmlearn test_gaussian_hmm, special cases (%s backend)', (backend) => {
  it('underflow from scaling: an outlier of 10000 with start [0, 1] fits (hmmlearn\'s log implementation does)', () => {
    const u = uniform(10);
    const z = normalRng(u);
    const data = [0, 5, 0, 5].flatMap((m) => Array.from({ length: 100 }, () => [m + z()]));
    data[40] = [10000];
    for (const covarianceType of TYPES) {
      const covariances = { spherical: [1, 1], diag: [[1], [1]], full: [[[1]], [[1]]], tied: [[1]] }[covarianceType];
      const h = new GaussianHMM({
        nStates: 2, covarianceType, maxIter: 100, startProb: [0, 1], transMat: [[0.4, 0.6], [0.6, 0.4]],
        means: [[0], [5]], covariances, init: '', backend,
      }).fit(data, { lengths: [400] });
      expect(Number.isFinite(h.logLikelihood), covarianceType).toBe(true);
      expect(Number.isFinite(h.score(data))).toBe(true);
    }
  });

  it('left-to-right: zero start and transition entries stay 0; posteriors valid, Viterbi finite', () => {
    const K = 3;
    const u = uniform(10);
    const transMat = [[0.5, 0.5, 0], [0, 0.5, 0.5], [0, 0, 1]];
    const X = Array.from({ length: 19 }, () => [u(), u(), u()]);
    const h = new GaussianHMM({
      nStates: K, covarianceType: 'diag', learn: 'mct', init: 'cm', startProb: [1, 0, 0], transMat, seed: 1, backend,
    }).fit(X);
    expect(h.startProb[1]).toBe(0);
    expect(h.startProb[2]).toBe(0);
    transMat.forEach((r, i) => r.forEach((v, j) => { if (v === 0) expect(h.transMat[i]![j]).toBe(0); }));
    const p = h.predictProba(X);
    for (let i = 0; i < 19; i++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += p.data[i * K + k]!;
      expect(s).toBeCloseTo(1, 12);
    }
    expect(Number.isFinite(h.decode(X, { algorithm: 'viterbi' }).logProb)).toBe(true);
  });

  it('spherical covariances sample (issue 385): 1000 draws of one feature', () => {
    const h = new GaussianHMM({
      nStates: 2, covarianceType: 'spherical', startProb: [0.6, 0.4], transMat: [[0.4, 0.6], [0.9, 0.1]],
      means: [[3], [5]], covariances: [4, 3], learn: '', init: '', backend,
    }).fit([[3]]);
    const { X } = h.sample(1000, { seed: 1 });
    expect([X.rows, X.cols]).toEqual([1000, 1]);
  });
});
