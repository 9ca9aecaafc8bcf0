/**
 * Section 3, a large fit: N rows of dimension 16 drawn in the page from K = 8 separated Gaussian clusters (seeded),
 * fitted with the wasm backend on a pool of Web Workers (`fitAsync`), with progress and abort; then a few iterations
 * of the js backend on the same data and the same number of workers, to compare the time per EM iteration.
 *
 * Time per iteration: the time between the first progress report of iteration i and that of iteration i + 1 (an
 * E-step over all rows on the workers, the M-step on this thread, the messages), averaged over the iterations run;
 * the start (k-means++ on a sample, on this thread) and the pool's start-up are left out.
 * `window.__demo.big` gets `{ msPerIterWasm, msPerIterJs, ratio, workers, progressEvents, n, d, k, nIterWasm,
 * nIterJs, covarianceType }`.
 */
import { GaussianMixture, liveWorkers } from '../../dist/index.js';
import { makeRandom } from './random.js';

const D = 16;
const K = 8;
/**
 * EM iterations of the wasm fit and of the js comparison. Both run with `tol: 0`, so exactly this many (the clusters
 * are well separated: from k-means++ starts EM would meet the default tol after 2 or 3 iterations, too few to time).
 */
const MAX_ITER_WASM = 10;
const MAX_ITER_JS = 3;

/**
 * N rows of a mixture of K = 8 Gaussians in 16 dimensions: means drawn uniformly in [−8, 8]¹⁶ (redrawn while two are
 * closer than 8), per-axis standard deviations in [0.5, 1.5] with a random correlation along one direction, weights
 * from 0.5 to 1.5 normalized. Fills the rows in chunks and yields between them so the page stays responsive.
 * @param {number} n
 * @param {number} seed
 * @param {(fraction: number) => void} onChunk
 */
