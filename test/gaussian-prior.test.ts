/**
 * The conjugate prior (`prior`, src/families/gaussian-prior.ts) against mclust 6's `priorControl()` / `defaultPrior`
 * (test/fixtures/mclust-prior/make-prior-fixtures.R: faithful and iris, VVV/EEE/VVI/VII = full/tied/diag/spherical,
 * G = 2, 3 and iris 4): the hyperparameters, the MAP M-step from mclust's hierarchical start, EM from that start
 * (the same iterations as mclust's `me()`, and to convergence), its log-likelihood and BIC; then the properties of
 * MAP EM (monotone log posterior, no collapse), the option's errors, the model file, `fitAsync`, `fitStream`, the CLI.
 */
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DegenerateComponentError, GaussianMixture, InputError, selectModel } from '../src/index.js';
import {
  dataMoments, logGamma, logPrior, maximizePosterior, resolvePrior, type GaussianPrior,
} from '../src/families/gaussian-prior.js';
import { componentStatsLength, statsLength } from '../src/backend/kernel.js';
import {
  SKLEARN_COVARIANCE_TYPES, gaussianParams, kernelShape, maximize, type SklearnCovarianceType, type GaussianParams,
} from '../src/families/gaussian.js';
import { relativeDifference } from './helpers/close.js';
import { cliInProcess } from './helpers/cli-in-process.js';
import { setWorkerScript } from '../src/parallel/platform.js';
import { thrown } from './helpers/thrown.js';

const BACKENDS = ['js', 'wasm'] as const;

interface Params { weights: number[]; means: number[][]; covariances: number | number[] | number[][] | number[][][] }
interface Fit {
  covarianceType: SklearnCovarianceType; model: string; G: number; labels: number[];
  hyper: { shrinkage: number; mean: number[]; dof: number; scale: number | number[][] };
  mstep: Params; me: Params & { loglik: number | null; iterations: number; bic: number | null; logPrior: number | null };
  mclust: { loglik: number | null; bic: number | null };
}
interface DataSet { data: number[][]; n: number; d: number; fits: Fit[] }
const fixtures = JSON.parse(readFileSync(new URL('./fixtures/mclust-prior/prior-fixtures.json', import.meta.url), 'utf8')) as
  Record<'faithful' | 'iris', DataSet>;
const SETS = ['faithful', 'iris'] as const;

const flat = (v: unknown): number[] => (Array.isArray(v) ? v.flatMap(flat) : [v as number]);
function matrix(rows: number[][]) {
  return { data: Float64Array.from(rows.flat()), rows: rows.length, cols: rows[0]!.length };
}
/** Largest relative difference of two sequences, each entry relative to the largest magnitude of `want`'s. */
function maxRel(got: ArrayLike<number>, want: ArrayLike<number>): number {
  expect(got.length).toBe(want.length);
  let scale = 0;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]!));
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!) / scale);
  return worst;
}
function paramsDifference(p: GaussianParams, want: Params): { weights: number; means: number; covariances: number } {
  return {
    weights: maxRel(p.weights, want.weights),
    means: maxRel(p.means, flat(want.means)),
    covariances: maxRel(p.covariances, flat(want.covariances)),
  };
}
/** The hard-assignment statistics of `labels` (1-based) about `shift` (kernel layout), computed here, not by a backend. */
function labelStats(X: number[][], labels: number[], k: number, type: SklearnCovarianceType, shift: Float64Array): Float64Array {
  const d = X[0]!.length;
  const shape = kernelShape(type);
  const block = componentStatsLength(shape, d);
  const stats = new Float64Array(statsLength(shape, d, k));
  X.forEach((row, i) => {
    const c = labels[i]! - 1;
    const s = c * block;
    const diff = row.map((v, j) => v - shift[c * d + j]!);
    stats[s]++;
    let p = s + 1 + d;
    for (let a = 0; a < d; a++) {
      stats[s + 1 + a] += diff[a]!;
      if (shape === 'full') for (let b = a; b < d; b++) stats[p++] += diff[a]! * diff[b]!;
      else stats[p++] += diff[a]! * diff[a]!;
    }
  });
  return stats;
}

const cases = SETS.flatMap((name) => fixtures[name].fits.map((fit) => ({ name, fit, set: fixtures[name] })));
const label = (c: (typeof cases)[number]) => `${c.name} ${c.fit.model} G=${c.fit.G}`;
const agreement: string[] = [];

