/**
 * Recovery of known parameters from seeded synthetic mixtures (test/helpers/gen-mixture.ts, bit-identical to the
 * project's gen.mjs), as scikit-learn's own tests do: on well-separated mixtures every covariance type finds the true
 * clusters (adjusted Rand index > 0.95 against the generating labels) and the true means up to relabelling.
 *
 * The cases are well separated: the closest pair of true means is ≥ 4 apart while component scales are ≤ 1.5.
 * scikit-learn 1.2.1 (`n_init=3, random_state=0`) reaches ARI ≥ 0.979 on every case and covariance type.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { GaussianMixture } from '../src/index.js';
import { adjustedRandIndex } from './helpers/ari.js';
import { generateMixture, type GeneratedMixture } from './helpers/gen-mixture.js';

type CovarianceType = 'full' | 'tied' | 'diag' | 'spherical';
const TYPES: CovarianceType[] = ['full', 'tied', 'diag', 'spherical'];

/** (n, d, k, seed, sep) */
const CASES: Array<[number, number, number, number, number]> = [
  [2000, 2, 3, 11, 4],
  [2000, 2, 4, 12, 4],
  [2000, 5, 3, 13, 4],
  [2000, 5, 4, 14, 4],
  [2000, 2, 4, 15, 6],
  [2000, 5, 4, 6, 8],
];

/** gen.mjs's largest component scale (`0.3 + 1.2·U`). */
const MAX_SCALE = 1.5;

/**
 * The permutation `perm` (fitted component `perm[c]` ↔ true component `c`) that minimises the largest coordinate
 * difference between fitted and true means; k ≤ 4 here, so all k! permutations are tried.
 */
function matchMeans(fitted: ArrayLike<number>[], truth: number[][]): { perm: number[]; maxDiff: number[] } {
  const k = truth.length;
  let best: { perm: number[]; worst: number; maxDiff: number[] } | null = null;
  const permute = (prefix: number[], rest: number[]): void => {
    if (rest.length === 0) {
      const maxDiff = truth.map((mu, c) => Math.max(...mu.map((v, j) => Math.abs(fitted[prefix[c]!]![j]! - v))));
      const worst = Math.max(...maxDiff);
      if (best === null || worst < best.worst) best = { perm: prefix, worst, maxDiff };
      return;
    }
    rest.forEach((r, i) => permute([...prefix, r], [...rest.slice(0, i), ...rest.slice(i + 1)]));
  };
  permute([], Array.from({ length: k }, (_, c) => c));
  const b = best as unknown as { perm: number[]; maxDiff: number[] };
  return { perm: b.perm, maxDiff: b.maxDiff };
}

describe('test helpers', () => {
  it('generateMixture reproduces gen.mjs bit for bit (node gen.mjs a 2000 5 4 7 4)', () => {
    const g = generateMixture(2000, 5, 4, 7, 4);
    const sha = (a: ArrayBufferView): string =>
      createHash('sha256').update(Buffer.from(a.buffer, a.byteOffset, a.byteLength)).digest('hex');
    expect(sha(g.X)).toBe('8082a50153df7da6c50f17b7ea22a5c2fa3fbade88b6f198fb4bd5d5ca4cc7b2');
    expect(sha(g.labels)).toBe('e1f2d180f30cc3ad3175affeac296014c159f0529d9521a8283e9c31716ba3aa');
    expect(g.weights).toEqual([0.12185257185926952, 0.34011183840762105, 0.2337830323255549, 0.3042525574075546]);
    expect(g.means[0]).toEqual([
      -0.9995660106068609, 4.084014654415375, -0.4551816628287604, -0.6499101733285997, 3.390933566874134,
    ]);
  });

  it('adjustedRandIndex agrees with scikit-learn’s adjusted_rand_score', () => {
    // Reference values from sklearn.metrics.adjusted_rand_score 1.2.1.
    expect(adjustedRandIndex([0, 0, 1, 1, 2, 2, 2, 0], [1, 1, 0, 0, 2, 2, 0, 0])).toBeCloseTo(0.18181818181818182, 14);
    expect(adjustedRandIndex([0, 0, 0, 1, 1, 1], [0, 1, 2, 0, 1, 2])).toBeCloseTo(-0.36363636363636365, 14);
    expect(adjustedRandIndex([0, 0, 1, 1], [5, 5, 9, 9])).toBe(1);
    expect(adjustedRandIndex([0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3], [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3])).toBeCloseTo(
      -0.2222222222222222,
      14,
    );
    expect(adjustedRandIndex([0, 0, 0], [1, 1, 1])).toBe(1);
  });
});

describe.each(['js', 'wasm'] as const)('recovery of generated mixtures, %s backend', (backend) => {
  const data = new Map<string, GeneratedMixture>();
  const get = (n: number, d: number, k: number, seed: number, sep: number): GeneratedMixture => {
    const key = `${n},${d},${k},${seed},${sep}`;
    let g = data.get(key);
    if (!g) data.set(key, (g = generateMixture(n, d, k, seed, sep)));
    return g;
  };

  describe.each(CASES)('n = %i, d = %i, k = %i, seed %i, separation %i', (n, d, k, seed, sep) => {
    it.each(TYPES)(
      '%s: ARI > 0.95 and the true means up to relabelling',
      (covarianceType) => {
        const g = get(n, d, k, seed, sep);
        const gm = new GaussianMixture({ nComponents: k, covarianceType, nInit: 3, seed: 0, backend });
        gm.fit(g.X, { nFeatures: d });
        const labels = gm.predict({ data: g.X, rows: n, cols: d });
        expect(labels).toHaveLength(n);

        const ari = adjustedRandIndex(labels, g.labels);
        expect(ari, `ARI of ${covarianceType} fit against the generating labels`).toBeGreaterThan(0.95);

        // Means: within 5 standard errors of the true means (coordinate-wise, with the largest scale).
        const { perm, maxDiff } = matchMeans(gm.means, g.means);
        const counts = new Array<number>(k).fill(0);
        for (const c of g.labels) counts[c]! += 1;
        for (let c = 0; c < k; c++) {
          const tol = (5 * MAX_SCALE) / Math.sqrt(counts[c]!);
          expect(maxDiff[c]!, `mean of true component ${c} (fitted ${perm[c]}), tolerance ${tol.toFixed(3)}`)
            .toBeLessThan(tol);
        }

        // Weights: the fitted component's weight is close to the true one (binomial error ≤ 0.5/√n, 5 s.e.).
        for (let c = 0; c < k; c++) {
          expect(Math.abs(gm.weights[perm[c]!]! - g.weights[c]!), `weight of true component ${c}`).toBeLessThan(
            5 * (0.5 / Math.sqrt(n)) + (1 - ari),
          );
        }
      },
      60_000,
    );
  });
});
