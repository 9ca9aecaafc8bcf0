/**
 * The discrete mixtures (`BernoulliMixture`, `CategoricalMixture`, `PoissonMixture`) on both backends: recovery of
 * known parameters from data drawn from a known mixture (components matched up to relabelling, tolerances from the
 * sample size), monotone log-likelihood, sample weights = repeated rows, JSON round trip, BIC/AIC/nParameters against
 * hand counts, the likelihood against a direct scalar computation in this file, the one-feature categorical identity,
 * the backends against each other, sampling, input errors and degenerate fits.
 */
import { describe, expect, it } from 'vitest';
import {
  BernoulliMixture, CategoricalMixture, DegenerateComponentError, InputError, PoissonMixture, discreteMixtureFromJSON,
  type DiscreteMixture,
} from '../src/index.js';
import { logFactorial } from '../src/families/discrete.js';
import { samplePoisson } from '../src/families/poisson.js';
import { Rng } from '../src/rng.js';
import { rng } from './helpers/kernel-cases.js';

const BACKENDS = ['wasm', 'js'] as const;

/** Rows drawn from a known mixture: `draw(c, u)` gives one row of component c. */
function drawMixture(n: number, weights: number[], draw: (c: number, u: () => number) => number[], seed: number):
  { X: number[][]; labels: number[] } {
  const u = rng(seed);
  const X: number[][] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    let v = u();
    let c = 0;
    while (c < weights.length - 1 && v >= weights[c]!) v -= weights[c++]!;
    X.push(draw(c, u));
    labels.push(c);
  }
  return { X, labels };
}

/** Knuth's Poisson draw (test-side, independent of the library's sampler). */
function poissonDraw(lambda: number, u: () => number): number {
  const limit = Math.exp(-lambda);
  let n = 0;
  let p = u();
  while (p > limit) {
    n++;
    p *= u();
  }
  return n;
}

/** All permutations of 0…k−1. */
function permutations(k: number): number[][] {
  if (k === 1) return [[0]];
  return permutations(k - 1).flatMap((p) => Array.from({ length: k }, (_, i) => [...p.slice(0, i), k - 1, ...p.slice(i)]));
}

/** The relabelling of fitted components (`fitted[perm[c]]` ↔ `truth[c]`) with the smallest squared error. */
function bestMatch(truth: number[][], fitted: ArrayLike<number>[]): number[] {
  let best: number[] = [];
  let bestErr = Infinity;
  for (const perm of permutations(truth.length)) {
    let err = 0;
    truth.forEach((row, c) => row.forEach((v, j) => (err += (v - fitted[perm[c]!]![j]!) ** 2)));
    if (err < bestErr) {
      bestErr = err;
      best = perm;
    }
  }
  return best;
}

/** Weights and per-component parameters within `z` standard errors (plus `slack`) of the truth. */
function expectRecovered(
  n: number, trueWeights: number[], truth: number[][], weights: Float64Array, fitted: ArrayLike<number>[],
  sd: (v: number, nc: number) => number, z = 5, slack = 0.01,
): void {
  const perm = bestMatch(truth, fitted);
  truth.forEach((row, c) => {
    const w = trueWeights[c]!;
    expect(Math.abs(weights[perm[c]!]! - w), `weight ${c}`).toBeLessThan(z * Math.sqrt((w * (1 - w)) / n) + slack);
    row.forEach((v, j) => {
      expect(Math.abs(fitted[perm[c]!]![j]! - v), `component ${c} feature ${j}`).toBeLessThan(z * sd(v, n * w) + slack);
    });
  });
}

/** `log Σ_c exp(a_c)`. */
function lse(a: number[]): number {
  const m = Math.max(...a);
  return m + Math.log(a.reduce((s, v) => s + Math.exp(v - m), 0));
}

/** Direct per-row log-likelihoods of a Bernoulli mixture. */
function bernoulliLogLik(X: number[][], w: Float64Array, p: Float64Array[]): number[] {
  return X.map((x) => lse(Array.from(w, (wc, c) => Math.log(wc) +
    x.reduce((s, v, j) => s + (v === 1 ? Math.log(p[c]![j]!) : Math.log(1 - p[c]![j]!)), 0))));
}

