// The library's own conjugate prior for VEE, EVE, VVE and EVV (src/families/mclust-prior-derived.ts), for which
// mclust 6 gives none. First the construction — a model's MAP M-step is its ML M-step on the augmented statistics
// (ñ_c, W̃_c) — against mclust's MAP M-steps in test/fixtures/mclust-models (see PROVENANCE.md there); then, on the
// same data, for the four models: (a) the MAP M-step beats the ML estimates and random perturbations within the
// model, (b) EM with it never decreases the log posterior, (c) it stays proper where the ML M-step is singular.
// MCLUST_MODELS_REPORT=1 prints the figures.
import { afterAll, describe, expect, it } from 'vitest';
import { DegenerateComponentError } from '../src/errors.js';
import { spdInverse, symmetricEigen } from '../src/families/mclust-linalg.js';
import {
  mclustMStep, mclustStatistics, type MclustDecomposition, type MclustModel, type MclustMStepResult, type MclustPrior,
  type MclustStatistics,
} from '../src/families/mclust-models.js';
import {
  MCLUST_DERIVED_PRIOR_MODELS, mclustDerivedMapMStep, mclustLogPrior, mclustMapObjective, mclustPosteriorStatistics,
  mstepVVEWeighted, type MclustParameters,
} from '../src/families/mclust-prior-derived.js';

import {
  INNER_TOL, TOL, data, fixture, flat, rel, type Case, type Fit,
} from './helpers/mclust-models-fixture.js';
const paramDiff = (got: MclustMStepResult, want: Fit): number =>
  Math.max(rel(got.weights, flat(want.pro)), rel(got.means, flat(want.mean)), rel(got.covariances, flat(want.sigma)));

const figures = new Map<string, number>();
function record(key: string, value: number, keep: 'max' | 'min' = 'max'): number {
  const old = figures.get(key);
  figures.set(key, old === undefined ? value : keep === 'max' ? Math.max(old, value) : Math.min(old, value));
  return value;
}

function unmap(cls: number[], G: number): Float64Array {
  const z = new Float64Array(cls.length * G);
  cls.forEach((c, i) => { z[i * G + c - 1] = 1; });
  return z;
}
const toPrior = (c: Case): MclustPrior => {
  const h = c.hyper!;
  return { shrinkage: h.shrinkage, mean: Float64Array.from(h.mean), dof: h.dof, scale: Float64Array.from(flat(h.scale)) };
};
/** defaultPrior's hyperparameters are the same for every model with a d×d scale: take VVV's for the four. */
const priorFor = (c: Case): MclustPrior =>
  toPrior(fixture.cases.find((x) => x.model === 'VVV' && x.data === c.data && x.G === c.G)!);
const statsOf = (c: Case): MclustStatistics => {
  const { X, n, d } = data[c.data]!;
  return mclustStatistics(X, n, d, unmap(c.class, c.G), c.G);
};

/** Statistics with each `n_c` raised by `addN`, `addScale · Λ` and the κ_c m mᵀ term added to each W_c. */
function augmented(stats: MclustStatistics, prior: MclustPrior, addN: number, addScale: number, kappa: number): MclustStatistics {
  const { k, d } = stats;
  const scatter = Float64Array.from(stats.scatter);
  const n = stats.n.map((v) => v + addN);
  for (let c = 0; c < k; c++) {
    const kc = kappa > 0 ? (kappa * stats.n[c]!) / (stats.n[c]! + kappa) : 0;
    for (let a = 0; a < d; a++) {
      for (let b = 0; b < d; b++) {
        const m = (stats.means[c * d + a]! - prior.mean[a]!) * (stats.means[c * d + b]! - prior.mean[b]!);
        scatter[c * d * d + a * d + b] += addScale * prior.scale[a * d + b]! + kc * m;
      }
    }
  }
  return { k, d, n, means: stats.means, scatter };
}

