/**
 * The short soak (`bench/soak.mjs` runs 2000 fits): a few hundred seeded fits of every family, backend and entry point
 * in one child Node with `--expose-gc`, on the built package; every fit ends or fails with a typed error, WebAssembly
 * memory is 0 between fits, the heap does not keep growing, and no worker is left. Then `dispose()` of every model
 * class.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  BernoulliMixture, CategoricalHMM, CategoricalMixture, GaussianHMM, GaussianMixture, NotFittedError, PoissonHMM,
  PoissonMixture, wasmMemoryBytes,
} from '../../src/index.js';
import { generateMixture } from '../helpers/gen-mixture.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('soak', () => {
  it('300 mixed fits: no untyped failure, memory bounded, no WebAssembly memory or worker left', () => {
    const script = `import * as lib from './dist/index.js';
import { runSoak } from './bench/soak-core.mjs';
const r = await runSoak(lib, { fits: 300, seed: 7, every: 25, limits: { maxN: 6000, maxSeqN: 2000, maxIter: 12 } });
console.log(JSON.stringify(r));`;
    const out = execFileSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], {
      cwd: root, encoding: 'utf8', maxBuffer: 1 << 26,
    });
    const r = JSON.parse(out.trim().split('\n').at(-1)!);
    expect(r.gcExposed).toBe(true);
    expect(r.failures).toEqual([]);
    expect(r.counts.fit + r.counts.fitAsync + (r.counts.fitStream ?? 0)).toBe(300);
    expect(r.counts.fitAsync).toBeGreaterThan(20);
    expect(r.counts.fitStream).toBeGreaterThan(5);
    expect(r.bound.wasmAtCheckpointsMax).toBe(0);
    expect(r.wasmPeakDuringFits).toBeGreaterThan(0);
    expect(r.heapBounded).toBe(true);
    expect(r.liveWorkersAtEnd).toBe(0);
  }, 120_000);
});

describe('dispose()', () => {
  const { X } = generateMixture(600, 2, 2, 3, 1);
  const B = Float64Array.from(X, (v) => (v > 0 ? 1 : 0));
  const counts = Float64Array.from(X, (v) => Math.min(20, Math.floor(Math.abs(v))));
  const models = [
    ['GaussianMixture', () => new GaussianMixture({ nComponents: 2, seed: 1 }), () => X],
    ['BernoulliMixture', () => new BernoulliMixture({ nComponents: 2, seed: 1 }), () => ({ data: B, rows: 600, cols: 2 })],
    ['CategoricalMixture', () => new CategoricalMixture({ nComponents: 2, seed: 1 }), () => ({ data: B, rows: 600, cols: 2 })],
    ['PoissonMixture', () => new PoissonMixture({ nComponents: 2, seed: 1 }), () => ({ data: counts, rows: 600, cols: 2 })],
    ['GaussianHMM', () => new GaussianHMM({ nStates: 2, seed: 1 }), () => ({ data: X, rows: 600, cols: 2 })],
    ['PoissonHMM', () => new PoissonHMM({ nStates: 2, seed: 1 }), () => ({ data: counts, rows: 600, cols: 2 })],
    ['CategoricalHMM', () => new CategoricalHMM({ nStates: 2, seed: 1 }), () => Array.from(B.subarray(0, 600))],
  ] as const;

  for (const [name, make, data] of models) {
    it(`${name}: idempotent; afterwards unfitted (NotFittedError saying so) and fit makes it usable again`, () => {
      const m = make() as unknown as {
        fit(x: unknown, o?: object): unknown; predict(x: unknown, o?: object): Int32Array; dispose(): void;
        isFitted: boolean; toJSON(): unknown;
      };
      const x = data();
      const options = x instanceof Float64Array ? { nFeatures: 2 } : {};
      m.fit(x, options);
      const labels = m.predict(x, options);
      const json = JSON.stringify(m.toJSON());
      expect(wasmMemoryBytes()).toBe(0);
      m.dispose();
      m.dispose();
      expect(m.isFitted).toBe(false);
      expect(() => m.predict(x, options)).toThrow(NotFittedError);
      expect(() => m.toJSON()).toThrow(/needs a fitted model \(this one was disposed\)/);
      m.fit(x, options);
      expect(m.predict(x, options)).toEqual(labels);
      expect(JSON.stringify(m.toJSON())).toBe(json);
      expect(wasmMemoryBytes()).toBe(0);
    });
  }

  it('a model never fitted says NotFittedError without "disposed"', () => {
    expect(() => new GaussianMixture().toJSON()).toThrow(/^toJSON\(\) needs a fitted model: call fit/);
  });
});
