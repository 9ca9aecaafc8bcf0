/**
 * The npm package in a user's browser app: `npm pack` of the checkout, installed offline in an empty project, an entry
 * importing 'wasm-em' bundled by `esbuild --bundle --platform=browser --format=esm` with no configuration, served on
 * 127.0.0.1 with the package's worker bundle beside it, and run in Chromium: `fit` and `fitAsync` on 2 Web Workers of
 * Old Faithful give the lower bound of a Node fit of the sources (to 1e-9 relative; the page loads the default SIMD
 * build, as Node does, so they agree to the bit).
 */
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { build } from 'esbuild';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GaussianMixture } from '../../src/index.js';
import { loadReference } from '../helpers/load-csv.js';
import { packAndInstall, type Installed } from '../helpers/packed.js';
import { launchChromium, watchProblems } from './helpers.js';

const X = loadReference('faithful').array;

const ENTRY = `import { GaussianMixture, initWasm, liveWorkers, preferRelaxedSimd } from 'wasm-em';
const X = await (await fetch('./faithful.json')).json();
preferRelaxedSimd(false);
await initWasm();
const sync = new GaussianMixture({ nComponents: 2, seed: 1, backend: 'wasm' }).fit(X);
const pooled = await new GaussianMixture({ nComponents: 2, seed: 1, backend: 'wasm' }).fitAsync(X, { workers: 2 });
window.result = { fit: sync.lowerBound, fitAsync: pooled.lowerBound, liveAfter: liveWorkers() };
`;

let installed: Installed;
let server: Server;
let browser: Browser;
let base: string;

beforeAll(async () => {
  installed = packAndInstall('module');
  const site = join(installed.dir, 'site');
  mkdirSync(site);
  writeFileSync(join(installed.project, 'entry.mjs'), ENTRY);
  const result = await build({
    entryPoints: [join(installed.project, 'entry.mjs')], bundle: true, platform: 'browser', format: 'esm',
    outfile: join(site, 'app.js'), absWorkingDir: installed.project, logLevel: 'silent',
  });
  expect(result.errors).toEqual([]);
  // fitAsync loads its workers from worker.js beside the bundle.
  copyFileSync(join(installed.project, 'node_modules/wasm-em/dist/worker.js'), join(site, 'worker.js'));
  writeFileSync(join(site, 'faithful.json'), JSON.stringify(X));
  writeFileSync(join(site, 'index.html'),
    '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><script type="module" src="app.js"></script>');
  const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.json': 'application/json' };
  server = createServer((req, res) => {
    const name = (req.url ?? '/').split('?')[0] === '/' ? 'index.html' : (req.url ?? '').slice(1).split('?')[0]!;
    if (!/^[\w.-]+$/.test(name)) return void res.writeHead(404).end();
    try {
      const body = readFileSync(join(site, name));
      res.writeHead(200, { 'content-type': types[name.slice(name.lastIndexOf('.'))] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  browser = await launchChromium();
}, 90_000);

afterAll(async () => {
  await browser?.close();
  server?.close();
  if (installed) rmSync(installed.dir, { recursive: true, force: true });
});

describe('an esbuild browser bundle of the packed package', () => {
  it('fits Old Faithful in Chromium, by fit and by fitAsync on 2 Web Workers, as Node does', async () => {
    const page = await browser.newPage();
    const problems = watchProblems(page);
    await page.goto(base);
    await page.waitForFunction(() => (window as unknown as { result?: unknown }).result !== undefined, null,
      { timeout: 60_000 });
    const result = await page.evaluate(() =>
      (window as unknown as { result: { fit: number; fitAsync: number; liveAfter: number } }).result);
    const node = new GaussianMixture({ nComponents: 2, seed: 1, backend: 'wasm' }).fit(X).lowerBound;
    expect(Math.abs(result.fit - node)).toBeLessThanOrEqual(1e-9 * Math.abs(node));
    expect(Math.abs(result.fitAsync - node)).toBeLessThanOrEqual(1e-9 * Math.abs(node));
    expect(result.liveAfter).toBe(0);
    expect(problems).toEqual([]);
    await page.close();
  });
});
