/**
 * The demo page (`examples/web/index.html`, served by `examples/web/serve.mjs`) in Debian's Chromium: it loads
 * cleanly, its playground fits Old Faithful to the log-likelihood Node gets with the same options, its large fit runs
 * in Web Workers with progress and stops on abort, its model selection picks what Node's `selectModel` picks, its
 * segmentation paints at most K colours, and a screenshot of the whole page is left in `test/artifacts/demo.png`.
 *
 * The page's playground runs the default SIMD build (`preferRelaxedSimd(false)`; Chromium would otherwise load the
 * relaxed build, whose fused multiply-adds change the last bits), so its lower bounds equal Node's to the bit; the
 * test allows 1e-9 relative.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, watchProblems } from './helpers.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const TYPES = ['full', 'tied', 'diag', 'spherical'] as const;

type Package = typeof import('../../src/index.js');

interface PlaygroundResult {
  lowerBound: number;
  nIter: number;
  converged: boolean;
  k: number;
  covarianceType: string;
  seed: number;
  nInit: number;
  init?: 'kmeans++' | 'kmeans' | 'random' | 'randomFromData';
  initCandidates?: number;
  backend?: string;
}

interface Sample {
  status: string;
  progress: number;
  live: number;
}

let browser: Browser;
let server: { url: string; close(): unknown };
let page: Page;
let problems: string[];
let pkg: Package;

beforeAll(async () => {
  const { startServer } = await import(pathToFileURL(join(root, 'examples/web/serve.mjs')).href) as {
    startServer(options: { port: number }): Promise<typeof server> | typeof server;
  };
  [browser, server, pkg] = await Promise.all([
    launchChromium(),
    startServer({ port: 0 }),
    import(pathToFileURL(join(root, 'dist/index.js')).href) as Promise<Package>,
  ]);
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  problems = watchProblems(page);
});

afterAll(async () => {
  await page?.close();
  await browser?.close();
  await server?.close();
});

/** Sets an input or a select, whichever the element is, as a user would. */
async function set(selector: string, value: string | number): Promise<void> {
  const tag = await page.locator(selector).evaluate((e) => e.tagName);
  if (tag === 'SELECT') await page.selectOption(selector, String(value));
  else await page.fill(selector, String(value));
}

/**
 * Waits until the element's text is `wanted` or starts with "error" (then fails with it at once, not at the timeout);
 * returns the milliseconds waited.
 */
async function untilStatus(selector: string, wanted: string, timeout: number): Promise<number> {
  const t0 = Date.now();
  const handle = await page.waitForFunction(([s, w]) => {
    const text = document.querySelector(s!)?.textContent?.trim() ?? '';
    return text === w || text.startsWith('error') ? text : false;
  }, [selector, wanted] as const, { timeout, polling: 20 });
  expect(await handle.jsonValue(), selector).toBe(wanted);
  return Date.now() - t0;
}

/** Polls `__demo.liveWorkers()` until it is 0; returns the last value seen. */
async function liveWorkersSettle(timeout = 3000): Promise<number> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const live = await page.evaluate(() => (window as any).__demo.liveWorkers() as number);
    if (live === 0 || Date.now() > deadline) return live;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Records the large fit's status, progress bar value and live workers every 10 ms, in the page. */
async function startSampling(): Promise<void> {
  await page.evaluate(() => {
    const w = window as any;
    const samples: Sample[] = [];
    w.__samples = samples;
    w.__sampling = setInterval(() => samples.push({
      status: document.querySelector('#big-status')!.textContent!.trim(),
      progress: (document.querySelector('#big-progress') as HTMLProgressElement).value,
      live: w.__demo.liveWorkers(),
    }), 10);
  });
}

async function stopSampling(): Promise<Sample[]> {
  return page.evaluate(() => {
    const w = window as any;
    clearInterval(w.__sampling);
    return w.__samples as Sample[];
  });
}

/** Generates the large fit's data set of n rows. */
async function generate(n: number): Promise<void> {
  await set('#big-n', n);
  await page.click('#big-generate');
  await untilStatus('#big-status', 'ready', 60_000);
}

function faithful(): number[][] {
  return readFileSync(join(root, 'examples/data/faithful.csv'), 'utf8').trim().split(/\r?\n/).slice(1)
    .map((line) => line.split(',').map(Number));
}

