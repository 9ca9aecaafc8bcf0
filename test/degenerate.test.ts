/**
 * Degenerate solutions (src/families/gaussian-degenerate.ts): the rule on crafted parameters, its use by restarts and candidates,
 * `degenerateComponents` and the warning, and `selectModel` / `wasm-em select` never choosing a degenerate cell.
 */
import { describe, expect, it } from 'vitest';
import { GaussianMixture, selectModel, adjustedRandIndex } from '../src/index.js';
import {
  degenerateComponents, degenerateMessage, rowsNeeded, spreadOfRows,
} from '../src/families/gaussian-degenerate.js';
import { symmetricEigen } from '../src/linalg.js';
import { gaussianParams } from '../src/families/gaussian.js';
import { adjustedRandIndex as independentAri } from './helpers/ari.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCsv, loadReference, referenceDir } from './helpers/load-csv.js';
import { cliInProcess } from './helpers/cli-in-process.js';
import { Rng } from '../src/rng.js';
import { setWorkerScript } from '../src/parallel/platform.js';

const BACKENDS = ['js', 'wasm'] as const;

/** n rows of a d-dimensional standard normal blob centred at `at`, from a seeded stream. */
function blob(n: number, d: number, at: number, rng: Rng): number[][] {
  return Array.from({ length: n }, () => Array.from({ length: d }, () => at + rng.normal()));
}

describe('degenerateMessage', () => {
  const found = [{ component: 1, reason: 'size' as const, size: 2, needed: 3 }];
  it('names the component, why, and the remedies: a prior, or with one a stronger prior', () => {
    const plain = degenerateMessage(found, 'full', 3);
    expect(plain).toMatch(/component 1 holds 2\.00 rows \(its full covariance needs 3\)/);
    expect(plain).toMatch(/fewer components than 3, a prior \(prior: 'default'\), or a simpler covariance model/);
    const withPrior = degenerateMessage(found, 'full', 3, true);
    expect(withPrior).toMatch(/a stronger prior \(a larger prior\.scale or prior\.dof\)/);
    expect(withPrior).not.toMatch(/prior: 'default'/);
  });
});

describe('adjustedRandIndex', () => {
  it('equals scikit-learn 1.2.1 adjusted_rand_score on small cases', () => {
    // Values printed by /usr/bin/python3 -c "from sklearn.metrics import adjusted_rand_score as a; print(a(...))".
    expect(adjustedRandIndex([0, 0, 1, 1], [0, 0, 1, 2])).toBeCloseTo(0.5714285714285714, 14);
    expect(adjustedRandIndex([0, 0, 0, 1, 1, 1], [0, 0, 1, 1, 2, 2])).toBeCloseTo(0.24242424242424243, 14);
    expect(adjustedRandIndex([1, 2, 3, 1, 2, 3, 1], [0, 0, 0, 1, 1, 1, 1])).toBeCloseTo(-0.23529411764705882, 14);
    expect(adjustedRandIndex([0, 0, 0], [1, 1, 1])).toBe(1);
    expect(adjustedRandIndex(['a', 'b', 'c'], [0, 1, 2])).toBe(1);
  });

  it('agrees with an independent implementation on random labelings', () => {
    const rng = new Rng(4);
    for (let t = 0; t < 20; t++) {
      const a = Array.from({ length: 50 }, () => rng.int(4));
      const b = Array.from({ length: 50 }, () => rng.int(3));
      expect(adjustedRandIndex(a, b)).toBeCloseTo(independentAri(a, b), 12);
    }
  });

  it('refuses labelings of different lengths with an InputError naming b', () => {
    expect(() => adjustedRandIndex([0, 1], [0])).toThrow(/b/);
  });
});

