#!/usr/bin/env node
/**
 * The set-up cost of a fit against one EM iteration: N = 1e5, d = 16, K = 16, full covariances (and the other sizes
 * given with --n, --d, --k), float64, the wasm backend, on the built package.
 *
 * A fit starts from given means alone (`init: { means }`: the rest of the start is estimated from the rows nearest
 * each mean, as a user with centres from elsewhere does), runs 3 iterations with tol 0, and reports each iteration
 * through `onIteration`. With t0 the call, t1…t3 the three reports:
 *   iteration = median(t2 − t1, t3 − t2),   set-up = (t1 − t0) − iteration
 * (validation, the start, the copy of the rows into WebAssembly and the first iteration's own set-up). Each figure is
 * the median of --runs fits (7) after one warm-up fit. The target (issue: "one estimator over family records", item 5)
 * is set-up ≤ one iteration.
 *
 * Usage: npm run build && node bench/setup-cost.mjs [--n 100000] [--d 16] [--k 16] [--type full] [--runs 7]
 * Writes bench/results/setup-cost.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { makeData, root } from './common.mjs';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const n = Number(arg('--n', '100000'));
const d = Number(arg('--d', '16'));
const k = Number(arg('--k', '16'));
const type = arg('--type', 'full');
const runs = Number(arg('--runs', '7'));
const { GaussianMixture, initWasm } = await import(pathToFileURL(join(root, 'dist', 'index.js')).href);
await initWasm();
const { X, centres } = makeData(n, d, k, 1 + n + d * 7 + k * 131);

function once() {
  const marks = [];
  const gm = new GaussianMixture({ nComponents: k, covarianceType: type, init: { means: centres }, maxIter: 3, tol: 0,
    backend: 'wasm' });
  const t0 = performance.now();
  gm.fit(X, { nFeatures: d, onIteration: () => marks.push(performance.now()) });
  const iteration = median([marks[1] - marks[0], marks[2] - marks[1]]);
  return { setup: marks[0] - t0 - iteration, iteration };
}

function median(a) {
  const s = [...a].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

once();
const samples = Array.from({ length: runs }, once);
const setup = median(samples.map((s) => s.setup));
const iteration = median(samples.map((s) => s.iteration));
const label = `${type} n=${n} d=${d} k=${k}`;
console.log(`${label}: set-up ${setup.toFixed(1)} ms, one iteration ${iteration.toFixed(1)} ms, ratio ${(setup / iteration).toFixed(2)} ` +
  `(target ≤ 1; median of ${runs} fits)`);
mkdirSync(join(root, 'bench', 'results'), { recursive: true });
writeFileSync(join(root, 'bench', 'results', 'setup-cost.json'), JSON.stringify({
  case: { n, d, k, type }, runs, setupMs: setup, iterationMs: iteration, ratio: setup / iteration,
  samples,
}, null, 1));
