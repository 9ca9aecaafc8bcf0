/**
 * Initialization on large data: the random starts work on a uniform sample of at most `INIT_SAMPLE_ROWS` rows, EM on
 * all rows.
 */
import { describe, expect, it } from 'vitest';
import { INIT_SAMPLE_ROWS, sampleRows } from '../src/kmeans.js';
import { Rng } from '../src/rng.js';
import { GaussianMixture } from '../src/index.js';
import { adjustedRandIndex } from './helpers/ari.js';
import { generateMixture } from './helpers/gen-mixture.js';

describe('sampleRows', () => {
  it('draws m distinct rows in their original order, with their weights', () => {
    const n = 1000;
    const X = { data: Float64Array.from({ length: n * 2 }, (_, i) => i), rows: n, cols: 2 };
    const weights = Float64Array.from({ length: n }, (_, i) => i + 0.5);
    const s = sampleRows({ X, weights }, 100, 3, new Rng(7));
    expect(s.X.rows).toBe(100);
    const firsts = Array.from({ length: 100 }, (_, r) => s.X.data[r * 2]! / 2);
    for (let r = 1; r < 100; r++) expect(firsts[r]).toBeGreaterThan(firsts[r - 1]!);
    firsts.forEach((i, r) => {
      expect(Number.isInteger(i)).toBe(true);
      expect(s.X.data[r * 2 + 1]).toBe(2 * i + 1);
      expect(s.weights![r]).toBe(i + 0.5);
    });
    // Roughly uniform: the sample's mean row index is near the middle.
    expect(Math.abs(firsts.reduce((a, b) => a + b, 0) / 100 - n / 2)).toBeLessThan(100);
  });

  it('falls back to all rows when the sample has fewer than k distinct rows', () => {
    const n = 500;
    const data = new Float64Array(n).fill(1);
    data[n - 1] = 2;
    const X = { data, rows: n, cols: 1 };
    expect(sampleRows({ X, weights: null }, 50, 2, new Rng(1)).X).toBe(X);
  });
});

describe.each(['wasm', 'js'] as const)('a fit on more rows than INIT_SAMPLE_ROWS (%s)', (backend) => {
  it('starts from a sample and recovers the clusters of all rows', () => {
    const n = INIT_SAMPLE_ROWS + 25_001;
    const g = generateMixture(n, 2, 3, 5, 6);
    const gm = new GaussianMixture({ nComponents: 3, seed: 1, initCandidates: 2, backend });
    gm.fit(g.X, { nFeatures: 2 });
    expect(gm.converged).toBe(true);
    expect(adjustedRandIndex(gm.predict(g.X, { nFeatures: 2 }), g.labels)).toBeGreaterThan(0.95);
  }, 60_000);
});
