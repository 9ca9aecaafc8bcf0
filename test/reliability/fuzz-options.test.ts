/**
 * Fuzzing every public option and argument: constructors, `fit`, `predict`, `predictProba`, `score`, `scoreSamples`,
 * `sample`, `bic`, `decode`, `selectModel`, `em` and `fitStream`, with arbitrary values and targeted bad ones. Only an
 * `InputError` (or a documented typed error) may come out — never a `TypeError`, a wasm trap, a NaN in a result or a
 * hang — and bad data (holes, lying `rows`/`cols`, getters that throw) is an `InputError` too.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  BernoulliMixture, CategoricalHMM, CategoricalMixture, DegenerateComponentError, GaussianHMM, GaussianMixture,
  InputError, NotFittedError, PoissonHMM, PoissonMixture, em, selectModel,
} from '../../src/index.js';
import { Counter, runs, show, timeout, typedOnly, typedOnlyAsync } from './fuzz-helpers.js';

const counter = new Counter('options');
afterAll(() => counter.report());

/** An error thrown by the caller's own code (a getter, a model function): it passes through unchanged. */
class CallerError extends Error {}

/**
 * The errors a call with bad options or data may give: typed errors (a collapse is a documented outcome of a fit),
 * and the caller's own errors, passed through.
 */
const TYPED = [InputError, DegenerateComponentError, NotFittedError, CallerError];

/** Targeted bad values: numbers at and past every edge, and every other type. */
const BAD: unknown[] = [
  NaN, Infinity, -Infinity, -1, 0, 1e308, 2 ** 53, 2 ** 32, 0.5, 1.5, -0, 5e-324, '2', '', 'full', {}, [], [1],
  () => 1, Symbol('s'), 10n, null, true, false, new Float64Array(2), { valueOf: () => 2 },
];
const value = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...BAD) },
  { weight: 2, arbitrary: fc.anything({ maxDepth: 2 }) },
  { weight: 2, arbitrary: fc.integer({ min: -2, max: 4 }) },
  { weight: 1, arbitrary: fc.constantFrom('kmeans++', 'random', 'full', 'diag', 'tied', 'spherical', 'js', 'wasm', 'auto',
    'float32', 'float64', 'bic', 'aic', 'stmc', 'ste', 'stl') },
);
/** Options that set how long a fit runs: large valid values are the caller's wish, not a hang, so they stay small. */
const LONG = new Set(['maxIter', 'nIter', 'nInit', 'initCandidates', 'initCandidateIter']);
function optionsOf(keys: readonly string[]) {
  return fc.dictionary(fc.oneof(fc.constantFrom(...keys), fc.string({ maxLength: 4 })), value, { maxKeys: 4 })
    .map((o) => {
      for (const k of Object.keys(o)) if (LONG.has(k) && typeof o[k] === 'number' && (o[k] as number) > 8) o[k] = 3;
      return o;
    });
}

function noNaN(result: unknown, what: () => string): void {
  const check = (v: unknown): void => {
    if (typeof v === 'number' && Number.isNaN(v)) expect.fail(`${what()}: NaN in the result`);
    if (ArrayBuffer.isView(v)) for (const x of v as unknown as Iterable<number>) check(x);
  };
  if (typeof result === 'number' || ArrayBuffer.isView(result)) check(result);
  else if (result !== null && typeof result === 'object' && 'data' in result) check((result as { data: unknown }).data);
}

function call(fn: () => unknown, what: () => string): unknown {
  counter.add();
  const out = typedOnly(fn, what, TYPED);
  noNaN(out, what);
  return out;
}