describe('symmetricEigen', () => {
  it('diagonalizes a symmetric matrix: A v = λ v for every pair', () => {
    const rng = new Rng(2);
    const n = 6;
    const B = Array.from({ length: n * n }, () => rng.normal());
    const A = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let t = 0; t < n; t++) A[i * n + j] += B[i * n + t] * B[j * n + t];
    const { values, vectors } = symmetricEigen(A, 0, n);
    for (let t = 1; t < n; t++) expect(values[t]!).toBeLessThanOrEqual(values[t - 1]!);
    for (let t = 0; t < n; t++) {
      for (let i = 0; i < n; i++) {
        let av = 0;
        for (let j = 0; j < n; j++) av += A[i * n + j] * vectors[j * n + t];
        expect(av).toBeCloseTo(values[t] * vectors[i * n + t], 9);
      }
    }
  });
});

describe('the rule', () => {
  const rng = new Rng(7);
  const rows = blob(200, 3, 0, rng);
  const X = { data: Float64Array.from(rows.flat()), rows: 200, cols: 3 };
  const spread = spreadOfRows(X, null);
  const eye = (s: number): number[] => [s, 0, 0, 0, s, 0, 0, 0, s];

  it('needs d + 1 rows for full, 2 for diag and spherical, 1 for tied', () => {
    expect([rowsNeeded('full', 3), rowsNeeded('diag', 3), rowsNeeded('spherical', 3), rowsNeeded('tied', 3)])
      .toEqual([4, 2, 2, 1]);
    const p = gaussianParams('full', 2, 3, Float64Array.of(0.985, 0.015), Float64Array.of(0, 0, 0, 1, 1, 1),
      Float64Array.from([...eye(1), ...eye(0.5)]));
    // 200 × 0.015 = 3 rows < d + 1 = 4.
    expect(degenerateComponents(p, 200, spread, 1e-6)).toEqual([{ component: 1, reason: 'size', size: 3, needed: 4 }]);
    expect(degenerateComponents(p, 400, spread, 1e-6)).toEqual([]);
  });

  it('flags a variance at the regCovar floor where the data spread, on a component holding those rows', () => {
    // Component 1 sits on a value of feature 2 that no row has: it takes all (zero) rows there — a collapse.
    const p = gaussianParams('diag', 2, 3, Float64Array.of(0.9, 0.1), Float64Array.of(0, 0, 0, 1, 1, 5),
      Float64Array.of(1, 1, 1, 1, 1, 2e-6));
    const found = degenerateComponents(p, 200, spread, 1e-6);
    expect(found.map((f) => [f.component, f.reason])).toEqual([[1, 'variance']]);
    expect(found[0].variance).toBe(2e-6);
    // Ten times regCovar is the edge: a larger variance is the component's own.
    const wide = gaussianParams('diag', 2, 3, Float64Array.of(0.9, 0.1), Float64Array.of(0, 0, 0, 1, 1, 5),
      Float64Array.of(1, 1, 1, 1, 1, 2e-5));
    expect(degenerateComponents(wide, 200, spread, 1e-6)).toEqual([]);
  });

  it('finds a floor direction of a full covariance that is not an axis', () => {
    // Σ = I − (1 − 1e-6)·u uᵀ with u = (1, 1, 0)/√2: variance 1e-6 along u.
    const cov = Float64Array.from(eye(1));
    const u = [Math.SQRT1_2, Math.SQRT1_2, 0];
    for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) cov[a * 3 + b] -= (1 - 1e-6) * u[a] * u[b];
    const p = gaussianParams('full', 2, 3, Float64Array.of(0.9, 0.1), Float64Array.of(0, 0, 0, 9, -9, 0),
      Float64Array.from([...eye(1), ...cov]));
    expect(degenerateComponents(p, 200, spread, 1e-6).map((f) => f.component)).toEqual([1]);
  });

  it('does not flag a cluster that shares a value most rows have (a discrete feature)', () => {
    // Feature 0 is 0 on 180 rows and spread on 20; a component of 60 rows all at 0 is a cluster, not a collapse.
    const r = new Rng(3);
    const mixed = Array.from({ length: 200 }, (_, i) => [i < 180 ? 0 : 5 + r.normal(), r.normal(), r.normal()]);
    const s = spreadOfRows({ data: Float64Array.from(mixed.flat()), rows: 200, cols: 3 }, null);
    const p = gaussianParams('diag', 2, 3, Float64Array.of(0.7, 0.3), Float64Array.of(1, 0, 0, 0, 0, 0),
      Float64Array.of(4, 1, 1, 1e-6, 1, 1));
    expect(degenerateComponents(p, 200, s, 1e-6)).toEqual([]);
    // Unless the data spread in that feature as a whole (its interquartile range): then it is at the floor.
    const p2 = gaussianParams('diag', 2, 3, Float64Array.of(0.9, 0.1), Float64Array.of(0, 0, 0, 0, 7, 0),
      Float64Array.of(1, 1, 1, 1, 1e-6, 1));
    expect(degenerateComponents(p2, 200, s, 1e-6).map((f) => f.component)).toEqual([1]);
  });
});

