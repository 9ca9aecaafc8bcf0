/**
 * The relaxed-SIMD build (fused multiply-adds), loaded by feature detection. Node 20 validates it only with
 * `--experimental-wasm-relaxed-simd`, so the checks run the built package (`dist/`) in a child Node started with that
 * flag: there the relaxed build is chosen, and its fits agree with the js backend (and so with the default build) to
 * rounding, for every covariance type and both dtypes. Without the flag, or after `preferRelaxedSimd(false)`, the
 * default build loads.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { wasmRelaxedSimd, wasmAvailable } from '../src/index.js';
import { generateMixture } from './helpers/gen-mixture.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const { X } = generateMixture(3000, 4, 3, 21, 3);

/** Runs `body` (ESM, with the package as `m` and the rows as `X`, 3000×4) in a child Node; returns its JSON output. */
function child(flags: string[], body: string): unknown {
  const code = `import * as m from 'wasm-em';
const X = new Float64Array(${JSON.stringify(Array.from(X))});
${body}`;
  // The script goes through stdin: the rows are too long for a command line.
  return JSON.parse(execFileSync(process.execPath, [...flags, '--input-type=module'], {
    cwd: root, encoding: 'utf8', input: code,
  }));
}

const FIT_BOTH = `
const out = [];
for (const covarianceType of ['full', 'tied', 'diag', 'spherical']) {
  for (const dtype of ['float64', 'float32']) {
    const fit = (backend) => new m.GaussianMixture({ nComponents: 3, covarianceType, dtype, seed: 5, backend,
      maxIter: 30, tol: 0, initCandidates: 1 }).fit(X, { nFeatures: 4 });
    const w = fit('wasm');
    const j = fit('js');
    out.push({ covarianceType, dtype, wasm: w.toJSON(), js: j.toJSON(), lw: w.lowerBound, lj: j.lowerBound });
  }
}
console.log(JSON.stringify({ relaxed: m.wasmRelaxedSimd(), out }));`;

/** Largest relative difference between two nested arrays of numbers (scale: the largest magnitude of `b`). */
function maxRelDiff(a: unknown, b: unknown): number {
  const flat = (v: unknown): number[] => (Array.isArray(v) ? v.flatMap(flat) : [v as number]);
  const x = flat(a);
  const y = flat(b);
  expect(x.length).toBe(y.length);
  const scale = Math.max(...y.map(Math.abs), 1e-300);
  return Math.max(...x.map((v, i) => Math.abs(v - y[i]!) / scale));
}

describe('relaxed-SIMD build', () => {
  it('is not loaded by Node 20 without the flag (the default build is)', () => {
    expect(wasmAvailable()).toBe(true);
    expect(wasmRelaxedSimd()).toBe(false);
  });

  it('is chosen where the engine validates it, and fits like the js backend to rounding', () => {
    const { relaxed, out } = child(['--experimental-wasm-relaxed-simd'], FIT_BOTH) as {
      relaxed: boolean;
      out: { covarianceType: string; dtype: string; wasm: Record<string, unknown>; js: Record<string, unknown>;
        lw: number; lj: number }[];
    };
    expect(relaxed).toBe(true);
    for (const r of out) {
      const what = `${r.covarianceType} ${r.dtype}`;
      // Fused multiply-adds round once where the twins round twice: differences at the level of rounding (f64, or f32
      // in the float32 E-step), which 30 EM iterations carry along without amplifying on this well-separated mixture.
      const f32 = r.dtype === 'float32';
      expect(Math.abs(r.lw - r.lj), what).toBeLessThanOrEqual((f32 ? 1e-7 : 1e-12) * Math.abs(r.lj));
      for (const key of ['weights', 'means', 'covariances']) {
        expect(maxRelDiff(r.wasm[key], r.js[key]), `${what} ${key}`).toBeLessThanOrEqual(f32 ? 1e-5 : 1e-9);
      }
    }
  });

  it('is not loaded after preferRelaxedSimd(false), even where the engine supports it', () => {
    const body = `m.preferRelaxedSimd(false);
new m.GaussianMixture({ nComponents: 2, seed: 1, backend: 'wasm' }).fit(X, { nFeatures: 4 });
console.log(JSON.stringify(m.wasmRelaxedSimd()));`;
    expect(child(['--experimental-wasm-relaxed-simd'], body)).toBe(false);
  });

  it('a fitAsync pool loads the build of the thread that owns the fit, so it gives fit\'s model bit for bit', () => {
    // Workers inherit the flag and would validate the relaxed build on their own; the owner's choice must win.
    // preferRelaxedSimd applies before the first load: one child per choice.
    for (const prefer of [false, true]) {
      const script = `m.preferRelaxedSimd(${prefer});
const opts = { nComponents: 3, covarianceType: 'full', seed: 2, backend: 'wasm', maxIter: 20, tol: 0, initCandidates: 1 };
const a = new m.GaussianMixture(opts).fit(X, { nFeatures: 4 });
const b = await new m.GaussianMixture(opts).fitAsync(X, { nFeatures: 4, workers: 2 });
console.log(JSON.stringify({ relaxed: m.wasmRelaxedSimd(), same: JSON.stringify(a.toJSON()) === JSON.stringify(b.toJSON()) }));`;
      expect(child(['--experimental-wasm-relaxed-simd'], script)).toEqual({ relaxed: prefer, same: true });
    }
  });
});
