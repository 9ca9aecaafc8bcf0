/**
 * Full covariances with at most half as many rows as features (2n ≤ d) are singular in most directions: an InputError up
 * front (d = 1000 with 5 rows used to take 11 s per iteration, d = 3000 minutes, with nothing shown), unless regCovar
 * is large against the data's spread (a point mass: n = 1, all rows equal). No more than d rows per component on
 * average is a warning. Both backends, fit, fitAsync and fitStream.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GaussianMixture, InputError } from '../src/index.js';
import { setWorkerScript } from '../src/parallel/platform.js';

const WORKER = new URL('../dist/worker.js', import.meta.url);
beforeAll(() => {
  expect(existsSync(WORKER), 'dist/worker.js: run npm run build').toBe(true);
  setWorkerScript(WORKER);
});
afterAll(() => setWorkerScript(null));

/** n×d values in [0, 1) from a seeded stream. */
function uniform(n: number, d: number, seed: number): Float64Array {
  let s = seed >>> 0;
  return Float64Array.from({ length: n * d }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  });
}

describe.each(['js', 'wasm'] as const)('full covariances with 2n ≤ d (%s backend)', (backend) => {
  const d = 1000;
  const X = uniform(5, d, 1);

  it('d = 1000, 5 rows: an InputError on options.covarianceType, at once, from fit, fitAsync and fitStream', async () => {
    for (const covarianceType of ['full', 'tied'] as const) {
      const gm = new GaussianMixture({ backend, covarianceType, nComponents: 1, seed: 1 });
      const t0 = performance.now();
      const errors = [
        (() => {
          try {
            gm.fit(X, { nFeatures: d });
            return null;
          } catch (e) {
            return e;
          }
        })(),
        await gm.fitAsync(X, { nFeatures: d, workers: 1 }).then(() => null, (e: unknown) => e),
        await gm.fitStream(() => [{ data: X, rows: 5, cols: d }]).then(() => null, (e: unknown) => e),
      ];
      const ms = performance.now() - t0;
      console.log(`${covarianceType}, d = ${d}, 5 rows: three InputErrors in ${ms.toFixed(0)} ms`);
      for (const e of errors) {
        expect(e).toBeInstanceOf(InputError);
        expect((e as InputError).argument).toBe('options.covarianceType');
        expect((e as Error).message).toMatch(new RegExp(
          `^options.covarianceType: expected 'diag' or 'spherical' for 5 rows of 1000 features \\(a ${covarianceType} covariance needs more than d rows`));
        expect((e as Error).message).toMatch(/Use covarianceType 'diag', fewer features, more rows, or a regCovar of at least/);
      }
      expect(gm.isFitted).toBe(false);
    }
    // diag and spherical fit these rows.
    expect(new GaussianMixture({ backend, covarianceType: 'diag', nComponents: 1, seed: 1 }).fit(X, { nFeatures: d }).isFitted).toBe(true);
  }, 60_000);

  it('a large regCovar, a point mass (n = 1), or rows all equal are fitted', () => {
    const small = uniform(3, 8, 2);
    expect(() => new GaussianMixture({ backend, nComponents: 1, seed: 1 }).fit(small, { nFeatures: 8 })).toThrow(InputError);
    const large = new GaussianMixture({ backend, nComponents: 1, seed: 1, regCovar: 0.1 }).fit(small, { nFeatures: 8 });
    expect(Number.isFinite(large.lowerBound)).toBe(true);
    expect(new GaussianMixture({ backend, nComponents: 1, seed: 1 }).fit([[1.5, -2]]).isFitted).toBe(true);
    expect(new GaussianMixture({ backend, nComponents: 1, seed: 1 }).fit([[1, 2, 3], [1, 2, 3]]).isFitted).toBe(true);
    // n ≤ d < 2n (2 rows of 2 or 3 features): a warning, and the fit.
    const warnings: string[] = [];
    new GaussianMixture({ backend, nComponents: 1, seed: 1 }).fit([[1, 2, 0], [3, 5, 1]], { onWarning: (m) => warnings.push(m) });
    expect(warnings[0]).toMatch(/^2 rows of 3 features for 1 full covariance: no more than d rows per component on average/);
  });

  it('no more than d rows per component on average: a warning, and the fit', () => {
    const warnings: string[] = [];
    const Y = uniform(30, 8, 3);
    const gm = new GaussianMixture({ backend, nComponents: 4, seed: 1, maxIter: 5 })
      .fit(Y, { nFeatures: 8, onWarning: (m) => warnings.push(m) });
    expect(gm.isFitted).toBe(true);
    expect(warnings.some((m) => /^30 rows of 8 features for 4 full covariances: no more than d rows per component on average/.test(m))).toBe(true);
  });
});