const gaussianRows = [[0, 1], [1, 2.5], [2, 0.5], [3, 3], [4, 1], [0.5, 2], [1.5, 1.2], [3.3, 0.1], [2.2, 2.2], [0.1, 0.3]];
const binaryRows = [[0, 1, 1], [1, 0, 1], [1, 1, 0], [0, 0, 1], [1, 0, 0], [0, 1, 0]];
const codeRows = [[0, 2], [1, 0], [2, 1], [0, 0], [1, 2], [2, 2]];
const countRows = [[0, 3], [1, 5], [4, 0], [2, 2], [7, 1], [0, 0]];

interface ModelLike {
  fit(X: unknown, o?: unknown): unknown;
  predict(X: unknown, o?: unknown): unknown;
  predictProba(X: unknown, o?: unknown): unknown;
  score(X: unknown, o?: unknown): number;
  sample(n: unknown, o?: unknown): unknown;
  bic(X: unknown, o?: unknown): number;
}
interface Family {
  name: string;
  make: (o: unknown) => ModelLike;
  keys: readonly string[];
  fitKeys: readonly string[];
  X: number[][];
  hmm: boolean;
}

const MIXTURE_FIT = ['nFeatures', 'sampleWeight', 'onIteration', 'onWarning'];
const HMM_FIT = ['lengths', 'onIteration', 'onWarning'];
const HMM_KEYS = ['nStates', 'startProb', 'transMat', 'startProbPrior', 'transMatPrior', 'learn', 'init', 'maxIter', 'nIter',
  'tol', 'nInit', 'seed', 'backend'];
const FAMILIES: Family[] = [
  { name: 'GaussianMixture', make: (o) => new GaussianMixture(o as never) as never, X: gaussianRows, hmm: false, fitKeys: MIXTURE_FIT,
    keys: ['nComponents', 'covarianceType', 'init', 'nInit', 'initCandidates', 'initCandidateIter', 'maxIter', 'tol', 'regCovar',
      'seed', 'warmStart', 'backend', 'dtype'] },
  { name: 'BernoulliMixture', make: (o) => new BernoulliMixture(o as never) as never, X: binaryRows, hmm: false, fitKeys: MIXTURE_FIT,
    keys: ['nComponents', 'init', 'nInit', 'maxIter', 'tol', 'seed', 'backend', 'alpha'] },
  { name: 'CategoricalMixture', make: (o) => new CategoricalMixture(o as never) as never, X: codeRows, hmm: false, fitKeys: MIXTURE_FIT,
    keys: ['nComponents', 'init', 'nInit', 'maxIter', 'tol', 'seed', 'backend', 'alpha', 'nCategories'] },
  { name: 'PoissonMixture', make: (o) => new PoissonMixture(o as never) as never, X: countRows, hmm: false, fitKeys: MIXTURE_FIT,
    keys: ['nComponents', 'init', 'nInit', 'maxIter', 'tol', 'seed', 'backend', 'alpha'] },
  { name: 'GaussianHMM', make: (o) => new GaussianHMM(o as never) as never, X: gaussianRows, hmm: true, fitKeys: HMM_FIT,
    keys: [...HMM_KEYS, 'covarianceType', 'minCovar', 'regCovar', 'means', 'covariances'] },
  { name: 'CategoricalHMM', make: (o) => new CategoricalHMM(o as never) as never, X: [[0, 1, 2, 1, 0, 2, 2, 1]], hmm: true,
    fitKeys: HMM_FIT, keys: [...HMM_KEYS, 'emissionProb', 'emissionProbPrior', 'nSymbols'] },
  { name: 'PoissonHMM', make: (o) => new PoissonHMM(o as never) as never, X: countRows, hmm: true, fitKeys: HMM_FIT,
    keys: [...HMM_KEYS, 'lambdas', 'alpha'] },
];

/** A fitted model of the family (2 components/states, fixed seed). */
function fitted(f: Family): ModelLike {
  return f.make(f.hmm ? { nStates: 2, seed: 1 } : { nComponents: 2, seed: 1 }).fit(f.X) as ModelLike;
}