describe.each(BACKENDS)('fits, %s backend', (backend) => {
  // A blob of 120 rows and a point mass of 6 equal rows far away: a full component on the point mass has all its
  // variances at the floor and a likelihood that grows without bound as regCovar shrinks.
  const rng = new Rng(11);
  const X = [...blob(120, 2, 0, rng), ...Array.from({ length: 6 }, () => [8, 8])];

  it('a degenerate solution is reported with the component and what to do', () => {
    const warnings: string[] = [];
    const gm = new GaussianMixture({ nComponents: 2, covarianceType: 'full', seed: 0, backend, initCandidates: 1 })
      .fit(X, { onWarning: (m) => warnings.push(m) });
    const onMass = gm.predict([[8, 8]])[0];
    expect(gm.degenerateComponents).toEqual([onMass]);
    const message = warnings.find((w) => w.includes('degenerate'));
    expect(message).toMatch(new RegExp(`component ${onMass}`));
    expect(message).toMatch(/fewer components/);
    expect(message).toMatch(/prior/);
    expect(message).toMatch(/simpler covariance/);
  });

  it('float32 fits and fitStream see the same degenerate component as fit', async () => {
    const o = { nComponents: 2, covarianceType: 'full', seed: 0, backend, initCandidates: 1 } as const;
    const f64 = new GaussianMixture(o).fit(X);
    const f32 = new GaussianMixture({ ...o, dtype: 'float32' }).fit(X);
    expect(f32.degenerateComponents).toEqual(f64.degenerateComponents);
    const path = join(mkdtempSync(join(tmpdir(), 'wasm-em-degenerate-')), 'mass.csv');
    writeFileSync(path, 'a,b\n' + X.map((r) => r.join(',')).join('\n') + '\n');
    const streamed = await new GaussianMixture(o).fitStream(path);
    expect(streamed.degenerateComponents).toEqual(f64.degenerateComponents);
    expect(f64.degenerateComponents.length).toBe(1);
  });

  it('fitAsync and fitStream run the same candidates as fit when a restart needs more than its first', async () => {
    const o = { nComponents: 2, covarianceType: 'full', seed: 3, backend, nInit: 3, initCandidates: 4 } as const;
    const candidates: string[] = [];
    const sync = new GaussianMixture(o).fit(X, { onIteration: (i) => candidates.push(`${i.init}:${i.candidate}`) });
    setWorkerScript(new URL('../dist/worker.js', import.meta.url));
    const asyncFit = await new GaussianMixture(o).fitAsync(X, { workers: 1 }).finally(() => setWorkerScript(null));
    expect(JSON.stringify(asyncFit.toJSON())).toBe(JSON.stringify(sync.toJSON()));
    const path = join(mkdtempSync(join(tmpdir(), 'wasm-em-degenerate-')), 'mass.csv');
    writeFileSync(path, 'a,b\n' + X.map((r) => r.join(',')).join('\n') + '\n');
    const streamed = await new GaussianMixture(o).fitStream(path);
    expect(JSON.stringify(streamed.toJSON())).toBe(JSON.stringify(sync.toJSON()));
    expect(sync.degenerateComponents).toEqual(asyncFit.degenerateComponents);
    console.log(`${backend}: runs ${[...new Set(candidates)].join(' ')}`);
  });

  it('a sound fit has none and no warning', () => {
    const warnings: string[] = [];
    const gm = new GaussianMixture({ nComponents: 2, covarianceType: 'full', seed: 0, backend })
      .fit(blob(200, 2, 0, new Rng(1)).concat(blob(200, 2, 6, new Rng(2))), { onWarning: (m) => warnings.push(m) });
    expect(gm.degenerateComponents).toEqual([]);
    expect(warnings.filter((w) => w.includes('degenerate'))).toEqual([]);
  });

  it('restarts prefer a sound solution to a likelier degenerate one (faithful, diag, K = 5)', () => {
    const faithful = loadReference('faithful').array;
    for (const seed of [0, 1, 2, 3]) {
      const gm = new GaussianMixture({ nComponents: 5, covarianceType: 'diag', nInit: 10, seed, backend }).fit(faithful);
      expect(gm.degenerateComponents, `seed ${seed}`).toEqual([]);
    }
  });

  it('selectModel shows degenerate cells and never chooses one (iris, K = 1…6, the fourteen models)', () => {
    const iris = loadReference('iris').array;
    for (const seed of backend === 'wasm' ? [0, 1, 2] : [0]) {
      const { table, bestIndex } = selectModel(iris, { nComponents: [1, 6], seed, backend });
      expect(table[bestIndex].degenerate, `seed ${seed}`).toEqual([]);
      for (const row of table) {
        if (row.degenerate.length === 0) expect(row.bic).toBeGreaterThanOrEqual(table[bestIndex].bic);
      }
    }
  });

  it('selectModel over a grid where a cell is degenerate marks it and chooses among the rest', () => {
    // Six equal rows: K = 2 full puts a component on them (its covariance is at the floor).
    const forced = selectModel(X, { nComponents: [1, 2], covarianceTypes: ['full'], seed: 0, backend, initCandidates: 1 });
    const two = forced.table.find((r) => r.nComponents === 2)!;
    expect(two.degenerate.length).toBeGreaterThan(0);
    expect(Number.isFinite(two.bic)).toBe(true);
    // Its BIC is far lower (the collapse), yet the sound K = 1 is chosen.
    expect(two.bic).toBeLessThan(forced.table[0].bic);
    expect(forced.table[forced.bestIndex].nComponents).toBe(1);
  });
});

