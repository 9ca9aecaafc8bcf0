/**
 * The engine's lifetime: one WebAssembly memory and kernel instance per fit or prediction, whatever the number of
 * restarts, iterations or streamed blocks (`Backend.retain`, src/estimator/drivers.ts), and none left afterwards.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { GaussianMixture, initWasm, wasmMemoryBytes } from '../src/index.js';
import { Rng } from '../src/rng.js';

const RealMemory = WebAssembly.Memory;
let created = 0;

function countMemories(): void {
  created = 0;
  const Counting = function (this: unknown, descriptor: WebAssembly.MemoryDescriptor) {
    created++;
    return new RealMemory(descriptor);
  } as unknown as typeof WebAssembly.Memory;
  Counting.prototype = RealMemory.prototype;
  (WebAssembly as { Memory: typeof WebAssembly.Memory }).Memory = Counting;
}

afterEach(() => {
  (WebAssembly as { Memory: typeof WebAssembly.Memory }).Memory = RealMemory;
});

function rows(n: number, seed: number): number[][] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, (_, i) => [rng.normal() + (i % 2) * 4, rng.normal() - (i % 2) * 3]);
}

describe('one engine per fit', () => {
  const X = rows(20_000, 1);
  const options = { nComponents: 2, covarianceType: 'VEV', seed: 0, maxIter: 4, tol: 0, nInit: 2, backend: 'wasm' } as const;

  it('fitStream over five blocks of 4096 rows, two restarts, four iterations: one memory', async () => {
    await initWasm();
    countMemories();
    const gm = await new GaussianMixture(options).fitStream(async function* () {
      for (let i = 0; i < X.length; i += 1000) yield X.slice(i, i + 1000);
    });
    expect(gm.nIter).toBe(4);
    expect(created).toBe(1);
    expect(wasmMemoryBytes()).toBe(0);
  });

  it('fit and predict: one memory each', async () => {
    await initWasm();
    countMemories();
    const gm = new GaussianMixture(options).fit(X);
    expect(created).toBe(1);
    gm.predict(X);
    expect(created).toBe(2);
    expect(wasmMemoryBytes()).toBe(0);
  });
});
