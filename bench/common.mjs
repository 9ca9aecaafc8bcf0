// Shared pieces of the benchmark scripts: seeded data, the given starting parameters, command-line flags, the
// machine description, and the per-iteration timer of wasm-em fits.
import { execFileSync } from 'node:child_process';
import { Bench } from 'tinybench';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = dirname(dirname(fileURLToPath(import.meta.url)));

/** Seeded rows (n×d, row-major) around k well-spread centres (xorshift32 + Box–Muller; reproducible). */
export function makeData(n, d, k, seed) {
  let s = seed >>> 0 || 1;
  const u = () => ((s ^= s << 13), (s ^= s >>> 17), (s ^= s << 5), (s >>> 0) / 4294967296);
  const g = () => Math.sqrt(-2 * Math.log(u() || 1e-300)) * Math.cos(2 * Math.PI * u());
  const centres = Array.from({ length: k }, () => Array.from({ length: d }, () => 8 * (u() - 0.5)));
  const X = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    const c = centres[i % k];
    for (let j = 0; j < d; j++) X[i * d + j] = c[j] + g();
  }
  return { X, centres };
}

/** The data of a case: its seed depends on the sizes only, so every script and variant sees the same rows. */
export function caseData(c) {
  return makeData(c.n, c.d, c.k, 1 + c.n + c.d * 7 + c.k * 131);
}

/**
 * The given start of every variant: the true centres as means, equal weights, identity covariances (full: k×d×d,
 * diag: k×d).
 */
export function startFor(type, centres) {
  const d = centres[0].length;
  const eye = Array.from({ length: d }, (_, a) => Array.from({ length: d }, (_, b) => (a === b ? 1 : 0)));
  const covariances = type === 'full' ? centres.map(() => eye) : centres.map(() => new Array(d).fill(1));
  return { means: centres, weights: new Array(centres.length).fill(1 / centres.length), covariances };
}

/** Case label used by `--filter` and the tables: e.g. `full n=1e5 d=16 k=16`. */
export function caseLabel(c) {
  return `${c.type} n=1e${Math.round(Math.log10(c.n))} d=${c.d} k=${c.k}`;
}

/** `--quick`, `--filter <substring>`, `--budget <seconds>`, `--out <file name in bench/results>` from argv. */
export function parseFlags(argv, defaultBudget, defaultOut) {
  const value = (name) => {
    const i = argv.indexOf(name);
    if (i < 0) return undefined;
    if (i + 1 >= argv.length) throw new Error(`${name} needs a value`);
    return argv[i + 1];
  };
  const budget = Number(value('--budget') ?? defaultBudget);
  if (!(budget > 0)) throw new Error(`--budget: expected seconds > 0, got ${value('--budget')}`);
  const out = value('--out') ?? defaultOut;
  if (!/^[\w.-]+\.json$/.test(out)) throw new Error(`--out: expected a file name ending in .json, got ${out}`);
  return { quick: argv.includes('--quick'), filter: value('--filter') ?? '', budget, out };
}

