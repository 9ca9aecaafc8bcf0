/**
 * Old Faithful: choose a Gaussian mixture by BIC over 1–6 components and the four covariance types, print the model
 * and the clusters, and draw them. Run with `npm run demo` (it builds the package first).
 *
 * `node examples/faithful-demo.mjs [OUTPUT_DIR]` writes faithful.svg and faithful-model.json to OUTPUT_DIR
 * (default examples/output/).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { selectModel, wasmAvailable } from 'wasm-em';
import { scatterSvg } from './plot-svg.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const outDir = process.argv[2] ?? join(here, 'output');

// The data: a header row, then "eruptions,waiting" (both in minutes).
const [header, ...lines] = readFileSync(join(here, 'data', 'faithful.csv'), 'utf8').trim().split(/\r?\n/);
const X = lines.map((line) => line.split(',').map(Number));
console.log(`Old Faithful: ${X.length} eruptions, columns ${header.replace(',', ', ')}\n`);

// Every K in 1..6 with every covariance type, 5 restarts each, one seed: the same table on every run.
const types = ['full', 'tied', 'diag', 'spherical'];
const start = performance.now();
const { table, best, bestIndex } = selectModel(X, {
  nComponents: [1, 6], covarianceTypes: types, criterion: 'bic', nInit: 5, seed: 42,
});
const seconds = (performance.now() - start) / 1000;

console.log('BIC = −2 log L + p ln n, scikit-learn\'s sign: lower is better (mclust reports the negative).');
const cell = (row) => (row.error ? 'failed' : row.bic.toFixed(2)) + (row === table[bestIndex] ? ' *' : '  ');
console.log(['K', ...types].map((s, i) => (i === 0 ? s.padEnd(3) : s.padStart(12))).join(''));
for (const k of [1, 2, 3, 4, 5, 6]) {
  const rows = types.map((t) => table.find((r) => r.nComponents === k && r.covarianceType === t));
  console.log((String(k).padEnd(3) + rows.map((r) => cell(r).padStart(12)).join('')).trimEnd());
}
const backend = wasmAvailable() ? 'wasm' : 'js';
console.log(`* lowest BIC. ${table.length} fits in ${seconds.toFixed(2)} s (${backend} backend).\n`);

const labels = best.predict(X);
const sizes = Array.from({ length: best.nComponents }, (_, c) => labels.filter((l) => l === c).length);
const num = (v, w = 9) => v.toFixed(3).padStart(w);
const chosen = table[bestIndex];
console.log(`Chosen model: ${best.nComponents} components, covariance '${best.covarianceType}' ` +
  `(BIC ${chosen.bic.toFixed(2)})`);
console.log(`  ${best.converged ? 'converged' : 'did NOT converge'} after ${best.nIter} EM iterations; ` +
  `mean log-likelihood ${best.score(X).toFixed(4)} per eruption`);
best.means.forEach((mean, c) => {
  const [r0, r1] = best.covarianceMatrix(c);
  console.log(`  component ${c + 1}: weight ${best.weights[c].toFixed(3)}, ${sizes[c]} eruptions`);
  console.log(`    mean       [${num(mean[0])}${num(mean[1])} ]`);
  console.log(`    covariance [${num(r0[0])}${num(r0[1])} ]`);
  console.log(`               [${num(r1[0])}${num(r1[1])} ]`);
});
console.log(`  cluster sizes: ${sizes.join(', ')}\n`);

mkdirSync(outDir, { recursive: true });
const svgPath = join(outDir, 'faithful.svg');
const modelPath = join(outDir, 'faithful-model.json');
writeFileSync(svgPath, scatterSvg({
  points: X,
  labels,
  components: best.means.map((mean, c) => ({ weight: best.weights[c], mean, cov: best.covarianceMatrix(c) })),
  title: `Old Faithful: ${best.nComponents} Gaussian components ('${best.covarianceType}'), 1σ and 2σ ellipses`,
  xLabel: 'eruptions (min)',
  yLabel: 'waiting (min)',
}));
writeFileSync(modelPath, JSON.stringify(best.toJSON(), null, 2) + '\n');
const shown = (path) => (relative(process.cwd(), path).startsWith('..') ? path : relative(process.cwd(), path));
console.log(`Model JSON: ${shown(modelPath)}`);
console.log(`Plot: ${shown(svgPath)}`);
