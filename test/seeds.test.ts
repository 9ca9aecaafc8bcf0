/**
 * Seeds: every bit of a safe-integer seed selects the stream (2³² + 1 is not seed 1), seeds below 2³² keep their
 * streams, and seeds that cannot be represented exactly are refused by every model class and by `sample`.
 */
import { describe, expect, it } from 'vitest';
import {
  BernoulliMixture, CategoricalHMM, CategoricalMixture, GaussianHMM, GaussianMixture, InputError, PoissonMixture,
} from '../src/index.js';
import { Rng } from '../src/rng.js';

function draws(rng: Rng, n = 4): number[] {
  return Array.from({ length: n }, () => rng.nextU32());
}

describe('Rng seeds', () => {
  it('keeps the streams of seeds below 2^32 (splitmix32 then xoshiro128**)', () => {
    // The first two draws of seeds 0, 1 and 42 as the generator gave them before the high bits were mixed in.
    expect([0, 1, 42].map((s) => draws(new Rng(s), 2))).toEqual(
      [[3809008728, 1133695204], [2442144158, 3238099751], [2837322924, 544945897]]);
  });

  it('gives distinct streams for seeds that agree in their low 32 bits', () => {
    const seeds = [1, 2 ** 32 + 1, 2 ** 33 + 1, 2 ** 52 + 1, Number.MAX_SAFE_INTEGER, -1, -(2 ** 32) - 1];
    const streams = seeds.map((s) => draws(new Rng(s)).join(','));
    expect(new Set(streams).size).toBe(seeds.length);
    expect(draws(new Rng(2 ** 32 + 1))).toEqual(draws(new Rng(2 ** 32 + 1)));
  });
});

const gaussRows = [[0, 0], [0.2, 0.1], [0.1, 0.3], [5, 5], [5.2, 4.9], [4.8, 5.1], [0.3, -0.2], [5.1, 5.3]];

describe.each(['js', 'wasm'] as const)('seed option on the %s backend', (backend) => {
  it('2^32 + 1 is not seed 1 (the whole seed is used)', () => {
    const a = new GaussianMixture({ nComponents: 2, seed: 1, backend, init: 'random' }).fit(gaussRows);
    const b = new GaussianMixture({ nComponents: 2, seed: 2 ** 32 + 1, backend, init: 'random' }).fit(gaussRows);
    expect(b.logLikelihoodHistory).not.toEqual(a.logLikelihoodHistory);
    const sa = a.sample(5, { seed: 1 }).X.data;
    const sb = a.sample(5, { seed: 2 ** 32 + 1 }).X.data;
    expect(Array.from(sb)).not.toEqual(Array.from(sa));
  });
});

describe('seeds that are not safe integers are refused', () => {
  const BAD = [1e308, 2 ** 53, -(2 ** 53), 0.5, -1.5, NaN, Infinity, '1'];
  const makers: [string, (seed: unknown) => unknown][] = [
    ['GaussianMixture', (seed) => new GaussianMixture({ seed } as never)],
    ['BernoulliMixture', (seed) => new BernoulliMixture({ seed } as never)],
    ['CategoricalMixture', (seed) => new CategoricalMixture({ seed } as never)],
    ['PoissonMixture', (seed) => new PoissonMixture({ seed } as never)],
    ['GaussianHMM', (seed) => new GaussianHMM({ seed } as never)],
    ['CategoricalHMM', (seed) => new CategoricalHMM({ seed } as never)],
  ];
  it.each(makers)('%s', (_name, make) => {
    for (const seed of BAD) {
      let error: unknown = null;
      try {
        make(seed);
      } catch (e) {
        error = e;
      }
      expect(error, String(seed)).toBeInstanceOf(InputError);
      expect((error as InputError).argument).toBe('options.seed');
    }
    for (const seed of [0, -7, 2 ** 32 + 1, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER]) expect(() => make(seed)).not.toThrow();
  });

  it('sample({ seed }) refuses them too', () => {
    const gm = new GaussianMixture({ nComponents: 2, seed: 1, backend: 'js' }).fit(gaussRows);
    expect(() => gm.sample(3, { seed: 2 ** 53 })).toThrow(InputError);
    expect(() => gm.sample(3, { seed: 0.5 })).toThrow(InputError);
  });
});