/** The E-step: log-likelihood, writing z. */
function eStep(X: Float64Array, n: number, d: number, p: MclustMStepResult, z: Float64Array): number {
  const k = p.k;
  const inv = Array.from({ length: k }, (_, c) => spdInverse(p.covariances.slice(c * d * d, (c + 1) * d * d), d)!);
  const lp = new Float64Array(k);
  let loglik = 0;
  for (let i = 0; i < n; i++) {
    let max = -Infinity;
    for (let c = 0; c < k; c++) {
      let q = 0;
      for (let a = 0; a < d; a++) {
        for (let b = 0; b < d; b++) {
          q += (X[i * d + a]! - p.means[c * d + a]!) * inv[c]!.inverse[a * d + b]! * (X[i * d + b]! - p.means[c * d + b]!);
        }
      }
      lp[c] = Math.log(p.weights[c]!) - (d / 2) * Math.log(2 * Math.PI) - inv[c]!.logDet / 2 - q / 2;
      max = Math.max(max, lp[c]!);
    }
    let s = 0;
    for (let c = 0; c < k; c++) s += Math.exp(lp[c]! - max);
    const lse = max + Math.log(s);
    loglik += lse;
    for (let c = 0; c < k; c++) z[i * k + c] = Math.exp(lp[c]! - lse);
  }
  return loglik;
}

describe('the construction against mclust\'s MAP M-steps', () => {
  const withPrior = fixture.cases.filter((c) => c.hyper && c.mstepPrior && !c.mstepPrior.failed);
  it('VVV: the ML step on (ñ_c, W̃_c), ñ_c = N_c + ν + d + 1 + δ, is mclust\'s msvvvp and its EM', () => {
    for (const c of withPrior.filter((x) => x.model === 'VVV')) {
      const prior = toPrior(c);
      const fit = mclustDerivedMapMStep('VVV', statsOf(c), prior);
      expect(record('VVV construction vs mstepPrior', paramDiff(fit, c.mstepPrior!)), `${c.data} G=${c.G}`).toBeLessThanOrEqual(1e-12);
      // κ = 0 drops the mean term and δ, as mclust does.
      const flatPrior = { ...prior, shrinkage: 0 };
      const f0 = mclustDerivedMapMStep('VVV', statsOf(c), flatPrior);
      const m0 = mclustMStep('VVV', statsOf(c), { prior: flatPrior, routine: 'mstep' });
      expect(record('VVV construction vs msvvvp, κ = 0', rel(f0.covariances, m0.covariances))).toBeLessThanOrEqual(1e-13);
      expect(rel(f0.means, m0.means)).toBe(0);
      if (c.mePrior && !c.mePrior.failed) {
        const r = emWithPrior('VVV', c, prior, 1e6);
        record('VVV construction EM vs mePrior', paramDiff(r.fit, c.mePrior));
        expect(Math.abs(r.loglik - c.mePrior.loglik!) / Math.abs(c.mePrior.loglik!)).toBeLessThanOrEqual(1e-8);
        expect(r.iterations).toBe(Math.abs(c.mePrior.iterations!));
      }
    }
  });
  it('EEE: mclust\'s mseeep is the mode under one IW on the shared Σ (Λ and ν + d + 1 once), not the product prior', () => {
    for (const c of withPrior.filter((x) => x.model === 'EEE')) {
      const prior = toPrior(c);
      const stats = statsOf(c);
      const d = stats.d;
      // One IW on Σ: each component adds δ for its mean prior, and a k-th of Λ and of ν + d + 1.
      const shared = mclustMStep('EEE', augmented(stats, prior, 1 + (prior.dof + d + 1) / c.G, 1 / c.G, prior.shrinkage));
      const sharedMeans = mclustPosteriorStatistics(stats, prior).means;
      expect(record('EEE shared-prior construction vs mstepPrior',
        Math.max(rel(shared.covariances, flat(c.mstepPrior!.sigma)), rel(sharedMeans, flat(c.mstepPrior!.mean)))))
        .toBeLessThanOrEqual(1e-12);
      const product = mclustDerivedMapMStep('EEE', stats, prior);
      if (c.G > 1) expect(record('EEE product construction vs mstepPrior', paramDiff(product, c.mstepPrior!))).toBeGreaterThan(1e-6);
    }
  });
  it('VEV: mclust\'s msvevp is VEV\'s ML step on (N_c, W̃_c) — ν and d + 1 + δ left out (its quirk)', () => {
    for (const c of withPrior.filter((x) => x.model === 'VEV')) {
      const prior = toPrior(c);
      const stats = statsOf(c);
      const quirk = mclustMStep('VEV', augmented(stats, prior, 0, 1, prior.shrinkage), { tol: INNER_TOL, routine: 'mstep' });
      const means = mclustPosteriorStatistics(stats, prior).means;
      expect(record('VEV ML on (N_c, W̃_c) vs mstepPrior',
        Math.max(rel(quirk.covariances, flat(c.mstepPrior!.sigma)), rel(means, flat(c.mstepPrior!.mean)))))
        .toBeLessThanOrEqual(1e-12);
      const product = mclustDerivedMapMStep('VEV', stats, prior, { tol: INNER_TOL });
      expect(record('VEV product construction vs mstepPrior', paramDiff(product, c.mstepPrior!))).toBeGreaterThan(1e-6);
    }
  });
  it('EEV: mclust\'s mseevp adds Λ to every W_c but ν + d + 1 once and drops κ (its quirk)', () => {
    for (const c of withPrior.filter((x) => x.model === 'EEV')) {
      const prior = toPrior(c);
      const stats = statsOf(c);
      const d = stats.d;
      const quirk = mclustMStep('EEV', augmented(stats, prior, (prior.dof + d + 1) / c.G, 1, 0));
      expect(record('EEV quirk construction vs mstepPrior',
        Math.max(rel(quirk.covariances, flat(c.mstepPrior!.sigma)), rel(stats.means, flat(c.mstepPrior!.mean)))))
        .toBeLessThanOrEqual(1e-12);
      const product = mclustDerivedMapMStep('EEV', stats, prior);
      expect(record('EEV product construction vs mstepPrior', paramDiff(product, c.mstepPrior!))).toBeGreaterThan(1e-6);
    }
  });
});