describe('hyperparameters and M-step against mclust', () => {
  it.each(cases.map((c) => [label(c), c] as const))('%s: defaultPrior to 1e-12', (_, { set, fit }) => {
    const prior = resolvePrior(dataMoments(matrix(set.data), null), fit.G, set.d, fit.covarianceType, 'default');
    expect(prior.shrinkage).toBe(fit.hyper.shrinkage);
    expect(prior.dof).toBe(fit.hyper.dof);
    const worst = Math.max(maxRel(prior.mean, fit.hyper.mean), maxRel(prior.scale, flat(fit.hyper.scale)));
    agreement.push(`defaultPrior ${fit.model} G=${fit.G}: ${worst.toExponential(1)}`);
    expect(worst).toBeLessThanOrEqual(1e-12);
  });

  it.each(cases.map((c) => [label(c), c] as const))('%s: MAP M-step from mclust\'s start to 1e-10', (_, { set, fit }) => {
    const { G: k, covarianceType: type } = fit;
    const d = set.d;
    const prior = resolvePrior(dataMoments(matrix(set.data), null), k, d, type, 'default');
    // Any shift gives the same estimates: the first row, far from most components' means.
    const shift = new Float64Array(k * d);
    for (let c = 0; c < k; c++) shift.set(set.data[0]!, c * d);
    const p = maximizePosterior(type, k, d, labelStats(set.data, fit.labels, k, type, shift), shift, prior, 0);
    const diff = paramsDifference(p, fit.mstep);
    agreement.push(`M-step ${fit.model} G=${fit.G}: ${Math.max(diff.weights, diff.means, diff.covariances).toExponential(1)}`);
    expect(Math.max(diff.weights, diff.means, diff.covariances), JSON.stringify(diff)).toBeLessThanOrEqual(1e-10);
  });
});

describe('logPrior against R (MCMCpack\'s diwish and dinvgamma)', () => {
  it.each(cases.filter((c) => c.fit.me.logPrior !== null).map((c) => [label(c), c] as const))(
    '%s: at mclust\'s MAP parameters, to 1e-12', (_, c) => {
      const { set, fit } = c;
      const { G: k, covarianceType: type } = fit;
      const prior = resolvePrior(dataMoments(matrix(set.data), null), k, set.d, type, 'default');
      const p = gaussianParams(type, k, set.d, Float64Array.from(fit.me.weights), Float64Array.from(flat(fit.me.means)),
        Float64Array.from(flat(fit.me.covariances)));
      const rel = relativeDifference(logPrior(p, prior), fit.me.logPrior!);
      agreement.push(`logPrior ${label(c)}: ${rel.toExponential(1)}`);
      expect(rel).toBeLessThanOrEqual(1e-12);
    });
});

describe.each(BACKENDS)('MAP EM against mclust me(), %s backend', (backend) => {
  // mclust's faithful VVI G = 3 loses a component (a proportion estimated as 0, BIC NA): nothing to compare.
  const usable = cases.filter((c) => c.fit.me.loglik !== null);

  it.each(usable.map((c) => [label(c), c] as const))('%s: the same iterations give the same model', (_, c) => {
    const { set, fit } = c;
    const X = matrix(set.data);
    // mclust's me() counts the M-step of its start as an iteration; EM here starts after it (init 'hc' is that start).
    // The defaults with a prior (regCovar 0) are mclust's.
    const gm = new GaussianMixture({ nComponents: fit.G, covarianceType: fit.covarianceType, init: 'hc', prior: 'default',
      tol: 0, maxIter: fit.me.iterations - 1, backend }).fit(X, { onWarning: () => {} });
    expect(gm.regCovar).toBe(0);
    const p = (gm as unknown as { params: GaussianParams }).params;
    const diff = paramsDifference(p, fit.me);
    const loglik = gm.score(X) * set.n;
    const rel = { loglik: relativeDifference(loglik, fit.me.loglik!), bic: relativeDifference(-gm.bic(X), fit.me.bic!) };
    agreement.push(`${backend} ${label(c)} (${fit.me.iterations} it.): params ${Math.max(diff.weights, diff.means,
      diff.covariances).toExponential(1)}, loglik ${rel.loglik.toExponential(1)}, BIC ${rel.bic.toExponential(1)}`);
    expect(Math.max(diff.weights, diff.means, diff.covariances), JSON.stringify(diff)).toBeLessThanOrEqual(1e-12);
    expect(rel.loglik).toBeLessThanOrEqual(1e-13);
    expect(rel.bic).toBeLessThanOrEqual(1e-13);
    expect(fit.mclust.loglik).toBe(fit.me.loglik);
  });

  it.each(usable.map((c) => [label(c), c] as const))('%s: EM to convergence gives mclust\'s loglik and BIC to 1e-8', (_, c) => {
    const { set, fit } = c;
    const X = matrix(set.data);
    const gm = new GaussianMixture({ nComponents: fit.G, covarianceType: fit.covarianceType, init: 'hc', prior: 'default',
      tol: 1e-15, maxIter: 20000, backend }).fit(X);
    expect(gm.converged).toBe(true);
    const loglik = gm.score(X) * set.n;
    const rel = { loglik: relativeDifference(loglik, fit.mclust.loglik!), bic: relativeDifference(-gm.bic(X), fit.mclust.bic!) };
    const diff = paramsDifference((gm as unknown as { params: GaussianParams }).params, fit.me);
    agreement.push(`${backend} ${label(c)} converged (${gm.nIter} it.): params ${Math.max(diff.weights, diff.means,
      diff.covariances).toExponential(1)}, loglik ${rel.loglik.toExponential(1)}, BIC ${rel.bic.toExponential(1)}`);
    expect(rel.loglik).toBeLessThanOrEqual(1e-8);
    expect(rel.bic).toBeLessThanOrEqual(1e-8);
    // The log posterior stops moving (rounding) while the parameters still move by about 1e-8 relative.
    expect(Math.max(diff.weights, diff.means, diff.covariances), JSON.stringify(diff)).toBeLessThanOrEqual(1e-6);
  });
});

