/**
 * The fit's own E-step on a row far from every component of its start. The feature-range check refuses a row 1e160
 * from its column's mean; a row within that range can still be 1e155 standard deviations from every component of a
 * given start or of a warm start refitted on new data, and its responsibilities were then 0/0: NaN statistics, which
 * the M-step reported as a collapsed component ("no data point is assigned to it"). It is now an InputError naming the
 * data, with what to do. Starts computed from the data never give such a row (each row's component holds it).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DegenerateComponentError, GaussianMixture, InputError, type SklearnCovarianceType } from '../src/index.js';
import { liveWorkers, setWorkerScript } from '../src/parallel/platform.js';
import { thrown } from './helpers/thrown.js';

const TYPES: SklearnCovarianceType[] = ['full', 'tied', 'diag', 'spherical'];
// Two clusters of spread about 1e-3, and a row 1e152 away: within the feature-range limit for 11 rows (1.4e153),
// but 1e155 standard deviations from either cluster.
const TINY = [[0, 0], [1, 0.2], [0.4, 1.1], [-0.6, 0.3], [0.2, -0.9], [10, 10], [10.5, 12], [9, 11], [11, 9.5], [10.2, 8]]
  .map((r) => r.map((v) => v * 1e-3));
const WITH_FAR = [...TINY, [1e152, 0]];

function expectFarRowError(e: unknown, argument = 'X'): void {
  expect(e).toBeInstanceOf(InputError);
  expect((e as InputError).argument).toBe(argument);
  expect((e as Error).message).toMatch(/squared Mahalanobis distance to every component overflows/);
  expect((e as Error).message).toMatch(/init: 'kmeans', no warmStart/);
}

describe.each(['js', 'wasm'] as const)('the E-step on a far row, %s backend', (backend) => {
  it.each(TYPES)('a warm start refitted on data with a far row is an InputError (%s)', (covarianceType) => {
    const gm = new GaussianMixture({ nComponents: 2, covarianceType, seed: 1, backend, warmStart: true }).fit(TINY);
    const means = gm.means.map((m) => Array.from(m));
    const warnings: string[] = [];
    expectFarRowError(thrown(() => gm.fit(WITH_FAR, { onWarning: (m) => warnings.push(m) })));
    expect(warnings.filter((m) => /restart .* failed/.test(m))).toEqual([]);
    // The model is the one fitted before.
    expect(gm.means.map((m) => Array.from(m))).toEqual(means);
  });

  it.each(TYPES)('given means and covariances, maxIter 1, is an InputError (%s)', (covarianceType) => {
    const covariances = {
      full: [[[1e-6, 0], [0, 1e-6]], [[1e-6, 0], [0, 1e-6]]], tied: [[1e-6, 0], [0, 1e-6]],
      diag: [[1e-6, 1e-6], [1e-6, 1e-6]], spherical: [1e-6, 1e-6],
    }[covarianceType];
    const gm = new GaussianMixture({
      nComponents: 2, covarianceType, backend, maxIter: 1, nInit: 3,
      init: { means: [[0, 0], [0.01, 0.01]], covariances },
    });
    expectFarRowError(thrown(() => gm.fit(WITH_FAR)));
  });

  it('given means only: the start is computed from the data and the fit is finite', () => {
    const init = { means: [[0, 0], [0.01, 0.01]] };
    const gm = new GaussianMixture({ nComponents: 2, covarianceType: 'tied', backend, maxIter: 1, init }).fit(WITH_FAR);
    expect(gm.means.every((m) => Array.from(m).every(Number.isFinite))).toBe(true);
    expect(Array.from(gm.weights).every(Number.isFinite)).toBe(true);
  });

  it('float32 rows and rows with missing entries alike', () => {
    const f32 = new GaussianMixture({ nComponents: 2, seed: 1, backend, warmStart: true, dtype: 'float32' }).fit(TINY);
    // 1e18 is within float32's feature range (2^60) and 1e21 standard deviations away: 1e42 overflows float32.
    expectFarRowError(thrown(() => f32.fit([...TINY, [1e18, 0]])));
    const incomplete = new GaussianMixture({ nComponents: 2, seed: 1, backend, warmStart: true }).fit(TINY);
    expectFarRowError(thrown(() => incomplete.fit([...TINY, [1e152, NaN], [NaN, 0.001]])));
  });

  it('fitStream with a warm start names its source', async () => {
    const gm = new GaussianMixture({ nComponents: 2, seed: 1, backend, warmStart: true }).fit(TINY);
    const e = await gm.fitStream(() => [WITH_FAR]).catch((err: unknown) => err);
    expectFarRowError(e, 'source');
  });

  it('a row 1e160 from its column mean is refused by the feature-range check', () => {
    const e = thrown(() => new GaussianMixture({ nComponents: 2, backend, init: { means: [[0, 0], [1, 1]] } })
      .fit([...TINY, [1e160, 0]]));
    expect(e).toBeInstanceOf(InputError);
    expect((e as InputError).argument).toBe('X (column 0)');
    expect(e).not.toBeInstanceOf(DegenerateComponentError);
  });
});

describe('fitAsync on workers (the built dist/worker.js)', () => {
  beforeAll(() => setWorkerScript(new URL('../dist/worker.js', import.meta.url)));
  afterAll(() => setWorkerScript(null));

  it('the same InputError, and no worker left', async () => {
    const gm = new GaussianMixture({ nComponents: 2, seed: 1, backend: 'js', warmStart: true }).fit(TINY);
    expectFarRowError(await gm.fitAsync(WITH_FAR, { workers: 2 }).catch((err: unknown) => err));
    expect(liveWorkers()).toBe(0);
  }, 30_000);
});
