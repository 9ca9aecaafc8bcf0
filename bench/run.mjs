// Per-iteration EM time of wasm-em's variants over a size matrix, on the built package.
// Usage: npm run bench [-- --quick] [-- --filter <substring>] [-- --budget <seconds>] [-- --out <name>.json]
//   (builds first; prints a table and writes bench/results/latest.json, or the --out name there)
//
// One EM iteration = the fused E-step + statistics over all rows (the kernel) + the M-step. Every variant of a case
// fits the same seeded synthetic data from the same given starting parameters (true centres, equal weights, identity
// covariances) for a fixed number of iterations with tol 0, so all do the same work; the time per iteration is the
// median gap between successive iterations (data copy, set-up and the first iteration are not counted).
//
// Variants: wasm-f64, wasm-f32 (dtype 'float32', when the build accepts it), the same two on the relaxed-SIMD build
// (measured in a child Node with --experimental-wasm-relaxed-simd, when the package has that build), js backend, and
// worker pools of 1 and 2 (fitAsync, when the build has it). Sizes: full and diag, N ∈ {1e4, 1e5, 1e6}, d ∈ {2, 16, 64}, K ∈ {3, 16};
// --quick keeps N = 1e4. A case whose estimated measurement (from the same variant at the next smaller N, scaled by N,
// or from one iteration on 1e4 rows) exceeds --budget seconds is skipped and recorded with its estimate.
// --filter keeps the cases whose label (e.g. "full n=1e5 d=16 k=16 wasm-f64") contains the substring; "first-fit"
// selects the first-fit cost: a fresh `node` process's first fit against a warm fit at N = 1e6, d = 16, K = 16 full.
import { execFileSync } from 'node:child_process';
import * as lib from 'wasm-em';
import {
  acceptsOptions, caseData, caseLabel, fmtMs, fmtRatio, formatTable, parseFlags, relaxedBuildLoads, root, saveRun,
  timeVariant,
} from './common.mjs';

const flags = parseFlags(process.argv.slice(2), 30, 'latest.json');
const SIZES = flags.quick ? [10_000] : [10_000, 100_000, 1_000_000];
const PROBE_ROWS = 10_000;
const MIN_TIMED = 2;
const MAX_TIMED = flags.quick ? 5 : 15;
const TARGET_SECONDS = flags.quick ? 0.25 : 1;

const hasFitAsync = typeof lib.GaussianMixture.prototype.fitAsync === 'function';
const hasF32 = acceptsOptions(lib, { dtype: 'float32' });
const hasRelaxed = relaxedBuildLoads();
const VARIANTS = [
  { name: 'wasm-f64', backend: 'wasm', available: true },
  { name: 'wasm-f32', backend: 'wasm', dtype: 'float32', available: hasF32 },
  { name: 'wasm-f64-relaxed', backend: 'wasm', relaxed: true, available: hasRelaxed },
  { name: 'wasm-f32-relaxed', backend: 'wasm', dtype: 'float32', relaxed: true, available: hasRelaxed && hasF32 },
  { name: 'js', backend: 'js', available: true },
  { name: 'workers-1', backend: 'wasm', workers: 1, available: hasFitAsync },
  { name: 'workers-2', backend: 'wasm', workers: 2, available: hasFitAsync },
];
const UNAVAILABLE = {
  'wasm-f32': "this build does not accept the option dtype: 'float32'",
  'wasm-f64-relaxed': 'no relaxed-SIMD build loads with --experimental-wasm-relaxed-simd here',
  'wasm-f32-relaxed': 'no relaxed-SIMD build (or no float32) here',
  'workers-1': 'this build has no fitAsync',
  'workers-2': 'this build has no fitAsync',
};

/** Seconds per iteration of the last measurement (or estimate) per type/d/k/variant, and its N. */
const last = new Map();

async function estimateSeconds(c, variant, data) {
  const key = `${c.type} ${c.d} ${c.k} ${variant.name}`;
  const prev = last.get(key);
  if (prev) return (prev.seconds * c.n) / prev.n;
  const rows = Math.min(c.n, PROBE_ROWS);
  const ms = await timeVariant(lib, c, data(), variant, 1, rows);
  return (ms / 1000) * (c.n / rows);
}

async function measure(c, variant, data) {
  if (!variant.available) return { unavailable: UNAVAILABLE[variant.name] };
  const seconds = await estimateSeconds(c, variant, data);
  const key = `${c.type} ${c.d} ${c.k} ${variant.name}`;
  if (seconds * (MIN_TIMED + 1) > flags.budget) {
    last.set(key, { n: c.n, seconds });
    return { skipped: `skipped (estimated ${seconds.toPrecision(3)} s/iter)`, estimatedSecondsPerIter: seconds };
  }
  const timed = Math.max(MIN_TIMED, Math.min(MAX_TIMED, Math.round(TARGET_SECONDS / seconds),
    Math.floor(flags.budget / seconds) - 1));
  const ms = await timeVariant(lib, c, data(), variant, timed);
  last.set(key, { n: c.n, seconds: ms / 1000 });
  return { msPerIter: ms, timedIterations: timed };
}

