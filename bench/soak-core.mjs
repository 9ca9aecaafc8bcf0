/**
 * The soak: many fits of mixed sizes, families, backends and entry points in one process, seeded, with the memory
 * (JS heap after a collection when `global.gc` exists, RSS, WebAssembly memory of the wasm backends) read at the start,
 * every `every` fits and at the end. Shared by `bench/soak.mjs` (2000 fits on the built package) and
 * `test/reliability/soak.test.ts` (a few hundred on the sources). Takes the library as an argument so both can run it.
 */

/** A small seeded generator (mulberry32) for the plan of the soak and its data. */
export function seededRandom(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo, hi) => lo + Math.floor(next() * (hi - lo + 1));
  /** Log-uniform integer in [lo, hi]. */
  const logInt = (lo, hi) => Math.min(hi, Math.floor(Math.exp(Math.log(lo) + next() * (Math.log(hi + 1) - Math.log(lo)))));
  const normal = () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
  const pick = (xs) => xs[Math.floor(next() * xs.length)];
  return { next, int, logInt, normal, pick };
}

const COV_TYPES = ['full', 'tied', 'diag', 'spherical'];

/** n×d rows around k random centres; a share of entries NaN when `missing`. */
function gaussianRows(rng, n, d, k, missing) {
  const centres = Float64Array.from({ length: k * d }, () => 6 * rng.normal());
  const data = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    const c = rng.int(0, k - 1);
    for (let j = 0; j < d; j++) data[i * d + j] = centres[c * d + j] + rng.normal();
  }
  if (missing) for (let i = 0; i < data.length; i++) if (rng.next() < 0.1) data[i] = NaN;
  return { data, rows: n, cols: d };
}

function binaryRows(rng, n, d) {
  const p = Float64Array.from({ length: d }, () => rng.next());
  return { data: Float64Array.from({ length: n * d }, (_, i) => (rng.next() < p[i % d] ? 1 : 0)), rows: n, cols: d };
}

function categoricalRows(rng, n, d, m) {
  return { data: Float64Array.from({ length: n * d }, () => rng.int(0, m - 1)), rows: n, cols: d };
}

function countRows(rng, n, d) {
  const rate = Float64Array.from({ length: d }, () => 0.5 + 6 * rng.next());
  return {
    data: Float64Array.from({ length: n * d }, (_, i) => {
      let x = 0;
      for (let p = Math.exp(-rate[i % d]), s = rng.next(); s > p; s *= rng.next()) x++;
      return x;
    }),
    rows: n, cols: d,
  };
}

/** Sequence lengths summing to n (1 to 4 sequences). */
function lengthsOf(rng, n) {
  const parts = Math.min(n, rng.int(1, 4));
  const lengths = Array.from({ length: parts }, () => Math.floor(n / parts));
  lengths[0] += n - lengths.reduce((a, b) => a + b, 0);
  return lengths;
}

/** The coin-flip model of `em()`: items are counts of heads in 20 tosses, two or more coins. */
function coinModel(k) {
  return {
    nComponents: k,
    logProb: (p, x, out) => {
      for (let c = 0; c < k; c++) out[c] = Math.log(p.weights[c]) + x * Math.log(p.heads[c]) + (20 - x) * Math.log1p(-p.heads[c]);
    },
    emptyStats: () => ({ n: new Float64Array(k), heads: new Float64Array(k) }),
    accumulate: (s, x, r, w) => {
      for (let c = 0; c < k; c++) {
        s.n[c] += w * r[c];
        s.heads[c] += w * r[c] * x;
      }
    },
    maximize: (s) => {
      const total = s.n.reduce((a, b) => a + b, 0);
      return {
        weights: Array.from(s.n, (v) => Math.max(v / total, 1e-12)),
        heads: Array.from(s.heads, (v, c) => Math.min(1 - 1e-9, Math.max(1e-9, v / (20 * Math.max(s.n[c], 1e-12))))),
      };
    },
    init: (rng) => ({ weights: Array.from({ length: k }, () => 1 / k), heads: Array.from({ length: k }, () => 0.05 + 0.9 * rng.random()) }),
  };
}

/**
 * One fit of the plan: returns { family, entry, backend, n, d, k } and the error's name if it threw.
 * `limits.maxN` caps n; HMMs and em() run on at most `limits.maxSeqN` observations.
 */