describe('the demo page in Chromium', () => {
  it('loads with no console error or warning and no uncaught exception', async () => {
    await page.goto(new URL('/examples/web/index.html', server.url).href);
    await page.waitForFunction(() => (window as any).__demoReady === true, null, { timeout: 30_000 });
    expect(await page.evaluate(() => globalThis.crossOriginIsolated)).toBe(true);
    expect(problems).toEqual([]);
  });

  it.each([
    ['wasm', [{ k: 2, covarianceType: 'full', seed: 42 }, { k: 4, covarianceType: 'tied', seed: 7 }]],
    ['js', [{ k: 3, covarianceType: 'diag', seed: 1 }, { k: 3, covarianceType: 'spherical', seed: 5 }]],
  ] as const)('fits Old Faithful (%s backend) to the lower bound of a Node fit with the same options', async (backend, cases) => {
    const X = faithful();
    if (await page.inputValue('#preset') !== 'faithful') {
      await set('#preset', 'faithful');
      await untilStatus('#fit-status', 'idle', 10_000);
    }
    expect(await page.evaluate(() => (window as any).__demo.points() as number[][])).toEqual(X);
    for (const { k, covarianceType, seed } of cases) {
      await set('#k', k);
      await set('#covariance', covarianceType);
      await set('#backend', backend);
      await set('#seed', seed);
      await page.evaluate(() => { (window as any).__demo.playground = null; });
      await page.click('#fit');
      await page.waitForFunction(() => (window as any).__demo.playground !== null, null, { timeout: 60_000 });
      await untilStatus('#fit-status', 'done', 10_000);
      const web = await page.evaluate(() => (window as any).__demo.playground as PlaygroundResult);
      expect({ k: web.k, covarianceType: web.covarianceType, seed: web.seed, backend: web.backend })
        .toEqual({ k, covarianceType, seed, backend });
      // The options the page reports, the others at their defaults on both sides.
      const node = new pkg.GaussianMixture({
        nComponents: k, covarianceType, seed, backend, nInit: web.nInit, init: web.init ?? 'kmeans++',
        ...(web.initCandidates === undefined ? {} : { initCandidates: web.initCandidates }),
      }).fit(X);
      const what = `${backend} ${covarianceType} K=${k} seed ${seed}: page ${web.lowerBound}, Node ${node.lowerBound}`;
      expect(Math.abs(web.lowerBound - node.lowerBound) / Math.abs(node.lowerBound), what).toBeLessThan(1e-9);
      expect(web.nIter, what).toBe(node.nIter);
      expect(web.converged, what).toBe(node.converged);
    }
    expect(problems).toEqual([]);
  });

  it('fits with fitAsync on Web Workers to the page\'s fit bit for bit, and to Node\'s within 1e-12', async () => {
    // The page's module graph (dist/index.js) in the page; a string, so that the test's transform leaves import() alone.
    const X = faithful();
    const options = { nComponents: 3, covarianceType: 'full', seed: 3, backend: 'wasm', initCandidates: 2 };
    const web = await page.evaluate(`(async () => {
      const { GaussianMixture } = await import('/dist/index.js');
      const gm = await new GaussianMixture(${JSON.stringify(options)}).fitAsync(${JSON.stringify(X)}, { workers: 2 });
      const sync = new GaussianMixture(${JSON.stringify(options)}).fit(${JSON.stringify(X)});
      if (JSON.stringify(sync.toJSON()) !== JSON.stringify(gm.toJSON())) throw new Error('fitAsync differs from fit in the page');
      return JSON.stringify(gm.toJSON());
    })()`) as string;
    const node = new pkg.GaussianMixture(options as ConstructorParameters<Package['GaussianMixture']>[0]).fit(X);
    // Chromium's V8 and Node's may round Math.exp and Math.log differently in the last bit, so the page's model is
    // Node's to 1e-12 relative (every number of the JSON); within the page, fitAsync equals fit bit for bit.
    const [a, b] = [JSON.parse(web).means.flat(2) as number[], node.means.flatMap((m) => Array.from(m))];
    a.forEach((v, i) => expect(Math.abs(v - b[i]!), `means entry ${i}: page ${v}, Node ${b[i]}`).toBeLessThanOrEqual(1e-12 * Math.abs(b[i]!)));
    expect(Math.abs(JSON.parse(web).lowerBound - node.lowerBound)).toBeLessThanOrEqual(1e-12 * Math.abs(node.lowerBound));
    expect(await liveWorkersSettle()).toBe(0);
    expect(problems).toEqual([]);
  });

  it('aborts the large fit (N = 1 000 000) within seconds and stops its workers', async () => {
    await generate(1_000_000);
    await startSampling();
    await page.click('#big-fit');
    await page.waitForFunction(() => {
      const w = window as any;
      return document.querySelector('#big-status')!.textContent!.trim() === 'running' && w.__demo.liveWorkers() > 0;
    }, null, { timeout: 30_000, polling: 20 });
    // Let it get under way (a first progress event) before stopping it.
    await page.waitForFunction(() => (document.querySelector('#big-progress') as HTMLProgressElement).value > 0,
      null, { timeout: 30_000, polling: 20 });
    await page.click('#big-abort');
    const ms = await untilStatus('#big-status', 'aborted', 5_000);
    expect(ms).toBeLessThan(5_000);
    expect(await liveWorkersSettle()).toBe(0);
    await new Promise((r) => setTimeout(r, 300));
    await stopSampling();
    expect((await page.textContent('#big-status'))!.trim(), 'stays aborted').toBe('aborted');
    expect(problems).toEqual([]);
  });

  it('runs the large fit (N = 100 000) in Web Workers, with progress, and ends with no worker left', async () => {
    await generate(100_000);
    await startSampling();
    await page.click('#big-fit');
    await untilStatus('#big-status', 'done', 90_000);
    const samples = await stopSampling();
    const running = samples.filter((s) => s.status === 'running');
    expect(running.length).toBeGreaterThan(0);
    expect(Math.max(...running.map((s) => s.live)), 'live workers while running').toBeGreaterThan(0);
    const values = running.map((s) => s.progress);
    expect(values.some((v, i) => i > 0 && v > values[i - 1]!), 'the progress bar moves').toBe(true);
    expect(values.every((v, i) => i === 0 || v >= values[i - 1]!), 'the progress bar never goes back').toBe(true);
    const big = await page.evaluate(() => (window as any).__demo.big);
    expect(big.progressEvents).toBeGreaterThan(0);
    expect(big.workers).toBeGreaterThan(0);
    for (const key of ['msPerIterWasm', 'msPerIterJs']) {
      expect(Number.isFinite(big[key]) && big[key] > 0, `${key} = ${big[key]}`).toBe(true);
    }
    expect((await page.textContent('#big-result'))!.trim()).not.toBe('');
    expect(await liveWorkersSettle()).toBe(0);
    expect(problems).toEqual([]);
  });

  it('selects the model a Node selectModel with the same options selects', async () => {
    const seed = Number(await page.inputValue('#seed'));
    const backend = await page.inputValue('#backend') as 'wasm' | 'js';
    const criterion = await page.inputValue('#select-criterion') as 'bic' | 'aic';
    await page.click('#select-run');
    await untilStatus('#select-status', 'done', 60_000);
    const web = await page.evaluate(() => (window as any).__demo.selection as
      { bestK: number; bestType: string; value: number });
    expect(TYPES).toContain(web.bestType);
    // The page's grid: K = 1…8, the four types, one restart each, the playground's seed and backend.
    const node = pkg.selectModel(faithful(), {
      nComponents: [1, 8], covarianceTypes: TYPES, criterion, nInit: 1, seed, backend,
    });
    expect({ bestK: web.bestK, bestType: web.bestType })
      .toEqual({ bestK: node.best.nComponents, bestType: node.best.covarianceType });
    const value = node.table[node.bestIndex]![criterion];
    expect(Math.abs(web.value - value) / Math.abs(value), `page ${web.value}, Node ${value}`).toBeLessThan(1e-9);
    expect(problems).toEqual([]);
  });

  it('segments the image into K colours', async () => {
    const k = 4;
    await set('#seg-k', k);
    await page.click('#seg-run');
    await untilStatus('#seg-status', 'done', 60_000);
    const info = await page.evaluate(() => {
      const pixels = (id: string) => {
        const c = document.querySelector(id) as HTMLCanvasElement;
        const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        const colours = new Set<number>();
        for (let i = 0; i < data.length; i += 4) colours.add((data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!);
        return { width: c.width, height: c.height, colours: colours.size };
      };
      return { original: pixels('#seg-original'), result: pixels('#seg-result') };
    });
    expect(info.original.width).toBeGreaterThan(0);
    expect(info.result).toMatchObject({ width: info.original.width, height: info.original.height });
    expect(info.original.colours).toBeGreaterThan(k);
    expect(info.result.colours).toBeGreaterThan(1);
    expect(info.result.colours).toBeLessThanOrEqual(k);
    expect(problems).toEqual([]);
  });

  it('leaves a screenshot of the whole page in test/artifacts/demo.png', async () => {
    mkdirSync(join(root, 'test/artifacts'), { recursive: true });
    const path = join(root, 'test/artifacts/demo.png');
    await page.screenshot({ path, fullPage: true });
    expect(readFileSync(path).subarray(1, 4).toString()).toBe('PNG');
    expect(statSync(path).size).toBeGreaterThan(10_000);
    expect(problems).toEqual([]);
  });
});