const faithful = fixtures.faithful;
const FAITHFUL = matrix(faithful.data);
const paramsOf = (gm: GaussianMixture): GaussianParams => (gm as unknown as { params: GaussianParams }).params;
const hyperOf = (gm: GaussianMixture): GaussianPrior => gm.priorHyperparameters!;

/** `Σ_i log w_{c_i} + log N(x_i | μ_{c_i}, Σ_{c_i})` for hard labels (0-based): the M-step's objective from them. */
function completeLogLikelihood(X: number[][], labels: number[], p: GaussianParams): number {
  const { d } = p;
  let total = 0;
  X.forEach((x, i) => {
    const c = labels[i]!;
    let quad = 0;
    for (let j = 0; j < d; j++) {
      let y: number;
      switch (p.covarianceType) {
        case 'full':
        case 'tied': {
          const off = p.covarianceType === 'full' ? c * d * d : 0;
          y = 0;
          for (let a = 0; a <= j; a++) y += p.precChol[off + a * d + j]! * (x[a]! - p.means[c * d + a]!);
          break;
        }
        case 'diag': y = (x[j]! - p.means[c * d + j]!) * p.precChol[c * d + j]!; break;
        case 'spherical': y = (x[j]! - p.means[c * d + j]!) * p.precChol[c]!; break;
        default: throw new Error(`not one of the four: ${p.covarianceType}`);
      }
      quad += y * y;
    }
    total += Math.log(p.weights[c]!) - 0.5 * d * Math.log(2 * Math.PI) + p.logDetPrecChol[c]! - 0.5 * quad;
  });
  return total;
}

