/**
 * Degenerate data, on both backends and every covariance type (and the discrete mixtures and HMMs where the case
 * applies): constant features, duplicated rows, fewer distinct rows than components, magnitudes from 1e-300 to 1e300,
 * offsets, d = 512, n = 1, d = 1, K = n, huge Poisson counts, constant Bernoulli columns, unseen categories, HMMs with
 * T = 1 sequences and a state never visited. Every case ends in a fit whose parameters and log-likelihood are finite,
 * or in a typed error (`InputError`, `DegenerateComponentError`) whose message says what to do — never NaN, a crash
 * or a hang. Where the answer is known (scaling, translation) it is asserted to a tolerance stated from the
 * conditioning.
 */
import { describe, expect, it } from 'vitest';
import {
  BernoulliMixture, CategoricalHMM, CategoricalMixture, DegenerateComponentError, GaussianHMM, GaussianMixture,
  InputError, PoissonHMM, PoissonMixture, type GaussianMixtureOptions,
} from '../../src/index.js';
import { Rng } from '../../src/rng.js';

const BACKENDS = ['js', 'wasm'] as const;
const TYPES = ['full', 'tied', 'diag', 'spherical'] as const;

/** Paths of every value in a model's JSON that is not a finite number (null, NaN, ±Infinity). */
function nonFinite(value: unknown, path = '$'): string[] {
  if (typeof value === 'number') return Number.isFinite(value) ? [] : [`${path} = ${value}`];
  if (value === null) return [`${path} = null`];
  if (Array.isArray(value)) return value.flatMap((v, i) => nonFinite(v, `${path}[${i}]`));
  if (typeof value === 'object') return Object.entries(value as object).flatMap(([k, v]) => nonFinite(v, `${path}.${k}`));
  return [];
}

/** The advice every typed error of a degenerate case must carry: a sentence saying what to try. */
const ADVICE = /(Try|Use|Scale|Give|Move|Leave) /;

type Outcome<M> = { model: M; error?: undefined } | { model?: undefined; error: InputError | DegenerateComponentError };

/** Runs a fit; a thrown error must be typed and carry advice (anything else fails the test). */
function attempt<M>(fit: () => M): Outcome<M> {
  try {
    return { model: fit() };
  } catch (e) {
    if (!(e instanceof InputError || e instanceof DegenerateComponentError)) throw e;
    expect(e.message, 'typed errors of degenerate data say what to do').toMatch(ADVICE);
    return { error: e };
  }
}

/** A fitted mixture: finite JSON, lower bound, scores and posteriors on `X`. */
function expectFiniteMixture(
  m: GaussianMixture | BernoulliMixture | CategoricalMixture | PoissonMixture, X: number[][],
): void {
  expect(nonFinite(m.toJSON())).toEqual([]);
  expect(Number.isFinite(m.lowerBound), `lowerBound ${m.lowerBound}`).toBe(true);
  expect(Number.isFinite(m.score(X)), `score ${m.score(X)}`).toBe(true);
  expect(nonFinite(Array.from(m.predictProba(X).data))).toEqual([]);
  expect(nonFinite(Array.from(m.scoreSamples(X)))).toEqual([]);
}

/** Fits a Gaussian mixture that must succeed, and checks it. */
function fitGaussian(X: number[][], options: GaussianMixtureOptions): GaussianMixture {
  const gm = new GaussianMixture({ seed: 1, initCandidates: 2, ...options }).fit(X);
  expectFiniteMixture(gm, X);
  return gm;
}

/** n rows of d features from two separated clusters (seeded), for the scaling and offset cases. */
function twoClusters(n: number, d: number, seed: number): number[][] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, (_, i) => Array.from({ length: d }, (_, j) =>
    (i % 2 === 0 ? 0 : 6) + (j + 1) * 0.5 * rng.normal() + (j === 0 ? 0 : 0.3 * (i % 2))));
}

/**
 * `moved` (fitted to the 2-feature rows of `ref`'s data plus `offset`) is `ref` with its means moved by `offset`, to
 * `eps`, and the same covariances, to 2·eps; components matched by their first mean.
 */
