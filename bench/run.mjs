// Per-iteration EM time of the wasm and js backends, measured with tinybench on the built package.
// Usage: npm run bench [-- --quick]   (builds first; writes bench/results/latest.json)
//
// One EM iteration = the fused E-step + statistics over all rows (the kernel) + the M-step. Every case fits the same
// seeded synthetic data from the same given starting parameters for a fixed number of iterations (tol 0), so both
// backends do exactly the same work; the time of a fit divided by its iterations is reported. The data copy into WASM
// memory (once per fit) is included, as a user sees it.
import { execSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Bench } from 'tinybench';
import { GaussianMixture, wasmAvailable } from 'wasm-em';

const quick = process.argv.includes('--quick');
const ITERS = 5;

/** Seeded rows around k well-spread centres (xorshift32 + Box–Muller; reproducible). */
function makeData(n, d, k, seed) {
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

function startFor(type, centres, d) {
  const k = centres.length;
  const eye = Array.from({ length: d }, (_, a) => Array.from({ length: d }, (_, b) => (a === b ? 1 : 0)));
  const covariances = type === 'full' ? centres.map(() => eye) : centres.map(() => new Array(d).fill(1));
  return { means: centres, weights: new Array(k).fill(1 / k), covariances };
}

const cases = [];
for (const n of quick ? [10_000] : [10_000, 100_000]) {
  for (const d of [2, 16]) {
    for (const k of [3, 16]) {
      for (const type of ['full', 'diag']) cases.push({ n, d, k, type });
    }
  }
}

const rows = [];
for (const c of cases) {
  const { X, centres } = makeData(c.n, c.d, c.k, 1 + c.n + c.d * 7 + c.k * 131);
  const init = startFor(c.type, centres, c.d);
  const bench = new Bench({ time: quick ? 200 : 1000, iterations: 3, warmupIterations: 1 });
  const fit = (backend) => () =>
    new GaussianMixture({ nComponents: c.k, covarianceType: c.type, init, maxIter: ITERS, tol: 0, backend })
      .fit(X, { nFeatures: c.d });
  bench.add('wasm', fit('wasm'));
  bench.add('js', fit('js'));
  await bench.run();
  const perIter = Object.fromEntries(bench.tasks.map((t) => [t.name, t.result.latency.mean / ITERS]));
  const row = { ...c, wasmMsPerIter: perIter.wasm, jsMsPerIter: perIter.js, speedup: perIter.js / perIter.wasm };
  rows.push(row);
  console.log(
    `${c.type.padEnd(4)} N=${String(c.n).padStart(6)} d=${String(c.d).padStart(2)} K=${String(c.k).padStart(2)}  ` +
      `wasm ${row.wasmMsPerIter.toFixed(2).padStart(8)} ms/iter  js ${row.jsMsPerIter.toFixed(2).padStart(8)} ms/iter  ` +
      `js/wasm ${row.speedup.toFixed(1).padStart(5)}×`,
  );
}

let commit = 'unknown';
try {
  commit = execSync('git rev-parse --short HEAD', { encoding: 'utf8' }).trim();
} catch {}
const out = {
  date: new Date().toISOString(),
  node: process.version,
  simd: wasmAvailable(),
  relaxedSimd: false,
  commit,
  iterationsPerFit: ITERS,
  note: 'ms per EM iteration (E-step + statistics + M-step), data copy included; one run, same machine',
  results: rows,
};
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/latest.json', import.meta.url), JSON.stringify(out, null, 2) + '\n');
console.log(`\nnode ${process.version}, SIMD ${out.simd ? 'on' : 'off'}, commit ${commit} → bench/results/latest.json`);