describe('the prior density and the posterior mode', () => {
  it('logGamma matches known values', () => {
    expect(logGamma(1)).toBeCloseTo(0, 14);
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 14);
    expect(relativeDifference(logGamma(10), Math.log(362880))).toBeLessThan(1e-14);
    expect(relativeDifference(logGamma(3.5), Math.log(1.875 * Math.sqrt(Math.PI)))).toBeLessThan(1e-14);
  });

  it('in one dimension the inverse Wishart is the inverse gamma: the four types agree', () => {
    const X = [[1.2], [0.3], [2.5], [1.9], [-0.4], [0.8], [5.1], [4.4], [6.0], [5.5]];
    const labels = X.map((x) => (x[0]! > 3 ? 2 : 1));
    const values = SKLEARN_COVARIANCE_TYPES.filter((t) => t !== 'tied').map((type) => {
      const prior = resolvePrior(dataMoments(matrix(X), null), 2, 1, type, 'default');
      const shift = new Float64Array(2);
      const p = maximizePosterior(type, 2, 1, labelStats(X, labels, 2, type, shift), shift, prior, 0);
      return { p, lp: logPrior(p, prior) };
    });
    for (const v of values.slice(1)) {
      expect(maxRel(v.p.covariances, values[0]!.p.covariances)).toBeLessThan(1e-14);
      expect(maxRel(v.p.means, values[0]!.p.means)).toBeLessThan(1e-14);
      expect(relativeDifference(v.lp, values[0]!.lp)).toBeLessThan(1e-13);
    }
  });

  it.each(SKLEARN_COVARIANCE_TYPES)('%s: the M-step maximizes the complete log-likelihood plus logPrior', (type) => {
    const { data, d } = fixtures.iris;
    const fit = fixtures.iris.fits.find((f) => f.covarianceType === type && f.G === 3)!;
    const labels = fit.labels.map((l) => l - 1);
    const prior = resolvePrior(dataMoments(matrix(data), null), 3, d, type, 'default');
    const shift = new Float64Array(3 * d);
    const p = maximizePosterior(type, 3, d, labelStats(data, fit.labels, 3, type, shift), shift, prior, 0);
    const objective = (q: GaussianParams) => completeLogLikelihood(data, labels, q) + logPrior(q, prior);
    const best = objective(p);
    for (const [dm, dc] of [[1e-3, 0], [-1e-3, 0], [0, 1e-3], [0, -1e-3], [1e-3, 1e-3]] as const) {
      const means = p.means.map((v, t) => v + dm * (t % 2 === 0 ? 1 : -1));
      const covariances = p.covariances.slice();
      if (type === 'diag' || type === 'spherical') for (let t = 0; t < covariances.length; t++) covariances[t]! *= 1 + dc;
      else for (let t = 0; t < covariances.length; t += d + 1) covariances[t]! *= 1 + dc;
      const q = gaussianParams(type, 3, d, p.weights, means, covariances);
      expect(objective(q), `perturbed by ${dm}, ${dc}`).toBeLessThan(best);
    }
    // Without the prior's term the likelihood alone prefers the maximum-likelihood estimates.
    const ml = maximize(type, 3, d, labelStats(data, fit.labels, 3, type, shift), shift, 0);
    expect(completeLogLikelihood(data, labels, ml)).toBeGreaterThan(completeLogLikelihood(data, labels, p));
    expect(objective(ml)).toBeLessThan(best);
  });

  it('shrinkage 0 leaves the means at the weighted means of their rows', () => {
    const { data, d } = fixtures.iris;
    const fit = fixtures.iris.fits.find((f) => f.covarianceType === 'full' && f.G === 3)!;
    const shift = new Float64Array(3 * d);
    const stats = labelStats(data, fit.labels, 3, 'full', shift);
    const prior = resolvePrior(dataMoments(matrix(data), null), 3, d, 'full', { shrinkage: 0 });
    const p = maximizePosterior('full', 3, d, stats, shift, prior, 0);
    expect(maxRel(p.means, maximize('full', 3, d, stats, shift, 0).means)).toBeLessThan(1e-15);
  });
});

