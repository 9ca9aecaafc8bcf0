/**
 * Section 1, the 2-D playground: a data set (Old Faithful, generated blobs, points added by clicking), a Gaussian
 * mixture fitted by EM and shown iteration by iteration.
 *
 * The fit's options — a Node fit with the same options, backend and rows gives the same `lowerBound`, to the last bit
 * (the page loads the default SIMD build with `preferRelaxedSimd(false)`, the one Node loads; the wasm and js backends
 * may differ from each other in the last bits, since they sum in different orders):
 *
 *   new GaussianMixture({ nComponents: k, covarianceType, seed, backend,
 *                         init: 'kmeans++', nInit: 1, initCandidates: 1 })   // maxIter 100, tol 1e-3, regCovar 1e-6
 *     .fit(points)                 // points: number[][] ([eruptions, waiting] rows of faithful.csv, in file order)
 *
 * `initCandidates: 1` is plain EM from the k-means++ start (scikit-learn's way, no short runs from other starts), so
 * the run is one sequence of iterates. The animation shows those real iterates: frame t is a fresh fit with the same
 * options and `maxIter: t` (the same start, stopped after t EM iterations: parameters after the t-th M-step); the last
 * frame is the full fit itself. The log-likelihood curve is the full fit's `onIteration` record.
 * Note that `initCandidates` matters: the library's default (10 starts, short runs) can end elsewhere (Old Faithful,
 * K = 2, full, seed 42: −4.155386… in 4 iterations by default, −4.155408… in 6 with `initCandidates: 1`).
 * `window.__demo.playground` gets `{ lowerBound, nIter, converged, k, covarianceType, seed, nInit, initCandidates,
 * init, backend, options }` of the full fit (`options`: the constructor's options, as given);
 * `window.__demo.points()` returns the rows of the playground (those fitted, unless points were added since).
 */
import { GaussianMixture } from '../../dist/index.js';
import { COLOURS, context2d, drawAxes, lineChart, makeView, paddedRange, rgb, traceEllipse } from './plot.js';
import { makeRandom } from './random.js';

/** The options of the playground's fits (see the comment at the top). */
export function playgroundOptions({ k, covarianceType, seed, backend }) {
  return { nComponents: k, covarianceType, seed, backend, init: 'kmeans++', nInit: 1, initCandidates: 1 };
}

/** Old Faithful's rows, [eruptions, waiting], from the bundled CSV. */
async function loadFaithful() {
  const response = await fetch('../data/faithful.csv');
  if (!response.ok) throw new Error(`faithful.csv: HTTP ${response.status}`);
  const [, ...lines] = (await response.text()).trim().split(/\r?\n/);
  return lines.map((line) => line.split(',').map(Number));
}

/** Four blobs of 150 points with different shapes (seeded: the same points on every load). */
export function blobs(seed = 1) {
  const random = makeRandom(seed);
  const shapes = [
    { mean: [2.5, 7.5], a: 0.9, b: 0.35, angle: 0.6 },
    { mean: [7, 7.8], a: 0.45, b: 0.45, angle: 0 },
    { mean: [4.2, 3], a: 1.4, b: 0.3, angle: -0.3 },
    { mean: [8, 2.8], a: 0.7, b: 0.55, angle: 1.2 },
  ];
  const points = [];
  for (const { mean, a, b, angle } of shapes) {
    for (let i = 0; i < 150; i++) {
      const u = a * random.normal();
      const v = b * random.normal();
      points.push([mean[0] + u * Math.cos(angle) - v * Math.sin(angle), mean[1] + u * Math.sin(angle) + v * Math.cos(angle)]);
    }
  }
  return points;
}

const PRESETS = {
  faithful: { load: loadFaithful, xLabel: 'eruption time (min)', yLabel: 'waiting to next (min)' },
  blobs: { load: async () => blobs(1), xLabel: 'x', yLabel: 'y' },
};