function expectTranslated(ref: GaussianMixture, moved: GaussianMixture, offset: number, eps: number): void {
  const order = (g: GaussianMixture): number[] => [0, 1].sort((a, b) => g.means[a]![0]! - g.means[b]![0]!);
  const [oi, mi] = [order(ref), order(moved)];
  for (let t = 0; t < 2; t++) {
    for (let j = 0; j < 2; j++) expect(Math.abs(moved.means[mi[t]!]![j]! - offset - ref.means[oi[t]!]![j]!)).toBeLessThan(eps);
    const A = moved.covarianceMatrix(mi[t]!);
    const B = ref.covarianceMatrix(oi[t]!);
    for (let a = 0; a < 2; a++) for (let b = 0; b < 2; b++) expect(Math.abs(A[a]![b]! - B[a]![b]!)).toBeLessThan(2 * eps);
  }
}

describe.each(BACKENDS)('GaussianMixture on degenerate data (%s backend)', (backend) => {
  describe.each(TYPES)('%s covariances', (covarianceType) => {
    const base = { backend, covarianceType } as const;

    it('a constant feature: its variance is regCovar, the others are fitted', () => {
      const X = twoClusters(200, 3, 2).map((r) => [r[0]!, 5, r[2]!]);
      const gm = fitGaussian(X, { ...base, nComponents: 2 });
      for (let c = 0; c < 2; c++) {
        expect(gm.means[c]![1]).toBe(5);
        if (covarianceType !== 'spherical') expect(gm.covarianceMatrix(c)[1]![1]).toBeCloseTo(1e-6, 12);
      }
    });

    it('every feature constant (all rows equal): K = 1 fits a point mass of variance regCovar; K = 2 is an InputError', () => {
      const X = Array.from({ length: 50 }, () => [3, -1, 7]);
      const gm = fitGaussian(X, { ...base, nComponents: 1 });
      expect(Array.from(gm.means[0]!)).toEqual([3, -1, 7]);
      expect(gm.covarianceMatrix(0)[0]![0]).toBeCloseTo(1e-6, 15);
      const { error } = attempt(() => new GaussianMixture({ ...base, nComponents: 2, seed: 1 }).fit(X));
      expect(error).toBeInstanceOf(InputError);
      expect(error!.message).toMatch(/distinct rows.*\(1\).*Use fewer components/);
    });

    it('k points each duplicated many times, K = k: one point mass per component', () => {
      const points = [[0, 0], [10, 1], [-4, 8]];
      const X = Array.from({ length: 90 }, (_, i) => points[i % 3]!.slice());
      const gm = fitGaussian(X, { ...base, nComponents: 3 });
      const means = gm.means.map((m) => Array.from(m)).sort((a, b) => a[0]! - b[0]!);
      expect(means).toEqual([[-4, 8], [0, 0], [10, 1]]);
      // Every component's covariance is regCovar·I (tied: the pooled within-cluster scatter, also 0).
      expect(gm.covarianceMatrix(0)[0]![0]).toBeCloseTo(1e-6, 12);
    });

    it('fewer distinct rows than components: InputError naming the count', () => {
      const X = [[1, 2], [1, 2], [3, 4], [3, 4], [3, 4]];
      const { error } = attempt(() => new GaussianMixture({ ...base, nComponents: 3, seed: 1 }).fit(X));
      expect(error).toBeInstanceOf(InputError);
      expect(error!.message).toContain('(2)');
    });

    it('n = 1 (K = 1), d = 1, and K = n', () => {
      const one = fitGaussian([[1.5, -2]], { ...base, nComponents: 1 });
      expect(Array.from(one.means[0]!)).toEqual([1.5, -2]);
      fitGaussian([[1], [2], [2.5], [7], [8]], { ...base, nComponents: 2 });
      const X = [[0, 0], [1, 5], [9, 2], [-3, 3], [4, -6]];
      const kn = fitGaussian(X, { ...base, nComponents: 5 });
      expect(kn.means.map((m) => Array.from(m)).sort((a, b) => a[0]! - b[0]! )).toEqual([...X].sort((a, b) => a[0]! - b[0]!));
    });

    it.each([1e-150, 1e150])('data scaled by %s (regCovar scaled by s²): means × s, covariances × s², log-likelihood − d·log s', (s) => {
      const X = twoClusters(300, 2, 3);
      const options = { ...base, nComponents: 2, tol: 1e-12, maxIter: 300 };
      const ref = fitGaussian(X, options);
      const scaled = fitGaussian(X.map((r) => r.map((v) => v * s)), { ...options, regCovar: 1e-6 * s * s });
      // Scaling is exact in binary up to one rounding per entry; EM then runs the same iterations in other units:
      // relative differences stay at the level of the fit's conditioning (1e-9 here; the clusters are well separated).
      const rel = (a: number, b: number): number => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);
      for (let c = 0; c < 2; c++) {
        for (let j = 0; j < 2; j++) expect(rel(scaled.means[c]![j]! / s, ref.means[c]![j]!) < 1e-9 || Math.abs(scaled.means[c]![j]! / s - ref.means[c]![j]!) < 1e-9).toBe(true);
        const A = scaled.covarianceMatrix(c);
        const B = ref.covarianceMatrix(c);
        for (let a = 0; a < 2; a++) for (let b = 0; b < 2; b++) expect(Math.abs(A[a]![b]! / (s * s) - B[a]![b]!)).toBeLessThan(1e-8 * Math.abs(B[a]![a]!));
      }
      expect(rel(scaled.lowerBound, ref.lowerBound - 2 * Math.log(s))).toBeLessThan(1e-9);
    });

    it.each([1e-300, 1e300])('data scaled by %s: a finite fit or a typed error with advice', (s) => {
      const X = twoClusters(300, 2, 3).map((r) => r.map((v) => v * s));
      const out = attempt(() => new GaussianMixture({ ...base, nComponents: 2, seed: 1 }).fit(X));
      if (out.model) expectFiniteMixture(out.model, X);
    });

    it.each([1e6, 1e12])('data offset by %s: covariances unchanged, means shifted', (offset) => {
      const X = twoClusters(300, 2, 4);
      const options = { ...base, nComponents: 2, tol: 1e-10, maxIter: 300 };
      const ref = fitGaussian(X, options);
      const moved = fitGaussian(X.map((r) => r.map((v) => v + offset)), options);
      // Each shifted entry is rounded to ulp(offset) ≈ offset·2.2e-16 (2.2e-4 at 1e12): means move by that much, and
      // covariances of order 1 by about twice that relative (data spread ≈ 1), with a margin of 100 for EM's iterations.
      const eps = offset * 2.3e-16 * 100;
      expectTranslated(ref, moved, offset, eps);
    });
  });
});