describe('wasm-em select', () => {
  it('shows a degenerate cell as degenerate and does not choose it', async () => {
    const rng = new Rng(11);
    const rows = [...blob(120, 2, 0, rng), ...Array.from({ length: 6 }, () => [8, 8])];
    const path = join(mkdtempSync(join(tmpdir(), 'wasm-em-degenerate-')), 'mass.csv');
    writeFileSync(path, 'a,b\n' + rows.map((r) => r.join(',')).join('\n') + '\n');
    const { out: stdout, code } = await cliInProcess(['select', path, '--k', '1..2', '--covariance', 'full',
      '--seed', '0', '--init-candidates', '1']);
    expect(code).toBe(0);
    const lines = stdout.split('\n');
    expect(lines.find((l) => /^\s*2\s+full/.test(l.replace(/^\*/, ' ')))).toMatch(/degenerate/);
    expect(lines.find((l) => l.startsWith('*'))).toMatch(/^\*\s+1\s+full/);
    expect(stdout).toMatch(/K=2 full degenerate: component/);
  });
});

describe('clusterings agree with an independent ARI', () => {
  it('iris K = 3 default fit', () => {
    const iris = loadReference('iris').array;
    const labels = loadCsv(new URL('iris.labels.csv', referenceDir), ['label']).array.map((r) => r[0]);
    const gm = new GaussianMixture({ nComponents: 3, seed: 0 }).fit(iris);
    const predicted = Array.from(gm.predict(iris));
    expect(adjustedRandIndex(labels, predicted)).toBeCloseTo(independentAri(labels, predicted), 12);
  });
});