function gitCommit() {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

/** Whether the build reports relaxed SIMD: an exported function whose name mentions it, else false. */
function relaxedSimd(lib) {
  const probe = Object.entries(lib).find(([name, v]) => /relaxed/i.test(name) && typeof v === 'function');
  try {
    return probe ? Boolean(probe[1]()) : false;
  } catch {
    return false;
  }
}

/** Node version, CPU model and cores, SIMD and relaxed SIMD of the loaded build, and the commit. */
export function machine(lib) {
  return {
    date: new Date().toISOString(),
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: availableParallelism(),
    simd: lib.wasmAvailable(),
    relaxedSimd: relaxedSimd(lib),
    commit: gitCommit(),
  };
}

/**
 * Writes `bench/results/<name>` as indented JSON: the machine (see `machine`), the flags, then `fields`; prints a
 * closing line naming the machine and the file.
 */
export function saveRun(name, lib, flags, fields) {
  const info = machine(lib);
  const dir = `${root}/bench/results`;
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}/${name}`, JSON.stringify({ ...info, flags, ...fields }, null, 2) + '\n');
  console.log(`\nnode ${info.node}, ${info.cpu} × ${info.cores}, SIMD ${info.simd ? 'on' : 'off'}, relaxed SIMD ` +
    `${info.relaxedSimd ? 'on' : 'off'}, commit ${info.commit.slice(0, 7)} → bench/results/${name}`);
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Whether `gm` (constructed with `options`) is accepted by the installed build: an unknown option is an InputError. */
export function acceptsOptions(lib, options) {
  try {
    new lib.GaussianMixture(options);
    return true;
  } catch (e) {
    if (e instanceof lib.InputError) return false;
    throw e;
  }
}

/** One fit of `maxIter` iterations with tol 0 from `init`; `onIteration` sees every iteration. */
async function fitOnce(lib, X, c, init, variant, maxIter, onIteration) {
  const gm = new lib.GaussianMixture({
    nComponents: c.k, covarianceType: c.type, init, maxIter, tol: 0, backend: variant.backend,
    ...(variant.dtype ? { dtype: variant.dtype } : {}),
  });
  const fitOptions = { nFeatures: c.d, ...(onIteration ? { onIteration } : {}) };
  const t0 = performance.now();
  if (variant.workers) await gm.fitAsync(X, { ...fitOptions, workers: variant.workers });
  else gm.fit(X, fitOptions);
  return { ms: performance.now() - t0, gm };
}

/**
 * Milliseconds per EM iteration (E-step + statistics + M-step) of wasm-em fits of `timed + 1` iterations with tol 0
 * from `init`, measured with tinybench: each of `fits` task runs is one fit that reports, as its duration
 * (`overriddenDuration`), the median gap between its successive `onIteration` calls, so the data copy, set-up and the
 * first iteration are left out; the result is tinybench's median over the runs (`stat` 'p50'), or their fastest
 * (`stat` 'min', as scikit-learn is timed in bench/sklearn-iter.py).
 * @param variant `{ name, backend, dtype?, workers? }`
 */
export async function msPerIteration(lib, X, c, init, variant, timed, fits = 1, stat = 'p50') {
  return medianIterationGap(variant.name ?? variant.backend, timed, fits,
    (onIteration) => fitOnce(lib, X, c, init, variant, timed + 1, onIteration), stat);
}

/**
 * Milliseconds per EM iteration of the fits `runFit(onIteration)` makes (`timed + 1` iterations each, called back
 * after every one): tinybench's median (`stat` 'p50') or minimum ('min') over `fits` runs of the median gap between
 * successive callbacks, so the first iteration and the set-up are left out.
 */
export async function medianIterationGap(name, timed, fits, runFit, stat = 'p50') {
  const bench = new Bench({ iterations: fits, time: 0, warmup: false, throws: true });
  bench.add(name, async () => {
    const stamps = [];
    const t0 = bench.now();
    await runFit(() => stamps.push(bench.now()));
    if (stamps.length !== timed + 1) throw new Error(`expected ${timed + 1} iterations, got ${stamps.length}`);
    return {
      overriddenDuration: median(stamps.slice(1).map((t, i) => t - stamps[i])),
      overriddenIterationCost: bench.now() - t0,
    };
  });
  await bench.run();
  const { result } = bench.tasks[0];
  if (result.state !== 'completed') throw result.error ?? new Error(`benchmark ${result.state}`);
  return stat === 'min' ? result.latency.min : result.latency.p50;
}

/**
 * `msPerIteration` of `variant` on the first `rows` rows of case `c` (`data`: its `caseData`): in this process, or,
 * for a `relaxed` variant, in a child Node started with `--experimental-wasm-relaxed-simd` (bench/relaxed-child.mjs),
 * where the relaxed-SIMD build loads. Throws if the child did not load that build.
 */
export async function timeVariant(lib, c, data, variant, timed, rows = c.n) {
  if (!variant.relaxed) {
    return msPerIteration(lib, data.X.subarray(0, rows * c.d), c, startFor(c.type, data.centres), variant, timed);
  }
  const arg = JSON.stringify({ c, variant, timed, rows });
  const out = JSON.parse(execFileSync(process.execPath,
    ['--experimental-wasm-relaxed-simd', `${root}/bench/relaxed-child.mjs`, arg], { encoding: 'utf8' }));
  if (!out.relaxed) throw new Error('the relaxed-SIMD build did not load in the child process');
  return out.ms;
}

/** Whether a child Node started with `--experimental-wasm-relaxed-simd` loads the package's relaxed-SIMD build. */
export function relaxedBuildLoads() {
  const code = "import * as m from 'wasm-em'; m.wasmAvailable(); console.log(String(m.wasmRelaxedSimd?.() === true));";
  try {
    return execFileSync(process.execPath, ['--experimental-wasm-relaxed-simd', '--input-type=module', '-e', code],
      { encoding: 'utf8', cwd: root }).trim() === 'true';
  } catch {
    return false;
  }
}

/** Fixed-width table: `rows` are arrays of cells, the first row the header; the first column aligned left. */
export function formatTable(rows) {
  const widths = rows[0].map((_, j) => Math.max(...rows.map((r) => String(r[j]).length)));
  const pad = (cell, j) => (j === 0 ? String(cell).padEnd(widths[j]) : String(cell).padStart(widths[j]));
  return rows.map((r) => r.map(pad).join('  ')).join('\n');
}

/** Markdown table: `rows` are arrays of cells, the first row the header. */
export function markdownTable(rows) {
  const line = (r) => `| ${r.join(' | ')} |`;
  return [line(rows[0]), line(rows[0].map(() => '---')), ...rows.slice(1).map(line)].join('\n');
}

/** A number of milliseconds for a table cell: 3 significant digits. */
export function fmtMs(ms) {
  return ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2);
}

/** A ratio for a table cell, e.g. `11.5×`; empty when either side is missing. */
export function fmtRatio(r) {
  return r === null || r === undefined || !Number.isFinite(r) ? '' : `${r.toFixed(r >= 10 ? 1 : 2)}×`;
}
