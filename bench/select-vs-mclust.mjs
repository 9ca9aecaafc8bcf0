#!/usr/bin/env node
/**
 * Model choice as mclust's: selectModel with defaults over K = 1…9 (mclust's fourteen models) on the real data sets
 * of test/fixtures/real, seeds 0…4, against `Mclust(X, G = 1:9)` (test/fixtures/real/mclust-answers.json, `chosenAll`:
 * the six sets of at most 13 features); with `--options '{"covarianceTypes":["VVV","EEE","VVI","VII"]}'` against
 * mclust's choice among those four (`chosen`, all eight sets) and scikit-learn 1.2.1's own loop (sklearn-answers.json).
 * Prints per set the choices and whether they equal mclust's, and counts the chosen models that are degenerate.
 *
 * Usage: npm run build && node bench/select-vs-mclust.mjs [--options JSON] [--seeds 0,1,2,3,4] [--sets a,b]
 * Writes bench/results/select-vs-mclust.json.
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const { selectModel } = await import(pathToFileURL(join(root, 'dist', 'index.js')).href);
const options = JSON.parse(arg('--options', '{}'));
const seeds = arg('--seeds', '0,1,2,3,4').split(',').map(Number);
const sets = arg('--sets', 'faithful,iris,wine,breast_cancer,digits,banknote,diabetes,thyroid').split(',');
const real = join(root, 'test', 'fixtures', 'real');
const mc = JSON.parse(readFileSync(join(real, 'mclust-answers.json'), 'utf8'));
const sk = JSON.parse(readFileSync(join(real, 'sklearn-answers.json'), 'utf8'));
const MODEL = { full: 'VVV', tied: 'EEE', diag: 'VVI', spherical: 'VII' };
const fourTypes = options.covarianceTypes !== undefined;
const readCsv = (path) => readFileSync(path, 'utf8').trim().split('\n').slice(1).map((l) => l.split(',').map(Number));

const results = {};
let matchedSets = 0;
let degenerateChoices = 0;
for (const name of sets) {
  const choice = fourTypes ? mc[name].chosen : mc[name].chosenAll;
  if (choice === undefined) continue;
  const X = readCsv(join(real, `${name}.csv`));
  const want = `${choice.model} K=${choice.G}`;
  const ours = [];
  const t0 = performance.now();
  for (const seed of seeds) {
    const { table, bestIndex } = selectModel(X, { nComponents: [1, 9], seed, ...options });
    const best = table[bestIndex];
    if (best.degenerate.length > 0) degenerateChoices++;
    ours.push(`${MODEL[best.covarianceType] ?? best.covarianceType} K=${best.nComponents}`);
  }
  const seconds = (performance.now() - t0) / 1000 / seeds.length;
  const hits = ours.filter((c) => c === want).length;
  const skHits = sk[name].selected.filter((c) => `${MODEL[c.covarianceType]} K=${c.nComponents}` === want).length;
  if (hits * 2 > seeds.length) matchedSets++;
  results[name] = { mclust: want, ours, hits, sklearnHits: skHits, secondsPerGrid: seconds };
  console.log(`${name.padEnd(14)} mclust ${want.padEnd(14)} ours ${hits}/${seeds.length} [${[...new Set(ours)].join('; ')}]  ` +
    `scikit-learn ${skHits}/${sk[name].selected.length}  ${seconds.toFixed(1)} s/grid`);
}
console.log(`sets where most seeds choose mclust's model: ${matchedSets} of ${Object.keys(results).length}; degenerate choices: ${degenerateChoices}`);
mkdirSync(join(root, 'bench', 'results'), { recursive: true });
writeFileSync(join(root, 'bench', 'results', 'select-vs-mclust.json'),
  JSON.stringify({ options, seeds, results, matchedSets, degenerateChoices }, null, 1));