async function oneFit(lib, rng, limits, watch) {
  const families = ['gaussian', 'gaussian', 'gaussian', 'gaussian', 'bernoulli', 'categorical', 'poisson',
    'gaussian-hmm', 'categorical-hmm', 'poisson-hmm', 'em'];
  const family = rng.pick(families);
  const backend = rng.pick(['js', 'wasm']);
  const k = rng.int(1, 8);
  const seed = rng.int(0, 1e6);
  const maxIter = rng.int(2, limits.maxIter);
  const onIteration = () => watch();
  let n = rng.logInt(1, limits.maxN);
  let d = rng.logInt(1, 32);
  const entries = ['fit', 'fit', 'fitAsync'];
  let entry = 'fit';
  let model = null;
  if (family === 'gaussian') {
    const type = rng.pick(COV_TYPES);
    const dtype = rng.pick(['float64', 'float32']);
    const missing = rng.next() < 0.5;
    // Full covariances of many features cost d³ per component: keep those fits moderate.
    if (type === 'full' && d > 12) n = Math.min(n, 4000);
    entry = rng.pick([...entries, 'fitStream']);
    const X = gaussianRows(rng, n, d, k, missing);
    model = new lib.GaussianMixture({ nComponents: k, covarianceType: type, dtype, backend, seed, maxIter,
      initCandidates: rng.int(1, 3), nInit: rng.int(1, 2) });
    const label = `gaussian-${type}-${dtype}${missing ? '-nan' : ''}`;
    return run(label, async () => {
      if (entry === 'fit') model.fit(X, { onIteration });
      else if (entry === 'fitAsync') await model.fitAsync(X, { workers: rng.int(1, 2), onIteration });
      else {
        const chunk = rng.pick([1000, 4096, 5000]);
        await model.fitStream(() => chunks(X, chunk), { onIteration });
      }
      model.predict(X.data.subarray(0, Math.min(n, 50) * d), { nFeatures: d });
    });
  }
  if (family === 'bernoulli' || family === 'categorical' || family === 'poisson') {
    entry = rng.pick(entries);
    const X = family === 'bernoulli' ? binaryRows(rng, n, d) : family === 'categorical' ? categoricalRows(rng, n, d, rng.int(2, 5))
      : countRows(rng, n, d);
    const Cls = family === 'bernoulli' ? lib.BernoulliMixture : family === 'categorical' ? lib.CategoricalMixture : lib.PoissonMixture;
    model = new Cls({ nComponents: k, backend, seed, maxIter, nInit: rng.int(1, 2) });
    return run(family, async () => {
      if (entry === 'fit') model.fit(X, { onIteration });
      else await model.fitAsync(X, { workers: rng.int(1, 2), onIteration });
      model.predict(X);
      Cls.fromJSON(JSON.parse(JSON.stringify(model.toJSON()))).dispose();
    });
  }
  if (family === 'em') {
    n = Math.min(n, limits.maxSeqN);
    const items = Array.from({ length: n }, () => rng.int(0, 20));
    return run('em', async () => {
      lib.em(items, coinModel(Math.min(k, 4)), { seed, maxIter, nInit: rng.int(1, 2), onIteration });
    });
  }
  // Hidden Markov models: fit (or fitAsync, which runs on this thread between turns of the event loop).
  n = Math.min(n, limits.maxSeqN);
  d = Math.min(d, 8);
  entry = rng.pick(['fit', 'fitAsync']);
  const lengths = lengthsOf(rng, n);
  const options = { nStates: Math.min(k, 5), backend, seed, maxIter, nInit: rng.int(1, 2) };
  let X;
  if (family === 'gaussian-hmm') {
    X = gaussianRows(rng, n, d, options.nStates, false);
    model = new lib.GaussianHMM({ ...options, covarianceType: rng.pick(COV_TYPES) });
  } else if (family === 'poisson-hmm') {
    X = countRows(rng, n, d);
    model = new lib.PoissonHMM(options);
  } else {
    const m = rng.int(2, 6);
    X = Array.from({ length: n }, () => rng.int(0, m - 1));
    model = new lib.CategoricalHMM({ ...options, nSymbols: m });
  }
  return run(family, async () => {
    if (entry === 'fit') model.fit(X, { lengths, onIteration });
    else await model.fitAsync(X, { lengths, onIteration });
    model.predict(X, { lengths });
  });

  async function run(label, body) {
    const info = { family: label, entry, backend, n, d, k };
    try {
      await body();
      return info;
    } catch (e) {
      return { ...info, error: e?.name ?? typeof e, message: e?.message ?? String(e), argument: e?.argument };
    } finally {
      model?.dispose();
    }
  }
}