describe.each(BACKENDS)('MAP EM, %s backend', (backend) => {
  it.each(SKLEARN_COVARIANCE_TYPES)('%s: the log posterior never decreases and lowerBound is it per row', (type) => {
    const warnings: string[] = [];
    const gm = new GaussianMixture({ nComponents: 3, covarianceType: type, prior: 'default', tol: 0, maxIter: 60,
      seed: 3, backend }).fit(FAITHFUL, { onWarning: (m) => warnings.push(m) });
    const h = gm.logLikelihoodHistory;
    expect(h.length).toBe(60);
    for (let t = 1; t < h.length; t++) expect(h[t]! - h[t - 1]!, `iteration ${t + 1}`).toBeGreaterThanOrEqual(-1e-13 * Math.abs(h[t]!));
    expect(warnings.filter((m) => m.includes('decreased'))).toEqual([]);
    // One E-step of the fitted model: its objective is the log-likelihood plus the log prior, over n.
    const start = new GaussianMixture({ nComponents: 3, covarianceType: type, prior: 'default', maxIter: 0, seed: 3, backend })
      .fit(FAITHFUL);
    const expected = start.score(FAITHFUL) + logPrior(paramsOf(start), hyperOf(start)) / faithful.n;
    expect(relativeDifference(start.lowerBound, expected)).toBeLessThan(1e-13);
    expect(start.lowerBound).toBeLessThan(start.score(FAITHFUL));
  });

  it('a component on two rows collapses without the prior and is sound with it', () => {
    const rows: number[][] = [];
    for (let i = 0; i < 40; i++) rows.push([Math.cos(i), Math.sin(2 * i)], [10 + Math.sin(i), 10 + Math.cos(3 * i)]);
    rows.push([30, 30], [31, 32]);
    const X = matrix(rows);
    const options = { nComponents: 3, init: { means: [[0, 0], [10, 10], [30.5, 31]] }, regCovar: 0, backend } as const;
    expect(thrown(() => new GaussianMixture(options).fit(X))).toBeInstanceOf(DegenerateComponentError);
    const warnings: string[] = [];
    const floored = new GaussianMixture({ ...options, regCovar: 1e-6 }).fit(X, { onWarning: (m) => warnings.push(m) });
    expect(warnings.join(' ')).toMatch(/degenerate|collapsed/);
    expect(floored.degenerateComponents).toEqual([2]);
    const gm = new GaussianMixture({ ...options, prior: 'default' }).fit(X, { onWarning: (m) => warnings.push(m) });
    expect(gm.degenerateComponents).toEqual([]);
    const cov = gm.covarianceMatrix(2);
    const hyper = gm.priorHyperparameters!;
    // Σ_2 ⪰ Λ / (ν + n_2 + d + 2): its smallest variance is at least the prior's share.
    const floor = Math.min(hyper.scale[0]!, hyper.scale[3]!) / (hyper.dof + 2 + 2 + 2);
    expect(Math.min(cov[0]![0]!, cov[1]![1]!)).toBeGreaterThan(floor * 0.5);
    expect(cov[0]![0]! * cov[1]![1]! - cov[0]![1]! ** 2).toBeGreaterThan(0);
  });

  it('fewer rows than features: full covariances are an error without the prior and proper with it', async () => {
    const d = 10;
    const rows = Array.from({ length: 5 }, (_, i) => Array.from({ length: d }, (_, j) => Math.sin(i * 7 + j * 3) + i * (j % 3)));
    const e = thrown(() => new GaussianMixture({ nComponents: 1, backend }).fit(rows));
    expect((e as InputError).argument).toBe('options.covarianceType');
    const warnings: string[] = [];
    const gm = new GaussianMixture({ nComponents: 2, prior: 'default', seed: 0, backend }).fit(rows,
      { onWarning: (m) => warnings.push(m) });
    expect(warnings.filter((m) => /rows of \d+ features/.test(m))).toEqual([]);
    // n ≤ d: the default scale is the diagonal of the data's covariance, scaled (mclust's defaultPrior).
    const hyper = gm.priorHyperparameters!;
    expect(hyper.scale[1]).toBe(0);
    expect(hyper.scale[0]).toBeGreaterThan(0);
    expect(gm.degenerateComponents).toEqual([]);
    expect(Number.isFinite(gm.score(rows))).toBe(true);
    const streamed = await new GaussianMixture({ nComponents: 2, prior: 'default', seed: 0, backend })
      .fitStream(async function* () { yield rows; });
    expect(streamed.toJSON()).toEqual(gm.toJSON());
  });

  it('fitAsync, fitStream and float32 give fit\'s model', async () => {
    // The workers only accumulate statistics: the built worker (npm run build) serves this module's M-step.
    setWorkerScript(new URL('../dist/worker.js', import.meta.url));
    onTestFinished(() => setWorkerScript(null));
    const options = { nComponents: 3, covarianceType: 'tied', prior: 'default', seed: 5, backend } as const;
    const json = JSON.stringify(new GaussianMixture(options).fit(FAITHFUL).toJSON());
    expect(JSON.stringify((await new GaussianMixture(options).fitAsync(FAITHFUL, { workers: 2 })).toJSON())).toBe(json);
    expect(JSON.stringify((await new GaussianMixture(options).fitStream(async function* () {
      for (let i = 0; i < faithful.n; i += 50) yield faithful.data.slice(i, i + 50);
    })).toJSON())).toBe(json);
    const f32 = new GaussianMixture({ ...options, dtype: 'float32' }).fit(FAITHFUL);
    expect(maxRel(paramsOf(f32).means, paramsOf(new GaussianMixture(options).fit(FAITHFUL)).means)).toBeLessThan(1e-5);
    expect(Array.from(f32.priorHyperparameters!.mean)).toEqual(JSON.parse(json).prior.mean);
  });

  it('missing entries: MAP EM of the observed entries, in memory and streamed alike', async () => {
    const rows = faithful.data.map((r, i) => (i % 7 === 3 ? [NaN, r[1]!] : i % 11 === 5 ? [r[0]!, NaN] : r.slice()));
    const options = { nComponents: 2, prior: 'default', seed: 1, tol: 0, maxIter: 30, backend } as const;
    const gm = new GaussianMixture(options).fit(rows);
    const h = gm.logLikelihoodHistory;
    for (let t = 1; t < h.length; t++) expect(h[t]! - h[t - 1]!).toBeGreaterThanOrEqual(-1e-13 * Math.abs(h[t]!));
    expect(Number.isFinite(gm.score(rows))).toBe(true);
    const streamed = await new GaussianMixture(options).fitStream(async function* () { yield rows; });
    expect(JSON.stringify(streamed.toJSON())).toBe(JSON.stringify(gm.toJSON()));
  });

  it('restarts are ranked by the log posterior; weights w and c·w give the same MAP fit', () => {
    const finals = new Map<number, number>();
    const gm = new GaussianMixture({ nComponents: 4, covarianceType: 'spherical', prior: 'default', nInit: 4, seed: 9,
      initCandidates: 1, backend }).fit(FAITHFUL, { onIteration: (info) => finals.set(info.init, info.logLikelihood) });
    expect(finals.size).toBe(4);
    expect(new Set([...finals.values()].map((v) => v.toFixed(6))).size, 'restarts that reach different optima').toBeGreaterThan(1);
    expect(gm.lowerBound).toBe(Math.max(...finals.values()));
    const w = Float64Array.from({ length: faithful.n }, (_, i) => 1 + (i % 3));
    const options = { nComponents: 2, prior: 'default', seed: 1, backend } as const;
    const a = new GaussianMixture(options).fit(FAITHFUL, { sampleWeight: w });
    const b = new GaussianMixture(options).fit(FAITHFUL, { sampleWeight: w.map((v) => v * 1e-3) });
    expect(maxRel(paramsOf(b).covariances, paramsOf(a).covariances)).toBeLessThan(1e-12);
    const plain = new GaussianMixture(options).fit(FAITHFUL);
    expect(maxRel(paramsOf(plain).means, paramsOf(a).means)).toBeGreaterThan(1e-6);
  });

  it('d = 1: full, diag and spherical are one model, and fit alike', () => {
    const X1 = faithful.data.map((r) => [r[0]!]);
    const fits = (['full', 'diag', 'spherical'] as const).map((type) => new GaussianMixture({ nComponents: 2,
      covarianceType: type, prior: 'default', seed: 6, tol: 1e-12, maxIter: 500, backend }).fit(X1));
    for (const gm of fits.slice(1)) {
      expect(maxRel(paramsOf(gm).means, paramsOf(fits[0]!).means)).toBeLessThan(1e-9);
      expect(maxRel(paramsOf(gm).covariances, paramsOf(fits[0]!).covariances)).toBeLessThan(1e-9);
      expect(relativeDifference(gm.lowerBound, fits[0]!.lowerBound)).toBeLessThan(1e-12);
    }
  });

  it('warmStart continues the MAP fit', () => {
    const gm = new GaussianMixture({ nComponents: 2, prior: 'default', seed: 2, tol: 1e-10, maxIter: 1000,
      warmStart: true, backend }).fit(FAITHFUL);
    const before = gm.lowerBound;
    const warnings: string[] = [];
    gm.fit(FAITHFUL, { onWarning: (m) => warnings.push(m) });
    expect(gm.nIter).toBeLessThanOrEqual(2);
    expect(warnings).toEqual([]);
    expect(relativeDifference(gm.lowerBound, before)).toBeLessThan(1e-10);
  });
});

