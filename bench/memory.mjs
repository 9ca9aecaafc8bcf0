// Peak memory of a fit on data larger than WebAssembly memory: N rows × 16 float64 (default 10⁷: 1.19 GiB), diag,
// K = 3, wasm backend, a few EM iterations, on the built package. The data is generated in place (seeded), so the
// process holds one copy of it; the wasm backend streams it through a 4096-row window and the starts use a sample
// of at most 100 000 rows. Prints and writes (bench/results/memory.json) the data size and the peak resident set.
// Usage: npm run build && node --max-old-space-size=4096 bench/memory.mjs [N] [ITERATIONS]
import { resourceUsage } from 'node:process';
import * as lib from 'wasm-em';
import { saveRun } from './common.mjs';

const n = Number(process.argv[2] ?? 10_000_000);
const iterations = Number(process.argv[3] ?? 3);
const d = 16;
const k = 3;
const X = new Float64Array(n * d);
let s = 12345;
const u = () => ((s ^= s << 13), (s ^= s >>> 17), (s ^= s << 5), (s >>> 0) / 4294967296);
for (let i = 0; i < n; i++) {
  const shift = (i % k) * 4;
  for (let j = 0; j < d; j++) X[i * d + j] = shift + 2 * u() - 1;
}
const before = resourceUsage().maxRSS * 1024;
const t0 = performance.now();
const gm = new lib.GaussianMixture({ nComponents: k, covarianceType: 'diag', maxIter: iterations, tol: 0, seed: 1,
  initCandidates: 1, backend: 'wasm' }).fit(X, { nFeatures: d });
const seconds = (performance.now() - t0) / 1000;
const peak = resourceUsage().maxRSS * 1024;
const gib = (b) => (b / 2 ** 30).toFixed(2);
console.log(`${n}×${d} float64: data ${gib(X.byteLength)} GiB; peak RSS ${gib(peak)} GiB (${gib(before)} GiB before ` +
  `the fit); ${iterations} iterations in ${seconds.toFixed(1)} s; lower bound ${gm.lowerBound.toFixed(4)}`);
saveRun('memory.json', lib, { n, d, k, iterations }, {
  dataBytes: X.byteLength, peakRssBytes: peak, rssBeforeFitBytes: before, seconds, lowerBound: gm.lowerBound,
});
