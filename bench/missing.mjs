// The cost of missing values: ms per EM iteration on complete data against the same data with 20% of the entries
// masked completely at random (NaN), wasm backend, float64, on the built package.
// Usage: npm run build && node bench/missing.mjs [--filter <substring>] [--out <name>.json]
//   (writes bench/results/missing.json, or the --out name there)
//
// Every case fits the same seeded data (bench/common.mjs) from the same given start (the true centres), tol 0, a fixed
// number of iterations; the time per iteration is the median gap between iterations (set-up, grouping of the rows by
// missingness pattern and the data copy not counted). With missing entries each EM iteration computes, per pattern and
// component, the marginal Cholesky factor and the regression of the missing on the observed entries (O(d³) in
// TypeScript), then runs the kernels on the pattern's packed observed entries: few patterns (small d) cost little,
// while at d = 16 almost every row has its own pattern.
import * as lib from 'wasm-em';
import { caseData, caseLabel, fmtMs, fmtRatio, formatTable, msPerIteration, parseFlags, saveRun, startFor } from './common.mjs';

const flags = parseFlags(process.argv.slice(2), 60, 'missing.json');
const RATE = 0.2;
const CASES = [
  { type: 'full', n: 100_000, d: 4, k: 3 },
  { type: 'diag', n: 100_000, d: 4, k: 3 },
  { type: 'full', n: 10_000, d: 16, k: 16 },
  { type: 'diag', n: 10_000, d: 16, k: 16 },
];

/** The rows with each entry replaced by NaN with probability RATE (xorshift32, seeded), and the number of patterns. */
function mask(X, d, seed) {
  let s = seed >>> 0 || 1;
  const u = () => ((s ^= s << 13), (s ^= s >>> 17), (s ^= s << 5), (s >>> 0) / 4294967296);
  const out = X.map((v) => (u() < RATE ? NaN : v));
  const patterns = new Set();
  for (let i = 0; i < out.length / d; i++) {
    let key = '';
    for (let j = 0; j < d; j++) key += Number.isNaN(out[i * d + j]) ? '0' : '1';
    patterns.add(key);
  }
  return { X: out, patterns: patterns.size };
}

const results = [];
for (const c of CASES) {
  const label = caseLabel(c);
  if (!label.includes(flags.filter)) continue;
  const { X, centres } = caseData(c);
  const init = startFor(c.type, centres);
  const masked = mask(X, c.d, 99);
  const timed = 3;
  const complete = await msPerIteration(lib, X, c, init, { name: 'complete', backend: 'wasm' }, timed);
  const missing = await msPerIteration(lib, masked.X, c, init, { name: 'missing', backend: 'wasm' }, timed);
  const r = { ...c, label, rate: RATE, patterns: masked.patterns, completeMsPerIter: complete, missingMsPerIter: missing,
    ratio: missing / complete };
  results.push(r);
  console.log(`${label.padEnd(22)} complete ${fmtMs(complete)} ms  20% missing ${fmtMs(missing)} ms (${r.patterns} patterns)`);
}

console.log('\n' + formatTable([
  ['case', 'complete ms/iter', '20% missing ms/iter', 'patterns', 'missing / complete'],
  ...results.map((r) => [r.label, fmtMs(r.completeMsPerIter), fmtMs(r.missingMsPerIter), r.patterns, fmtRatio(r.ratio)]),
]));
saveRun(flags.out, lib, flags, {
  note: 'ms per EM iteration, wasm backend, float64: complete data against the same data with 20% of the entries ' +
    'missing completely at random; same given start, tol 0, median gap between iterations.',
  results,
});
