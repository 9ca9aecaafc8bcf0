/**
 * `fitAsync` of the discrete mixtures on a worker pool: the workers run the `'linear'` kernels on their blocks of
 * t(x) rows, and the model equals `fit`'s exactly for 1 and 2 workers. Needs `dist/worker.js` (`npm run build`).
 */
import { existsSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BernoulliMixture, CategoricalMixture, PoissonMixture, type DiscreteMixture } from '../src/index.js';
import { BLOCK_ROWS } from '../src/em/driver.js';
import { liveWorkers, setWorkerScript } from '../src/parallel/platform.js';
import { rng } from './helpers/kernel-cases.js';

const WORKER = new URL('../dist/worker.js', import.meta.url);
const n = 2 * BLOCK_ROWS + 333;
const u = rng(77);
const group = (i: number): number => i % 3;
const binary = Array.from({ length: n }, (_, i) => Array.from({ length: 6 }, (_, j) => (u() < (group(i) === j % 3 ? 0.8 : 0.2) ? 1 : 0)));
const codes = binary.map((r, i) => r.map((v, j) => (j < 3 ? v + group(i) : v)));
const counts = binary.map((r, i) => r.map((v) => v * (2 + 3 * group(i)) + Math.floor(3 * u())));
const weights = Array.from({ length: n }, (_, i) => (i % 17 === 0 ? 0 : 1 + (i % 4) / 2));

beforeAll(() => {
  expect(existsSync(WORKER), 'dist/worker.js: run npm run build').toBe(true);
  setWorkerScript(WORKER);
});
afterAll(() => setWorkerScript(null));
afterEach(() => expect(liveWorkers()).toBe(0));

const cases: [string, () => DiscreteMixture, number[][]][] = [
  ['Bernoulli', () => new BernoulliMixture({ nComponents: 3, seed: 1, nInit: 2 }), binary],
  ['categorical', () => new CategoricalMixture({ nComponents: 3, seed: 2 }), codes],
  ['Poisson', () => new PoissonMixture({ nComponents: 3, seed: 3 }), counts],
];

describe.each(cases)('%s: fitAsync gives the model of fit', (_, make, X) => {
  for (const workers of [1, 2]) {
    it(`${workers} worker(s), weighted`, async () => {
      const sync = make().fit(X, { sampleWeight: weights });
      const parallel = await make().fitAsync(X, { sampleWeight: weights, workers });
      expect(parallel.toJSON()).toEqual(sync.toJSON());
      expect(parallel.logLikelihoodHistory).toEqual(sync.logLikelihoodHistory);
    });
  }
});
