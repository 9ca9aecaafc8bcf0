#!/usr/bin/env node
/**
 * What a user gets with the defaults: GaussianMixture with K = the number of classes on the labelled real data sets
 * of test/fixtures/real (wine, iris, breast_cancer, digits, banknote, diabetes, thyroid), seeds 0…4; the adjusted
 * Rand index against the classes (mean, min), and how many fits have degenerate components. Beside it, scikit-learn
 * 1.2.1's defaults and mclust's VVV from test/fixtures/real/{sklearn,mclust}-answers.json.
 *
 * Usage: npm run build && node bench/defaults-ari.mjs [--options JSON] [--seeds 0,1,2,3,4] [--sets wine,iris]
 * Writes bench/results/defaults-ari.json (the options, and per set the ARIs and degenerate counts).
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const { GaussianMixture, adjustedRandIndex } = await import(pathToFileURL(join(root, 'dist', 'index.js')).href);
const options = JSON.parse(arg('--options', '{}'));
const seeds = arg('--seeds', '0,1,2,3,4').split(',').map(Number);
const sets = arg('--sets', 'wine,iris,breast_cancer,digits,banknote,diabetes,thyroid').split(',');
const real = join(root, 'test', 'fixtures', 'real');
const sk = JSON.parse(readFileSync(join(real, 'sklearn-answers.json'), 'utf8'));
const mc = JSON.parse(readFileSync(join(real, 'mclust-answers.json'), 'utf8'));

function readCsv(path) {
  return readFileSync(path, 'utf8').trim().split('\n').slice(1).map((l) => l.split(',').map(Number));
}
const mean = (a) => a.reduce((s, v) => s + v, 0) / a.length;
const results = {};
console.log(`options ${JSON.stringify(options)}`);
console.log('set            wasm-em mean (min)  degenerate  time/fit   scikit-learn  mclust VVV');
for (const name of sets) {
  const X = readCsv(join(real, `${name}.csv`));
  const y = readCsv(join(real, `${name}.labels.csv`)).map((r) => r[0]);
  const K = new Set(y).size;
  const aris = [];
  let degenerate = 0;
  const t0 = performance.now();
  for (const seed of seeds) {
    const gm = new GaussianMixture({ nComponents: K, seed, ...options }).fit(X);
    aris.push(adjustedRandIndex(y, gm.predict(X)));
    if (gm.degenerateComponents.length > 0) degenerate++;
  }
  const ms = (performance.now() - t0) / seeds.length;
  const skAri = sk[name]?.defaultAri ? mean(sk[name].defaultAri) : null;
  const mcAri = mc[name]?.vvvAri ?? null;
  results[name] = { aris, degenerate, msPerFit: ms, sklearn: skAri, mclust: mcAri };
  console.log(`${name.padEnd(14)} ${mean(aris).toFixed(3)} (${Math.min(...aris).toFixed(3)})       ${degenerate}/${seeds.length}` +
    `        ${ms.toFixed(0).padStart(6)} ms  ${skAri === null ? '—' : skAri.toFixed(3)}         ${mcAri === null ? 'singular' : mcAri.toFixed(3)}`);
}
mkdirSync(join(root, 'bench', 'results'), { recursive: true });
writeFileSync(join(root, 'bench', 'results', 'defaults-ari.json'), JSON.stringify({ options, seeds, results }, null, 1));