describe('the one-number-scale models: which augmentation reproduces mclust\'s mstep with the prior', () => {
  // mclust's prior for these is on variances (ς², ν + 2 per variance, δ per mean prior), not an IW: the table says
  // what (ñ_c, W̃_c) — Λ = addScale · ς² I, ñ_c = N_c + addN, mean term weight `mm` — makes the ML step mclust's.
  const mm = (kappa: number, nc: number): number => (kappa * nc) / (nc + kappa);
  const rows: { model: MclustModel; addN: (nu: number, d: number, G: number, delta: number) => number; addScale: (d: number, G: number) => number;
    weight: (kappa: number, nc: number) => number; shrunk: boolean; note: string }[] = [
    { model: 'VII', addN: (nu, d, _G, delta) => (nu + 2) / d + delta, addScale: (d) => 1 / d, weight: mm, shrunk: true,
      note: 'one IG(ν, ς²) on σ²_c, δ d from the mean prior: the principled mode' },
    { model: 'VVI', addN: (nu, _d, _G, delta) => nu + 2 + delta, addScale: () => 1, weight: mm, shrunk: true,
      note: 'one IG(ν, ς²) per variance σ²_cj: the principled mode' },
    { model: 'EEI', addN: (nu, _d, G, delta) => delta + (nu + 2) / G, addScale: (_d, G) => 1 / G, weight: mm, shrunk: false,
      note: 'one IG per shared variance (ς², ν + 2 once, δ k); means left unshrunk (quirk)' },
    { model: 'EVI', addN: (nu, _d, G, delta) => delta + (nu + 2) / G, addScale: () => 1, weight: mm, shrunk: true,
      note: 'ς² in every component but ν + 2 once (quirk)' },
    { model: 'VEI', addN: (nu, d, _G, delta) => (nu + 2 + delta) / d, addScale: () => 1, weight: mm, shrunk: true,
      note: 'ς² per variance but ν + 2 and δ once per component, not per variance (quirk)' },
    { model: 'EII', addN: (nu, d, G, delta) => delta + (nu + 2) / (G * d), addScale: () => 0,
      weight: (kappa, nc) => mm(kappa, nc) + (nc * kappa * kappa) / ((nc + kappa) * (nc + kappa)), shrunk: true,
      note: 'no ς², scatter about the shrunk means (quirk, mseiip)' },
  ];
  for (const row of rows) {
    it(`${row.model}: ${row.note}`, () => {
      for (const c of fixture.cases.filter((x) => x.model === row.model && x.hyper && x.mstepPrior && !x.mstepPrior.failed)) {
        const prior = toPrior(c);
        const stats = statsOf(c);
        const { k, d } = stats;
        const kappa = prior.shrinkage;
        const delta = kappa > 0 ? 1 : 0;
        const scatter = Float64Array.from(stats.scatter);
        for (let comp = 0; comp < k; comp++) {
          const w = row.weight(kappa, stats.n[comp]!);
          for (let a = 0; a < d; a++) {
            scatter[comp * d * d + a * d + a] += row.addScale(d, c.G) * prior.scale[0]!;
            for (let b = 0; b < d; b++) {
              scatter[comp * d * d + a * d + b] += w * (stats.means[comp * d + a]! - prior.mean[a]!) * (stats.means[comp * d + b]! - prior.mean[b]!);
            }
          }
        }
        const n = stats.n.map((v) => v + row.addN(prior.dof, d, c.G, delta));
        const fit = mclustMStep(row.model, { k, d, n, means: stats.means, scatter }, { tol: INNER_TOL, routine: 'mstep' });
        const means = row.shrunk ? mclustPosteriorStatistics(stats, prior).means : stats.means;
        expect(record(`${row.model} variance-prior construction vs mstepPrior`,
          Math.max(rel(fit.covariances, flat(c.mstepPrior!.sigma)), rel(means, flat(c.mstepPrior!.mean)))), `${c.data} G=${c.G}`)
          .toBeLessThanOrEqual(1e-12);
      }
    });
  }
});