const nextFrame = () => new Promise((resolve) => requestAnimationFrame(() => resolve()));
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Draws points (coloured by their responsibilities when a model is given: each point's colour is the mix of the
 * components' colours weighted by p(c | x)), each component's mean and its 1σ and 2σ ellipses.
 * @param {HTMLCanvasElement} canvas
 * @param {number[][]} points
 * @param {GaussianMixture | null} model
 * @param {{ range: { x0: number, x1: number, y0: number, y1: number }, xLabel: string, yLabel: string, title?: string }} frame
 */
export function drawMixture(canvas, points, model, frame) {
  const { ctx, width, height } = context2d(canvas);
  ctx.clearRect(0, 0, width, height);
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, width, height);
  const view = makeView(frame.range, { left: 58, top: frame.title ? 26 : 12, right: width - 12, bottom: height - 40 });
  drawAxes(ctx, view, frame);
  ctx.save();
  ctx.beginPath();
  ctx.rect(view.box.left, view.box.top, view.box.right - view.box.left, view.box.bottom - view.box.top);
  ctx.clip();
  const proba = model !== null && points.length > 0 ? model.predictProba(points) : null;
  const palette = COLOURS.map(rgb);
  for (let i = 0; i < points.length; i++) {
    let colour = '#777';
    if (proba !== null) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (let c = 0; c < proba.cols; c++) {
        const p = proba.data[i * proba.cols + c];
        const [cr, cg, cb] = palette[c % palette.length];
        r += p * cr;
        g += p * cg;
        b += p * cb;
      }
      colour = `rgb(${Math.round(r)},${Math.round(g)},${Math.round(b)})`;
    }
    ctx.fillStyle = colour;
    ctx.globalAlpha = 0.8;
    ctx.beginPath();
    ctx.arc(view.px(points[i][0]), view.py(points[i][1]), 3.2, 0, 2 * Math.PI);
    ctx.fill();
  }
  ctx.globalAlpha = 1;
  if (model !== null) {
    model.means.forEach((mean, c) => {
      const cov = model.covarianceMatrix(c);
      const colour = COLOURS[c % COLOURS.length];
      for (const [r, dash, lw] of [[1, [], 2], [2, [6, 4], 1.4]]) {
        traceEllipse(ctx, view, mean, cov, r);
        ctx.setLineDash(dash);
        ctx.lineWidth = lw + 2;
        ctx.strokeStyle = 'rgba(255,255,255,0.85)';
        ctx.stroke();
        ctx.lineWidth = lw;
        ctx.strokeStyle = colour;
        ctx.stroke();
      }
      ctx.setLineDash([]);
      const x = view.px(mean[0]);
      const y = view.py(mean[1]);
      for (const [lw, stroke] of [[5, '#fff'], [2.2, colour]]) {
        ctx.lineWidth = lw;
        ctx.strokeStyle = stroke;
        ctx.beginPath();
        ctx.moveTo(x - 7, y - 7);
        ctx.lineTo(x + 7, y + 7);
        ctx.moveTo(x + 7, y - 7);
        ctx.lineTo(x - 7, y + 7);
        ctx.stroke();
      }
    });
  }
  ctx.restore();
  return view;
}

/**
 * Wires up the playground.
 * @param {{ demo: object, wasm: boolean }} env
 */
