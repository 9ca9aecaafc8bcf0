/**
 * Determinism: the same seed gives the same model — its JSON equal character for character (every number to the bit)
 * — across repeated fits in one process, across two fresh Node processes, across `fitAsync` on 1, 2 and 4 workers and
 * `fit`, across `fitStream` and `fit`, and under many fits running concurrently; and the same model to 1e-9 relative
 * across the js and wasm backends. For GaussianMixture (every covariance type, float64 and float32), the discrete
 * mixtures and the HMMs. The workers and child processes run the built bundle (`npm run build`, which `npm test`
 * runs first).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BernoulliMixture, CategoricalHMM, CategoricalMixture, GaussianHMM, GaussianMixture, PoissonHMM, PoissonMixture,
} from '../../src/index.js';
import { BLOCK_ROWS } from '../../src/em/driver.js';
import { Rng } from '../../src/rng.js';
import { liveWorkers, setWorkerScript } from '../../src/parallel/platform.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const execFileAsync = promisify(execFile);
const TYPES = ['full', 'tied', 'diag', 'spherical'] as const;
const DTYPES = ['float64', 'float32'] as const;

// Three full blocks and a short fourth: 1, 2 and 4 workers split them differently.
const n = 3 * BLOCK_ROWS + 700;
const d = 3;

/** Rows of three overlapping Gaussian clusters (seeded), and discrete data derived from them. */
function makeData(rows: number, seed: number): { X: number[][]; binary: number[][]; codes: number[][]; counts: number[][] } {
  const rng = new Rng(seed);
  const X = Array.from({ length: rows }, (_, i) => {
    const c = i % 3;
    return Array.from({ length: d }, (_, j) => 2 * c * (j === c ? 1 : 0.3) + rng.normal() * (1 + 0.2 * j));
  });
  return {
    X,
    binary: X.map((r) => r.map((v) => (v > 1 ? 1 : 0))),
    codes: X.map((r) => r.map((v) => Math.min(3, Math.max(0, Math.floor(v + 1))))),
    counts: X.map((r) => r.map((v) => Math.round(Math.exp(0.5 * v)))),
  };
}
const data = makeData(n, 21);
const lengths = [5000, 1, 3000, n - 8001];
/** A smaller data set for the checks that need no blocks (repeated fits, processes, backends). */
const small = makeData(1500, 22);
const smallLengths = [700, 1, 500, 299];

/** The models of the cross-process and cross-backend checks, as (class, options, data) recipes. */
type Recipe = { name: string; cls: string; options: Record<string, unknown>; data: keyof typeof data; lengths?: boolean };
const recipes: Recipe[] = [
  ...TYPES.flatMap((type) => DTYPES.map((dtype): Recipe => ({
    name: `GaussianMixture ${type} ${dtype}`, cls: 'GaussianMixture', data: 'X',
    options: { nComponents: 3, covarianceType: type, dtype, seed: 5, initCandidates: 2, nInit: 2 },
  }))),
  { name: 'BernoulliMixture', cls: 'BernoulliMixture', data: 'binary', options: { nComponents: 3, seed: 6, nInit: 2 } },
  { name: 'CategoricalMixture', cls: 'CategoricalMixture', data: 'codes', options: { nComponents: 3, seed: 7, nInit: 2 } },
  { name: 'PoissonMixture', cls: 'PoissonMixture', data: 'counts', options: { nComponents: 3, seed: 8, nInit: 2 } },
  { name: 'GaussianHMM', cls: 'GaussianHMM', data: 'X', lengths: true, options: { nStates: 3, seed: 9, covarianceType: 'full' } },
  { name: 'CategoricalHMM', cls: 'CategoricalHMM', data: 'codes', lengths: true, options: { nStates: 2, seed: 10 } },
  { name: 'PoissonHMM', cls: 'PoissonHMM', data: 'counts', lengths: true, options: { nStates: 2, seed: 11 } },
];

const classes = { GaussianMixture, BernoulliMixture, CategoricalMixture, PoissonMixture, GaussianHMM, CategoricalHMM, PoissonHMM };

