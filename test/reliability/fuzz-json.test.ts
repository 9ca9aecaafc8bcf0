/**
 * Fuzzing `fromJSON` of every model class (and `discreteMixtureFromJSON`): for any value, a model whose `score` on a
 * small valid input is finite, or an `InputError` — never another exception, never a hang, never gigabytes allocated
 * for a claimed size, never a change to `Object.prototype`.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BernoulliMixture, CategoricalHMM, CategoricalMixture, GaussianHMM, GaussianMixture, InputError, PoissonHMM,
  PoissonMixture, discreteMixtureFromJSON,
} from '../../src/index.js';
import { Counter, runs, show, timeout, typedOnly } from './fuzz-helpers.js';

const counter = new Counter('fromJSON');
afterAll(() => counter.report());

interface Loaded {
  score(X: unknown): number;
}

interface Case {
  name: string;
  /** A fitted model's `toJSON()`. */
  valid: () => Record<string, unknown>;
  load: (json: unknown) => Loaded | null;
  /** A small input the loaded model can score. */
  input: (m: Loaded) => unknown;
}

const gaussianRows = [[0, 1], [1, 2.5], [2, 0.5], [3, 3], [4, 1], [0.5, 2], [1.5, 1.2], [3.3, 0.1]];
const binaryRows = [[0, 1, 1], [1, 0, 1], [1, 1, 0], [0, 0, 1], [1, 0, 0], [0, 1, 0]];
const codeRows = [[0, 2], [1, 0], [2, 1], [0, 0], [1, 2], [2, 2]];
const countRows = [[0, 3], [1, 5], [4, 0], [2, 2], [7, 1], [0, 0]];

const nFeatures = (m: Loaded): number => (m as unknown as { nFeatures: number }).nFeatures;
const rowsOf = (m: Loaded, value: number): number[][] => Array.from({ length: 3 }, () => new Array(nFeatures(m)).fill(value));
const jsonOf = (m: { toJSON(): unknown }): Record<string, unknown> => JSON.parse(JSON.stringify(m.toJSON()));

const CASES: Case[] = [
  ...(['full', 'tied', 'diag', 'spherical'] as const).map((covarianceType): Case => ({
    name: `GaussianMixture ${covarianceType}`,
    valid: () => jsonOf(new GaussianMixture({ nComponents: 2, covarianceType, seed: 1, backend: 'js' }).fit(gaussianRows)),
    load: (json) => GaussianMixture.fromJSON(json),
    input: (m) => rowsOf(m, 0.5),
  })),
  ...(['full', 'diag'] as const).map((covarianceType): Case => ({
    name: `GaussianHMM ${covarianceType}`,
    valid: () => jsonOf(new GaussianHMM({ nStates: 2, covarianceType, seed: 1, backend: 'js' }).fit(gaussianRows)),
    load: (json) => GaussianHMM.fromJSON(json),
    input: (m) => rowsOf(m, 0.5),
  })),
  {
    name: 'BernoulliMixture',
    valid: () => jsonOf(new BernoulliMixture({ nComponents: 2, seed: 1, alpha: 1 }).fit(binaryRows)),
    load: (json) => BernoulliMixture.fromJSON(json),
    input: (m) => rowsOf(m, 1),
  },
  {
    name: 'CategoricalMixture',
    valid: () => jsonOf(new CategoricalMixture({ nComponents: 2, seed: 1, alpha: 1 }).fit(codeRows)),
    load: (json) => CategoricalMixture.fromJSON(json),
    input: (m) => rowsOf(m, 0),
  },
  {
    name: 'PoissonMixture',
    valid: () => jsonOf(new PoissonMixture({ nComponents: 2, seed: 1, alpha: 1 }).fit(countRows)),
    load: (json) => PoissonMixture.fromJSON(json),
    input: (m) => rowsOf(m, 2),
  },
  {
    name: 'discreteMixtureFromJSON',
    valid: () => jsonOf(new CategoricalMixture({ nComponents: 2, seed: 2, alpha: 1 }).fit(codeRows)),
    load: (json) => discreteMixtureFromJSON(json),
    input: (m) => rowsOf(m, 0),
  },
  {
    name: 'CategoricalHMM',
    valid: () => jsonOf(new CategoricalHMM({ nStates: 2, seed: 1 }).fit([[0, 1, 1, 2, 0, 2, 1]])),
    load: (json) => CategoricalHMM.fromJSON(json),
    input: () => [[0, 0, 0]],
  },
  {
    name: 'PoissonHMM',
    valid: () => jsonOf(new PoissonHMM({ nStates: 2, seed: 1 }).fit(countRows)),
    load: (json) => PoissonHMM.fromJSON(json),
    input: (m) => rowsOf(m, 2),
  },
];