export async function setupPlayground({ demo, wasm }) {
  const $ = (id) => document.getElementById(id);
  const canvas = $('playground-canvas');
  const llCanvas = $('playground-ll');
  const status = $('fit-status');
  const info = $('fit-info');
  const fitButton = $('fit');
  if (!wasm) {
    $('backend').value = 'js';
    $('backend').querySelector('option[value="wasm"]').disabled = true;
  }

  const state = { points: [], preset: 'faithful', range: null, model: null, run: 0 };

  function frameOf(title) {
    const p = PRESETS[state.preset];
    return { range: state.range, xLabel: p.xLabel, yLabel: p.yLabel, title };
  }
  function redraw(title = '') {
    drawMixture(canvas, state.points, state.model, frameOf(title));
  }
  function drawHistory(history, upTo, total) {
    lineChart(llCanvas, [{ label: 'log L', colour: '#0072B2', points: history.slice(0, upTo).map((v, i) => [i + 1, v]) }],
      { xLabel: 'EM iteration', yLabel: 'mean log-likelihood', title: 'Log-likelihood per row',
        xRange: [1, Math.max(2, total)], integerX: true });
  }
  function setRange() {
    const [x0, x1] = paddedRange(state.points.map((p) => p[0]), 0.1);
    const [y0, y1] = paddedRange(state.points.map((p) => p[1]), 0.1);
    state.range = { x0, x1, y0, y1 };
  }
  function describe() {
    $('points-info').textContent = `${state.points.length} points`;
  }

  async function loadPreset(name) {
    state.run++;
    state.preset = name;
    state.points = await PRESETS[name].load();
    state.model = null;
    setRange();
    describe();
    redraw();
    drawHistory([], 0, 2);
    info.textContent = '';
    status.textContent = 'idle';
  }

  canvas.addEventListener('click', (event) => {
    const rect = canvas.getBoundingClientRect();
    const view = makeView(state.range, { left: 58, top: 12, right: Number(canvas.dataset.w) - 12,
      bottom: Number(canvas.dataset.h) - 40 });
    const [x, y] = view.invert(event.clientX - rect.left, event.clientY - rect.top);
    if (x < state.range.x0 || x > state.range.x1 || y < state.range.y0 || y > state.range.y1) return;
    state.points.push([x, y]);
    describe();
    redraw();
  });

  $('preset').addEventListener('change', () => {
    loadPreset($('preset').value).catch((e) => {
      status.textContent = `error: ${e.message}`;
    });
  });

  async function fit() {
    const run = ++state.run;
    const settings = {
      k: Number($('k').value), covarianceType: $('covariance').value, seed: Number($('seed').value),
      backend: $('backend').value,
    };
    const options = playgroundOptions(settings);
    const points = state.points.map((p) => p.slice());
    status.textContent = 'running';
    fitButton.disabled = true;
    try {
      await nextFrame();
      const history = [];
      const t0 = performance.now();
      const final = new GaussianMixture(options).fit(points, { onIteration: (it) => history.push(it.logLikelihood) });
      const fitMs = performance.now() - t0;
      const total = final.nIter;
      const delay = Math.max(40, Math.min(300, 4000 / total));
      for (let t = 1; t <= total; t++) {
        if (run !== state.run) return;
        state.model = t === total ? final : new GaussianMixture({ ...options, maxIter: t }).fit(points);
        redraw();
        drawHistory(history, t, total);
        info.textContent = `iteration ${t} of ${total}: mean log-likelihood ${history[t - 1].toFixed(5)}`;
        if (t < total) await sleep(delay);
      }
      demo.playground = {
        lowerBound: final.lowerBound, nIter: final.nIter, converged: final.converged, k: settings.k,
        covarianceType: settings.covarianceType, seed: settings.seed, nInit: options.nInit,
        initCandidates: options.initCandidates, init: options.init, backend: settings.backend, options: { ...options },
      };
      info.textContent = `${final.converged ? 'converged' : 'stopped without converging'} after ${total} ` +
        `iteration${total === 1 ? '' : 's'}; lower bound ${final.lowerBound} (mean log-likelihood per row); ` +
        `weights ${Array.from(final.weights, (w) => w.toFixed(3)).join(', ')}; fit ${fitMs.toFixed(1)} ms ` +
        `(${settings.backend})`;
      status.textContent = 'done';
    } catch (e) {
      if (run === state.run) status.textContent = `error: ${e.message}`;
    } finally {
      fitButton.disabled = false;
    }
  }
  fitButton.addEventListener('click', () => {
    fit();
  });

  await loadPreset($('preset').value);
  return { points: () => state.points.map((p) => p.slice()), range: () => state.range, preset: () => state.preset };
}
