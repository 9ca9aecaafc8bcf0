/**
 * Missing values (NaN) in Gaussian mixtures: the E-step of Ghahramani & Jordan (1994) by pattern (`src/missing/`),
 * checked against a direct computation row by row (marginal densities, conditional means and covariances written out
 * with plain linear algebra here), on both backends and every covariance type; EM never decreases the observed-data
 * log-likelihood; data without NaN takes the complete-data path.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DegenerateComponentError, GaussianMixture, InputError } from '../src/index.js';
import { jsBackend } from '../src/backend/js/index.js';
import { wasmBackend } from '../src/backend/wasm/index.js';
import { statsLength, type Backend } from '../src/backend/kernel.js';
import { accumulateAll } from '../src/em/driver.js';
import { gaussianParams, kernelShape, toKernelParams, type CovarianceType, type GaussianParams } from '../src/families/gaussian.js';
import { MissingBound } from '../src/missing/bound.js';
import { groupByPattern } from '../src/missing/patterns.js';
import { generateMixture } from './helpers/gen-mixture.js';
import { rng } from './helpers/kernel-cases.js';

const TYPES: CovarianceType[] = ['full', 'tied', 'diag', 'spherical'];
const BACKENDS: [string, () => Backend][] = [['js', () => jsBackend], ['wasm', wasmBackend]];


/** Random parameters of a covariance type: SPD covariances A Aᵀ + I/2 (full), positive variances (diag, spherical). */
function randomParams(type: CovarianceType, k: number, d: number, seed: number): GaussianParams {
  const u = rng(seed);
  const weights = Float64Array.from({ length: k }, () => 0.5 + u());
  const total = weights.reduce((a, b) => a + b, 0);
  weights.forEach((w, c) => (weights[c] = w / total));
  const means = Float64Array.from({ length: k * d }, () => 4 * u() - 2);
  const spd = (): Float64Array => {
    const A = Float64Array.from({ length: d * d }, () => u() - 0.5);
    const S = new Float64Array(d * d);
    for (let a = 0; a < d; a++) {
      for (let b = 0; b < d; b++) {
        let s = a === b ? 0.5 : 0;
        for (let t = 0; t < d; t++) s += A[a * d + t]! * A[b * d + t]!;
        S[a * d + b] = s;
      }
    }
    return S;
  };
  let cov: Float64Array;
  if (type === 'full') cov = Float64Array.from(Array.from({ length: k }, () => Array.from(spd())).flat());
  else if (type === 'tied') cov = spd();
  else if (type === 'diag') cov = Float64Array.from({ length: k * d }, () => 0.3 + u());
  else cov = Float64Array.from({ length: k }, () => 0.3 + u());
  return gaussianParams(type, k, d, weights, means, Float64Array.from(cov));
}

/** Σ_c as a dense d×d matrix, whatever the type. */
function covOf(p: GaussianParams, c: number): number[][] {
  const { d, covariances: S } = p;
  return Array.from({ length: d }, (_, a) => Array.from({ length: d }, (_, b) => {
    if (p.covarianceType === 'full') return S[c * d * d + a * d + b]!;
    if (p.covarianceType === 'tied') return S[a * d + b]!;
    if (a !== b) return 0;
    return p.covarianceType === 'diag' ? S[c * d + a]! : S[c]!;
  }));
}

/** Solves A X = B by Gauss–Jordan elimination with partial pivoting; returns X and log|det A|. */
function solve(A: number[][], B: number[][]): { X: number[][]; logDet: number } {
  const n = A.length;
  const M = A.map((row, i) => [...row, ...(B[i] ?? [])]);
  let logDet = 0;
  for (let col = 0; col < n; col++) {
    let piv = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(M[r]![col]!) > Math.abs(M[piv]![col]!)) piv = r;
    [M[col], M[piv]] = [M[piv]!, M[col]!];
    const v = M[col]![col]!;
    logDet += Math.log(Math.abs(v));
    for (let j = 0; j < M[col]!.length; j++) M[col]![j]! /= v;
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = M[r]![col]!;
      for (let j = 0; j < M[r]!.length; j++) M[r]![j]! -= f * M[col]![j]!;
    }
  }
  return { X: M.map((row) => row.slice(n)), logDet };
}

/**
 * Direct E-step over the rows of X (NaN = missing; all-missing rows skipped): the full statistics about the means,
 * `[N, S1, S2 (packed upper or diagonal)]` per component, then `[Σ log p(x_o), Σ 1]`.
 */