describe.each(BACKENDS)('GaussianMixture with dtype float32 on degenerate data (%s backend)', (backend) => {
  describe.each(TYPES)('%s covariances', (covarianceType) => {
    const base = { backend, covarianceType, dtype: 'float32' } as const;

    it('a constant feature, and k duplicated points with K = k', () => {
      const X = twoClusters(200, 3, 2).map((r) => [r[0]!, 5, r[2]!]);
      const gm = fitGaussian(X, { ...base, nComponents: 2 });
      expect(gm.means[0]![1]).toBe(5);
      const points = [[0, 0], [10, 1], [-4, 8]];
      fitGaussian(Array.from({ length: 90 }, (_, i) => points[i % 3]!.slice()), { ...base, nComponents: 3 });
    });

    it.each([1e6, 1e12])('data offset by %s: the fit of the unshifted data, moved (the data are centred in f64)', (offset) => {
      const X = twoClusters(300, 2, 4);
      const options = { ...base, nComponents: 2, tol: 1e-10, maxIter: 300 };
      const ref = fitGaussian(X, options);
      const moved = fitGaussian(X.map((r) => r.map((v) => v + offset)), options);
      // Entries rounded to ulp(offset) in f64 before the centring, then to f32 (2⁻²⁴ of a spread of about 10).
      const eps = offset * 2.3e-16 * 100 + 1e-4;
      expectTranslated(ref, moved, offset, eps);
    });

    it.each([1e-300, 1e-150, 1e15])('data scaled by %s: a finite fit', (s) => {
      const X = twoClusters(300, 2, 3).map((r) => r.map((v) => v * s));
      fitGaussian(X, { ...base, nComponents: 2 });
    });

    it.each([1e20, 1e150, 1e300])('data scaled by %s: InputError (f32 squares overflow) advising float64 or scaling', (s) => {
      const X = twoClusters(300, 2, 3).map((r) => r.map((v) => v * s));
      const { error } = attempt(() => new GaussianMixture({ ...base, nComponents: 2, seed: 1 }).fit(X));
      expect(error).toBeInstanceOf(InputError);
      expect(error!.message).toMatch(/X \(column 0\).*Scale the features.*dtype: 'float64'/);
    });
  });
});

