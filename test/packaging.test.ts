/**
 * The npm package as published: `npm pack` of the checkout, installed offline in an empty project, works by `import`,
 * `require`, TypeScript, `npx wasm-em` and `fitAsync` on 2 workers, and bundles for browsers with esbuild with no
 * Node module left to resolve.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GaussianMixture } from '../src/index.js';
import { loadReference } from './helpers/load-csv.js';
import { ROOT, packAndInstall, type Installed } from './helpers/packed.js';

const faithful = loadReference('faithful');
const X = faithful.array;
const FAITHFUL_CSV = join(ROOT, 'test/fixtures/reference/faithful.csv');

let installed: Installed;
beforeAll(() => {
  installed = packAndInstall('commonjs');
}, 60_000);
afterAll(() => {
  if (installed) rmSync(installed.dir, { recursive: true, force: true });
});

function node(args: string[]): string {
  return execFileSync(process.execPath, args, { cwd: installed.project, encoding: 'utf8' });
}

const fitScript = (load: string, fit: string) => `${load}
const X = ${JSON.stringify(X)};
(async () => {
  const gm = ${fit};
  console.log(JSON.stringify({ lowerBound: gm.lowerBound, score: gm.score(X) }));
})();`;

describe('the packed package', () => {
  it('holds dist/, README.md, LICENSE and package.json, and nothing else', () => {
    expect(installed.files).toEqual([
      'LICENSE', 'README.md', 'dist/cli.js', 'dist/index.browser.js', 'dist/index.cjs', 'dist/index.d.cts',
      'dist/index.d.ts', 'dist/index.js', 'dist/worker.js', 'package.json',
    ]);
    const pkg = JSON.parse(readFileSync(join(installed.project, 'node_modules/wasm-em/package.json'), 'utf8'));
    expect(pkg.license).toBe('MIT');
    expect(pkg.repository.url).toContain('github.com/wasm-em/wasm-em');
    expect(pkg.homepage).toContain('github.com/wasm-em/wasm-em');
    expect(pkg.bugs.url).toContain('github.com/wasm-em/wasm-em');
    expect(pkg.scripts.prepack).toBe('npm run build');
  });

  it('has a README whose links all resolve in the package (anchors) or on the web (absolute addresses)', () => {
    const readme = readFileSync(join(installed.project, 'node_modules/wasm-em/README.md'), 'utf8');
    const anchors = new Set([...readme.matchAll(/^#+ (.+)$/gm)].map((m) => m[1].trim().toLowerCase()
      .replace(/[^\p{L}\p{N} -]/gu, '').replace(/ /g, '-')));
    const links = [...readme.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]);
    expect(links.length).toBeGreaterThan(0);
    for (const link of links) {
      if (/^https?:\/\//.test(link)) continue;
      if (link.startsWith('#')) {
        expect(anchors.has(link.slice(1)), `README anchor ${link}`).toBe(true);
        continue;
      }
      expect(installed.files, `README link ${link}: not in the package`).toContain(link.replace(/^\.\//, ''));
    }
  });

  it('fits through import (ESM) and require (CJS), as the sources do', () => {
    const src = new GaussianMixture({ nComponents: 2, seed: 1 }).fit(X);
    const fit = 'new m.GaussianMixture({ nComponents: 2, seed: 1 }).fit(X)';
    const esm = JSON.parse(node(['--input-type=module', '-e', fitScript("import * as m from 'wasm-em';", fit)]));
    const cjs = JSON.parse(node(['-e', fitScript("const m = require('wasm-em');", fit)]));
    expect(esm.lowerBound).toBe(src.lowerBound);
    expect(cjs.lowerBound).toBe(src.lowerBound);
    expect(esm.score).toBe(src.score(X));
  });

  it('fitAsync on 2 workers (its worker bundle found in the installed package) gives the fit of fit()', () => {
    const src = new GaussianMixture({ nComponents: 2, seed: 1 }).fit(X);
    const fit = 'await new m.GaussianMixture({ nComponents: 2, seed: 1 }).fitAsync(X, { workers: 2 })';
    const esm = JSON.parse(node(['--input-type=module', '-e', fitScript("import * as m from 'wasm-em';", fit)]));
    const cjs = JSON.parse(node(['-e', fitScript("const m = require('wasm-em');", fit)]));
    expect(esm.lowerBound).toBe(src.lowerBound);
    expect(cjs.lowerBound).toBe(src.lowerBound);
  });

  it('type-checks a TypeScript user of the package, as ESM (.mts) and as CJS (.cts)', () => {
    const user = `import { GaussianMixture, InputError, type GaussianMixtureJSON } from 'wasm-em';
const gm: GaussianMixture = new GaussianMixture({ nComponents: 2, covarianceType: 'diag' });
const json: GaussianMixtureJSON = gm.fit([[0, 1], [1, 2], [5, 6], [6, 7]]).toJSON();
const labels: Int32Array = gm.predict([[0, 1]]);
export const used = [json, labels, InputError];
`;
    writeFileSync(join(installed.project, 'user.mts'), user);
    writeFileSync(join(installed.project, 'user.cts'), user);
    const bad = "import { GaussianMixture } from 'wasm-em';\nnew GaussianMixture({ nComponents: 'two' });\n";
    writeFileSync(join(installed.project, 'bad.mts'), bad);
    const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
    const flags = ['--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target',
      'es2022', '--lib', 'es2022,dom'];
    // One run over the three files: the users type-check, and the types are really read (a wrong option type in
    // bad.mts is the only error).
    let output = '';
    try {
      execFileSync(process.execPath, [tsc, ...flags, 'user.mts', 'user.cts', 'bad.mts'],
        { cwd: installed.project, encoding: 'utf8', stdio: 'pipe' });
    } catch (e) {
      output = String((e as { stdout?: unknown }).stdout);
    }
    const errors = output.split('\n').filter((line) => /error TS\d+/.test(line));
    expect(errors.length, output).toBe(1);
    expect(errors[0]).toMatch(/^bad\.mts\(2,.*error TS2322: Type 'string' is not assignable to type 'number'/);
  }, 60_000);

  it('npx wasm-em runs the installed executable: --help, and a fit of a CSV', () => {
    const npx = (args: string[]) => execFileSync('npx', ['--offline', '--no-install', 'wasm-em', ...args],
      { cwd: installed.project, encoding: 'utf8' });
    expect(npx(['--help'])).toMatch(/^wasm-em \d+\.\d+\.\d+/);
    const model = JSON.parse(npx(['fit', FAITHFUL_CSV, '-k', '2', '--seed', '1']));
    const src = new GaussianMixture({ nComponents: 2, seed: 1 }).fit(X);
    expect(model.lowerBound).toBe(src.lowerBound);
  }, 60_000);

  it('bundles for browsers with esbuild (--platform=browser), with no configuration and no Node module', async () => {
    const entry = join(installed.project, 'entry.mjs');
    writeFileSync(entry, "import { GaussianMixture } from 'wasm-em';\nexport const fit = (X) => new GaussianMixture({ nComponents: 2 }).fit(X);\n");
    const result = await build({
      entryPoints: [entry], bundle: true, platform: 'browser', format: 'esm', write: false, logLevel: 'silent',
      absWorkingDir: installed.project, metafile: true,
    });
    expect(result.errors).toEqual([]);
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs).toContain('node_modules/wasm-em/dist/index.browser.js');
    const text = result.outputFiles[0]!.text;
    expect(text).not.toMatch(/\bimport\s*\(\s*["'](node:)?(fs|os|path|url|worker_threads)["']/);
    expect(text).not.toMatch(/\brequire\(["'](node:)?\w+["']\)/);
  });
});
