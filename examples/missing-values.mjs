/**
 * Old Faithful with holes: hide 30% of the entries (seeded, completely at random), fit a two-component mixture to
 * the incomplete rows, fill the holes in with `impute`, and compare with the values that were hidden — against
 * filling them with column means. Run after `npm run build`: `node examples/missing-values.mjs`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GaussianMixture } from 'wasm-em';

const here = fileURLToPath(new URL('.', import.meta.url));
const [, ...lines] = readFileSync(join(here, 'data', 'faithful.csv'), 'utf8').trim().split(/\r?\n/);
const truth = lines.map((line) => line.split(',').map(Number));

// Hide 30% of the entries (NaN), keeping at least one entry per row (a row with none would carry no information).
let s = 2024;
const u = () => ((s ^= s << 13), (s ^= s >>> 17), (s ^= s << 5), (s >>> 0) / 4294967296);
const X = truth.map((row) => {
  const hidden = row.map(() => u() < 0.3);
  if (hidden.every(Boolean)) hidden[Math.floor(u() * row.length)] = false;
  return row.map((v, j) => (hidden[j] ? NaN : v));
});
const missing = X.flat().filter(Number.isNaN).length;
console.log(`Old Faithful: ${X.length} eruptions × 2 columns, ${missing} entries hidden (${(100 * missing / (2 * X.length)).toFixed(0)}%)`);

// EM on the incomplete rows: each row's observed entries only, no imputation beforehand.
const gm = new GaussianMixture({ nComponents: 2, covarianceType: 'full', nInit: 5, seed: 1 }).fit(X);
const full = new GaussianMixture({ nComponents: 2, covarianceType: 'full', nInit: 5, seed: 1 }).fit(truth);
const fmt = (a) => Array.from(a, (v) => v.toFixed(2)).join(', ');
console.log(`\nmeans fitted to the incomplete rows: [${gm.means.map(fmt).join('] [')}]`);
console.log(`means fitted to the complete rows:   [${full.means.map(fmt).join('] [')}]`);
console.log(`observed-data mean log-likelihood: ${gm.lowerBound.toFixed(4)} after ${gm.nIter} iterations`);

// Fill the holes: E[x_missing | x_observed] under the mixture, against column means.
const filled = gm.impute(X);
const means = [0, 1].map((j) => {
  const v = X.map((r) => r[j]).filter((x) => !Number.isNaN(x));
  return v.reduce((a, b) => a + b, 0) / v.length;
});
let se = 0;
let seMean = 0;
X.forEach((row, i) => row.forEach((v, j) => {
  if (!Number.isNaN(v)) return;
  se += (filled[i][j] - truth[i][j]) ** 2;
  seMean += (means[j] - truth[i][j]) ** 2;
}));
console.log(`\nRMSE of the filled-in entries: impute ${Math.sqrt(se / missing).toFixed(3)} min, ` +
  `column means ${Math.sqrt(seMean / missing).toFixed(3)} min`);