async function generate(n, seed, onChunk) {
  const random = makeRandom(seed);
  const means = [];
  while (means.length < K) {
    const m = Array.from({ length: D }, () => -8 + 16 * random.uniform());
    if (means.every((o) => Math.hypot(...o.map((v, j) => v - m[j])) >= 8)) means.push(m);
  }
  const scales = means.map(() => Array.from({ length: D }, () => 0.5 + random.uniform()));
  const directions = means.map(() => {
    const v = Array.from({ length: D }, () => random.normal());
    const norm = Math.hypot(...v);
    return v.map((x) => x / norm);
  });
  const raw = means.map(() => 0.5 + random.uniform());
  const total = raw.reduce((a, b) => a + b, 0);
  const cumulative = [];
  raw.reduce((acc, w, c) => (cumulative[c] = acc + w / total), 0);
  const X = new Float64Array(n * D);
  const chunk = 50_000;
  for (let start = 0; start < n; start += chunk) {
    const end = Math.min(n, start + chunk);
    for (let i = start; i < end; i++) {
      const u = random.uniform();
      let c = 0;
      while (c < K - 1 && u >= cumulative[c]) c++;
      const along = 1.5 * random.normal();
      const row = i * D;
      const m = means[c];
      const s = scales[c];
      const dir = directions[c];
      for (let j = 0; j < D; j++) X[row + j] = m[j] + s[j] * random.normal() + along * dir[j];
    }
    onChunk(end / n);
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  return X;
}

/** Mean of the gaps between the first progress reports of consecutive iterations (ms). */
function msPerIteration(starts, end) {
  const iters = [...starts.keys()].sort((a, b) => a - b);
  if (iters.length === 0) return NaN;
  if (iters.length === 1) return end - starts.get(iters[0]);
  return (starts.get(iters[iters.length - 1]) - starts.get(iters[0])) / (iters.length - 1);
}

/** @param {{ demo: object, wasm: boolean }} env */
export function setupBig({ demo, wasm }) {
  const $ = (id) => document.getElementById(id);
  const status = $('big-status');
  const progress = $('big-progress');
  const result = $('big-result');
  const live = $('big-live');
  const buttons = { generate: $('big-generate'), fit: $('big-fit'), abort: $('big-abort') };
  const state = { X: null, n: 0, seed: NaN, controller: null };
  const workers = Math.max(1, navigator.hardwareConcurrency || 1);
  $('big-workers').textContent = String(workers);

  const showLive = () => {
    live.textContent = String(liveWorkers());
  };
  let timer = null;
  const watchLive = (on) => {
    if (timer !== null) clearInterval(timer);
    timer = on ? setInterval(showLive, 100) : null;
    showLive();
  };
  /** Buttons while busy (abortable: while a fit runs) and idle. */
  const setBusy = (busy, abortable = false) => {
    buttons.generate.disabled = busy;
    buttons.fit.disabled = busy;
    buttons.abort.disabled = !abortable;
  };

  async function ensureData() {
    const n = Number($('big-n').value);
    const seed = Number($('seed').value);
    if (state.X !== null && state.n === n && state.seed === seed) return;
    state.X = null;
    status.textContent = 'generating';
    progress.max = 1;
    progress.value = 0;
    const t0 = performance.now();
    state.X = await generate(n, seed, (f) => {
      progress.value = f;
    });
    state.n = n;
    state.seed = seed;
    result.textContent = `${n.toLocaleString('en')} rows × ${D} generated in ${(performance.now() - t0).toFixed(0)} ms ` +
      `(${((n * D * 8) / 2 ** 20).toFixed(0)} MiB of float64).`;
    status.textContent = 'ready';
  }

  /** Generates the rows unless those of this N and seed are there; false (and idle buttons) on a failure. */
  async function prepare() {
    setBusy(true);
    try {
      await ensureData();
      return true;
    } catch (e) {
      status.textContent = `error: ${e.message}`;
      setBusy(false);
      return false;
    }
  }

  buttons.generate.addEventListener('click', async () => {
    if (await prepare()) setBusy(false);
  });

  buttons.abort.addEventListener('click', () => {
    state.controller?.abort();
  });

  buttons.fit.addEventListener('click', async () => {
    if (!(await prepare())) return;
    const controller = new AbortController();
    state.controller = controller;
    setBusy(true, true);
    const { X, n } = state;
    const covarianceType = $('big-covariance').value;
    const seed = Number($('seed').value);
    let progressEvents = 0;
    progress.max = MAX_ITER_WASM + MAX_ITER_JS;
    progress.value = 0;
    status.textContent = 'running';
    watchLive(true);
    // Progress: iterations done plus the fraction of the current E-step's rows; the wasm fit fills the bar up to
    // MAX_ITER_WASM, the js comparison the rest.
    const track = (offset, starts) => (p) => {
      progressEvents++;
      if (!starts.has(p.iter)) starts.set(p.iter, performance.now());
      progress.value = Math.max(progress.value, offset + p.iter - 1 + p.rowsDone / p.rowsTotal);
    };
    try {
      const common = { nComponents: K, covarianceType, seed, nInit: 1, initCandidates: 1, tol: 0 };
      const wasmStarts = new Map();
      const t0 = performance.now();
      const model = await new GaussianMixture({ ...common, backend: wasm ? 'wasm' : 'js', maxIter: MAX_ITER_WASM })
        .fitAsync(X, { nFeatures: D, workers, signal: controller.signal, onProgress: track(0, wasmStarts) });
      const wasmEnd = performance.now();
      const msPerIterWasm = msPerIteration(wasmStarts, wasmEnd);
      progress.value = MAX_ITER_WASM;
      result.textContent = `wasm: ${msPerIterWasm.toFixed(1)} ms per iteration (${model.nIter} iterations, ` +
        `${((wasmEnd - t0) / 1000).toFixed(2)} s with the start). Now ${MAX_ITER_JS} iterations of the js backend…`;
      const jsStarts = new Map();
      const jsModel = await new GaussianMixture({ ...common, backend: 'js', maxIter: MAX_ITER_JS })
        .fitAsync(X, { nFeatures: D, workers, signal: controller.signal, onProgress: track(MAX_ITER_WASM, jsStarts) });
      const msPerIterJs = msPerIteration(jsStarts, performance.now());
      progress.value = progress.max;
      const ratio = msPerIterJs / msPerIterWasm;
      demo.big = {
        msPerIterWasm, msPerIterJs, ratio, workers, progressEvents, n, d: D, k: K, nIterWasm: model.nIter,
        nIterJs: jsModel.nIter, covarianceType,
      };
      result.textContent = `${n.toLocaleString('en')} rows × ${D}, K = ${K}, '${covarianceType}', ${workers} ` +
        `worker${workers === 1 ? '' : 's'}: wasm ${msPerIterWasm.toFixed(1)} ms per EM iteration ` +
        `(${model.nIter} iterations, mean log-likelihood ${model.lowerBound.toFixed(4)}); js ${msPerIterJs.toFixed(1)} ms per iteration (${jsModel.nIter} iterations): ` +
        `wasm is ${ratio.toFixed(1)}× faster. ${progressEvents} progress reports.`;
      status.textContent = 'done';
    } catch (e) {
      status.textContent = e?.name === 'AbortError' ? 'aborted' : `error: ${e.message}`;
      if (e?.name === 'AbortError') result.textContent = 'Aborted: the workers were terminated.';
    } finally {
      state.controller = null;
      watchLive(false);
      setBusy(false);
    }
  });
}