/** Data that lies or breaks: holes, sparse arrays, typed arrays of other kinds, wrong rows/cols, throwing getters. */
function badData(X: number[][]): unknown[] {
  const d = X[0]!.length;
  const flat = X.flat();
  const holes = X.map((r) => [...r]);
  delete holes[X.length - 1]![0];
  const sparse: number[][] = [];
  sparse[0] = X[0]!;
  sparse[5] = X[1]!;
  const throwingRow = X.map((r) => [...r]);
  Object.defineProperty(throwingRow[X.length - 1], 0, { get: () => { throw new CallerError('getter'); } });
  const throwingLength = { get length(): number { throw new CallerError('length getter'); }, 0: X[0] };
  return [
    holes, sparse, throwingRow, throwingLength, [], [[]], [[]].concat(X as never), X.map((r) => r.map(String)),
    { data: flat, rows: X.length + 1, cols: d }, { data: flat, rows: X.length, cols: d + 1 },
    { data: flat, rows: -1, cols: d }, { data: flat, rows: 1.5, cols: d }, { data: flat, rows: X.length, cols: 0 },
    { data: flat, rows: 2 ** 31, cols: 2 ** 31 }, { data: { length: 2 ** 40 }, rows: 2 ** 20, cols: 2 ** 20 },
    { data: new Int32Array(flat), rows: X.length, cols: d }, { data: new Uint8Array(flat), rows: X.length, cols: d },
    { get data(): never { throw new CallerError('data getter'); }, rows: X.length, cols: d },
    new Int32Array(flat), new BigInt64Array(flat.length), new Float64Array(flat), new Float32Array(flat),
    { data: flat.map(() => 10n), rows: X.length, cols: d }, X.map((r) => new Float32Array(r)),
    X.map((r) => r.map(() => NaN)), X.map((r) => r.map(() => 1e308)), X.map((r) => r.map(() => -1e308)),
    X.map((r) => r.map(() => 5e-324)), X.map((r) => r.map((v) => v + 0.5)), X.map((r) => r.map((v) => -v - 1)),
    X.map((r) => r.map(() => 2 ** 53)), X.map((r) => [...r, 1]), new Proxy(X, {}), 'X', null, undefined, 42,
  ];
}

describe.each(FAMILIES.map((f) => [f.name, f] as const))('%s', (_name, f) => {
  it('constructor and fit with arbitrary options', () => {
    fc.assert(fc.property(optionsOf(f.keys), optionsOf(f.fitKeys), (o, fo) => {
      const what = () => `new ${f.name}(${show(o)}).fit(X, ${show(fo)})`;
      call(() => {
        const m = f.make(o);
        const out = m.fit(f.X, fo) as ModelLike;
        noNaN(out.score(f.X), what);
        return out;
      }, what);
    }), runs(200, 0x0b71));
  }, timeout(20_000));

  it('predict, predictProba, score, bic, sample, decode with arbitrary arguments and options', () => {
    const m = fitted(f);
    const methods: [string, (a: unknown, o: unknown) => unknown][] = [
      ['predict', (a, o) => m.predict(a, o)], ['predictProba', (a, o) => m.predictProba(a, o)],
      ['score', (a, o) => m.score(a, o)], ['bic', (a, o) => m.bic(a, o)], ['sample', (a, o) => m.sample(a, o)],
      ['scoreSamples', (a, o) => (m as unknown as { scoreSamples(a: unknown, o: unknown): unknown }).scoreSamples?.(a, o)],
      ['decode', (a, o) => (m as unknown as { decode(a: unknown, o: unknown): unknown }).decode?.(a, o)],
    ];
    fc.assert(fc.property(fc.constantFrom(...methods), fc.oneof(value, fc.constant(f.X), fc.constantFrom(...badData(f.X))),
      optionsOf(['nFeatures', 'sampleWeight', 'lengths', 'seed', 'algorithm']), ([name, fn], a, o) => {
        call(() => fn(a, o), () => `${f.name}.${name}(${show(a)}, ${show(o)})`);
      }), runs(600, 0x0b72));
  }, timeout(20_000));

  it('fit, predict and score of data that lies or breaks', () => {
    const m = fitted(f);
    for (const X of badData(f.X)) {
      call(() => f.make(f.hmm ? { nStates: 2, seed: 1 } : { nComponents: 2, seed: 1 }).fit(X), () => `${f.name}.fit(${show(X)})`);
      call(() => m.predict(X), () => `${f.name}.predict(${show(X)})`);
      call(() => m.score(X), () => `${f.name}.score(${show(X)})`);
    }
  }, timeout(20_000));

  it('sample(n) with bad and huge n', () => {
    const m = fitted(f);
    for (const n of [...BAD, 2 ** 31, 2 ** 40, 1e9, 0, -0, 1]) {
      call(() => m.sample(n), () => `${f.name}.sample(${show(n)})`);
      call(() => m.sample(3, { seed: n }), () => `${f.name}.sample(3, { seed: ${show(n)} })`);
    }
  });
});

