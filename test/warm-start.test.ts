/**
 * Warm starts converge as scikit-learn's do: each warm `fit` compares its first lower bound with the fitted model's
 * (`lower_bound_` carried over), so repeated fits of one iteration stop reporting `converged: false` once the bound no
 * longer moves (scikit-learn `test_convergence_detected_with_warm_start`).
 */
import { describe, expect, it } from 'vitest';
import { GaussianMixture, type CovarianceType } from '../src/index.js';
import { generateMixture } from './helpers/gen-mixture.js';

const g = generateMixture(400, 2, 2, 3, 5);

describe.each(['js', 'wasm'] as const)('warm starts on the %s backend', (backend) => {
  it.each([1, 2, 50])('repeated warm fits with maxIter %i report convergence', (maxIter) => {
    for (const covarianceType of ['full', 'tied', 'diag', 'spherical'] as CovarianceType[]) {
      const gm = new GaussianMixture({ nComponents: 2, covarianceType, warmStart: true, maxIter, seed: 0, backend });
      const warnings: string[] = [];
      let fits = 0;
      for (; fits < 100; fits++) {
        gm.fit(g.X, { nFeatures: 2, onWarning: (m) => warnings.push(m) });
        if (gm.converged) break;
      }
      expect(gm.converged, covarianceType).toBe(true);
      expect(gm.nIter).toBeLessThanOrEqual(maxIter);
      expect(warnings.filter((m) => m.includes('decreased'))).toEqual([]);
    }
  });

  it('a warm fit of a converged model converges in one iteration', () => {
    const gm = new GaussianMixture({ nComponents: 2, warmStart: true, tol: 1e-6, maxIter: 500, seed: 1, backend });
    gm.fit(g.X, { nFeatures: 2 });
    expect(gm.converged).toBe(true);
    const bound = gm.lowerBound;
    const changes: number[] = [];
    gm.fit(g.X, { nFeatures: 2, onIteration: (info) => changes.push(info.change) });
    expect(gm.converged).toBe(true);
    expect(gm.nIter).toBe(1);
    expect(Math.abs(changes[0])).toBeLessThan(1e-6);
    expect(gm.lowerBound).toBeGreaterThanOrEqual(bound - 1e-12);
  });
});