const ratio = (a, b) => (a?.msPerIter > 0 && b?.msPerIter > 0 ? a.msPerIter / b.msPerIter : null);

const cellOf = (r) =>
  r.msPerIter !== undefined ? fmtMs(r.msPerIter) : r.skipped ? `skip ~${r.estimatedSecondsPerIter.toPrecision(2)}s` : 'n/a';

const results = [];
for (const d of [2, 16, 64]) {
  for (const k of [3, 16]) {
    for (const n of SIZES) {
      let cached = null;
      const data = () => (cached ??= caseData({ n, d, k }));
      for (const type of ['full', 'diag']) {
        const c = { type, n, d, k };
        const label = caseLabel(c);
        const variants = {};
        for (const v of VARIANTS) {
          if (`${label} ${v.name}`.includes(flags.filter)) variants[v.name] = await measure(c, v, data);
        }
        if (Object.keys(variants).length === 0) continue;
        const ratios = {
          jsOverWasm: ratio(variants.js, variants['wasm-f64']),
          f64OverF32: ratio(variants['wasm-f64'], variants['wasm-f32']),
          f64OverRelaxed: ratio(variants['wasm-f64'], variants['wasm-f64-relaxed']),
          f64OverF32Relaxed: ratio(variants['wasm-f64'], variants['wasm-f32-relaxed']),
          oneOverTwoWorkers: ratio(variants['workers-1'], variants['workers-2']),
        };
        results.push({ ...c, label, variants, ratios });
        const cells = Object.entries(variants).map(([name, r]) => `${name} ${cellOf(r)}`);
        console.log(`${label.padEnd(22)} ${cells.join('  ')}`);
      }
      cached = null;
    }
  }
}

/** The first fit in a fresh process against a second, warm fit there (bench/first-fit.mjs in a child `node`). */
function firstFitCost() {
  const c = { type: 'full', n: flags.quick ? 10_000 : 1_000_000, d: 16, k: 16 };
  const iterations = 3;
  const known = last.get(`full 16 16 wasm-f64`);
  const seconds = known ? (known.seconds * c.n) / known.n : null;
  if (seconds !== null && 2 * iterations * seconds > flags.budget) {
    return { ...c, skipped: `skipped (estimated ${seconds.toPrecision(3)} s/iter)`, estimatedSecondsPerIter: seconds };
  }
  const args = [`${root}/bench/first-fit.mjs`, c.type, String(c.n), String(c.d), String(c.k), String(iterations)];
  const out = JSON.parse(execFileSync(process.execPath, args, { encoding: 'utf8', cwd: root }));
  return { ...c, iterations, ...out, coldOverWarm: out.coldMsPerIter / out.warmMsPerIter };
}
const firstFit = !flags.filter || 'first-fit'.includes(flags.filter) ? firstFitCost() : null;

const names = VARIANTS.map((v) => v.name);
const header = ['case', ...names.map((n) => `${n} ms`), 'js/wasm', 'f64/f32', 'f64/f64r', 'f64/f32r', '1w/2w'];
const rows = results.map((r) => [
  r.label, ...names.map((n) => (r.variants[n] ? cellOf(r.variants[n]) : '')),
  fmtRatio(r.ratios.jsOverWasm), fmtRatio(r.ratios.f64OverF32), fmtRatio(r.ratios.f64OverRelaxed),
  fmtRatio(r.ratios.f64OverF32Relaxed), fmtRatio(r.ratios.oneOverTwoWorkers),
]);
console.log('\n' + formatTable([header, ...rows]));
if (firstFit) {
  console.log(firstFit.skipped
    ? `\nfirst fit (${caseLabel(firstFit)}): ${firstFit.skipped}`
    : `\nfirst fit (${caseLabel(firstFit)}, wasm-f64, ${firstFit.iterations} iterations): fresh process ` +
      `${fmtMs(firstFit.coldMsPerIter)} ms/iter, warm ${fmtMs(firstFit.warmMsPerIter)} ms/iter ` +
      `(${fmtRatio(firstFit.coldOverWarm)}); import ${fmtMs(firstFit.importMs)} ms`);
}

saveRun(flags.out, lib, flags, {
  note:
    'ms per EM iteration (E-step + statistics + M-step): median gap between successive iterations of one fit with ' +
    'tol 0 from the same given start; data copy and set-up not counted. firstFit: whole fit time / iterations ' +
    '(data copy and module compilation counted), the first fit of a fresh process against a second fit there.',
  variants: Object.fromEntries(VARIANTS.map((v) => [v.name, v.available ? 'measured' : UNAVAILABLE[v.name]])),
  results,
  firstFit,
});