/** Direct per-row log-likelihoods of a Poisson mixture (log x! as a sum of logs). */
function poissonLogLik(X: number[][], w: Float64Array, rates: Float64Array[]): number[] {
  const logFact = (x: number): number => {
    let s = 0;
    for (let i = 2; i <= x; i++) s += Math.log(i);
    return s;
  };
  return X.map((x) => lse(Array.from(w, (wc, c) => Math.log(wc) +
    x.reduce((s, v, j) => s + v * Math.log(rates[c]![j]!) - rates[c]![j]! - logFact(v), 0))));
}

/** Direct per-row log-likelihoods of a categorical mixture. */
function categoricalLogLik(X: number[][], w: Float64Array, p: Float64Array[][]): number[] {
  return X.map((x) => lse(Array.from(w, (wc, c) => Math.log(wc) + x.reduce((s, v, j) => s + Math.log(p[c]![j]![v]!), 0))));
}

function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, rtol: number, what: string): void {
  expect(got.length, what).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(got[i]! - want[i]!) <= rtol * Math.max(1, Math.abs(want[i]!)))) {
      expect.fail(`${what}[${i}] = ${got[i]}, expected ${want[i]}`);
    }
  }
}

function expectMonotone(m: DiscreteMixture): void {
  const h = m.logLikelihoodHistory;
  expect(h.length).toBeGreaterThan(1);
  for (let i = 1; i < h.length; i++) expect(h[i]! - h[i - 1]!, `iteration ${i + 1}`).toBeGreaterThanOrEqual(-1e-12 * Math.abs(h[i]!));
}

// ─── the known mixtures ─────────────────────────────────────────────────────────────────────────────────────────────

const BERN_W = [0.2, 0.3, 0.5];
const BERN_P = [
  [0.9, 0.8, 0.1, 0.1, 0.9, 0.2, 0.7, 0.1, 0.5, 0.9],
  [0.1, 0.2, 0.9, 0.8, 0.9, 0.1, 0.2, 0.9, 0.5, 0.1],
  [0.2, 0.9, 0.5, 0.1, 0.1, 0.9, 0.8, 0.8, 0.1, 0.5],
];
const BERN_N = 6000;
const bern = drawMixture(BERN_N, BERN_W, (c, u) => BERN_P[c]!.map((p) => (u() < p ? 1 : 0)), 101);

const POIS_W = [0.35, 0.65];
const POIS_L = [[1, 8, 3, 20], [6, 2, 12, 4]];
const POIS_N = 3000;
const pois = drawMixture(POIS_N, POIS_W, (c, u) => POIS_L[c]!.map((l) => poissonDraw(l, u)), 202);

const CAT_M = [3, 4, 2, 3];
const CAT_W = [0.5, 0.3, 0.2];
const CAT_P = [
  [[0.8, 0.1, 0.1], [0.7, 0.1, 0.1, 0.1], [0.9, 0.1], [0.1, 0.1, 0.8]],
  [[0.1, 0.8, 0.1], [0.1, 0.1, 0.7, 0.1], [0.2, 0.8], [0.8, 0.1, 0.1]],
  [[0.1, 0.1, 0.8], [0.1, 0.1, 0.1, 0.7], [0.5, 0.5], [0.1, 0.8, 0.1]],
];
const CAT_N = 6000;
const cat = drawMixture(CAT_N, CAT_W, (c, u) => CAT_P[c]!.map((probs) => {
  let v = u();
  let x = 0;
  while (x < probs.length - 1 && v >= probs[x]!) v -= probs[x++]!;
  return x;
}), 303);
/** The categorical truth flattened per component (for matching). */
const CAT_FLAT = CAT_P.map((c) => c.flat());

const binomialSd = (p: number, nc: number): number => Math.sqrt((p * (1 - p)) / nc);

