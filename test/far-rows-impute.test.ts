/**
 * Imputation and the CLI on rows far from every component (1e160 standard deviations and more), whose kernel
 * log-densities overflow: the posteriors that weight the conditional means must come from the far-row-safe
 * log-densities (src/far-rows.ts), so that every imputed entry is finite.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GaussianMixture, type CovarianceType } from '../src/index.js';
import { cliInProcess } from './helpers/cli-in-process.js';

const TYPES: CovarianceType[] = ['full', 'tied', 'diag', 'spherical'];
const X = [[0, 0, 1], [1, 0.2, 0.5], [0.4, 1.1, 2], [-0.6, 0.3, 1.2], [0.2, -0.9, 0.1],
  [10, 10, -3], [10.5, 12, -4], [9, 11, -2.5], [11, 9.5, -3.3], [10.2, 8, -4.1]];

describe.each(['js', 'wasm'] as const)('impute on far rows, %s backend', (backend) => {
  it.each(TYPES)('finite conditional means on the nearest component (%s)', (covarianceType) => {
    const gm = new GaussianMixture({ nComponents: 2, covarianceType, seed: 1, backend }).fit(X);
    const rows = [[1e160, NaN, NaN], [NaN, -1e200, 0], [1e300, NaN, -1e300], [NaN, NaN, 5e307], [-1.5e308, NaN, NaN]];
    const out = gm.impute(rows);
    out.forEach((r, i) => expect(r.every(Number.isFinite), `${rows[i]} → ${r}`).toBe(true));
    const labels = gm.predict(rows);
    const m = gm.means;
    rows.forEach((x, i) => {
      // Observed entries are kept; for diag and spherical covariances a missing entry is the nearest mean's.
      x.forEach((v, j) => { if (!Number.isNaN(v)) expect(out[i][j]).toBe(v); });
      if (covarianceType === 'diag' || covarianceType === 'spherical') {
        x.forEach((v, j) => { if (Number.isNaN(v)) expect(out[i][j]).toBeCloseTo(m[labels[i]][j], 12); });
      }
    });
    // Ordinary rows are unchanged by the far rows beside them.
    const near = [[0.5, NaN, 1], [NaN, 10, -3]];
    expect(gm.impute([...near, ...rows]).slice(0, 2)).toEqual(gm.impute(near));
  });
});

describe('the CLI on far rows', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'wasm-em-far-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('impute, predict --proba and score write finite numbers and exit 0', async () => {
    const data = join(dir, 'x.csv');
    writeFileSync(data, `a,b,c\n${X.map((r) => r.join(',')).join('\n')}\n`);
    const fitted = await cliInProcess(['fit', data, '-k', '2', '--seed', '1']);
    expect(fitted.code, fitted.err).toBe(0);
    const model = join(dir, 'm.json');
    writeFileSync(model, fitted.out);
    const gm = GaussianMixture.fromJSON(JSON.parse(fitted.out));

    const far = join(dir, 'far.csv');
    writeFileSync(far, 'a,b,c\n1e160,NA,\nNA,-1e200,0\n1e300,,-1e300\n');
    const run = await cliInProcess(['impute', model, far]);
    expect(run.code, run.err).toBe(0);
    const lines = run.out.trimEnd().split('\n');
    expect(lines[0]).toBe('a,b,c');
    const rows = lines.slice(1).map((l) => l.split(',').map(Number));
    expect(rows.length).toBe(3);
    expect(rows.flat().every(Number.isFinite), lines.join(' | ')).toBe(true);
    expect(rows).toEqual(gm.impute([[1e160, NaN, NaN], [NaN, -1e200, 0], [1e300, NaN, -1e300]]));

    const proba = await cliInProcess(['predict', model, far, '--proba']);
    expect(proba.code, proba.err).toBe(0);
    const p = proba.out.trimEnd().split('\n').slice(1).map((l) => l.split(',').map(Number));
    expect(p.length).toBe(3);
    for (const r of p) {
      expect(r.every((v) => v >= 0 && v <= 1), r.join(',')).toBe(true);
      expect(r[0] + r[1]).toBeCloseTo(1, 12);
    }

    // A row whose squared Mahalanobis distance (about 2.4e308) overflows in the kernels while its log-density
    // (about −1.2e308) is a float: score is that finite number.
    const one = join(dir, 'one.csv');
    writeFileSync(one, `a\n${X.map((r) => r[0]).join('\n')}\n`);
    const m1 = await cliInProcess(['fit', one, '-k', '1', '--seed', '1']);
    expect(m1.code, m1.err).toBe(0);
    writeFileSync(join(dir, 'm1.json'), m1.out);
    const g1 = GaussianMixture.fromJSON(JSON.parse(m1.out));
    const x = g1.means[0][0] + Math.sqrt(2.4) * 1e154 * Math.sqrt(g1.covarianceMatrix(0)[0][0]);
    writeFileSync(join(dir, 'far1.csv'), `a\n${x}\n`);
    const score = await cliInProcess(['score', join(dir, 'm1.json'), join(dir, 'far1.csv')]);
    expect(score.code, score.err).toBe(0);
    const s = Number(score.out.trim().split(/\s+/).pop());
    expect(Number.isFinite(s), score.out).toBe(true);
    expect(s / -1.2e308).toBeCloseTo(1, 6);
  });
});
