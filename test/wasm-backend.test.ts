/**
 * The wasm `Backend` against the js backend through the kernel interface: loading and feature probes, parameters,
 * statistics additive over any split of the rows, memory growth between calls, large data, dispose, and the
 * unavailable paths.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import {
  WASM_BLOCK_ROWS, WASM_WINDOW_ROWS, initWasm, loadWasmSync, wasmAvailable, wasmBackend, wasmSimdSupported,
} from '../src/backend/wasm/index.js';
import { Arena } from '../src/backend/wasm/memory.js';
import { jsBackend } from '../src/backend/js/index.js';
import { WasmUnavailableError } from '../src/errors.js';
import { accumulateAll } from '../src/em/driver.js';
import { componentStatsLength, statsLength, type BoundData, type KernelParams, type KernelShape } from '../src/backend/kernel.js';
import { rng } from './helpers/kernel-cases.js';

const B = WASM_BLOCK_ROWS;

function normal(u: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

/** Rows scattered around k centres near `offset`. */
function makeData(n: number, d: number, k: number, offset: number, seed: number): Float64Array {
  const u = rng(seed);
  const centres = Array.from({ length: k * d }, () => offset + 3 * normal(u));
  const X = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    const c = i % k;
    for (let j = 0; j < d; j++) X[i * d + j] = centres[c * d + j]! + normal(u);
  }
  return X;
}

/** Parameters with means taken from data rows, upper-triangular factors with a positive diagonal. */
function makeParams(kind: 'full' | 'tied' | 'diag' | 'spherical', X: Float64Array, d: number, k: number,
  seed: number): KernelParams {
  const u = rng(seed);
  const means = new Float64Array(k * d);
  for (let c = 0; c < k; c++) means.set(X.subarray(c * d, c * d + d), c * d);
  const logConst = Float64Array.from({ length: k }, () => Math.log(1 / k) - (d / 2) * Math.log(2 * Math.PI));
  if (kind === 'full' || kind === 'tied') {
    const factors = kind === 'tied' ? 1 : k;
    const prec = new Float64Array(factors * d * d);
    for (let c = 0; c < factors; c++) {
      for (let a = 0; a < d; a++) {
        prec[c * d * d + a * d + a] = 0.6 + 0.8 * u();
        for (let b = a + 1; b < d; b++) prec[c * d * d + a * d + b] = 0.3 * (u() - 0.5);
      }
    }
    for (let c = 0; c < k; c++) {
      const f = kind === 'tied' ? 0 : c;
      for (let j = 0; j < d; j++) logConst[c] += Math.log(prec[f * d * d + j * d + j]!);
    }
    return { shape: 'full', k, d, logConst, means, prec, precStride: kind === 'tied' ? 0 : d * d };
  }
  const prec = new Float64Array(k * d);
  for (let c = 0; c < k; c++) {
    const s = 0.6 + 0.8 * u();
    for (let j = 0; j < d; j++) {
      prec[c * d + j] = kind === 'spherical' ? s : 0.6 + 0.8 * u();
      logConst[c] += Math.log(prec[c * d + j]!);
    }
  }
  return { shape: 'diag', k, d, logConst, means, prec, precStride: d };
}

function accumulate(bound: BoundData, start: number, count: number, p: KernelParams): Float64Array {
  const stats = new Float64Array(statsLength(p.shape, p.d, p.k));
  bound.accumulate(start, count, stats);
  return stats;
}

/** Each entry of a component's block within `rtol` of the block's largest magnitude; loglik relative; weight sum. */
function expectStatsClose(got: Float64Array, want: Float64Array, shape: KernelShape, d: number, k: number,
  rtol: number, what: string): void {
  expect(got.length).toBe(want.length);
  const m = componentStatsLength(shape, d);
  for (let c = 0; c < k; c++) {
    let scale = 0;
    for (let i = c * m; i < (c + 1) * m; i++) scale = Math.max(scale, Math.abs(want[i]!));
    for (let i = c * m; i < (c + 1) * m; i++) {
      if (!(Math.abs(got[i]! - want[i]!) <= rtol * scale)) expect.fail(`${what}: stats[${i}] ${got[i]} vs ${want[i]}`);
    }
  }
  const ll = k * m;
  expect(Math.abs(got[ll]! - want[ll]!), `${what}: loglik`).toBeLessThanOrEqual(rtol * Math.abs(want[ll]!));
  expect(Math.abs(got[ll + 1]! - want[ll + 1]!), `${what}: weight sum`).toBeLessThanOrEqual(rtol * Math.abs(want[ll + 1]!));
}