describe.each(BACKENDS)('backend %s', (backend) => {
  describe('BernoulliMixture', () => {
    const bm = new BernoulliMixture({ nComponents: 3, nInit: 3, seed: 1, backend }).fit(bern.X);

    it('recovers the known mixture', () => {
      expect(bm.converged).toBe(true);
      expectRecovered(BERN_N, BERN_W, BERN_P, bm.weights, bm.probabilities, binomialSd);
    });

    it('the log-likelihood never decreases', () => expectMonotone(bm));

    it('scoreSamples equals a direct computation; score is close to the lower bound and not below it', () => {
      const direct = bernoulliLogLik(bern.X, bm.weights, bm.probabilities);
      expectClose(bm.scoreSamples(bern.X), direct, 1e-12, 'scoreSamples');
      const mean = direct.reduce((a, b) => a + b, 0) / BERN_N;
      expect(bm.score(bern.X)).toBeCloseTo(mean, 10);
      expect(bm.score(bern.X)).toBeGreaterThanOrEqual(bm.lowerBound - 1e-12);
      expect(bm.score(bern.X) - bm.lowerBound).toBeLessThan(1e-3);
    });

    it('nParameters, BIC and AIC by hand', () => {
      expect(bm.nParameters).toBe(2 + 3 * 10);
      const total = bm.score(bern.X) * BERN_N;
      expect(bm.bic(bern.X)).toBeCloseTo(-2 * total + 32 * Math.log(BERN_N), 6);
      expect(bm.aic(bern.X)).toBeCloseTo(-2 * total + 2 * 32, 6);
    });

    it('predicts the generating component for most rows; predictProba rows sum to 1', () => {
      const perm = bestMatch(BERN_P, bm.probabilities);
      const labels = bm.predict(bern.X);
      const agree = bern.labels.filter((c, i) => labels[i] === perm[c]).length / BERN_N;
      expect(agree).toBeGreaterThan(0.9);
      const proba = bm.predictProba(bern.X);
      for (let i = 0; i < 50; i++) {
        let s = 0;
        for (let c = 0; c < 3; c++) s += proba.data[i * 3 + c]!;
        expect(s).toBeCloseTo(1, 12);
      }
    });

    it('JSON round trip: the same parameters and the same scores', () => {
      const json = JSON.parse(JSON.stringify(bm.toJSON()));
      expect(json.format).toBe('wasm-em/bernoulli-mixture');
      const again = BernoulliMixture.fromJSON(json, { backend });
      expect(again.toJSON()).toEqual(bm.toJSON());
      expect(Array.from(again.scoreSamples(bern.X))).toEqual(Array.from(bm.scoreSamples(bern.X)));
      expect(discreteMixtureFromJSON(json)).toBeInstanceOf(BernoulliMixture);
    });
  });

  describe('PoissonMixture', () => {
    const pm = new PoissonMixture({ nComponents: 2, nInit: 2, seed: 2, backend }).fit(pois.X);

    it('recovers the known mixture', () => {
      expect(pm.converged).toBe(true);
      expectRecovered(POIS_N, POIS_W, POIS_L, pm.weights, pm.rates, (l, nc) => Math.sqrt(l / nc));
    });

    it('the log-likelihood never decreases', () => expectMonotone(pm));

    it('scoreSamples (with −log x!) equals a direct computation', () => {
      expectClose(pm.scoreSamples(pois.X), poissonLogLik(pois.X, pm.weights, pm.rates), 1e-12, 'scoreSamples');
      expect(pm.score(pois.X)).toBeGreaterThanOrEqual(pm.lowerBound - 1e-12);
      expect(pm.score(pois.X) - pm.lowerBound).toBeLessThan(1e-3);
    });

    it('nParameters, BIC and AIC by hand', () => {
      expect(pm.nParameters).toBe(1 + 2 * 4);
      const total = pm.score(pois.X) * POIS_N;
      expect(pm.bic(pois.X)).toBeCloseTo(-2 * total + 9 * Math.log(POIS_N), 6);
      expect(pm.aic(pois.X)).toBeCloseTo(-2 * total + 18, 6);
    });

    it('JSON round trip', () => {
      const again = PoissonMixture.fromJSON(JSON.stringify(pm.toJSON()), { backend });
      expect(again.toJSON()).toEqual(pm.toJSON());
      expect(Array.from(again.predict(pois.X))).toEqual(Array.from(pm.predict(pois.X)));
    });
  });

  describe('CategoricalMixture', () => {
    const cm = new CategoricalMixture({ nComponents: 3, nInit: 3, seed: 3, backend }).fit(cat.X);

    it('infers the number of categories and recovers the known mixture', () => {
      expect(Array.from(cm.nCategories)).toEqual(CAT_M);
      expect(cm.converged).toBe(true);
      expectRecovered(CAT_N, CAT_W, CAT_FLAT, cm.weights, cm.categoryProbabilities.map((c) => c.flatMap((v) => Array.from(v))),
        binomialSd);
      for (const comp of cm.categoryProbabilities) for (const v of comp) expect(v.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    });

    it('the log-likelihood never decreases', () => expectMonotone(cm));

    it('scoreSamples equals a direct computation', () => {
      expectClose(cm.scoreSamples(cat.X), categoricalLogLik(cat.X, cm.weights, cm.categoryProbabilities), 1e-12, 'scoreSamples');
    });

    it('nParameters, BIC and AIC by hand: (k − 1) + k·Σ(m_j − 1)', () => {
      expect(cm.nParameters).toBe(2 + 3 * (2 + 3 + 1 + 2));
      const total = cm.score(cat.X) * CAT_N;
      expect(cm.bic(cat.X)).toBeCloseTo(-2 * total + 26 * Math.log(CAT_N), 6);
      expect(cm.aic(cat.X)).toBeCloseTo(-2 * total + 52, 6);
    });

    it('one feature: the fitted likelihood is the empirical distribution\'s, Σ_v n_v log(n_v / n)', () => {
      // After any M-step, Σ_c w_c p_c(v) = Σ_i Σ_c r_ic [x_i = v] / n = n_v / n (up to α): the mixture's marginal is
      // the multinomial maximum-likelihood estimate, whatever the components.
      const counts = [120, 45, 300, 35];
      const X = counts.flatMap((nv, v) => Array.from({ length: nv }, () => [v]));
      const n = X.length;
      const m = new CategoricalMixture({ nComponents: 2, seed: 4, backend, maxIter: 5 }).fit(X);
      const direct = counts.reduce((s, nv) => s + nv * Math.log(nv / n), 0);
      expect(m.score(X) * n).toBeCloseTo(direct, 6);
      const marginal = [0, 1, 2, 3].map((v) => m.weights.reduce((s, w, c) => s + w * m.categoryProbabilities[c]![0]![v]!, 0));
      expectClose(marginal, counts.map((nv) => nv / n), 1e-9, 'marginal');
    });

    it('JSON round trip', () => {
      const json = cm.toJSON();
      expect(json.nCategories).toEqual(CAT_M);
      const again = CategoricalMixture.fromJSON(JSON.parse(JSON.stringify(json)), { backend });
      expect(again.toJSON()).toEqual(json);
      expect(Array.from(again.scoreSamples(cat.X))).toEqual(Array.from(cm.scoreSamples(cat.X)));
      expect(discreteMixtureFromJSON(json)).toBeInstanceOf(CategoricalMixture);
    });
  });

  it('sample weights count a row that many times (given start, so both fits start alike)', () => {
    const X = bern.X.slice(0, 400);
    const w = X.map((_, i) => 1 + (i % 3));
    const repeated = X.flatMap((row, i) => Array.from({ length: w[i]! }, () => row));
    const init = { probabilities: [BERN_P[0]!, BERN_P[1]!, BERN_P[2]!], weights: BERN_W };
    const a = new BernoulliMixture({ nComponents: 3, init, backend, tol: 0, maxIter: 20 }).fit(X, { sampleWeight: w });
    const b = new BernoulliMixture({ nComponents: 3, init, backend, tol: 0, maxIter: 20 }).fit(repeated);
    expectClose(a.weights, b.weights, 1e-9, 'weights');
    expectClose(a.probabilities.flatMap((r) => Array.from(r)), b.probabilities.flatMap((r) => Array.from(r)), 1e-9, 'p');
    expect(a.lowerBound).toBeCloseTo(b.lowerBound, 9);
    expect(a.score(X, { sampleWeight: w })).toBeCloseTo(b.score(repeated), 9);
    // Weight 0 drops a row.
    const zero = [...w.map(() => 1), 0];
    const c = new PoissonMixture({ nComponents: 2, init: { rates: POIS_L }, backend, tol: 0, maxIter: 5 })
      .fit([...pois.X.slice(0, 200), [1000, 0, 0, 0]].slice(-201), { sampleWeight: zero.slice(-201) });
    const d = new PoissonMixture({ nComponents: 2, init: { rates: POIS_L }, backend, tol: 0, maxIter: 5 }).fit(pois.X.slice(0, 200));
    expectClose(c.rates.flatMap((r) => Array.from(r)), d.rates.flatMap((r) => Array.from(r)), 1e-12, 'rates');
  });

  it('a component that receives no weight is a DegenerateComponentError with advice', () => {
    // Rows of zeros only; component 1 starts with P(x_j = 1) near 1, so every row's responsibility for it flushes to 0.
    const X = Array.from({ length: 50 }, (_, i) => [0, 0, 0, 0, 0, 0, 0, 0, 0, i % 2]);
    const init = { probabilities: [new Array(10).fill(0.1), new Array(10).fill(1 - 1e-6)] };
    const fit = (): unknown => new BernoulliMixture({ nComponents: 2, init, backend }).fit(X);
    expect(fit).toThrow(DegenerateComponentError);
    expect(fit).toThrow(/component 1 collapsed.*alpha/);
  });
});

describe('the backends agree', () => {
  it('same seed: the same fits to rounding on wasm and js', () => {
    const make = [
      (b: 'wasm' | 'js') => new BernoulliMixture({ nComponents: 3, seed: 9, backend: b }).fit(bern.X),
      (b: 'wasm' | 'js') => new PoissonMixture({ nComponents: 2, seed: 9, backend: b }).fit(pois.X),
      (b: 'wasm' | 'js') => new CategoricalMixture({ nComponents: 3, seed: 9, backend: b }).fit(cat.X),
    ];
    const data = [bern.X, pois.X, cat.X];
    make.forEach((fit, f) => {
      const [w, j] = [fit('wasm'), fit('js')];
      expect(w.nIter).toBe(j.nIter);
      expect(w.lowerBound).toBeCloseTo(j.lowerBound, 10);
      expectClose(w.weights, j.weights, 1e-9, 'weights');
      expectClose(w.scoreSamples(data[f]!), j.scoreSamples(data[f]!), 1e-9, 'scoreSamples');
      expect(Array.from(w.predict(data[f]!))).toEqual(Array.from(j.predict(data[f]!)));
    });
  });
});

describe('sampling', () => {
  it('draws rows grouped by component with the fitted frequencies', () => {
    const bm = new BernoulliMixture({ nComponents: 2, init: { probabilities: [[0.9, 0.2], [0.1, 0.6]], weights: [0.3, 0.7] },
      maxIter: 1 }).fit([[0, 1], [1, 0], [1, 1], [0, 0]]);
    const n = 20000;
    const { X, labels } = bm.sample(n, { seed: 5 });
    for (let i = 1; i < n; i++) expect(labels[i]!).toBeGreaterThanOrEqual(labels[i - 1]!);
    const w0 = labels.filter((c) => c === 0).length / n;
    expect(Math.abs(w0 - bm.weights[0]!)).toBeLessThan(5 * Math.sqrt(0.25 / n));
    for (let c = 0; c < 2; c++) {
      const rows = Array.from(labels).map((l, i) => [l, i]).filter(([l]) => l === c).map(([, i]) => i!);
      for (let j = 0; j < 2; j++) {
        const f = rows.reduce((s, i) => s + X.data[i * 2 + j]!, 0) / rows.length;
        const p = bm.probabilities[c]![j]!;
        expect(Math.abs(f - p)).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / rows.length));
      }
    }
    expect(Array.from(bm.sample(10, { seed: 5 }).X.data)).toEqual(Array.from(bm.sample(10, { seed: 5 }).X.data));
  });

  it('Poisson draws have mean and variance λ, below and above the switch to PTRS', () => {
    const r = new Rng(11);
    for (const lambda of [0.5, 3, 29, 30, 75, 1000]) {
      const n = 20000;
      const xs = Array.from({ length: n }, () => samplePoisson(lambda, r));
      const mean = xs.reduce((a, b) => a + b, 0) / n;
      const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1);
      expect(xs.every((x) => Number.isInteger(x) && x >= 0)).toBe(true);
      expect(Math.abs(mean - lambda), `λ = ${lambda}`).toBeLessThan(5 * Math.sqrt(lambda / n));
      expect(Math.abs(variance / lambda - 1), `λ = ${lambda}`).toBeLessThan(0.06);
    }
  });

  it('categorical draws are codes with the model\'s frequencies', () => {
    const cm = CategoricalMixture.fromJSON({ format: 'wasm-em/categorical-mixture', version: 1, nFeatures: 1, nComponents: 1,
      nCategories: [3], weights: [1], categoryProbabilities: [[[0.2, 0.5, 0.3]]], converged: true, nIter: 1, lowerBound: -1 });
    const { X } = cm.sample(30000, { seed: 1 });
    [0.2, 0.5, 0.3].forEach((p, v) => {
      const f = X.data.filter((x) => x === v).length / 30000;
      expect(Math.abs(f - p)).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / 30000));
    });
  });
});