/** EM with the derived MAP M-step (mclust's me() loop), recording the log posterior after each M-step. */
function emWithPrior(model: MclustModel, c: Case, prior: MclustPrior, maxIterations: number) {
  const { X, n, d } = data[c.data]!;
  const z = unmap(c.class, c.G);
  let start: MclustDecomposition | undefined;
  let previous = Number.MAX_VALUE / 2;
  let loglik = Number.MAX_VALUE;
  let iterations = 0;
  let fit: MclustMStepResult;
  const posterior: number[] = [];
  for (;;) {
    fit = mclustDerivedMapMStep(model, mclustStatistics(X, n, d, z, c.G), prior, { tol: INNER_TOL, start });
    start = fit.decomposition;
    loglik = eStep(X, n, d, fit, z);
    posterior.push(loglik + mclustLogPrior(prior, c.G, d, fit));
    iterations++;
    const err = Math.abs(loglik - previous) / (1 + Math.abs(loglik));
    previous = loglik;
    if (!(err > TOL && iterations < maxIterations)) break;
  }
  return { fit, loglik, iterations, posterior };
}

/** mulberry32, then Box–Muller. */
function gaussian(seed: number): () => number {
  let s = seed >>> 0;
  const u = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}

/** `Σ_c = λ_c D_c diag(A_c) D_cᵀ` as arrays per component, read from a fit's decomposition. */
interface Parts { lambda: number[]; A: number[][]; D: Float64Array[] }
function partsOf(model: MclustModel, fit: MclustMStepResult): Parts {
  const { k, d } = fit;
  const dec = fit.decomposition;
  const lambda = Array.from({ length: k }, (_, c) => (model[0] === 'E' ? dec.scale![0]! : dec.scale![c]!));
  const A = Array.from({ length: k }, (_, c) => Array.from(model[1] === 'E' ? dec.shape!.subarray(0, d) : dec.shape!.subarray(c * d, (c + 1) * d)));
  const D = Array.from({ length: k }, (_, c) => (model[2] === 'E' ? dec.orientation!.slice(0, d * d) : dec.orientation!.slice(c * d * d, (c + 1) * d * d)));
  return { lambda, A, D };
}
function compose(p: Parts, d: number): Float64Array {
  const k = p.lambda.length;
  const cov = new Float64Array(k * d * d);
  for (let c = 0; c < k; c++) {
    for (let a = 0; a < d; a++) {
      for (let b = 0; b < d; b++) {
        let s = 0;
        for (let m = 0; m < d; m++) s += p.D[c]![a * d + m]! * p.lambda[c]! * p.A[c]![m]! * p.D[c]![b * d + m]!;
        cov[c * d * d + a * d + b] = s;
      }
    }
  }
  return cov;
}
/** A rotation: Givens rotations on every pair of axes, each by an angle ε·g. */
function rotation(d: number, eps: number, g: () => number): Float64Array {
  const R = new Float64Array(d * d);
  for (let j = 0; j < d; j++) R[j * d + j] = 1;
  for (let p = 0; p < d - 1; p++) {
    for (let q = p + 1; q < d; q++) {
      const t = eps * g();
      const cs = Math.cos(t);
      const sn = Math.sin(t);
      for (let r = 0; r < d; r++) {
        const a = R[r * d + p]!;
        const b = R[r * d + q]!;
        R[r * d + p] = cs * a - sn * b;
        R[r * d + q] = sn * a + cs * b;
      }
    }
  }
  return R;
}
/** Perturbs the volume, shape or orientation within the model's equalities (E: one change for all components). */
function perturb(model: MclustModel, p: Parts, part: 'volume' | 'shape' | 'orientation', eps: number, g: () => number, d: number): Parts {
  const k = p.lambda.length;
  const q: Parts = { lambda: [...p.lambda], A: p.A.map((a) => [...a]), D: p.D.map((D) => Float64Array.from(D)) };
  if (part === 'volume') {
    const shared = Math.exp(eps * g());
    for (let c = 0; c < k; c++) q.lambda[c]! *= model[0] === 'E' ? shared : Math.exp(eps * g());
  } else if (part === 'shape') {
    const draw = (): number[] => {
      const r = Array.from({ length: d }, () => eps * g());
      const mean = r.reduce((s, v) => s + v, 0) / d;
      return r.map((v) => v - mean); // keeps |A| = 1
    };
    const shared = draw();
    for (let c = 0; c < k; c++) {
      const r = model[1] === 'E' ? shared : draw();
      for (let j = 0; j < d; j++) q.A[c]![j]! *= Math.exp(r[j]!);
    }
  } else {
    const shared = rotation(d, eps, g);
    for (let c = 0; c < k; c++) {
      const R = model[2] === 'E' ? shared : rotation(d, eps, g);
      const D = new Float64Array(d * d);
      for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) for (let m = 0; m < d; m++) D[a * d + b] += R[a * d + m]! * p.D[c]![m * d + b]!;
      q.D[c] = D;
    }
  }
  return q;
}