/** The rows of `X` in chunks of `rows` rows (a re-openable source of `fitStream`). */
function* chunks(X, rows) {
  for (let i = 0; i < X.rows; i += rows) {
    const m = Math.min(rows, X.rows - i);
    yield { data: X.data.subarray(i * X.cols, (i + m) * X.cols), rows: m, cols: X.cols };
  }
}

const MB = 2 ** 20;

/**
 * Heap (after a collection when possible), RSS and WebAssembly memory now, in bytes. V8 frees the backing stores of
 * collected ArrayBuffers on a background thread: a turn of the event loop after the collection lets that finish, so
 * `arrayBuffers` and RSS do not still count the last fit's buffers.
 */
async function snapshot(lib, fits) {
  globalThis.gc?.();
  await new Promise((resolve) => setTimeout(resolve, 20));
  globalThis.gc?.();
  const { heapUsed, heapTotal, external, arrayBuffers, rss } = process.memoryUsage();
  return { fits, heapUsed, heapTotal, external, arrayBuffers, rss, wasm: lib.wasmMemoryBytes() };
}

/**
 * Runs `fits` fits; `onCheckpoint(snapshot)` after every `every`. Errors of the names in `expected` are counted as
 * expected (typed rejections of unsuitable data); any other is a failure. Returns the report.
 */
export async function runSoak(lib, { fits, seed = 1, every = 100, limits = {}, onCheckpoint = () => {}, onFit = () => {} }) {
  const lim = { maxN: 20000, maxSeqN: 5000, maxIter: 30, ...limits };
  const expected = new Set(['InputError', 'DegenerateComponentError']);
  const rng = seededRandom(seed);
  const checkpoints = [await snapshot(lib, 0)];
  onCheckpoint(checkpoints[0]);
  let wasmPeak = 0;
  const watch = () => {
    wasmPeak = Math.max(wasmPeak, lib.wasmMemoryBytes());
  };
  const byFamily = {};
  const expectedErrors = {};
  const examples = {};
  /** Expected errors by name and the argument they name (InputError's `argument`). */
  const expectedBy = {};
  const failures = [];
  const t0 = performance.now();
  for (let i = 1; i <= fits; i++) {
    const r = await oneFit(lib, rng, lim, watch);
    onFit(i, r);
    for (const key of [r.family, r.entry, r.backend]) byFamily[key] = (byFamily[key] ?? 0) + 1;
    if (r.error !== undefined) {
      if (expected.has(r.error)) {
        expectedErrors[r.error] = (expectedErrors[r.error] ?? 0) + 1;
        examples[r.error] ??= `${r.family}, n = ${r.n}, k = ${r.k}: ${r.message}`;
        const what = `${r.error} ${r.argument ?? ''}`.trim();
        expectedBy[what] = (expectedBy[what] ?? 0) + 1;
      }
      else failures.push({ fit: i, ...r });
    }
    if (i % every === 0 || i === fits) {
      const s = await snapshot(lib, i);
      checkpoints.push(s);
      onCheckpoint(s);
    }
  }
  // Let the pools' exit events arrive before counting workers.
  await new Promise((resolve) => setTimeout(resolve, 50));
  const after = checkpoints.slice(1);
  const quarter = Math.max(1, Math.floor(after.length / 4));
  const maxOf = (xs, key) => Math.max(...xs.map((x) => x[key]));
  const bound = {
    firstQuarterHeapMax: maxOf(after.slice(0, quarter), 'heapUsed'),
    lastQuarterHeapMax: maxOf(after.slice(-quarter), 'heapUsed'),
    firstQuarterRssMax: maxOf(after.slice(0, quarter), 'rss'),
    lastQuarterRssMax: maxOf(after.slice(-quarter), 'rss'),
    wasmAtCheckpointsMax: maxOf(checkpoints, 'wasm'),
  };
  const heapBounded = bound.lastQuarterHeapMax <= 1.2 * bound.firstQuarterHeapMax + 8 * MB;
  return {
    fits, seed, seconds: (performance.now() - t0) / 1000, gcExposed: typeof globalThis.gc === 'function',
    expectedErrors, expectedErrorExamples: examples, expectedErrorsByArgument: expectedBy, failures, counts: byFamily, wasmPeakDuringFits: wasmPeak, checkpoints, bound, heapBounded,
    liveWorkersAtEnd: lib.liveWorkers(),
  };
}
