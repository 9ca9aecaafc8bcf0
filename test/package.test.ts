/**
 * The built package (`dist/`, made by `npm run build`, which `npm test` runs first) loads its wasm with no network and
 * no bundler plugin, through `import` and `require`, and both give the same fit as the sources.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { GaussianMixture } from '../src/index.js';
import { loadReference } from './helpers/load-csv.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const X = loadReference('faithful').array;
const script = (load: string) => `${load}
const X = ${JSON.stringify(X)};
if (!m.wasmAvailable()) throw new Error('wasm unavailable');
const gm = new m.GaussianMixture({ nComponents: 2, seed: 1, backend: 'wasm' }).fit(X);
console.log(JSON.stringify({ score: gm.score(X), json: gm.toJSON() }));`;

function run(args: string[]): { score: number; json: unknown } {
  return JSON.parse(execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8' }));
}

describe('the built package', () => {
  it('exists (npm test builds it first)', () => {
    expect(existsSync(`${root}/dist/index.js`)).toBe(true);
    expect(existsSync(`${root}/dist/index.cjs`)).toBe(true);
    expect(existsSync(`${root}/dist/index.d.ts`)).toBe(true);
  });

  it('fits through import (ESM) and require (CJS) by its package name, like the sources', () => {
    const esm = run(['--input-type=module', '-e', script("import * as m from 'wasm-em';")]);
    const cjs = run(['-e', script("const m = require('wasm-em');")]);
    const src = new GaussianMixture({ nComponents: 2, seed: 1, backend: 'wasm' }).fit(X);
    expect(esm.score).toBe(src.score(X));
    expect(cjs.score).toBe(src.score(X));
    expect(esm.json).toEqual(src.toJSON());
  });
});