function directStats(p: GaussianParams, X: number[][]): Float64Array {
  const { k, d } = p;
  const full = kernelShape(p.covarianceType) === 'full';
  const block = 1 + d + (full ? (d * (d + 1)) / 2 : d);
  const out = new Float64Array(k * block + 2);
  for (const x of X) {
    const o = x.flatMap((v, j) => (Number.isNaN(v) ? [] : [j]));
    const m = x.flatMap((v, j) => (Number.isNaN(v) ? [j] : []));
    if (o.length === 0) continue;
    const logp: number[] = [];
    const xhat: number[][] = [];
    const cond: number[][][] = [];
    for (let c = 0; c < k; c++) {
      const S = covOf(p, c);
      const mu = Array.from(p.means.subarray(c * d, (c + 1) * d));
      const Soo = o.map((a) => o.map((b) => S[a]![b]!));
      const diff = o.map((a) => [x[a]! - mu[a]!]);
      // Σ_oo⁻¹ (x_o − μ_o) and Σ_oo⁻¹ Σ_om in one solve.
      const rhs = o.map((a, i) => [diff[i]![0]!, ...m.map((b) => S[a]![b]!)]);
      const { X: sol, logDet } = solve(Soo, rhs);
      const maha = diff.reduce((s, v, i) => s + v[0]! * sol[i]![0]!, 0);
      logp.push(Math.log(p.weights[c]!) - 0.5 * (o.length * Math.log(2 * Math.PI) + logDet + maha));
      const h = x.slice();
      m.forEach((a, s) => (h[a] = mu[a]! + o.reduce((t, b, i) => t + S[a]![b]! * sol[i]![0]!, 0)));
      xhat.push(h);
      cond.push(m.map((a) => m.map((b, u) => S[a]![b]! - o.reduce((t, q, i) => t + S[a]![q]! * sol[i]![1 + u]!, 0))));
    }
    const max = Math.max(...logp);
    const lse = max + Math.log(logp.reduce((s, v) => s + Math.exp(v - max), 0));
    out[k * block] += lse;
    out[k * block + 1] += 1;
    for (let c = 0; c < k; c++) {
      const r = Math.exp(logp[c]! - lse);
      const base = c * block;
      const e = xhat[c]!.map((v, j) => v - p.means[c * d + j]!);
      const second = (a: number, b: number): number => {
        const ia = m.indexOf(a);
        const ib = m.indexOf(b);
        return e[a]! * e[b]! + (ia >= 0 && ib >= 0 ? cond[c]![ia]![ib]! : 0);
      };
      out[base] += r;
      for (let j = 0; j < d; j++) out[base + 1 + j] += r * e[j]!;
      let q = base + 1 + d;
      if (full) for (let a = 0; a < d; a++) for (let b = a; b < d; b++) out[q++] += r * second(a, b);
      else for (let j = 0; j < d; j++) out[q++] += r * second(j, j);
    }
  }
  return out;
}

/** `E[x | x_o]` of one row under p, written out directly (posteriors from marginal densities, conditional means). */
function directImpute(p: GaussianParams, x: number[]): number[] {
  const { k, d } = p;
  const o = x.flatMap((v, j) => (Number.isNaN(v) ? [] : [j]));
  if (o.length === 0) {
    return Array.from({ length: d }, (_, j) => Array.from(p.weights).reduce((s, w, c) => s + w * p.means[c * d + j]!, 0));
  }
  const logp: number[] = [];
  const cond: number[][] = [];
  for (let c = 0; c < k; c++) {
    const S = covOf(p, c);
    const mu = Array.from(p.means.subarray(c * d, (c + 1) * d));
    const { X: sol, logDet } = solve(o.map((a) => o.map((b) => S[a]![b]!)), o.map((a) => [x[a]! - mu[a]!]));
    const maha = o.reduce((t, a, i) => t + (x[a]! - mu[a]!) * sol[i]![0]!, 0);
    logp.push(Math.log(p.weights[c]!) - 0.5 * (o.length * Math.log(2 * Math.PI) + logDet + maha));
    cond.push(x.map((v, a) => (Number.isNaN(v) ? mu[a]! + o.reduce((t, b, i) => t + S[a]![b]! * sol[i]![0]!, 0) : v)));
  }
  const max = Math.max(...logp);
  const z = logp.reduce((t, v) => t + Math.exp(v - max), 0);
  return x.map((v, a) => (Number.isNaN(v) ? cond.reduce((t, h, c) => t + (Math.exp(logp[c]! - max) / z) * h[a]!, 0) : v));
}