describe.each(BACKENDS)('GaussianMixture, d = 512 (%s backend)', (backend) => {
  // Two clusters 4 apart along every axis, one EM iteration: n = 2000 rows for diag; 1200 for full (600 per component,
  // still more than d), where each pass costs n·K·d² (the js twin takes about 5 s).
  const d = 512;
  const rng = new Rng(5);
  const all = new Float64Array(2000 * d);
  for (let i = 0; i < 2000; i++) for (let j = 0; j < d; j++) all[i * d + j] = (i % 2) * 4 + rng.normal();
  it.each(['diag', 'full'] as const)('%s: finite parameters and log-likelihood, the two clusters found', { timeout: 30_000 }, (covarianceType) => {
    const n = covarianceType === 'full' ? 1200 : 2000;
    const X = all.subarray(0, n * d);
    const gm = new GaussianMixture({ backend, covarianceType, nComponents: 2, seed: 1, initCandidates: 1, maxIter: 1, tol: 0 })
      .fit(X, { nFeatures: d });
    expect(nonFinite(gm.toJSON())).toEqual([]);
    expect(Number.isFinite(gm.lowerBound)).toBe(true);
    const labels = gm.predict(X, { nFeatures: d });
    for (let i = 2; i < n; i++) expect(labels[i]).toBe(labels[i % 2]);
    expect(labels[0]).not.toBe(labels[1]);
  });
});