const PROTO_KEYS = Object.getOwnPropertyNames(Object.prototype).sort();

/** `fromJSON(json)`: a model that scores a small input finitely, null (discreteMixtureFromJSON: not its format), or an InputError. */
function check(c: Case, json: unknown): void {
  counter.add();
  const what = (): string => `${c.name}.fromJSON(${show(json)})`;
  typedOnly(() => {
    const model = c.load(json);
    if (model === null) return;
    const s = model.score(c.input(model));
    if (!Number.isFinite(s)) expect.fail(`${what()}: score ${s}`);
  }, what);
  if (({} as Record<string, unknown>).polluted !== undefined) expect.fail(`${what()}: Object.prototype polluted`);
}

/** Every path into a JSON value: object keys and array indices. */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return [prefix];
  const keys: (string | number)[] = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
  return [prefix, ...keys.flatMap((k) => paths((value as Record<string | number, unknown>)[k], [...prefix, k]))];
}

/** A copy of `root` with the value at `path` replaced (or deleted when `value` is `DELETE`). */
const DELETE = Symbol('delete');
function setAt(root: unknown, path: (string | number)[], value: unknown): unknown {
  if (path.length === 0) return value === DELETE ? undefined : value;
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let node = copy;
  for (const k of path.slice(0, -1)) node = node[k] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (value === DELETE) {
    if (Array.isArray(node)) node.splice(last as number, 1);
    else delete node[last];
  } else node[last] = value;
  return copy;
}

/** Replacements tried at every path of a valid file. */
const MUTATIONS: unknown[] = [
  DELETE, null, undefined, true, 'x', '1', '', NaN, Infinity, -Infinity, -1, 0, 1, 0.5, 1.5, 2, 1e-320, 1e308, 2 ** 53,
  -0, [], [[]], {}, [NaN], [1, 2], [[0.5, 0.5]], { length: 2 ** 32 }, new Array(3), [[[[[[[[1]]]]]]]], 10 ** 9,
];