/** Rows of n×d data with each entry missing with probability `rate`, plus one all-missing and one complete row. */
function masked(n: number, d: number, rate: number, seed: number): number[][] {
  const { X } = generateMixture(n, d, 3, seed, 3);
  const u = rng(seed + 7);
  const rows = Array.from({ length: n }, (_, i) => Array.from(X.subarray(i * d, (i + 1) * d), (v) => (u() < rate ? NaN : v)));
  rows[1] = rows[1]!.map(() => NaN);
  rows[2] = Array.from(X.subarray(2 * d, 3 * d));
  return rows;
}

function expectClose(got: Float64Array, want: Float64Array, rtol: number, what: string): void {
  const scale = Math.max(...Array.from(want, Math.abs));
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(got[i]! - want[i]!) <= rtol * scale)) expect.fail(`${what}: [${i}] ${got[i]} vs ${want[i]}`);
  }
}

describe.each(BACKENDS)('missing values, %s backend', (name, backend) => {
  for (const type of TYPES) {
    it(`${type}: the grouped E-step equals the direct one (statistics and observed log-likelihood)`, () => {
      const d = 4;
      const k = 3;
      const p = randomParams(type, k, d, 11);
      const X = masked(150, d, 0.3, 5);
      const flat = Float64Array.from(X.flat());
      const groups = groupByPattern(flat, X.length, d);
      const allMissing = X.flatMap((row, i) => (row.every(Number.isNaN) ? [i] : []));
      expect(Array.from(groups.allMissing)).toEqual(allMissing);
      expect(allMissing).toContain(1);
      expect(groups.patterns.length).toBeGreaterThan(5);
      const bound = new MissingBound(backend(), flat, X.length, d, null);
      bound.setParams(toKernelParams(p));
      const got = accumulateAll(bound, new Float64Array(statsLength(kernelShape(type), d, k)));
      bound.dispose();
      expectClose(got, directStats(p, X), 1e-10, `${name} ${type}`);
    });
  }

  it('a row of weight w counts as w copies of it, weight 0 as none (incomplete rows)', () => {
    const d = 3;
    const p = randomParams('full', 2, d, 17);
    const X = masked(40, d, 0.3, 19);
    const weights = Float64Array.from(X, (_, i) => i % 3);
    const repeated = X.flatMap((row, i) => Array.from({ length: i % 3 }, () => row));
    const stats = (rows: number[][], w: Float64Array | null): Float64Array => {
      const flat = Float64Array.from(rows.flat());
      const bound = new MissingBound(backend(), flat, rows.length, d, w);
      bound.setParams(toKernelParams(p));
      const out = accumulateAll(bound, new Float64Array(statsLength('full', d, 2)));
      bound.dispose();
      return out;
    };
    expectClose(stats(X, weights), stats(repeated, null), 1e-12, 'weights');
  });

  it('scoreSamples is the log marginal density of the observed entries; a row with none scores 0', () => {
    const d = 4;
    const X = masked(60, d, 0.4, 9);
    const gm = new GaussianMixture({ nComponents: 3, covarianceType: 'full', seed: 2, backend: name as 'js' }).fit(X);
    const got = gm.scoreSamples(X);
    const p = (gm as unknown as { params: GaussianParams }).params;
    X.forEach((row, i) => {
      const want = directStats(p, [row]);
      // Another algorithm (Gauss–Jordan on the marginal covariance) on a fit whose smallest component may be nearly
      // singular: agreement to 1e-9, far below any difference that matters, far above rounding.
      const w = want[want.length - 2]!;
      expect(Math.abs(got[i]! - w), `row ${i}`).toBeLessThanOrEqual(1e-9 * (1 + Math.abs(w)));
    });
    expect(got[1]).toBeCloseTo(0, 14);
    const allMissing = X.filter((row) => row.every(Number.isNaN)).length;
    expect(allMissing).toBeGreaterThanOrEqual(1);
    expect(gm.nRowsAllMissing).toBe(allMissing);
    // score and the lower bound average over the rows that have an observed entry.
    const observedRows = X.length - allMissing;
    expect(gm.score(X)).toBeCloseTo(got.reduce((a, b) => a + b, 0) / observedRows, 12);
    const proba = gm.predictProba(X);
    for (let c = 0; c < 3; c++) expect(proba.data[1 * 3 + c]).toBeCloseTo(gm.weights[c]!, 14);
  });

  for (const type of TYPES) {
    it(`${type}: impute gives the conditional expectation of each missing entry, keeps the observed ones`, () => {
      const d = 4;
      const X = masked(80, d, 0.35, 23);
      const gm = new GaussianMixture({ nComponents: 3, covarianceType: type, seed: 6, backend: name as 'js' }).fit(X);
      const p = (gm as unknown as { params: GaussianParams }).params;
      const got = gm.impute(X);
      expect(got.length).toBe(X.length);
      X.forEach((row, i) => {
        const want = directImpute(p, row);
        row.forEach((v, j) => {
          if (!Number.isNaN(v)) expect(got[i]![j]).toBe(v);
          else expect(Math.abs(got[i]![j]! - want[j]!), `row ${i} col ${j}`).toBeLessThanOrEqual(1e-10 * (1 + Math.abs(want[j]!)));
        });
      });
      // The other input forms give the same numbers in their own form; the input is not modified.
      const flat = Float64Array.from(X.flat());
      const viaFlat = gm.impute(flat, { nFeatures: d });
      expect(viaFlat).toBeInstanceOf(Float64Array);
      expect(Array.from(viaFlat)).toEqual(got.flat());
      expect(flat.some(Number.isNaN)).toBe(true);
      const viaMatrix = gm.impute({ data: flat, rows: X.length, cols: d });
      expect(Array.from(viaMatrix.data)).toEqual(got.flat());
    });
  }

  for (const type of TYPES) {
    it(`${type}: EM never decreases the observed-data log-likelihood (random masks)`, () => {
      for (const seed of [1, 2, 3]) {
        const X = masked(300, 3, [0.1, 0.3, 0.5][seed - 1]!, seed * 13);
        const gm = new GaussianMixture({ nComponents: 3, covarianceType: type, seed, maxIter: 60, tol: 0,
          initCandidates: 1, backend: name as 'js' }).fit(X);
        const h = gm.logLikelihoodHistory;
        expect(h.length).toBe(60);
        for (let i = 1; i < h.length; i++) {
          expect(h[i]! - h[i - 1]!, `${type} seed ${seed} iteration ${i}`).toBeGreaterThanOrEqual(-1e-12 * Math.abs(h[i]!));
        }
        expect(Number.isFinite(gm.lowerBound)).toBe(true);
      }
    });
  }
});

