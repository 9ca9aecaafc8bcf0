/**
 * Problems too large for memory are refused before anything is allocated, with what to do; `backend: 'auto'` runs on
 * the js backend (and warns) when WebAssembly memory cannot hold the problem, `'wasm'` refuses it.
 */
import { describe, expect, it } from 'vitest';
import { CategoricalMixture, GaussianMixture, InputError } from '../src/index.js';
import { wasmProblemBytes } from '../src/backend/wasm/index.js';
import { WASM_PROBLEM_LIMIT_BYTES, resolveBackendFor } from '../src/backend/index.js';
import { thrown } from './helpers/thrown.js';

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

describe('fitStream checks the size once it has counted the rows', () => {
  // Full covariances of 5000 features for 10 components: 2.5e8 covariance entries (under the 2^28 limit) whose wasm
  // work region (precision factors and scratch) is 4.7 GiB. Only the decision is run: the fit itself would factor ten
  // 5000×5000 matrices.
  const d = 5000;
  const rows = Array.from({ length: 10 },
    (_, i) => Array.from({ length: d }, (_, j) => ((i + 1) * (j + 7)) % 13 + 0.1 * i));
  const source = () => [rows];

  it("'wasm' is an InputError naming options.backend before any start is computed", async () => {
    const gm = new GaussianMixture({ nComponents: 10, covarianceType: 'full', backend: 'wasm', seed: 1, regCovar: 1 });
    const e = await gm.fitStream(source, { onWarning: () => {} }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(InputError);
    expect((e as InputError).argument).toBe('options.backend');
    expect((e as Error).message).toMatch(/GiB of WebAssembly memory \(n = 10, 5000 columns, k = 10\)/);
  }, 20_000);

  it("'auto' warns that it fits on the js backend", async () => {
    const stop = new Error('stop after the backend is chosen');
    const warnings: string[] = [];
    const gm = new GaussianMixture({ nComponents: 10, covarianceType: 'full', backend: 'auto', seed: 1, regCovar: 1 });
    const e = await gm.fitStream(source, {
      onWarning: (m) => {
        warnings.push(m);
        if (/js backend/.test(m)) throw stop;
      },
    }).catch((err: unknown) => err);
    expect(e).toBe(stop);
    expect(warnings.filter((m) => /js backend/.test(m))).toHaveLength(1);
    expect(warnings.at(-1)).toMatch(/more than wasm32 addresses; fitting on the js backend/);
  }, 20_000);
});