describe.each(CASES.map((c) => [c.name, c] as const))('%s.fromJSON', (_name, c) => {
  let valid: Record<string, unknown>;
  beforeAll(() => {
    valid = c.valid();
  });

  it('loads its own toJSON output, as an object and as text', () => {
    check(c, valid);
    check(c, JSON.stringify(valid));
    expect(c.load(valid)).not.toBeNull();
  });

  it('every field mutated: replaced by a bad value, deleted, nested deeper, made huge', () => {
    for (const path of paths(valid)) {
      for (const m of MUTATIONS) check(c, setAt(valid, path, m));
      const original = path.reduce<unknown>((v, k) => (v as Record<string | number, unknown>)[k], valid);
      check(c, setAt(valid, path, [original]));
      if (typeof original === 'number') {
        for (const f of [-1, 2, 1 + 1e-7, 1 - 1e-7, 1e-300, 1e300]) check(c, setAt(valid, path, original * f));
      }
      if (Array.isArray(original)) {
        check(c, setAt(valid, path, [...original, ...original]));
        check(c, setAt(valid, path, original.slice(1)));
        check(c, setAt(valid, path, Array.from({ length: 100_000 }, () => original[0])));
      }
    }
  }, timeout(20_000));

  it('extra keys, __proto__/constructor/prototype keys: refused, Object.prototype untouched', () => {
    for (const key of ['__proto__', 'constructor', 'prototype', 'extra', 'toString', 'hasOwnProperty']) {
      check(c, JSON.parse(JSON.stringify(valid).replace(/^\{/, `{"${key}":{"polluted":1},`)));
      check(c, JSON.stringify(valid).replace(/^\{/, `{"${key}":{"polluted":1},`));
      check(c, { ...valid, [key]: { polluted: 1 } });
      // Inside nested values too.
      for (const path of paths(valid).filter((p) => p.length === 1)) {
        check(c, setAt(valid, path, JSON.parse(`{"__proto__":{"polluted":1},"0":1,"length":1}`)));
      }
    }
    const inherited = Object.assign(Object.create({ polluted: 1 }), valid);
    check(c, inherited);
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(PROTO_KEYS);
  });

  it('claimed sizes that would take gigabytes are refused at once, without allocating', () => {
    const inputs: unknown[] = [];
    const huge = [2 ** 31, 2 ** 40, 1e9, 65536, 2 ** 53, 1e308];
    for (const key of ['nFeatures', 'nComponents', 'nStates', 'nSymbols']) {
      if (!(key in valid)) continue;
      for (const n of huge) inputs.push({ ...valid, [key]: n });
    }
    if ('nCategories' in valid) {
      const d = (valid.nCategories as number[]).length;
      for (const m of [65536, 2 ** 31]) inputs.push({ ...valid, nCategories: new Array(d).fill(m) });
      // Many features of the most categories, each given as an empty list: the size is claimed, not given.
      const weights = new Array(64).fill(1 / 64);
      inputs.push({ ...valid, nFeatures: 4096, nComponents: 64, weights, nCategories: new Array(4096).fill(65536),
        categoryProbabilities: new Array(64).fill(new Array(4096).fill([])) });
    }
    const holes = new Array(2 ** 25);
    for (const path of paths(valid).filter((p) => p.length >= 1)) {
      inputs.push(setAt(valid, path, { length: 2 ** 32 - 1 }));
      const withHoles = setAt(valid, path, null);
      path.slice(0, -1).reduce<Record<string | number, unknown>>((v, k) => v[k] as Record<string | number, unknown>,
        withHoles as Record<string, unknown>)[path[path.length - 1]!] = holes;
      inputs.push(withHoles);
    }
    const before = process.memoryUsage();
    const t0 = performance.now();
    for (const json of inputs) check(c, json);
    const ms = performance.now() - t0;
    const grown = process.memoryUsage().arrayBuffers - before.arrayBuffers;
    expect(ms).toBeLessThan(3_000);
    expect(grown, `array buffers grew by ${(grown / 2 ** 20).toFixed(1)} MiB`).toBeLessThan(64 * 2 ** 20);
  }, timeout(20_000));

  it('arbitrary JSON values and arbitrary JS values', () => {
    fc.assert(fc.property(fc.oneof(fc.jsonValue(), fc.anything(), fc.string()), (json) => check(c, json)), runs(150, 0x15a1));
  }, timeout(20_000));

  it('valid files with fields replaced by arbitrary values', () => {
    const keys = Object.keys(valid);
    fc.assert(fc.property(fc.dictionary(fc.constantFrom(...keys), fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.anything({ maxDepth: 3 }))),
      (patch) => check(c, { ...valid, ...patch })), runs(150, 0x15a2));
  }, timeout(20_000));

  it('valid files with numbers perturbed anywhere (probabilities off by a little, negative, non-normalized)', () => {
    const numberPaths = paths(valid).filter((p) => typeof p.reduce<unknown>((v, k) => (v as Record<string | number, unknown>)[k], valid) === 'number');
    fc.assert(fc.property(fc.constantFrom(...numberPaths), fc.oneof(fc.double(), fc.integer(), fc.constantFrom(0, -0, 1e-310, 1 - 1e-9)),
      (path, v) => check(c, setAt(valid, path, v))), runs(150, 0x15a3));
  }, timeout(20_000));
});

it('fromJSON of a string that is not JSON, or deeply nested JSON text, is an InputError', () => {
  for (const c of CASES) {
    for (const text of ['', '{', '[', 'null', 'nul', '"', '\u0000', '[' .repeat(100_000) + ']'.repeat(100_000), '{"a":'.repeat(10_000)]) {
      check(c, text);
    }
  }
});

it('InputError is what a bad file gives', () => {
  expect(() => GaussianMixture.fromJSON({})).toThrow(InputError);
});

describe('fromJSON regressions found by fuzzing', () => {
  it('CategoricalMixture: a claimed nCategories is not allocated before the probabilities are read (was: RangeError)', () => {
    // k · Σ m_j = 64 · 4096 · 65536 doubles (128 GiB) claimed, none given.
    const json = {
      format: 'wasm-em/categorical-mixture', version: 1, nFeatures: 4096, nComponents: 64, alpha: 1,
      weights: new Array(64).fill(1 / 64), nCategories: new Array(4096).fill(65536), categoryProbabilities: [],
    };
    expect(() => CategoricalMixture.fromJSON(json)).toThrow(
      new InputError('json.categoryProbabilities', 'an array of length 64', 'length 0'));
  });
});