describe('a streamed source larger than the rows a fit holds', () => {
  it('reads it once more for the default prior\'s moments and equals fit', async () => {
    const n = 100_003;
    const X = new Float64Array(2 * n);
    for (let i = 0; i < n; i++) {
      const r = faithful.data[i % faithful.n]!;
      X[2 * i] = r[0]! + 1e-3 * Math.sin(i);
      X[2 * i + 1] = r[1]! + 1e-2 * Math.cos(i);
    }
    const options = { nComponents: 2, covarianceType: 'diag', prior: 'default', seed: 4, maxIter: 3, backend: 'wasm' } as const;
    const phases: string[] = [];
    const streamed = await new GaussianMixture(options).fitStream(async function* () { yield X; }, { nFeatures: 2, onProgress: (p) => {
      if (phases[phases.length - 1] !== `${p.pass}:${p.phase}`) phases.push(`${p.pass}:${p.phase}`);
    } });
    const gm = new GaussianMixture(options).fit({ data: X, rows: n, cols: 2 }, { onWarning: () => {} });
    expect(JSON.stringify(streamed.toJSON())).toBe(JSON.stringify(gm.toJSON()));
    expect(phases.slice(0, 2)).toEqual(['1:scan', '2:init']);
  }, 60_000);
});

describe('the prior option', () => {
  const X = FAITHFUL;
  it.each([
    [{ prior: 'mclust' }, 'options.prior'],
    [{ prior: 1 }, 'options.prior'],
    [{ prior: { shrinkage: -1 } }, 'options.prior.shrinkage'],
    [{ prior: { shrinkage: Infinity } }, 'options.prior.shrinkage'],
    [{ prior: { dof: Number.NaN } }, 'options.prior.dof'],
    [{ prior: { shrinkage: 0, mean: [0, 0] } }, 'options.prior.mean'],
    [{ prior: { scale: -2 } }, 'options.prior.scale'],
    [{ prior: { scale: 'wide' } }, 'options.prior.scale'],
  ])('%j at construction: InputError naming %s', (options, argument) => {
    const e = thrown(() => new GaussianMixture(options as never));
    expect(e).toBeInstanceOf(InputError);
    expect((e as InputError).argument).toBe(argument);
  });

  it('rejects unknown keys', () => {
    const e = thrown(() => new GaussianMixture({ prior: { shrink: 1 } as never }));
    expect(e).toBeInstanceOf(InputError);
    expect((e as InputError).message).toMatch(/shrink/);
  });

  it.each([
    [{ prior: { dof: 1 } }, 'options.prior.dof', /> d − 1 = 1/],
    [{ prior: { mean: [1, 2, 3] } }, 'options.prior.mean', /2/],
    [{ prior: { scale: [[1, 2], [2, 1]] } }, 'options.prior.scale', /positive definite/],
    [{ prior: { scale: [[1, 0.5], [0, 1]] } }, 'options.prior.scale[0][1]', /symmetric/],
    [{ prior: { scale: 2 } }, 'options.prior.scale', /2×2 positive definite matrix/],
    [{ covarianceType: 'diag', prior: { scale: [[1, 0], [0, 1]] } }, 'options.prior.scale', /a number > 0/],
    [{ prior: { scale: [[1, 0, 0], [0, 1, 0], [0, 0, 1]] } }, 'options.prior.scale', /2/],
  ])('%j at fit on 2 features: InputError naming %s', (options, argument, message) => {
    const e = thrown(() => new GaussianMixture({ nComponents: 2, seed: 0, ...options } as never).fit(X));
    expect(e).toBeInstanceOf(InputError);
    expect((e as InputError).argument).toBe(argument);
    expect((e as InputError).message).toMatch(message);
  });

  it('a constant feature makes the default scale singular: an InputError asks for a scale', () => {
    const rows = faithful.data.map((r) => [r[0]!, 5]);
    const e = thrown(() => new GaussianMixture({ nComponents: 2, prior: 'default', seed: 0 }).fit(rows));
    expect((e as InputError).argument).toBe('options.prior.scale');
    const gm = new GaussianMixture({ nComponents: 2, prior: { scale: [[0.1, 0], [0, 0.1]] }, seed: 0 }).fit(rows);
    expect(gm.degenerateComponents).toEqual([]);
  });

  it('given hyperparameters replace the defaults, the getters tell both', () => {
    const prior = { shrinkage: 0.5, mean: [3, 70], dof: 7, scale: [[0.2, 0], [0, 20]] };
    const gm = new GaussianMixture({ nComponents: 2, prior, seed: 0 });
    expect(gm.prior).toEqual(prior);
    expect(gm.getParams().prior).toEqual(prior);
    expect(new GaussianMixture(gm.getParams()).prior).toEqual(prior);
    gm.fit(X);
    const hyper = gm.priorHyperparameters!;
    expect(hyper.shrinkage).toBe(0.5);
    expect(Array.from(hyper.mean)).toEqual([3, 70]);
    expect(hyper.dof).toBe(7);
    expect(Array.from(hyper.scale)).toEqual([0.2, 0, 0, 20]);
    expect(new GaussianMixture({ nComponents: 2, seed: 0 }).fit(X).priorHyperparameters).toBeNull();
    expect(new GaussianMixture().prior).toBeNull();
  });

  it('the model file keeps the resolved prior; files without one still load', () => {
    for (const type of SKLEARN_COVARIANCE_TYPES) {
      const gm = new GaussianMixture({ nComponents: 2, covarianceType: type, prior: 'default', seed: 0 }).fit(X);
      const json = gm.toJSON();
      expect(json.prior).toBeDefined();
      expect(typeof json.prior!.scale === 'number').toBe(type === 'diag' || type === 'spherical');
      const loaded = GaussianMixture.fromJSON(JSON.stringify(json));
      expect(loaded.priorHyperparameters).toEqual(gm.priorHyperparameters);
      expect(loaded.toJSON()).toEqual(json);
      expect(loaded.predictProba(X)).toEqual(gm.predictProba(X));
      const old: Record<string, unknown> = { ...json };
      delete old.prior;
      const plain = GaussianMixture.fromJSON(old);
      expect(plain.priorHyperparameters).toBeNull();
      expect(plain.prior).toBeNull();
      const zero = new GaussianMixture({ nComponents: 2, covarianceType: type, prior: { shrinkage: 0 }, seed: 0 }).fit(X);
      const reloaded = GaussianMixture.fromJSON(JSON.stringify(zero.toJSON()));
      expect(reloaded.priorHyperparameters).toEqual(zero.priorHyperparameters);
      expect(reloaded.prior).toEqual({ ...zero.toJSON().prior, mean: undefined });
      expect(() => new GaussianMixture(reloaded.getParams()).fit(X)).not.toThrow();
      const bad = thrown(() => GaussianMixture.fromJSON({ ...json, prior: { ...json.prior, dof: 0.5 } }));
      expect((bad as InputError).argument).toBe('json.prior.dof');
      const partial = thrown(() => GaussianMixture.fromJSON({ ...json, prior: { shrinkage: 0.01 } }));
      expect((partial as InputError).argument).toBe('json.prior');
    }
  });

  it('selectModel passes the prior to every fit; the criteria stay on the likelihood', () => {
    const { table, best } = selectModel(X, { nComponents: [1, 3], covarianceTypes: ['full', 'diag'], prior: 'default', seed: 0 });
    expect(best.prior).toBe('default');
    for (const row of table) {
      const gm = new GaussianMixture({ nComponents: row.nComponents, covarianceType: row.covarianceType, prior: 'default', seed: 0 })
        .fit(X);
      expect(relativeDifference(row.bic, gm.bic(X))).toBeLessThan(1e-14);
      expect(row.logLikelihood).toBeCloseTo(gm.score(X) * faithful.n, 8);
    }
  });
});