describe('regressions found on degenerate data', () => {
  it.each(BACKENDS)('data of magnitude 1e-300 fits (%s): k-means++ seeding used to put two seeds on one row, leaving a component empty', (backend) => {
    // Squared distances of 1e-300 apart underflowed to 0: every row looked as near as the first seed, the second seed
    // fell on the same row and one component got no row ("no data point is assigned to it").
    const X = [[0], [1e-300], [2e-300], [10e-300], [11e-300], [12e-300]];
    for (const covarianceType of TYPES) {
      const gm = new GaussianMixture({ backend, covarianceType, nComponents: 2, seed: 1 }).fit(X);
      expectFiniteMixture(gm, X);
    }
  });

  it.each(BACKENDS)('data of magnitude 1e300 is an InputError naming the column (%s): it used to collapse with "variance NaN"', (backend) => {
    const X = [[0, 1], [1e300, 2], [-1e300, 3], [2e300, 4]];
    for (const covarianceType of TYPES) {
      const { error } = attempt(() => new GaussianMixture({ backend, covarianceType, nComponents: 1, seed: 1 }).fit(X));
      expect(error).toBeInstanceOf(InputError);
      expect(error!.message).toMatch(/^X \(column 0\): expected values within .* of the column's mean .*Scale the features/);
    }
    const hmm = attempt(() => new GaussianHMM({ backend, nStates: 1, seed: 1 }).fit([X]));
    expect(hmm.error).toBeInstanceOf(InputError);
  });

  it.each(BACKENDS)('fitStream: data of magnitude 1e300 is the same InputError, from the first pass\'s column extremes (%s)', async (backend) => {
    // Rows in two chunks, the extremes in different ones; a missing entry in the column does not hide them.
    const chunks = () => [{ data: Float64Array.of(0, 1, 1e300, 2), rows: 2, cols: 2 },
      { data: Float64Array.of(NaN, 5, -1e300, 3, 2e300, 4), rows: 3, cols: 2 }];
    for (const dtype of ['float64', 'float32'] as const) {
      const gm = new GaussianMixture({ backend, dtype, nComponents: 1, seed: 1 });
      const error = await gm.fitStream(chunks).then(() => null, (e: unknown) => e);
      expect(error).toBeInstanceOf(InputError);
      expect((error as InputError).message).toMatch(/\(column 0\): expected values within .* of the column's mean .*Scale the features/);
    }
    // The same data in memory: fit names it the same way.
    const X = [[0, 1], [1e300, 2], [NaN, 5], [-1e300, 3], [2e300, 4]];
    const { error } = attempt(() => new GaussianMixture({ backend, nComponents: 1, seed: 1 }).fit(X));
    expect((error as InputError).message).toMatch(/^X \(column 0\): expected values within .* of the column's mean/);
    // Within range the stream fits as before (and as fit does).
    const small = () => [{ data: Float64Array.of(0, 1, 1e3, 2, -1e3, 3, 2e3, 4), rows: 4, cols: 2 }];
    const fitted = await new GaussianMixture({ backend, nComponents: 1, seed: 1 }).fitStream(small);
    expect(JSON.stringify(fitted.toJSON())).toBe(JSON.stringify(new GaussianMixture({ backend, nComponents: 1, seed: 1 })
      .fit([[0, 1], [1e3, 2], [-1e3, 3], [2e3, 4]]).toJSON()));
  });

  it('float32 data spread by 1e20 is an InputError on both backends: the wasm f32 lanes overflowed where the js twin fitted', () => {
    const X = [[0], [1e20], [3e20], [4e20]];
    for (const backend of BACKENDS) {
      const { error } = attempt(() => new GaussianMixture({ backend, dtype: 'float32', seed: 1 }).fit(X));
      expect(error).toBeInstanceOf(InputError);
      expectFiniteMixture(new GaussianMixture({ backend, seed: 1 }).fit(X), X);
    }
  });
});

describe.each(BACKENDS)('discrete mixtures on degenerate data (%s backend)', (backend) => {
  it.each([1e9, 1e15, 2 ** 53, 1e300])('PoissonMixture with counts up to %s: finite rates near the counts', (big) => {
    const X = [[0, big], [3, 2 * big], [big, 5], [2 * big, 7]];
    const pm = new PoissonMixture({ backend, nComponents: 2, seed: 1 }).fit(X);
    expectFiniteMixture(pm, X);
    const rates = pm.rates.map((r) => Array.from(r)).sort((a, b) => a[0]! - b[0]!);
    expect(rates[1]![0]! / (1.5 * big)).toBeCloseTo(1, 9);
    expect(rates[0]![1]! / (1.5 * big)).toBeCloseTo(1, 9);
  });

  it('BernoulliMixture with an all-zero and an all-one column: probabilities off 0 and 1 by alpha, finite scores', () => {
    const X = [[0, 1, 0], [0, 1, 1], [0, 1, 0], [0, 1, 1]];
    const bm = new BernoulliMixture({ backend, nComponents: 2, seed: 1 }).fit(X);
    expectFiniteMixture(bm, X);
    for (const p of bm.probabilities) {
      expect(p[0]).toBeGreaterThan(0);
      expect(p[0]).toBeLessThan(1e-9);
      expect(p[1]).toBeLessThan(1);
      expect(p[1]).toBeGreaterThan(1 - 1e-9);
    }
    expect(Number.isFinite(bm.score([[1, 0, 1]]))).toBe(true);
  });

  it('all rows equal: K = 1 fits every family; K = 2 is an InputError', () => {
    const X = [[1, 0, 1], [1, 0, 1], [1, 0, 1]];
    for (const make of [
      (k: number) => new BernoulliMixture({ backend, nComponents: k, seed: 1 }),
      (k: number) => new CategoricalMixture({ backend, nComponents: k, seed: 1 }),
      (k: number) => new PoissonMixture({ backend, nComponents: k, seed: 1 }),
    ]) {
      expectFiniteMixture(make(1).fit(X), X);
      expectFiniteMixture(make(1).fit([X[0]!]), [X[0]!]);
      const { error } = attempt(() => make(2).fit(X));
      expect(error).toBeInstanceOf(InputError);
    }
  });

  it('CategoricalMixture with a category never seen: its probability is tiny and finite, and rows using it score finitely', () => {
    const X = [[0, 1], [1, 0], [0, 0], [1, 1]];
    const cm = new CategoricalMixture({ backend, nComponents: 2, seed: 1, nCategories: [3, 4] }).fit(X);
    expectFiniteMixture(cm, X);
    for (const c of cm.categoryProbabilities) {
      expect(c[0]![2]).toBeGreaterThan(0);
      expect(c[0]![2]).toBeLessThan(1e-9);
    }
    expect(Number.isFinite(cm.score([[2, 3]]))).toBe(true);
  });

  it('K = n: one component per row', () => {
    const X = [[0, 3], [5, 0], [1, 9]];
    expectFiniteMixture(new PoissonMixture({ backend, nComponents: 3, seed: 1 }).fit(X), X);
    const B = [[0, 1], [1, 0], [1, 1]];
    expectFiniteMixture(new BernoulliMixture({ backend, nComponents: 3, seed: 1 }).fit(B), B);
  });
});

describe.each(BACKENDS)('hidden Markov models on degenerate data (%s backend)', (backend) => {
  /** Every number of the model's JSON and its log-likelihood finite. */
  const expectFiniteHmm = (m: GaussianHMM | CategoricalHMM | PoissonHMM): void => {
    expect(nonFinite(m.toJSON())).toEqual([]);
    expect(Number.isFinite(m.logLikelihood)).toBe(true);
  };

  it('sequences of length T = 1 (no transition to count): the transition matrix keeps its start', () => {
    const g = new GaussianHMM({ backend, nStates: 2, seed: 1 }).fit([[[0]], [[1]], [[5]], [[6]], [[5.5]]]);
    expectFiniteHmm(g);
    expect(g.transMat.map((r) => Array.from(r))).toEqual([[0.5, 0.5], [0.5, 0.5]]);
    // A column of one-symbol rows is one sequence (hmmlearn's (n_samples, 1)); sequences of length 1 take lengths.
    const c = new CategoricalHMM({ backend, nStates: 2, seed: 1 }).fit([[0], [1], [2], [1]], { lengths: [1, 1, 1, 1] });
    expectFiniteHmm(c);
    expect(c.transMat.map((r) => Array.from(r))).toEqual([[0.5, 0.5], [0.5, 0.5]]);
    expectFiniteHmm(new PoissonHMM({ backend, nStates: 2, seed: 1 }).fit([[[0]], [[4]], [[9]], [[1]]]));
  });

  it('a state never visited (start and transition probabilities 0): listed in emptyStates, parameters kept, finite', () => {
    const warnings: string[] = [];
    const g = new GaussianHMM({
      backend, nStates: 3, seed: 1, init: 'mc', startProb: [0.5, 0.5, 0],
      transMat: [[0.5, 0.5, 0], [0.5, 0.5, 0], [0.3, 0.3, 0.4]],
    }).fit([[[0], [1], [5], [6], [0.5], [5.5], [9]]], { onWarning: (m) => warnings.push(m) });
    expectFiniteHmm(g);
    expect(g.emptyStates).toEqual([2]);
    expect(Array.from(g.transMat[2]!)).toEqual([0.3, 0.3, 0.4]);
    expect(warnings.join('\n')).toMatch(/state 2 received no posterior mass.*Try fewer states/);
  });

  it('n = 1, a constant feature, all observations equal, huge counts', () => {
    expectFiniteHmm(new GaussianHMM({ backend, nStates: 1, seed: 1 }).fit([[[1, 2]]]));
    expectFiniteHmm(new GaussianHMM({ backend, nStates: 2, seed: 1, covarianceType: 'full' }).fit([[[1, 2], [3, 2], [7, 2], [8, 2]]]));
    const { error } = attempt(() => new GaussianHMM({ backend, nStates: 2, seed: 1 }).fit([[[1, 2], [1, 2], [1, 2]]]));
    expect(error).toBeInstanceOf(InputError);
    expectFiniteHmm(new PoissonHMM({ backend, nStates: 2, seed: 1 }).fit([[[0, 1e15], [3, 2e15], [1e15, 5], [2e15, 7]]]));
    expectFiniteHmm(new GaussianHMM({ backend, nStates: 2, seed: 1 }).fit([[[1e-300], [3e-300], [7e-300], [8e-300]]]));
  });
});
