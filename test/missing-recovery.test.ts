/**
 * How well EM on incomplete data recovers a mixture, against the usual work-arounds (Ghahramani & Jordan 1994 make the
 * same comparison). Data: `gen.mjs` mixtures (`helpers/gen-mixture.ts`, bit-identical), with 10%, 30% and 50% of the
 * entries masked completely at random. For each rate:
 * - parameters: the fit of the incomplete data (EM with missing values), of the mean-imputed data, and of the complete
 *   rows only, each against the fit of the full data (same seed), components matched by the best permutation — errors
 *   of the means (RMS over entries) and of the covariances (Frobenius, relative to the full fit's);
 * - imputation: RMSE on the masked entries of `impute` against column means and k-means cluster centres.
 * With `MISSING_REPORT=FILE` the numbers are also written to FILE as JSON and printed as a Markdown table
 * (`npm run report:missing` writes `bench/results/missing-recovery.json` for the README).
 */
import { writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { GaussianMixture } from '../src/index.js';
import { generateMixture } from './helpers/gen-mixture.js';
import { rng } from './helpers/kernel-cases.js';

const N = 3000;
const D = 5;
const K = 3;
const RATES = [0.1, 0.3, 0.5];


interface Fit {
  means: number[][];
  covs: number[][][];
}

function fitOf(X: number[][], seed = 0): Fit {
  const gm = new GaussianMixture({ nComponents: K, covarianceType: 'full', nInit: 3, seed, tol: 1e-6, maxIter: 500 }).fit(X);
  return {
    means: gm.means.map((m) => Array.from(m)),
    covs: Array.from({ length: K }, (_, c) => Array.from(gm.covarianceMatrix(c), (r) => Array.from(r))),
  };
}

const permutations = (n: number): number[][] =>
  n === 1 ? [[0]] : permutations(n - 1).flatMap((p) => Array.from({ length: n }, (_, i) => [...p.slice(0, i), n - 1, ...p.slice(i)]));

/** Errors of `fit` against `ref` under the permutation of components that matches the means best. */
function paramErrors(fit: Fit, ref: Fit): { means: number; covariances: number } {
  let best = { means: Infinity, covariances: Infinity };
  for (const perm of permutations(K)) {
    let sm = 0;
    let sc = 0;
    let rc = 0;
    for (let c = 0; c < K; c++) {
      const f = perm[c]!;
      for (let j = 0; j < D; j++) sm += (fit.means[f]![j]! - ref.means[c]![j]!) ** 2;
      for (let a = 0; a < D; a++) {
        for (let b = 0; b < D; b++) {
          sc += (fit.covs[f]![a]![b]! - ref.covs[c]![a]![b]!) ** 2;
          rc += ref.covs[c]![a]![b]! ** 2;
        }
      }
    }
    const e = { means: Math.sqrt(sm / (K * D)), covariances: Math.sqrt(sc / rc) };
    if (e.means < best.means) best = e;
  }
  return best;
}

function columnMeans(X: number[][]): number[] {
  return Array.from({ length: D }, (_, j) => {
    const v = X.map((r) => r[j]!).filter((x) => !Number.isNaN(x));
    return v.reduce((a, b) => a + b, 0) / v.length;
  });
}

/** Lloyd's k-means on the mean-filled rows (k-means++ seeds), then each row's missing entries from its centre. */
function kmeansImpute(X: number[][], seed: number): number[][] {
  const mu = columnMeans(X);
  const filled = X.map((r) => r.map((v, j) => (Number.isNaN(v) ? mu[j]! : v)));
  const u = rng(seed);
  const dist = (a: number[], b: number[]): number => a.reduce((s, v, j) => s + (v - b[j]!) ** 2, 0);
  const centres = [filled[Math.floor(u() * filled.length)]!.slice()];
  while (centres.length < K) {
    const w = filled.map((r) => Math.min(...centres.map((c) => dist(r, c))));
    let t = u() * w.reduce((a, b) => a + b, 0);
    let i = 0;
    while ((t -= w[i]!) > 0 && i < w.length - 1) i++;
    centres.push(filled[i]!.slice());
  }
  let labels: number[] = [];
  for (let iter = 0; iter < 100; iter++) {
    // Rows are assigned on their observed entries only.
    labels = X.map((r) => {
      let best = 0;
      let bd = Infinity;
      centres.forEach((c, k) => {
        const dd = r.reduce((s, v, j) => (Number.isNaN(v) ? s : s + (v - c[j]!) ** 2), 0);
        if (dd < bd) [bd, best] = [dd, k];
      });
      return best;
    });
    for (let k = 0; k < K; k++) {
      for (let j = 0; j < D; j++) {
        const v = X.flatMap((r, i) => (labels[i] === k && !Number.isNaN(r[j]!) ? [r[j]!] : []));
        if (v.length > 0) centres[k]![j] = v.reduce((a, b) => a + b, 0) / v.length;
      }
    }
  }
  return X.map((r, i) => r.map((v, j) => (Number.isNaN(v) ? centres[labels[i]!]![j]! : v)));
}

function rmse(imputed: number[][], truth: number[][], X: number[][]): number {
  let s = 0;
  let n = 0;
  X.forEach((r, i) => r.forEach((v, j) => {
    if (Number.isNaN(v)) {
      s += (imputed[i]![j]! - truth[i]![j]!) ** 2;
      n++;
    }
  }));
  return Math.sqrt(s / n);
}

describe('recovery from incomplete data (gen.mjs 3000×5, K = 3, seed 7; entries missing completely at random)', () => {
  const { X: flat } = generateMixture(N, D, K, 7, 4);
  const truth = Array.from({ length: N }, (_, i) => Array.from(flat.subarray(i * D, (i + 1) * D)));
  const full = fitOf(truth);
  const report: Record<string, unknown>[] = [];

  for (const rate of RATES) {
    it(`${rate * 100}% missing: EM on the incomplete rows beats mean imputation and complete rows; impute beats column and k-means means`, () => {
      const u = rng(1000 + rate * 100);
      const X = truth.map((r) => r.map((v) => (u() < rate ? NaN : v)));
      const mu = columnMeans(X);
      const em = new GaussianMixture({ nComponents: K, covarianceType: 'full', nInit: 3, seed: 0, tol: 1e-6, maxIter: 500 }).fit(X);
      const emFit: Fit = {
        means: em.means.map((m) => Array.from(m)),
        covs: Array.from({ length: K }, (_, c) => Array.from(em.covarianceMatrix(c), (r) => Array.from(r))),
      };
      const meanFilled = X.map((r) => r.map((v, j) => (Number.isNaN(v) ? mu[j]! : v)));
      const complete = X.filter((r) => !r.some(Number.isNaN));
      const errors = {
        em: paramErrors(emFit, full),
        meanImputed: paramErrors(fitOf(meanFilled), full),
        completeRows: paramErrors(fitOf(complete), full),
      };
      const imputation = {
        em: rmse(em.impute(X), truth, X),
        columnMeans: rmse(meanFilled, truth, X),
        kmeans: rmse(kmeansImpute(X, 5), truth, X),
      };
      report.push({ rate, completeRows: complete.length, rowsAllMissing: em.nRowsAllMissing, errors, imputation });
      for (const other of ['meanImputed', 'completeRows'] as const) {
        expect(errors.em.means, `means vs ${other}`).toBeLessThan(errors[other].means);
        expect(errors.em.covariances, `covariances vs ${other}`).toBeLessThan(errors[other].covariances);
      }
      expect(imputation.em).toBeLessThan(imputation.columnMeans);
      expect(imputation.em).toBeLessThan(imputation.kmeans);
    }, 120_000);
  }

  // Not a test: with MISSING_REPORT set, the numbers above are written out once every case has run.
  afterAll(() => {
    const file = process.env.MISSING_REPORT;
    if (!file) return;
    writeFileSync(file, JSON.stringify({ n: N, d: D, k: K, generator: 'gen.mjs 3000 5 3 seed 7 (sep 4)', report }, null, 2) + '\n');
    const f = (x: number): string => x.toPrecision(3);
    const lines = [
      '| missing | complete rows | means error: EM / mean-imputed / complete rows | covariance error: EM / mean-imputed / complete rows | impute RMSE: EM / column means / k-means |',
      '| --- | --- | --- | --- | --- |',
      ...report.map((r) => {
        const e = r.errors as Record<string, { means: number; covariances: number }>;
        const i = r.imputation as Record<string, number>;
        return `| ${(r.rate as number) * 100}% | ${r.completeRows as number} | ${f(e.em!.means)} / ${f(e.meanImputed!.means)} / ` +
          `${f(e.completeRows!.means)} | ${f(e.em!.covariances)} / ${f(e.meanImputed!.covariances)} / ` +
          `${f(e.completeRows!.covariances)} | ${f(i.em!)} / ${f(i.columnMeans!)} / ${f(i.kmeans!)} |`;
      }),
    ];
    console.log(lines.join('\n'));
  });
});
