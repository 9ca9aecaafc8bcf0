import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InputError } from '../src/errors.js';
import { HC_SAMPLE_CELLS, HC_SAMPLE_ROWS, hcApplies, hcMerges, hcPartition, hcSampleSize, hcTransform } from '../src/families/gaussian-hc.js';
import { hcSampleIndices } from '../src/families/gaussian-starts.js';
import { bestKmeansSteps, kmeansSteps } from '../src/kmeans.js';
import { Rng } from '../src/rng.js';
import { runToEnd } from '../src/parallel/abort.js';

// mclust 6.0.0's hc(), hclass() and hc(use = …)'s transformed data: test/fixtures/mclust-hc/make-hc-fixtures.R.
const fixtures = JSON.parse(readFileSync(new URL('./fixtures/mclust-hc/hc-fixtures.json', import.meta.url), 'utf8'));
const names = Object.keys(fixtures).filter((k) => k !== 'source');
// Sets with exactly equal merge costs (duplicated rows, rows on a grid): mclust's EII breaks such ties by the
// rounding of its scaled differences, so only the partitions are compared there.
const tiedForWard = new Set(['faithful', 'iris', 'duplicates']);

function matrixOf(rows: number[][]) {
  return { data: Float64Array.from(rows.flat()), rows: rows.length, cols: rows[0].length };
}

describe('hc: mclust hc() merge sequences', () => {
  for (const name of names) {
    const e = fixtures[name];
    for (const key of Object.keys(e.hc)) {
      const h = e.hc[key];
      const exact = h.model === 'VVV' || !tiedForWard.has(name);
      it(`${name} ${h.model} use=${h.use}: ${exact ? 'every merge and ' : ''}the partitions G = 1…9`, () => {
        const merges = hcMerges(hcTransform(matrixOf(e.data), h.use), h.model);
        const ours = Array.from({ length: e.n - 1 }, (_, s) => [merges[2 * s] + 1, merges[2 * s + 1] + 1]);
        if (exact) expect(ours).toEqual(h.merges);
        for (let g = 1; g <= 9; g++) {
          expect(Array.from(hcPartition(merges, e.n, g), (v) => v + 1)).toEqual(h.partitions[g - 1]);
        }
      });
    }
  }
});

describe('hcTransform', () => {
  for (const name of names) {
    for (const use of ['SVD', 'STD'] as const) {
      it(`${name} ${use}: mclust's transformed rows, up to the sign of each column`, () => {
        const e = fixtures[name];
        const expected: number[][] = e.transform[use];
        const Z = hcTransform(matrixOf(e.data), use);
        expect(Z.rows).toBe(expected.length);
        expect(Z.cols).toBe(expected[0].length);
        for (let c = 0; c < Z.cols; c++) {
          let dot = 0;
          for (let i = 0; i < Z.rows; i++) dot += Z.data[i * Z.cols + c] * expected[i][c];
          const sign = dot < 0 ? -1 : 1;
          for (let i = 0; i < Z.rows; i++) {
            expect(Math.abs(sign * Z.data[i * Z.cols + c] - expected[i][c])).toBeLessThan(1e-10 * (1 + Math.abs(expected[i][c])));
          }
        }
      });
    }
  }

  it('drops constant features before the SVD, as mclust does', () => {
    const X = matrixOf([[1, 5, 0], [2, 5, 1], [4, 5, 1], [3, 5, 5]]);
    expect(hcTransform(X, 'STD').cols).toBe(2);
    expect(hcTransform(X, 'SVD').cols).toBe(2);
    expect(hcTransform(X, 'VARS')).toBe(X);
  });
});

describe('hcMerges and hcPartition', () => {
  it('merge the nearest pairs first and name clusters by their first row', () => {
    const merges = hcMerges(matrixOf([[0, 0], [0, 1], [5, 5], [5, 6]]), 'EII');
    expect(Array.from(merges)).toEqual([2, 3, 0, 1, 0, 2]);
    expect(Array.from(hcPartition(merges, 4, 2))).toEqual([0, 0, 1, 1]);
    expect(Array.from(hcPartition(merges, 4, 4))).toEqual([0, 1, 2, 3]);
    expect(Array.from(hcPartition(merges, 4, 1))).toEqual([0, 0, 0, 0]);
  });

  it('refuse bad input with an InputError', () => {
    expect(() => hcMerges(matrixOf([[1, 2]]), 'VVV')).toThrow(InputError);
    expect(() => hcMerges(matrixOf([[1, 2], [NaN, 3]]), 'EII')).toThrow(/finite/);
    expect(() => hcPartition(Int32Array.of(0, 1), 2, 3)).toThrow(InputError);
    expect(() => hcPartition(Int32Array.of(0, 1), 2, 0)).toThrow(InputError);
  });
});