describe('log n!', () => {
  it('matches summed logarithms across the switch to Stirling\'s series', () => {
    let s = 0;
    for (let n = 0; n <= 2000; n++) {
      if (n > 1) s += Math.log(n);
      expect(Math.abs(logFactorial(n) - s), `n = ${n}`).toBeLessThanOrEqual(1e-12 * Math.max(1, s));
    }
  });
});

describe('input errors', () => {
  const expectInputError = (f: () => unknown, argument: string, pattern: RegExp): void => {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(InputError);
      expect((e as InputError).argument).toBe(argument);
      expect((e as Error).message).toMatch(pattern);
      return;
    }
    expect.fail('expected an InputError');
  };

  it('entries outside the support name the entry, what was expected and what was given', () => {
    expectInputError(() => new BernoulliMixture().fit([[0, 1], [1, 0.5]]), 'X[1][1]', /expected 0 or 1.*got 0\.5/);
    expectInputError(() => new PoissonMixture().fit([[0, 1], [-1, 2]]), 'X[1][0]', /integer ≥ 0.*got -1/);
    expectInputError(() => new PoissonMixture().fit([[0, 1.5]]), 'X[0][1]', /got 1\.5/);
    expectInputError(() => new CategoricalMixture({ nCategories: [2, 3] }).fit([[0, 1], [1, 3]]), 'X[1][1]',
      /integer in \[0, 2\].*nCategories\[1\] = 3.*got 3/);
    expectInputError(() => new CategoricalMixture().fit([[0, -1]]), 'X[0][1]', /category code/);
  });

  it('NaN says that missing values are supported by GaussianMixture only', () => {
    for (const M of [BernoulliMixture, PoissonMixture, CategoricalMixture]) {
      expectInputError(() => new M().fit([[0, 1], [NaN, 1]]), 'X[1][0]', /GaussianMixture only/);
    }
  });

  it('predicting a category code outside the fitted range is an InputError', () => {
    const cm = new CategoricalMixture({ nComponents: 2, seed: 1 }).fit([[0, 1], [1, 0], [2, 1], [0, 0]]);
    expectInputError(() => cm.predict([[3, 0]]), 'X[0][0]', /\[0, 2\].*got 3/);
    expectInputError(() => cm.score([[0, 2]]), 'X[0][1]', /\[0, 1\].*got 2/);
    expectInputError(() => cm.predict([[0, 1, 0]]), 'X', /2 columns/);
  });

  it('bad options', () => {
    expectInputError(() => new BernoulliMixture({ alpha: 0 }), 'options.alpha', /> 0/);
    expectInputError(() => new PoissonMixture({ init: 'kmeans' as 'random' }), 'options.init', /'kmeans\+\+', 'random'/);
    expectInputError(() => new PoissonMixture({ init: {} as { rates: number[][] } }), 'options.init.rates', /undefined/);
    expectInputError(() => new BernoulliMixture({ nComponents: 3 }).fit([[0, 1], [0, 1], [1, 1]]), 'options.nComponents',
      /distinct rows/);
    expectInputError(() => new CategoricalMixture({ nCategories: [2, 0] }), 'options.nCategories[1]', /integer in \[1/);
    expectInputError(() => new CategoricalMixture({ nCategories: [2, 2, 2] }).fit([[0, 1]]), 'options.nCategories',
      /3/);
    expectInputError(() => new BernoulliMixture({ nComponents: 2, init: { probabilities: [[0.5, 1], [0.5, 0.5]] } })
      .fit([[0, 1], [1, 0]]), 'options.init.probabilities[0][1]', /\(0, 1\).*got 1/);
    expectInputError(() => new CategoricalMixture({ nComponents: 1, init: { categoryProbabilities: [[[0.5, 0.6]]] } })
      .fit([[0], [1]]), 'options.init.categoryProbabilities[0][0]', /summing to 1/);
    expectInputError(() => new BernoulliMixture().fit([[0, 1]], { sampleWeight: [-1] }), 'options.sampleWeight[0]', /≥ 0/);
  });

  it('model files are checked field by field', () => {
    const good = new PoissonMixture({ nComponents: 2, seed: 1 }).fit(pois.X.slice(0, 100)).toJSON();
    expectInputError(() => PoissonMixture.fromJSON({ ...good, format: 'wasm-em/bernoulli-mixture' }), 'json.format', /poisson/);
    expectInputError(() => PoissonMixture.fromJSON({ ...good, version: 2 }), 'json.version', /1/);
    expectInputError(() => PoissonMixture.fromJSON({ ...good, rates: [[1, 2, 3, 0], [1, 1, 1, 1]] }), 'json.rates[0][3]', /> 0/);
    expectInputError(() => PoissonMixture.fromJSON({ ...good, rates: [[1, 2, 3]] }), 'json.rates', /length 2/);
    expectInputError(() => PoissonMixture.fromJSON({ ...good, extra: 1 }), 'json.extra', /unknown option/);
    expectInputError(() => PoissonMixture.fromJSON({ ...good, weights: [0.5, 0.6] }), 'json.weights', /summing to 1/);
    expectInputError(() => PoissonMixture.fromJSON({ ...good, alpha: -1 }), 'json.alpha', /> 0/);
    expectInputError(() => PoissonMixture.fromJSON('{'), 'json', /does not parse/);
    const bj = { format: 'wasm-em/bernoulli-mixture', version: 1, nFeatures: 1, nComponents: 1, weights: [1], probabilities: [[1]] };
    expectInputError(() => BernoulliMixture.fromJSON(bj), 'json.probabilities[0][0]', /\(0, 1\)/);
    const cj = { format: 'wasm-em/categorical-mixture', version: 1, nFeatures: 1, nComponents: 1, weights: [1],
      nCategories: [2], categoryProbabilities: [[[0.5, 0.5, 0]]] };
    expectInputError(() => CategoricalMixture.fromJSON(cj), 'json.categoryProbabilities[0][0]', /length 2/);
    expectInputError(() => CategoricalMixture.fromJSON({ ...cj, nCategories: undefined }), 'json.nCategories', /undefined/);
    expect(discreteMixtureFromJSON({ format: 'wasm-em/gaussian-mixture' })).toBeNull();
  });
});
