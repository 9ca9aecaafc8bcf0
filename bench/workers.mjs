// Per-iteration EM time of fitAsync with 1 and 2 workers against fit, on the built package.
// Usage: npm run build && node bench/workers.mjs [N] [ITERS] [ROUNDS]   (defaults 1000000, 6, 3; writes
// bench/results/workers.json)
//
// N rows, d = 16, K = 16, full covariances, wasm backend, given starting parameters, tol 0 and a fixed number of
// iterations, so every run does the same work and gives the same model (checked). The time per iteration is the
// interval between consecutive onIteration calls: the E-step over all rows plus the M-step, without the one-off data
// copy and pool start (reported apart as the time to the first iteration). The three setups run in turn, ROUNDS
// times; the fastest and the median interval of each are reported (the fastest is the least disturbed by other
// processes on a shared machine).
import { execSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { GaussianMixture } from 'wasm-em';

const n = Number(process.argv[2] ?? 1_000_000);
const iters = Number(process.argv[3] ?? 6);
const rounds = Number(process.argv[4] ?? 3);
const d = 16;
const k = 16;

/** Seeded rows around k well-spread centres (xorshift32 + Box–Muller; reproducible). */
function makeData() {
  let s = 12345;
  const u = () => ((s ^= s << 13), (s ^= s >>> 17), (s ^= s << 5), (s >>> 0) / 4294967296);
  const g = () => Math.sqrt(-2 * Math.log(u() || 1e-300)) * Math.cos(2 * Math.PI * u());
  const centres = Array.from({ length: k }, () => Array.from({ length: d }, () => 8 * (u() - 0.5)));
  const X = new Float64Array(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) X[i * d + j] = centres[i % k][j] + g();
  return { X, centres };
}

const { X, centres } = makeData();
const eye = Array.from({ length: d }, (_, a) => Array.from({ length: d }, (_, b) => (a === b ? 1 : 0)));
const options = {
  nComponents: k, covarianceType: 'full', backend: 'wasm', tol: 0, maxIter: iters,
  init: { means: centres, weights: new Array(k).fill(1 / k), covariances: centres.map(() => eye) },
};

/** Fits once; returns the intervals between iterations, the time to the first one, and the model. */
async function once(run) {
  const stamps = [];
  const t0 = performance.now();
  const gm = await run(new GaussianMixture(options), () => stamps.push(performance.now()));
  return { intervals: stamps.slice(1).map((t, i) => t - stamps[i]), first: stamps[0] - t0, json: JSON.stringify(gm.toJSON()) };
}

const setups = [
  ['fit', (gm, tick) => gm.fit(X, { nFeatures: d, onIteration: tick })],
  ...[1, 2].map((w) => [`fitAsync, ${w} worker${w > 1 ? 's' : ''}`,
    (gm, tick) => gm.fitAsync(X, { nFeatures: d, workers: w, onIteration: tick })]),
];
const seen = setups.map(() => ({ intervals: [], first: [], json: new Set() }));
for (let r = 0; r < rounds; r++) {
  for (const [i, [label, run]] of setups.entries()) {
    const { intervals, first, json } = await once(run);
    seen[i].intervals.push(...intervals);
    seen[i].first.push(first);
    seen[i].json.add(json);
    console.log(label, intervals.map((t) => t.toFixed(0)).join(' '));
  }
}
const ms = (x) => +x.toFixed(1);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rows = setups.map(([label], i) => ({
  label, fastestMsPerIteration: ms(Math.min(...seen[i].intervals)), medianMsPerIteration: ms(median(seen[i].intervals)),
  medianMsToFirstIteration: ms(median(seen[i].first)),
}));
const identical = seen.every((s) => s.json.size === 1) && seen.every((s) => [...s.json][0] === [...seen[0].json][0]);
const [fit, one, two] = rows;
const summary = {
  speedupTwoOverOne: { fastest: ms(one.fastestMsPerIteration / two.fastestMsPerIteration), median: ms(one.medianMsPerIteration / two.medianMsPerIteration) },
  speedupTwoOverFit: { fastest: ms(fit.fastestMsPerIteration / two.fastestMsPerIteration), median: ms(fit.medianMsPerIteration / two.medianMsPerIteration) },
  identical,
};
console.table(rows);
console.log(JSON.stringify(summary));
let commit = 'unknown';
try {
  commit = execSync('git rev-parse --short HEAD', { encoding: 'utf8' }).trim();
} catch {}
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/workers.json', import.meta.url), JSON.stringify({
  date: new Date().toISOString(), commit, node: process.version, cores: availableParallelism(), n, d, k, iters, rounds,
  loadAverage: loadavg(), runs: rows, ...summary,
}, null, 2) + '\n');
