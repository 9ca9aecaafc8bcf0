/**
 * A start from given means on the backend's kernels (src/families/gaussian-given-start.ts) against the plain
 * TypeScript hard assignment (`addGivenMeansStats` without kernels): the same nearest mean for every row, and the
 * same statistics up to the summation order, on both backends, with and without weights, for every kernel shape.
 */
import { describe, expect, it } from 'vitest';
import { jsBackend } from '../src/backend/js/index.js';
import { statsLength } from '../src/backend/kernel.js';
import { initWasm, wasmBackend } from '../src/backend/wasm/index.js';
import { addGivenMeansStatsOnBackend } from '../src/families/gaussian-given-start.js';
import { kernelShape, type CovarianceType } from '../src/families/gaussian.js';
import { addGivenMeansStats } from '../src/families/gaussian-starts.js';
import { Rng } from '../src/rng.js';
import { rel } from './helpers/mclust-models-fixture.js';


await initWasm();

describe.each([['js', jsBackend], ['wasm', wasmBackend()]] as const)('given-means statistics on the %s backend', (_, backend) => {
  const types: CovarianceType[] = ['full', 'VEV', 'diag', 'EEI', 'spherical', 'EEE'];
  it.each(types)('%s: the plain hard assignment\'s, in blocks of any size', (type) => {
    const rng = new Rng(11);
    for (const [n, d, k] of [[1, 1, 1], [7, 2, 3], [300, 3, 4], [5000, 5, 6]] as const) {
      const X = { data: Float64Array.from({ length: n * d }, () => rng.normal() * 3), rows: n, cols: d };
      const means = Float64Array.from({ length: k * d }, () => rng.normal() * 3);
      for (const weights of [null, Float64Array.from({ length: n }, () => 0.1 + rng.random())]) {
        const shape = kernelShape(type);
        const plain = new Float64Array(statsLength(shape, d, k));
        addGivenMeansStats({ means, weights: null, covariances: null }, { X, weights }, k, type, plain);
        for (const blockRows of [4096, 64, 5]) {
          const onKernels = addGivenMeansStatsOnBackend(backend, { X, weights }, means, k, type, blockRows,
            new Float64Array(plain.length));
          expect(rel(onKernels.subarray(0, plain.length - 2), plain.subarray(0, plain.length - 2)),
            `n=${n} d=${d} k=${k} blocks of ${blockRows}`).toBeLessThan(1e-12);
          // N_c: the counts of the labels, exactly (unit weights), so every row went to the same mean.
          if (weights === null) {
            const block = shape === 'full' ? 1 + d + (d * (d + 1)) / 2 : 1 + 2 * d;
            for (let c = 0; c < k; c++) expect(onKernels[c * block]).toBe(plain[c * block]);
          }
        }
      }
    }
  });
});