const KINDS = ['full', 'tied', 'diag', 'spherical'] as const;

describe('loading', () => {
  it('detects SIMD and loads on Node', () => {
    expect(wasmSimdSupported()).toBe(true);
    expect(wasmAvailable()).toBe(true);
    expect(() => loadWasmSync()).not.toThrow();
    expect(wasmBackend().name).toBe('wasm');
  });

  it('initWasm() resolves and can be awaited repeatedly', async () => {
    await initWasm();
    await expect(initWasm()).resolves.toBeUndefined();
  });
});

describe('unavailable WebAssembly', () => {
  const saved = globalThis.WebAssembly;
  afterEach(() => {
    globalThis.WebAssembly = saved;
    vi.resetModules();
  });

  it('throws WasmUnavailableError when WebAssembly is missing', async () => {
    vi.resetModules();
    (globalThis as { WebAssembly?: unknown }).WebAssembly = undefined;
    const fresh = await import('../src/backend/wasm/index.js');
    expect(fresh.wasmSimdSupported()).toBe(false);
    expect(fresh.wasmAvailable()).toBe(false);
    expect(() => fresh.wasmBackend()).toThrow(fresh.WasmUnavailableError);
    expect(() => fresh.wasmBackend()).toThrow(/no WebAssembly/);
    await expect(fresh.initWasm()).rejects.toThrow(fresh.WasmUnavailableError);
  });

  it('throws WasmUnavailableError when SIMD is missing', async () => {
    vi.resetModules();
    const noSimd = Object.create(saved, { validate: { value: () => false } }) as typeof WebAssembly;
    globalThis.WebAssembly = noSimd;
    const fresh = await import('../src/backend/wasm/index.js');
    expect(fresh.wasmSimdSupported()).toBe(false);
    expect(fresh.wasmAvailable()).toBe(false);
    expect(() => fresh.wasmBackend()).toThrow(/SIMD/);
  });

  it('the error is the typed one from src/errors.ts', () => {
    expect(new WasmUnavailableError('x').name).toBe('WasmUnavailableError');
  });
});

describe('wasm backend matches the js backend', () => {
  for (const kind of KINDS) {
    for (const weighted of [false, true]) {
      it(`${kind}, ${weighted ? 'weighted' : 'unweighted'}, offset 1e6`, () => {
        const n = 5 * B + 13;
        const d = 5;
        const k = 4;
        const X = makeData(n, d, k, 1e6, 3);
        const u = rng(5);
        const weights = weighted ? Float64Array.from({ length: n }, (_, i) => (i % 7 === 0 ? 0 : 0.5 + u())) : null;
        const p = makeParams(kind, X, d, k, 9);
        const wasm = wasmBackend().bind(X, n, d, weights);
        const js = jsBackend.bind(X, n, d, weights);
        wasm.setParams(p);
        js.setParams(p);
        for (const [start, count] of [[0, n], [7, 1], [7, 2 * B + 1], [n - 3, 3]] as const) {
          expectStatsClose(accumulate(wasm, start, count, p), accumulate(js, start, count, p), p.shape, d, k, 1e-9,
            `${kind} rows [${start}, +${count})`);
          const a = new Float64Array(count * k);
          const b = new Float64Array(count * k);
          wasm.logProb(start, count, a);
          js.logProb(start, count, b);
          for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThanOrEqual(1e-12 * Math.abs(b[i]!));
        }
        wasm.dispose();
        js.dispose();
      });
    }
  }

  it('accumulate adds into the caller’s array', () => {
    const X = makeData(40, 3, 2, 0, 1);
    const p = makeParams('full', X, 3, 2, 2);
    const bound = wasmBackend().bind(X, 40, 3, null);
    bound.setParams(p);
    const once = accumulate(bound, 0, 40, p);
    const twice = accumulate(bound, 0, 40, p);
    bound.accumulate(0, 40, twice);
    for (let i = 0; i < once.length; i++) expect(twice[i]).toBeCloseTo(2 * once[i]!, 9);
    bound.dispose();
  });

  it('resident data: the copy made by bind does not see later changes to the caller’s arrays', () => {
    const X = makeData(50, 2, 2, 0, 4);
    const w = new Float64Array(50).fill(1);
    const p = makeParams('diag', X, 2, 2, 5);
    const bound = wasmBackend().bind(X, 50, 2, w);
    bound.setParams(p);
    const before = accumulate(bound, 0, 50, p);
    X.fill(NaN);
    w.fill(0);
    expect(Array.from(accumulate(bound, 0, 50, p))).toEqual(Array.from(before));
    bound.dispose();
  });

  it('logProb over more rows than one output chunk', () => {
    const n = 70_000;
    const X = makeData(n, 2, 1, 0, 6);
    const p = makeParams('full', X, 2, 1, 7);
    const wasm = wasmBackend().bind(X, n, 2, null);
    const js = jsBackend.bind(X, n, 2, null);
    wasm.setParams(p);
    js.setParams(p);
    const a = new Float64Array(n - 1);
    const b = new Float64Array(n - 1);
    wasm.logProb(1, n - 1, a);
    js.logProb(1, n - 1, b);
    expect(Array.from(a)).toEqual(Array.from(b));
    wasm.dispose();
  });
});