/** Fits a recipe in this process (source build) and returns the model's JSON text. */
function fitRecipe(r: Recipe, backend: 'js' | 'wasm'): string {
  const Model = classes[r.cls as keyof typeof classes] as unknown as new (o: object) => { fit(X: unknown, o?: object): { toJSON(): unknown } };
  const rows = r.data === 'codes' && r.cls === 'CategoricalHMM' ? small.codes.map((row) => row[0]!) : small[r.data];
  return JSON.stringify(new Model({ ...r.options, backend }).fit(rows, r.lengths ? { lengths: smallLengths } : {}).toJSON());
}

/**
 * Every number of two model JSONs within `rel` relative to the larger of the two and `floor` (same structure and
 * non-numbers equal).
 */
function expectClose(a: unknown, b: unknown, rel: number, path = '$', floor = 0): void {
  if (typeof a === 'number' && typeof b === 'number') {
    const ok = a === b || Math.abs(a - b) <= rel * Math.max(Math.abs(a), Math.abs(b), floor);
    expect(ok, `${path}: ${a} vs ${b}`).toBe(true);
  } else if (Array.isArray(a) && Array.isArray(b)) {
    expect(a.length, path).toBe(b.length);
    a.forEach((v, i) => expectClose(v, b[i], rel, `${path}[${i}]`, floor));
  } else if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
    expect(Object.keys(a).sort(), path).toEqual(Object.keys(b).sort());
    for (const k of Object.keys(a)) expectClose((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], rel, `${path}.${k}`, floor);
  } else {
    expect(a, path).toEqual(b);
  }
}

beforeAll(() => setWorkerScript(new URL('../../dist/worker.js', import.meta.url)));
afterAll(() => setWorkerScript(null));

