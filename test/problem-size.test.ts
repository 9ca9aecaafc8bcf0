/**
 * Problems too large for memory are refused before anything is allocated, with what to do; `backend: 'auto'` runs on
 * the js backend (and warns) when WebAssembly memory cannot hold the problem, `'wasm'` refuses it.
 */
import { describe, expect, it } from 'vitest';
import { CategoricalMixture, GaussianMixture, InputError } from '../src/index.js';
import { wasmProblemBytes } from '../src/backend/wasm/index.js';
import { WASM_PROBLEM_LIMIT_BYTES, resolveBackendFor } from '../src/backend/index.js';

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return null;
}

describe('sizes that cannot fit', () => {
  it.each(['js', 'wasm', 'auto'] as const)('full and tied covariances of 100 000 features are an InputError (%s)', (backend) => {
    const d = 100_000;
    const X = { data: Float64Array.from({ length: 2 * d }, (_, i) => (i * 7919) % 13), rows: 2, cols: d };
    for (const covarianceType of ['full', 'tied'] as const) {
      const e = thrown(() => new GaussianMixture({ covarianceType, backend }).fit(X));
      expect(e, covarianceType).toBeInstanceOf(InputError);
      expect((e as InputError).argument).toBe('options.covarianceType');
      expect((e as Error).message).toMatch(/'diag'/);
    }
  });

  // 129 features with codes up to 65 535: 8.5 million one-hot columns, whose wasm kernel scratch (64 rows of them) is
  // 4.03 GiB; the js backend holds the 2 encoded rows (135 MB).
  const wide = [Array.from({ length: 129 }, () => 65535), Array.from({ length: 129 }, (_, j) => j)];

  it('CategoricalMixture over wasm32 memory: auto falls back to js and warns, wasm refuses', () => {
    const warnings: string[] = [];
    const auto = new CategoricalMixture({ nComponents: 1, backend: 'auto', seed: 1, maxIter: 2 }).fit(wide, { onWarning: (m) => warnings.push(m) });
    expect(warnings.some((m) => m.includes('js backend'))).toBe(true);
    expect(Number.isFinite(auto.lowerBound)).toBe(true);
    // Both rows differ in every feature, each with probability about ½ under one component.
    expect(auto.lowerBound).toBeCloseTo(129 * Math.log(0.5), 2);
    const e = thrown(() => new CategoricalMixture({ nComponents: 1, backend: 'wasm', seed: 1 }).fit(wide));
    expect(e).toBeInstanceOf(InputError);
    expect((e as InputError).argument).toBe('options.backend');
    expect((e as Error).message).toMatch(/backend: 'js'/);
  }, 60_000);

  it('resolveBackendFor: auto warns and runs js, wasm refuses, small problems stay on wasm', () => {
    const big = { shape: 'linear' as const, n: 2, d: 129 * 65536, k: 1 };
    const warnings: string[] = [];
    expect(resolveBackendFor('auto', big, (m) => warnings.push(m)).name).toBe('js');
    expect(warnings[0]).toMatch(/GiB of WebAssembly memory/);
    expect(() => resolveBackendFor('wasm', big)).toThrow(InputError);
    expect(resolveBackendFor('auto', { shape: 'full', n: 100, d: 3, k: 2 }).name).toBe('wasm');
  });

  it('wasmProblemBytes counts the rows, the parameters and the kernel scratch', () => {
    expect(wasmProblemBytes({ shape: 'linear', n: 2, d: 129 * 65536, k: 1 })).toBeGreaterThan(WASM_PROBLEM_LIMIT_BYTES);
    expect(wasmProblemBytes({ shape: 'full', n: 1e6, d: 10, k: 5 })).toBeLessThan(2 ** 28);
    // Streamed rows: a window of 4096, not all of them.
    expect(wasmProblemBytes({ shape: 'diag', n: 1e8, d: 4, k: 2 })).toBeLessThan(2 ** 24);
  });
});