describe('the rows the hierarchical start merges', () => {
  it('all rows up to 2000 and 20 000 values, else a seeded sample of that many', () => {
    expect(hcSampleSize(272, 2)).toBe(272);
    expect(hcSampleSize(5000, 2)).toBe(HC_SAMPLE_ROWS);
    expect(hcSampleSize(1797, 64)).toBe(Math.floor(HC_SAMPLE_CELLS / 64));
    expect(hcSampleSize(10, 1e6)).toBe(1);
    expect(hcSampleIndices(272, 2, 0)).toBeNull();
    const a = hcSampleIndices(1797, 64, 3)!;
    expect(a).toHaveLength(312);
    expect(Array.from(a)).toEqual(Array.from(hcSampleIndices(1797, 64, 3)!));
    expect(Array.from(a)).not.toEqual(Array.from(hcSampleIndices(1797, 64, 4)!));
    for (let i = 1; i < a.length; i++) expect(a[i]).toBeGreaterThan(a[i - 1]!);
  });

  it('a sample too small for k clusters of d + 1 rows gives no hierarchical start; whole data always does', () => {
    expect(hcApplies(3, 2, 2)).toBe(true); // all rows
    expect(hcApplies(100_000, 8, 5)).toBe(true); // 2000 ≥ 45
    expect(hcApplies(1797, 64, 10)).toBe(false); // 312 < 650
    expect(hcApplies(1000, 250, 2)).toBe(false); // 80 < 502
  });

  it('the k-means start behind it is the lowest-inertia of its runs', () => {
    const n = 300;
    const X = new Float64Array(n * 2);
    const r = new Rng(5);
    for (let i = 0; i < n; i++) {
      X[2 * i] = (i % 5) * 3 + r.random();
      X[2 * i + 1] = r.random();
    }
    const data = { X: { data: X, rows: n, cols: 2 }, weights: null };
    const inertia = (c: Float64Array): number => {
      let t = 0;
      for (let i = 0; i < n; i++) {
        let m = Infinity;
        for (let k = 0; k < 5; k++) m = Math.min(m, (X[2 * i] - c[2 * k]) ** 2 + (X[2 * i + 1] - c[2 * k + 1]) ** 2);
        t += m;
      }
      return t;
    };
    const rng = new Rng(1);
    const singles = Array.from({ length: 10 }, () => inertia(runToEnd(kmeansSteps(data, 5, rng))));
    const best = inertia(runToEnd(bestKmeansSteps(data, 5, new Rng(1), 10)));
    expect(best).toBe(Math.min(...singles));
    expect(Math.max(...singles)).toBeGreaterThan(best); // some run of ten is worse: the choice matters
  });
});

describe("GaussianMixture init: 'hc'", () => {
  for (const name of ['iris', 'faithful']) {
    it(`${name}: the start and EM reach mclust's Mclust(G = 3, 'VVV') fit (from its hc start)`, async () => {
      const { GaussianMixture } = await import('../src/index.js');
      const e = fixtures[name];
      const m = e.mclust;
      for (const backend of ['js', 'wasm'] as const) {
        const gm = new GaussianMixture({ nComponents: 3, init: 'hc', regCovar: 0, tol: 1e-12, maxIter: 5000, backend })
          .fit(e.data);
        const means = gm.means;
        for (let c = 0; c < 3; c++) {
          // Both stop on a relative change of the log-likelihood; faithful's VVV G = 3 optimum is flat, so the
          // parameters agree to ~1e-5 where the log-likelihoods agree to 1e-9.
          expect(Math.abs(gm.weights[c] - m.weights[c])).toBeLessThan(1e-4);
          for (let j = 0; j < e.d; j++) expect(Math.abs(means[c][j] - m.means[c][j])).toBeLessThan(1e-4 * (1 + Math.abs(m.means[c][j])));
        }
        expect(Array.from(gm.predict(e.data), (v) => v + 1)).toEqual(m.classification);
        expect(Math.abs(gm.score(e.data) * e.n - m.loglik)).toBeLessThan(1e-7 * Math.abs(m.loglik));
      }
    });
  }

  it('is deterministic: every seed gives the same model', async () => {
    const { GaussianMixture } = await import('../src/index.js');
    const X = fixtures.iris.data;
    const a = new GaussianMixture({ nComponents: 3, init: 'hc', seed: 1 }).fit(X);
    const b = new GaussianMixture({ nComponents: 3, init: 'hc', seed: 2 }).fit(X);
    expect(Array.from(a.predict(X))).toEqual(Array.from(b.predict(X)));
    expect(a.lowerBound).toBe(b.lowerBound);
  });

  it('rejects an unknown hcModel or hcUse with an InputError', async () => {
    const { GaussianMixture } = await import('../src/index.js');
    expect(() => new GaussianMixture({ init: 'hc', hcModel: 'VEV' as never })).toThrow(/options\.hcModel/);
    expect(() => new GaussianMixture({ init: 'hc', hcUse: 'PCA' as never })).toThrow(/options\.hcUse/);
  });
});