describe('missing values on both backends', () => {
  it('property: for any mask, EM never decreases the observed-data log-likelihood', () => {
    const { X } = generateMixture(200, 3, 3, 29, 3);
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.double({ min: 0.05, max: 0.6, noNaN: true }),
        fc.constantFrom(...TYPES),
        fc.constantFrom<'js' | 'wasm'>('js', 'wasm'),
        (seed, rate, type, backend) => {
          const u = rng(seed);
          const rows = Array.from({ length: 200 }, (_, i) => Array.from(X.subarray(i * 3, i * 3 + 3), (v) => (u() < rate ? NaN : v)));
          // Keep every column observed somewhere (an entirely missing column is an input error).
          rows[0] = Array.from(X.subarray(0, 3));
          // regCovar 0: EM is then exactly monotone (the regularization is not part of the likelihood, so with a
          // near-singular component it can lower it a little); fits that collapse a component are discarded.
          let gm: GaussianMixture;
          try {
            gm = new GaussianMixture({ nComponents: 3, covarianceType: type, seed, maxIter: 25, tol: 0, regCovar: 0,
              initCandidates: 1, backend }).fit(rows);
          } catch (e) {
            fc.pre(!(e instanceof DegenerateComponentError));
            throw e;
          }
          const h = gm.logLikelihoodHistory;
          for (let i = 1; i < h.length; i++) {
            if (!(h[i]! - h[i - 1]! >= -1e-12 * Math.abs(h[i]!))) return false;
          }
          return h.every(Number.isFinite);
        },
      ),
      { numRuns: 40, seed: 4242 },
    );
  });


  it('wasm and js give the same fit', () => {
    for (const type of TYPES) {
      const X = masked(400, 4, 0.25, 31);
      const fit = (backend: 'js' | 'wasm') =>
        new GaussianMixture({ nComponents: 3, covarianceType: type, seed: 4, backend }).fit(X);
      const a = fit('wasm');
      const b = fit('js');
      expect(a.nIter, type).toBe(b.nIter);
      expect(Math.abs(a.lowerBound - b.lowerBound)).toBeLessThanOrEqual(1e-9 * Math.abs(b.lowerBound));
      expectClose(Float64Array.from(a.means.flatMap((r) => Array.from(r))),
        Float64Array.from(b.means.flatMap((r) => Array.from(r))), 1e-7, `${type} means`);
    }
  });

  it('data without NaN takes the complete-data path (the same model as before missing values existed)', () => {
    const { X } = generateMixture(500, 3, 3, 17, 3);
    const complete = new GaussianMixture({ nComponents: 3, seed: 1 }).fit(X, { nFeatures: 3 });
    // The same rows through the grouped E-step: one complete pattern, identical statistics.
    const groups = groupByPattern(X, 500, 3);
    expect(groups.patterns.length).toBe(1);
    const p = toKernelParams((complete as unknown as { params: GaussianParams }).params);
    for (const [, backend] of BACKENDS) {
      const grouped = new MissingBound(backend(), X, 500, 3, null);
      const plain = backend().bind(X, 500, 3, null);
      grouped.setParams(p);
      plain.setParams(p);
      const a = accumulateAll(grouped, new Float64Array(statsLength('full', 3, 3)));
      const b = accumulateAll(plain, new Float64Array(statsLength('full', 3, 3)));
      expectClose(a, b, 1e-12, 'complete pattern');
      grouped.dispose();
      plain.dispose();
    }
    expect(complete.nRowsAllMissing).toBe(0);
  });

  it('float32 fits of incomplete data agree with float64 ones', () => {
    const X = masked(500, 4, 0.2, 41);
    const f64 = new GaussianMixture({ nComponents: 3, seed: 3 }).fit(X);
    const f32 = new GaussianMixture({ nComponents: 3, seed: 3, dtype: 'float32' }).fit(X);
    expect(Math.abs(f32.lowerBound - f64.lowerBound)).toBeLessThanOrEqual(1e-6 * Math.abs(f64.lowerBound));
  });

  it('packed entries over the resident budget are bound call by call, with the same statistics to the bit', () => {
    const d = 4;
    const p = toKernelParams(randomParams('full', 3, d, 53));
    const X = masked(4096 + 700, d, 0.25, 59);
    const flat = Float64Array.from(X.flat());
    const weights = Float64Array.from(X, (_, i) => 0.5 + (i % 5));
    for (const [, backend] of BACKENDS) {
      const resident = new MissingBound(backend(), flat, X.length, d, weights);
      const streamed = new MissingBound(backend(), flat, X.length, d, weights, 0);
      resident.setParams(p);
      streamed.setParams(p);
      const a = accumulateAll(resident, new Float64Array(statsLength('full', d, 3)));
      const b = accumulateAll(streamed, new Float64Array(statsLength('full', d, 3)));
      expect(Array.from(b)).toEqual(Array.from(a));
      const la = new Float64Array(600 * 3);
      const lb = new Float64Array(600 * 3);
      resident.logProb(4000, 600, la);
      streamed.logProb(4000, 600, lb);
      expect(Array.from(lb)).toEqual(Array.from(la));
      resident.dispose();
      streamed.dispose();
    }
  });

  it('over several driver blocks: statistics and log-densities of any range equal the direct ones', () => {
    const d = 3;
    const k = 2;
    const p = randomParams('full', k, d, 37);
    const X = masked(2 * 4096 + 300, d, 0.3, 41);
    const flat = Float64Array.from(X.flat());
    for (const [, backend] of BACKENDS) {
      const bound = new MissingBound(backend(), flat, X.length, d, null);
      bound.setParams(toKernelParams(p));
      for (const [start, count] of [[0, X.length], [4000, 200], [4096, 4096], [8000, 492], [5, 1]] as const) {
        const got = new Float64Array(statsLength('full', d, k));
        bound.accumulate(start, count, got);
        expectClose(got, directStats(p, X.slice(start, start + count)), 1e-10, `rows [${start}, ${start + count})`);
        const lp = new Float64Array(count * k);
        bound.logProb(start, count, lp);
        for (let i = 0; i < count; i += 97) {
          const row = X[start + i]!;
          const max = Math.max(lp[i * k]!, lp[i * k + 1]!);
          const lse = max + Math.log(Math.exp(lp[i * k]! - max) + Math.exp(lp[i * k + 1]! - max));
          const want = directStats(p, [row]);
          expect(Math.abs(lse - want[want.length - 2]!)).toBeLessThanOrEqual(1e-9 * (1 + Math.abs(lse)));
        }
      }
      bound.dispose();
    }
  });
});