describe('selectModel, em and fitStream', () => {
  const KEYS = ['nComponents', 'covarianceTypes', 'criterion', 'nInit', 'initCandidates', 'initCandidateIter', 'seed', 'maxIter',
    'tol', 'regCovar', 'init', 'backend', 'dtype', 'nFeatures', 'sampleWeight', 'onFit'];
  it('selectModel with arbitrary options and data', () => {
    fc.assert(fc.property(optionsOf(KEYS), fc.oneof({ weight: 4, arbitrary: fc.constant(gaussianRows) }, fc.constantFrom(...badData(gaussianRows))),
      (o, X) => {
        const opts = { nComponents: [1, 2], ...o };
        call(() => selectModel(X as never, opts as never), () => `selectModel(${show(X)}, ${show(opts)})`);
      }), runs(100, 0x0b73));
  }, timeout(20_000));

  const marbles = [3, 17, 15, 4, 2, 18, 16, 5, 14, 3];
  /** The model's functions throw a CallerError on anything they cannot read (arbitrary starts reach them). */
  const guarded = <F extends (...a: never[]) => unknown>(fn: F): F => ((...a: never[]) => {
    try {
      return fn(...a);
    } catch (e) {
      throw new CallerError(String(e));
    }
  }) as F;
  const model = {
    nComponents: 2,
    logProb: (p: { w: number[]; red: number[] }, x: number, out: Float64Array) => {
      for (let c = 0; c < 2; c++) out[c] = Math.log(p.w[c]!) + x * Math.log(p.red[c]!) + (20 - x) * Math.log1p(-p.red[c]!);
    },
    emptyStats: () => ({ n: [0, 0], red: [0, 0] }),
    accumulate: (s: { n: number[]; red: number[] }, x: number, r: Float64Array, w: number) => {
      for (let c = 0; c < 2; c++) { s.n[c]! += w * r[c]!; s.red[c]! += w * r[c]! * x; }
    },
    maximize: (s: { n: number[]; red: number[] }) => ({
      w: s.n.map((n) => n / (s.n[0]! + s.n[1]!)), red: s.red.map((v, c) => Math.min(0.999, Math.max(0.001, v / (20 * s.n[c]!)))),
    }),
    init: (rng: { random(): number }) => ({ w: [0.5, 0.5], red: [0.1 + 0.8 * rng.random(), 0.1 + 0.8 * rng.random()] }),
  };
  it('em with arbitrary options, models and data', () => {
    const EM_KEYS = ['nInit', 'maxIter', 'tol', 'seed', 'start', 'sampleWeight', 'onIteration', 'onWarning', 'signal'];
    fc.assert(fc.property(optionsOf(EM_KEYS), fc.option(fc.dictionary(fc.constantFrom(...Object.keys(model)), value, { maxKeys: 2 })),
      fc.oneof({ weight: 4, arbitrary: fc.constant(marbles) }, value),
      (o, patch, data) => {
        const m = Object.fromEntries(Object.entries(patch === null ? model : { ...model, ...patch })
          .map(([k, v]) => [k, typeof v === 'function' ? guarded(v as never) : v]));
        call(() => em(data as never, m as never, o as never), () => `em(${show(data)}, model + ${show(patch)}, ${show(o)})`);
      }), runs(200, 0x0b74));
  }, timeout(20_000));

  it('fitStream with arbitrary options and sources', async () => {
    const STREAM_KEYS = ['nFeatures', 'onIteration', 'onWarning', 'onProgress', 'signal'];
    const sources: unknown[] = [
      () => [gaussianRows], () => ['1,2\n3,4\n5,6\n7,1\n'], () => [new Uint8Array([0xff, 0xfe, 0x31])], () => [gaussianRows, '1,2\n'],
      () => 42, () => null, () => { throw new InputError('source', 'x', 'y'); }, '/nonexistent/file.csv', 42, null, {},
      () => [[[1, 2]], [[1, 2, 3]]], () => [new Float64Array(7)], () => ['{"format":1}'], async function* () { yield 'x,y\n'; },
    ];
    await fc.assert(fc.asyncProperty(optionsOf(STREAM_KEYS), fc.constantFrom(...sources), fc.option(optionsOf(['nComponents', 'maxIter', 'seed'])),
      async (o, source, ctor) => {
        counter.add();
        const what = () => `new GaussianMixture(${show(ctor)}).fitStream(${show(String(source))}, ${show(o)})`;
        const out = await typedOnlyAsync(() => new GaussianMixture({ nComponents: 2, seed: 1, maxIter: 5, ...ctor }).fitStream(source as never, o as never),
          what, TYPED);
        if (out) noNaN(out.score(gaussianRows), what);
      }), runs(120, 0x0b75));
  }, timeout(30_000));
});