describe('VVE: mclust\'s msvve orientation is EVE\'s, not VVE\'s maximum', () => {
  it('a rotation of its D raises the likelihood; the 1/λ_c-weighted update (mstepVVEWeighted) does better', () => {
    const g = gaussian(7);
    let beaten = 0;
    for (const c of fixture.cases.filter((x) => x.model === 'VVE' && x.G > 1)) {
      const stats = statsOf(c);
      const d = stats.d;
      // A prior with no terms: the objective is the ML M-step's.
      const none: MclustPrior = { shrinkage: 0, mean: new Float64Array(d), dof: -(d + 1), scale: new Float64Array(d * d) };
      const mclust = mclustMStep('VVE', stats, { tol: INNER_TOL });
      const eve = mclustMStep('EVE', stats, { tol: INNER_TOL });
      expect(record('VVE msvve D vs EVE D', rel(mclust.decomposition.orientation!, eve.decomposition.orientation!))).toBeLessThanOrEqual(1e-12);
      const ours = { ...mclust, ...mstepVVEWeighted(stats, INNER_TOL, 2147483647) };
      const gain = mclustMapObjective(stats, none, ours) - mclustMapObjective(stats, none, mclust);
      record('VVE weighted − msvve log-likelihood (min)', gain, 'min');
      expect(gain, `${c.data} G=${c.G}`).toBeGreaterThan(-1e-9);
      let best = -Infinity;
      for (let trial = 0; trial < 8; trial++) {
        const q = perturb('VVE', partsOf('VVE', mclust), 'orientation', 1e-2, g, d);
        best = Math.max(best, mclustMapObjective(stats, none, { ...mclust, covariances: compose(q, d) }) - mclustMapObjective(stats, none, mclust));
      }
      record('VVE msvve: best rotation gain (max)', best);
      if (best > 0) beaten++;
    }
    expect(beaten).toBeGreaterThan(0);
  });
});

