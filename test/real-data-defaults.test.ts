/**
 * What a user gets with the defaults on real labelled data (test/fixtures/real, PROVENANCE.md there): K = the number
 * of classes, seeds 0…4, the mean adjusted Rand index against the classes is at least the lower of scikit-learn
 * 1.2.1's defaults and mclust 6's VVV fit (less 0.02; scikit-learn's alone where mclust's fit is singular), and no
 * default fit has a degenerate component.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { GaussianMixture } from '../src/index.js';
import { adjustedRandIndex } from './helpers/ari.js';
import { loadCsv } from './helpers/load-csv.js';

const REAL = new URL('./fixtures/real/', import.meta.url);
const sklearn = JSON.parse(readFileSync(new URL('sklearn-answers.json', REAL), 'utf8'));
const mclust = JSON.parse(readFileSync(new URL('mclust-answers.json', REAL), 'utf8'));
const SETS = ['wine', 'iris', 'breast_cancer', 'digits', 'banknote', 'diabetes', 'thyroid'];
const SEEDS = [0, 1, 2, 3, 4];
const mean = (a: number[]): number => a.reduce((s, v) => s + v, 0) / a.length;

describe('defaults on real labelled data (wasm backend)', () => {
  it.each(SETS)('%s: mean ARI at least min(scikit-learn, mclust) − 0.02, no degenerate fit', (name) => {
    const X = loadCsv(new URL(`${name}.csv`, REAL)).array;
    const y = loadCsv(new URL(`${name}.labels.csv`, REAL)).array.map((r) => r[0]!);
    const K = new Set(y).size;
    const aris: number[] = [];
    for (const seed of SEEDS) {
      const gm = new GaussianMixture({ nComponents: K, seed, backend: 'wasm' }).fit(X);
      expect(gm.degenerateComponents, `${name}, seed ${seed}`).toEqual([]);
      aris.push(adjustedRandIndex(y, Array.from(gm.predict(X))));
    }
    const peers = [mean(sklearn[name].defaultAri as number[])];
    if (mclust[name].vvvAri !== null) peers.push(mclust[name].vvvAri as number);
    const bar = Math.min(...peers) - 0.02;
    console.log(`${name}: mean ARI ${mean(aris).toFixed(3)} (${aris.map((a) => a.toFixed(3)).join(' ')}), bar ${bar.toFixed(3)}`);
    expect(mean(aris)).toBeGreaterThanOrEqual(bar);
  }, 120_000);
});