describe('option and data regressions found by fuzzing', () => {
  const gm = () => new GaussianMixture({ nComponents: 2, seed: 1 }).fit(gaussianRows);
  const inputError = (fn: () => unknown, argument: string): void => {
    let error: unknown;
    try {
      fn();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).argument).toBe(argument);
  };

  it('sample(2 ** 53) is an InputError at once (was: 2^53 draws before allocating)', () => {
    inputError(() => gm().sample(2 ** 53), 'n');
    inputError(() => new CategoricalHMM({ nStates: 2, seed: 1 }).fit([[0, 1, 0, 1]]).sample(2 ** 40), 'n');
  });

  it('sample(3, { seed: 10n }) is an InputError (was: TypeError from Math.abs)', () => {
    inputError(() => gm().sample(3, { seed: 10n as never }), 'options.seed');
    inputError(() => new PoissonHMM({ nStates: 2, seed: 1 }).fit(countRows).sample(3, { seed: Symbol('s') as never }), 'options.seed');
  });

  it('{ data, rows, cols } whose data has a lying length is an InputError (was: RangeError allocating 2^40 doubles)', () => {
    inputError(() => gm().predict({ data: { length: 2 ** 40 } as never, rows: 2 ** 20, cols: 2 ** 20 }), 'X.data[0]');
  });

  it('CategoricalHMM symbols at or above 65536 are an InputError (was: RangeError, the symbol stored as 0)', () => {
    inputError(() => new CategoricalHMM({ nStates: 2 }).fit([[1e308]]), 'X[0][0]');
    inputError(() => new CategoricalHMM({ nStates: 2, nSymbols: 2 ** 31 }), 'options.nSymbols');
  });

  it('score of rows that are all missing is an InputError (was: NaN)', () => {
    inputError(() => gm().score([[NaN, NaN]]), 'X');
    inputError(() => gm().bic([[NaN, NaN], [1, 2]], { sampleWeight: [1, 0] }), 'X');
  });
});
