/** `sample()` with no count draws one row (the documented default), for the Gaussian and the discrete mixtures. */
import { describe, expect, it } from 'vitest';
import { BernoulliMixture, CategoricalMixture, GaussianMixture, PoissonMixture } from '../src/index.js';

describe.each(['js', 'wasm'] as const)('sample() without a count on the %s backend', (backend) => {
  const cases: [string, () => { sample(n?: number): { X: { rows: number; cols: number; data: Float64Array }; labels: Int32Array } }][] = [
    ['GaussianMixture', () => new GaussianMixture({ nComponents: 2, seed: 1, backend }).fit([[0, 0], [0, 1], [5, 5], [5, 6], [0.5, 0.2]])],
    ['BernoulliMixture', () => new BernoulliMixture({ nComponents: 2, seed: 1, backend }).fit([[0, 1], [1, 0], [1, 1], [0, 0]])],
    ['CategoricalMixture', () => new CategoricalMixture({ nComponents: 2, seed: 1, backend }).fit([[0, 2], [1, 0], [2, 1], [0, 0]])],
    ['PoissonMixture', () => new PoissonMixture({ nComponents: 2, seed: 1, backend }).fit([[0, 3], [1, 5], [4, 0], [2, 2]])],
  ];
  it.each(cases)('%s', (_name, make) => {
    const s = make().sample();
    expect(s.X.rows).toBe(1);
    expect(s.X.data.length).toBe(s.X.cols);
    expect(s.labels.length).toBe(1);
    expect(s.X.data.every(Number.isFinite)).toBe(true);
  });
});
