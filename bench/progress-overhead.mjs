// The cost of fit's onProgress, run after `npm run build`:
//   node bench/progress-overhead.mjs
// Fits N = 1e5, d = 16, K = 16 (full, wasm backend, 10 iterations, tol 0) six times with and six times without an
// onProgress callback, alternating which goes first, and prints the times (ms) and their medians as JSON.
import { GaussianMixture } from 'wasm-em';

const n = 1e5;
const d = 16;
const k = 16;
let s = 1;
const X = Float64Array.from({ length: n * d }, (_, p) => {
  s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
  return s / 2 ** 32 + (Math.floor(p / d) % k);
});
const options = { backend: 'wasm', nComponents: k, seed: 1, initCandidates: 1, maxIter: 10, tol: 0, init: 'random' };
let calls = 0;
const onProgress = () => {
  calls++;
};
const times = { without: [], with: [] };
for (let r = 0; r < 6; r++) {
  for (const mode of r % 2 === 0 ? ['without', 'with'] : ['with', 'without']) {
    const t0 = performance.now();
    new GaussianMixture(options).fit(X, { nFeatures: d, ...(mode === 'with' ? { onProgress } : {}) });
    times[mode].push(Math.round(performance.now() - t0));
  }
}
const median = (a) => a.slice().sort((x, y) => x - y)[Math.floor(a.length / 2)];
console.log(JSON.stringify({ ...times, medianWithout: median(times.without), medianWith: median(times.with), calls }));