describe('the CLI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wasm-em-prior-'));
  const csv = join(dir, 'faithful.csv');
  writeFileSync(csv, `eruptions,waiting\n${faithful.data.map((r) => r.join(',')).join('\n')}\n`);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('fit --prior default writes a model with its prior, as the library fits it', async () => {
    const run = await cliInProcess(['fit', csv, '-k', '2', '--prior', 'default', '--seed', '1', '--backend', 'js']);
    expect(run.code, run.err).toBe(0);
    const json = JSON.parse(run.out);
    const gm = new GaussianMixture({ nComponents: 2, prior: 'default', seed: 1, backend: 'js' }).fit(FAITHFUL);
    expect(json).toEqual(JSON.parse(JSON.stringify(gm.toJSON())));
    expect(json.prior.dof).toBe(4);
  });

  it('--progress names the objective the log posterior, in memory and streamed', async () => {
    for (const extra of [[], ['--memory-budget', '0.000001']]) {
      const run = await cliInProcess(['fit', csv, '-k', '2', '--prior', 'default', '--seed', '1', '--progress', ...extra]);
      expect(run.code, run.err).toBe(0);
      expect(run.err, extra.join(' ')).toMatch(/mean log posterior -?\d+\.\d{6}/);
      expect(run.err).not.toMatch(/mean log-likelihood/);
    }
  });

  it('select --prior default runs, and --prior takes only default, for the Gaussian family', async () => {
    const run = await cliInProcess(['select', csv, '--k', '1..2', '--covariance', 'full,tied', '--prior', 'default', '--seed', '0']);
    expect(run.code, run.err).toBe(0);
    expect(run.out).toMatch(/best by BIC/);
    const bad = await cliInProcess(['fit', csv, '-k', '2', '--prior', 'strong']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--prior/);
    const discrete = await cliInProcess(['fit', csv, '-k', '2', '--family', 'poisson', '--prior', 'default']);
    expect(discrete.code).toBe(2);
    expect(discrete.err).toMatch(/--prior applies to --family gaussian only/);
  });
});

afterAll(() => {
  if (agreement.length > 0) console.log(`agreement with mclust (max relative differences):\n${agreement.join('\n')}`);
});