describe('the same seed gives the same model', () => {
  it.each(['js', 'wasm'] as const)('in repeated fits in one process, bit for bit (%s)', { timeout: 30_000 }, (backend) => {
    for (const r of recipes) expect(fitRecipe(r, backend), r.name).toBe(fitRecipe(r, backend));
  });

  it('in two fresh Node processes, bit for bit, and equal to this process\'s fit', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wasm-em-determinism-'));
    try {
      const input = join(dir, 'input.json');
      writeFileSync(input, JSON.stringify({ recipes, data: small, lengths: smallLengths }));
      // The child fits every recipe on both backends with the bundle and prints their JSON texts.
      const script = join(dir, 'child.mjs');
      writeFileSync(script, `
        import { readFileSync } from 'node:fs';
        const pkg = await import(${JSON.stringify(new URL('../../dist/index.js', import.meta.url).href)});
        const { recipes, data, lengths } = JSON.parse(readFileSync(process.argv[2], 'utf8'));
        const out = [];
        for (const backend of ['js', 'wasm']) for (const r of recipes) {
          const rows = r.data === 'codes' && r.cls === 'CategoricalHMM' ? data.codes.map((row) => row[0]) : data[r.data];
          out.push(JSON.stringify(new pkg[r.cls]({ ...r.options, backend }).fit(rows, r.lengths ? { lengths } : {}).toJSON()));
        }
        process.stdout.write(JSON.stringify(out));
      `);
      const run = async (): Promise<string[]> => JSON.parse((await execFileAsync(process.execPath, [script, input],
        { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26 })).stdout);
      const [first, second] = await Promise.all([run(), run()]);
      expect(second).toEqual(first);
      const here = (['js', 'wasm'] as const).flatMap((backend) => recipes.map((r) => fitRecipe(r, backend)));
      here.forEach((json, i) => expect(first[i], recipes[i % recipes.length]!.name).toBe(json));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('on the js and the wasm backend, to 1e-9 relative (float32: 1e-6)', { timeout: 30_000 }, () => {
    for (const r of recipes) {
      // float32: the wasm kernels sum S1 and S2 in f32 lanes, within 1e-6 of the largest statistic of the component
      // (see the f32 kernels), so 1e-6 of the data's scale (about 1 here) rather than of each entry.
      const f32 = r.options.dtype === 'float32';
      expectClose(JSON.parse(fitRecipe(r, 'js')), JSON.parse(fitRecipe(r, 'wasm')), f32 ? 1e-6 : 1e-9, r.name, f32 ? 1 : 0);
    }
  });
});

describe('fitAsync on 1, 2 and 4 workers gives fit\'s model bit for bit', () => {
  const gaussian = TYPES.flatMap((type) => DTYPES.map((dtype) => ({ type, dtype })));
  it.each(gaussian)('GaussianMixture $type $dtype', { timeout: 60_000 }, async ({ type, dtype }) => {
    const options = { nComponents: 3, covarianceType: type, dtype, seed: 12, initCandidates: 2 } as const;
    const expected = JSON.stringify(new GaussianMixture(options).fit(data.X).toJSON());
    for (const workers of [1, 2, 4]) {
      const gm = await new GaussianMixture(options).fitAsync(data.X, { workers });
      expect(JSON.stringify(gm.toJSON()), `${workers} workers`).toBe(expected);
    }
    expect(liveWorkers()).toBe(0);
  });

  it.each([
    ['BernoulliMixture', () => new BernoulliMixture({ nComponents: 3, seed: 13 }), data.binary],
    ['CategoricalMixture', () => new CategoricalMixture({ nComponents: 3, seed: 14 }), data.codes],
    ['PoissonMixture', () => new PoissonMixture({ nComponents: 3, seed: 15 }), data.counts],
  ] as const)('%s', { timeout: 60_000 }, async (_name, make, X) => {
    const expected = JSON.stringify(make().fit(X).toJSON());
    for (const workers of [1, 2, 4]) expect(JSON.stringify((await make().fitAsync(X, { workers })).toJSON())).toBe(expected);
  });

  it('the HMMs (fitAsync runs Baum–Welch on this thread between event-loop turns)', async () => {
    const g = () => new GaussianHMM({ nStates: 3, seed: 16 });
    expect(JSON.stringify((await g().fitAsync(data.X, { lengths })).toJSON())).toBe(JSON.stringify(g().fit(data.X, { lengths }).toJSON()));
    const p = () => new PoissonHMM({ nStates: 2, seed: 17 });
    expect(JSON.stringify((await p().fitAsync(data.counts, { lengths })).toJSON()))
      .toBe(JSON.stringify(p().fit(data.counts, { lengths }).toJSON()));
  });
});

describe('fitStream gives fit\'s model bit for bit', () => {
  it.each(gaussianCases())('GaussianMixture $type $dtype', async ({ type, dtype }) => {
    const options = { nComponents: 3, covarianceType: type, dtype, seed: 18, initCandidates: 2 } as const;
    const expected = JSON.stringify(new GaussianMixture(options).fit(data.X).toJSON());
    // Chunks of 1000 rows: none aligned with the 4096-row blocks.
    const source = function* (): Generator<number[][]> {
      for (let i = 0; i < n; i += 1000) yield data.X.slice(i, i + 1000);
    };
    expect(JSON.stringify((await new GaussianMixture(options).fitStream(source)).toJSON())).toBe(expected);
  });
});

function gaussianCases(): { type: (typeof TYPES)[number]; dtype: (typeof DTYPES)[number] }[] {
  return TYPES.flatMap((type) => DTYPES.map((dtype) => ({ type, dtype })));
}

describe('concurrency', () => {
  it('8 fitAsync on 2 workers each and 8 fit, interleaved, give the models each gives alone', { timeout: 90_000 }, async () => {
    const jobs = Array.from({ length: 16 }, (_, j) => {
      const X = makeData(2 * BLOCK_ROWS + 100 * j, 100 + j).X;
      const options = {
        nComponents: 2 + (j % 3), covarianceType: TYPES[j % 4]!, seed: 200 + j, initCandidates: 2,
        dtype: j % 5 === 0 ? 'float32' as const : 'float64' as const,
      };
      return { X, options, pooled: j % 2 === 0 };
    });
    const alone = jobs.map(({ X, options }) => JSON.stringify(new GaussianMixture(options).fit(X).toJSON()));
    const together = await Promise.all(jobs.map(async ({ X, options, pooled }) => {
      const gm = new GaussianMixture(options);
      if (pooled) await gm.fitAsync(X, { workers: 2 });
      else {
        await new Promise((r) => setTimeout(r, 0));
        gm.fit(X);
      }
      return JSON.stringify(gm.toJSON());
    }));
    together.forEach((json, j) => expect(json, `job ${j}`).toBe(alone[j]));
    expect(liveWorkers()).toBe(0);
  });
});