describe('statistics are additive over any split of the rows', () => {
  for (const kind of KINDS) {
    it(kind, () => {
      const n = 4 * B + 9;
      const d = 3;
      const k = 3;
      const X = makeData(n, d, k, 1e6, 21);
      const u = rng(22);
      const weights = Float64Array.from({ length: n }, () => (u() < 0.2 ? 0 : u()));
      const p = makeParams(kind, X, d, k, 23);
      const bound = wasmBackend().bind(X, n, d, weights);
      bound.setParams(p);
      const whole = accumulate(bound, 0, n, p);
      fc.assert(
        fc.property(fc.uniqueArray(fc.integer({ min: 1, max: n - 1 }), { maxLength: 6 }), (cuts) => {
          const edges = [0, ...cuts.sort((a, b) => a - b), n];
          const parts = new Float64Array(whole.length);
          for (let i = 0; i + 1 < edges.length; i++) bound.accumulate(edges[i]!, edges[i + 1]! - edges[i]!, parts);
          expectStatsClose(parts, whole, p.shape, d, k, 1e-10, `cuts ${edges.join(',')}`);
        }),
        { numRuns: 50, seed: 42 },
      );
      bound.dispose();
    });
  }
});

describe('memory', () => {
  it('growth between calls keeps earlier bound data right', () => {
    const backend = wasmBackend();
    const Xs = makeData(100, 4, 3, 10, 31);
    const ps = makeParams('full', Xs, 4, 3, 32);
    const small = backend.bind(Xs, 100, 4, null);
    small.setParams(ps);
    const before = accumulate(small, 0, 100, ps);
    const lpBefore = new Float64Array(100 * 3);
    small.logProb(0, 100, lpBefore);

    const nBig = 400_000; // 12.8 MB: the memory grows
    const Xb = makeData(nBig, 4, 3, -5, 33);
    const big = backend.bind(Xb, nBig, 4, null);
    const pb = makeParams('diag', Xb, 4, 3, 34);
    big.setParams(pb);

    // The earlier bound data reads its rows and parameters through views rebuilt after growth.
    expect(Array.from(accumulate(small, 0, 100, ps))).toEqual(Array.from(before));
    const lpAfter = new Float64Array(100 * 3);
    small.logProb(0, 100, lpAfter);
    expect(Array.from(lpAfter)).toEqual(Array.from(lpBefore));

    // Larger parameters after growth: the work region moves, results stay right.
    const ps7 = makeParams('full', Xs, 4, 7, 35);
    small.setParams(ps7);
    const js = jsBackend.bind(Xs, 100, 4, null);
    js.setParams(ps7);
    expectStatsClose(accumulate(small, 0, 100, ps7), accumulate(js, 0, 100, ps7), 'full', 4, 7, 1e-9, 'k=7 after growth');

    const jsBig = jsBackend.bind(Xb, nBig, 4, null);
    jsBig.setParams(pb);
    expectStatsClose(accumulate(big, nBig - 1000, 1000, pb), accumulate(jsBig, nBig - 1000, 1000, pb), 'diag', 4, 3,
      1e-9, 'big tail');
    small.dispose();
    big.dispose();
  });

  it('handles a few hundred MB of data', () => {
    const d = 16;
    const n = 2_000_000; // 256 MB of float64
    const X = new Float64Array(n * d);
    const u = rng(41);
    for (let i = 0; i < X.length; i++) X[i] = u();
    const p = makeParams('diag', X, d, 2, 42);
    const bound = wasmBackend().bind(X, n, d, null);
    bound.setParams(p);
    const tail = X.slice((n - 500) * d);
    const jsTail = jsBackend.bind(tail, 500, d, null);
    jsTail.setParams(p);
    expectStatsClose(accumulate(bound, n - 500, 500, p), accumulate(jsTail, 0, 500, p), 'diag', d, 2, 1e-9, '256 MB tail');
    bound.dispose();
  }, 60_000);

  it('streamed data (over maxResidentBytes, float64 or float32) gives the resident statistics and log-densities to the bit', () => {
    const n = 3 * WASM_WINDOW_ROWS + 77;
    const d = 3;
    const k = 4;
    const X64 = makeData(n, d, k, 1e6, 51);
    const u = rng(52);
    const weights = Float64Array.from({ length: n }, () => 0.5 + u());
    for (const [kind, X] of KINDS.flatMap((kd) => [[kd, X64], [kd, Float32Array.from(X64)]] as const)) {
      const p = makeParams(kind, X64, d, k, 53);
      for (const w of [null, weights]) {
        const backend = wasmBackend();
        const resident = backend.bind(X, n, d, w);
        const streamed = backend.bind(X, n, d, w, { maxResidentBytes: 0 });
        resident.setParams(p);
        streamed.setParams(p);
        const a = accumulateAll(resident, new Float64Array(statsLength(p.shape, d, k)));
        const b = accumulateAll(streamed, new Float64Array(statsLength(p.shape, d, k)));
        expect(Array.from(b), `${kind} ${X.constructor.name} weights ${w !== null}`).toEqual(Array.from(a));
        const la = new Float64Array((n - 5) * k);
        const lb = new Float64Array((n - 5) * k);
        resident.logProb(5, n - 5, la);
        streamed.logProb(5, n - 5, lb);
        expect(Array.from(lb), `${kind} logProb`).toEqual(Array.from(la));
        // Any split of the rows still adds up.
        const parts = new Float64Array(a.length);
        for (const [s, c] of [[0, 1000], [1000, 2 * WASM_WINDOW_ROWS + 5], [2 * WASM_WINDOW_ROWS + 1005, n - 2 * WASM_WINDOW_ROWS - 1005]]) {
          streamed.accumulate(s!, c!, parts);
        }
        // Other block boundaries: f64 sums agree to rounding, f32 lane sums to the f32 kernels' bound (1e-6).
        expectStatsClose(parts, a, p.shape, d, k, X instanceof Float32Array ? 1e-6 : 1e-10, `${kind} split`);
        resident.dispose();
        streamed.dispose();
      }
    }
  });

  it('refuses more than 4 GiB with a clear error', () => {
    const arena = new Arena(new WebAssembly.Memory({ initial: 1 }), 1024);
    expect(() => arena.alloc(5 * 2 ** 30, 'the data (test)')).toThrow(/4 GiB/);
    expect(arena.empty).toBe(true);
  });

  it('the arena returns to its base when regions are freed, in any order', () => {
    const arena = new Arena(new WebAssembly.Memory({ initial: 1 }), 1000);
    const a = arena.alloc(100, 'a');
    const b = arena.alloc(70_000, 'b'); // grows the memory
    const c = arena.alloc(8, 'c');
    expect(a % 16).toBe(0);
    expect(b % 16).toBe(0);
    expect(c % 16).toBe(0);
    const view = arena.f64();
    expect(view.buffer).toBe(arena.memory.buffer);
    arena.free(b);
    expect(arena.used).toBeGreaterThan(70_000);
    arena.free(c);
    expect(arena.used).toBe(112); // only a (100 bytes, aligned) is left
    arena.free(a);
    expect(arena.empty).toBe(true);
    expect(arena.used).toBe(0);
  });

  it('dispose releases the rows; a disposed bound data refuses further use; binding again works', () => {
    const backend = wasmBackend();
    const X = makeData(64, 2, 2, 0, 51);
    const p = makeParams('full', X, 2, 2, 52);
    const a = backend.bind(X, 64, 2, null);
    a.setParams(p);
    const want = accumulate(a, 0, 64, p);
    a.dispose();
    a.dispose(); // idempotent
    expect(() => a.accumulate(0, 64, new Float64Array(want.length))).toThrow(/disposed/);
    expect(() => a.setParams(p)).toThrow(/disposed/);
    const b = backend.bind(X, 64, 2, null);
    b.setParams(p);
    expect(Array.from(accumulate(b, 0, 64, p))).toEqual(Array.from(want));
    b.dispose();
  });

  it('bound data of one backend share one work region: interleaved use gives each its own parameters', () => {
    const backend = wasmBackend();
    const cases = KINDS.map((kind, i) => {
      const d = 2 + i;
      const X = makeData(300, d, 3, 0, 71 + i);
      const p = makeParams(kind, X, d, 3, 81 + i);
      const alone = backend.bind(X, 300, d, null);
      alone.setParams(p);
      const want = accumulate(alone, 0, 300, p);
      alone.dispose();
      return { X, d, p, want };
    });
    const bounds = cases.map(({ X, d, p }) => {
      const b = backend.bind(X, 300, d, null);
      b.setParams(p);
      return b;
    });
    // Round robin, in pieces: every call must find its own parameters in the shared region.
    for (let round = 0; round < 3; round++) {
      bounds.forEach((b, i) => {
        const { p, want } = cases[i]!;
        const got = new Float64Array(want.length);
        for (const [s, c] of [[0, 100], [100, 150], [250, 50]]) b.accumulate(s!, c!, got);
        expectStatsClose(got, want, p.shape, cases[i]!.d, 3, 1e-12, `bound ${i} round ${round}`);
      });
    }
    bounds.forEach((b) => b.dispose());
  });

  it('many bound data cost their rows and one work region, not a region each', () => {
    const backend = wasmBackend();
    const X = makeData(64, 16, 16, 0, 91);
    const p = makeParams('full', X, 16, 16, 92);
    const one = backend.bind(X, 64, 16, null);
    one.setParams(p);
    const memory = (one as unknown as { engine: { arena: Arena } }).engine.arena;
    const before = memory.used;
    const more = Array.from({ length: 200 }, () => {
      const b = backend.bind(X, 64, 16, null);
      b.setParams(p);
      b.accumulate(0, 64, new Float64Array(statsLength('full', 16, 16)));
      return b;
    });
    // 200 more bindings of 64×16 doubles (8 KiB each): about 1.6 MiB, where a work region each would add ~50 MiB.
    expect(memory.used - before).toBeLessThan(200 * (64 * 16 * 8 + 1024));
    more.forEach((b) => b.dispose());
    one.dispose();
  });

  it('checks rows, stats and parameter sizes before calling a kernel', () => {
    const X = makeData(10, 2, 2, 0, 61);
    const p = makeParams('full', X, 2, 2, 62);
    const bound = wasmBackend().bind(X, 10, 2, null);
    expect(() => bound.accumulate(0, 1, new Float64Array(100))).toThrow(/setParams/);
    bound.setParams(p);
    expect(() => bound.accumulate(5, 6, new Float64Array(100))).toThrow(RangeError);
    expect(() => bound.accumulate(-1, 2, new Float64Array(100))).toThrow(RangeError);
    expect(() => bound.accumulate(0, 2, new Float64Array(3))).toThrow(RangeError);
    expect(() => bound.logProb(0, 10, new Float64Array(5))).toThrow(RangeError);
    expect(() => bound.setParams({ ...p, d: 3 })).toThrow(RangeError);
    expect(() => bound.setParams({ ...p, prec: new Float64Array(3) })).toThrow(RangeError);
    bound.dispose();
  });
});