for (const model of MCLUST_DERIVED_PRIOR_MODELS) {
  describe(`${model} with the derived prior`, () => {
    const cases = fixture.cases.filter((c) => c.model === model);
    it('(a) the MAP M-step beats the ML estimates and perturbations of volume, shape and orientation (κ > 0, κ = 0)', () => {
      const g = gaussian(20261204);
      for (const [c, prior] of cases.flatMap((x) => [[x, priorFor(x)], [x, { ...priorFor(x), shrinkage: 0 }]] as const)) {
        const stats = statsOf(c);
        const d = stats.d;
        const fit = mclustDerivedMapMStep(model, stats, prior, { tol: INNER_TOL });
        const best = mclustMapObjective(stats, prior, fit);
        const parts = partsOf(model, fit);
        expect(record(`${model} decomposition recomposes`, rel(compose(parts, d), fit.covariances))).toBeLessThanOrEqual(1e-12);
        let ml: MclustMStepResult | null = null;
        try {
          ml = mclustMStep(model, stats, { tol: INNER_TOL });
        } catch (e) {
          expect(e).toBeInstanceOf(DegenerateComponentError);
        }
        if (ml) expect(record(`${model} MAP − ML objective (min)`, best - mclustMapObjective(stats, prior, ml), 'min')).toBeGreaterThan(0);
        for (const eps of [1e-3, 1e-2, 1e-1]) {
          for (const part of ['volume', 'shape', 'orientation'] as const) {
            for (let trial = 0; trial < 8; trial++) {
              const q = perturb(model, parts, part, eps, g, d);
              const params: MclustParameters = { weights: fit.weights, means: fit.means, covariances: compose(q, d) };
              const gap = best - mclustMapObjective(stats, prior, params);
              record(`${model} ${part} ε=${eps} gap/|obj| (min)`, gap / Math.abs(best), 'min');
              expect(gap, `${c.data} G=${c.G} ${part} ε=${eps}`).toBeGreaterThanOrEqual(-1e-12 * Math.abs(best));
            }
          }
          // The means: μ̂_c is the maximizer for any Σ_c.
          const means = fit.means.map((v) => v * (1 + eps * g() * 1e-2));
          expect(best - mclustMapObjective(stats, prior, { ...fit, means })).toBeGreaterThanOrEqual(-1e-12 * Math.abs(best));
        }
      }
    });
    it('(b) EM with the prior never decreases the log posterior, and converges (κ > 0, κ = 0)', () => {
      for (const [c, prior] of cases.flatMap((x) => [[x, priorFor(x)], [x, { ...priorFor(x), shrinkage: 0 }]] as const)) {
        const r = emWithPrior(model, c, prior, 2000);
        expect(r.iterations, `${c.data} G=${c.G}: EM converges`).toBeLessThan(2000);
        let worstDrop = 0;
        for (let t = 1; t < r.posterior.length; t++) {
          const drop = (r.posterior[t - 1]! - r.posterior[t]!) / Math.abs(r.posterior[t]!);
          worstDrop = Math.max(worstDrop, drop);
        }
        record(`${model} EM largest relative drop`, worstDrop);
        record(`${model} EM iterations (max)`, r.iterations);
        expect(worstDrop, `${c.data} G=${c.G}`).toBeLessThanOrEqual(1e-12);
      }
    });
    it('(c) with the prior the estimates stay proper where the ML M-step is singular', () => {
      // gen5 (d = 5): a third component of 3 rows, then of 1 row, taken from component 1 of the G = 2 start.
      const c = fixture.cases.find((x) => x.model === model && x.data === 'gen5' && x.G === 2)!;
      const { X, n, d } = data.gen5!;
      for (const rows of [3, 1]) {
        const cls = [...c.class];
        let moved = 0;
        for (let i = 0; i < n && moved < rows; i++) if (cls[i] === 1) { cls[i] = 3; moved++; }
        const stats = mclustStatistics(X, n, d, unmap(cls, 3), 3);
        expect(() => mclustMStep(model, stats, { tol: INNER_TOL }), `${rows} rows`).toThrow(DegenerateComponentError);
        const fit = mclustDerivedMapMStep(model, stats, priorFor(c), { tol: INNER_TOL });
        for (const v of fit.covariances) expect(Number.isFinite(v)).toBe(true);
        for (let comp = 0; comp < 3; comp++) {
          const e = symmetricEigen(fit.covariances, comp * d * d, d);
          record(`${model} singular case: smallest eigenvalue (min)`, e.values[d - 1]!, 'min');
          expect(e.values[d - 1]).toBeGreaterThan(0);
        }
      }
    });
  });
}

afterAll(() => {
  const lines = [...figures.entries()].sort().map(([key, v]) => `${key.padEnd(48)} ${v.toExponential(2)}`);
  if (process.env.MCLUST_MODELS_REPORT) console.log(lines.join('\n'));
});
