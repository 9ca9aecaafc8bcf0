/**
 * Section 4, image segmentation by colour: a Gaussian mixture on the pixels' RGB colours (scaled to [0, 1]), fitted
 * on a random sample of at most 20 000 pixels; every pixel is then assigned (`predict`) and painted with its
 * component's mean colour. The bundled `sample.svg` is drawn for this page; any image file can be picked instead.
 */
import { GaussianMixture } from '../../dist/index.js';
import { makeRandom } from './random.js';

const MAX_WIDTH = 480;
const MAX_HEIGHT = 360;
const SAMPLE = 20_000;

function loadImage(src) {
  return new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => resolve(img);
    img.onerror = () => reject(new Error(`could not load the image ${src}`));
    img.src = src;
  });
}

/** @param {{ wasm: boolean }} env */
export async function setupSegmentation({ wasm }) {
  const $ = (id) => document.getElementById(id);
  const original = $('seg-original');
  const segmented = $('seg-result');
  const status = $('seg-status');
  const button = $('seg-run');
  const legend = $('seg-legend');

  /** Draws an image (or bitmap) on the original canvas, scaled down to fit MAX_WIDTH × MAX_HEIGHT. */
  function show(image, width, height) {
    const scale = Math.min(1, MAX_WIDTH / width, MAX_HEIGHT / height);
    const w = Math.max(1, Math.round(width * scale));
    const h = Math.max(1, Math.round(height * scale));
    for (const canvas of [original, segmented]) {
      canvas.width = w;
      canvas.height = h;
    }
    const ctx = original.getContext('2d', { willReadFrequently: true });
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, w, h);
    ctx.drawImage(image, 0, 0, w, h);
    segmented.getContext('2d').clearRect(0, 0, w, h);
    legend.textContent = '';
    status.textContent = 'idle';
  }

  async function loadSample() {
    const img = await loadImage('sample.svg');
    show(img, img.naturalWidth || 480, img.naturalHeight || 320);
  }

  $('seg-file').addEventListener('change', async (event) => {
    const file = event.target.files?.[0];
    if (!file) return;
    try {
      const bitmap = await createImageBitmap(file);
      show(bitmap, bitmap.width, bitmap.height);
      bitmap.close();
    } catch (e) {
      status.textContent = `error: ${file.name} is not an image this browser can read`;
    }
  });
  $('seg-sample').addEventListener('click', () => {
    $('seg-file').value = '';
    loadSample().catch((e) => {
      status.textContent = `error: ${e.message}`;
    });
  });

  button.addEventListener('click', async () => {
    status.textContent = 'running';
    button.disabled = true;
    try {
      await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
      const k = Number($('seg-k').value);
      const covarianceType = $('seg-covariance').value;
      const seed = Number($('seed').value);
      const { width, height } = original;
      const image = original.getContext('2d', { willReadFrequently: true }).getImageData(0, 0, width, height);
      const n = width * height;
      const colours = new Float64Array(n * 3);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < 3; j++) colours[i * 3 + j] = image.data[i * 4 + j] / 255;
      }
      // A uniform sample of the pixels for the fit (a partial Fisher–Yates shuffle of the indices).
      const m = Math.min(SAMPLE, n);
      const index = new Uint32Array(n);
      for (let i = 0; i < n; i++) index[i] = i;
      const random = makeRandom(seed);
      const sample = new Float64Array(m * 3);
      for (let i = 0; i < m; i++) {
        const j = i + Math.floor(random.uniform() * (n - i));
        const t = index[i];
        index[i] = index[j];
        index[j] = t;
        sample.set(colours.subarray(index[i] * 3, index[i] * 3 + 3), i * 3);
      }
      const t0 = performance.now();
      // Flat areas of one exact colour would give a component a zero variance: regCovar 1e-4 (a standard deviation
      // of 1% of the colour range) keeps every component a proper density.
      const gm = new GaussianMixture({ nComponents: k, covarianceType, seed, nInit: 1, regCovar: 1e-4,
        backend: wasm ? 'wasm' : 'js' }).fit(sample, { nFeatures: 3 });
      const fitMs = performance.now() - t0;
      const labels = gm.predict(colours, { nFeatures: 3 });
      const palette = gm.means.map((mu) => Array.from(mu, (v) => Math.round(Math.min(1, Math.max(0, v)) * 255)));
      const out = new ImageData(width, height);
      for (let i = 0; i < n; i++) {
        const [r, g, b] = palette[labels[i]];
        out.data[i * 4] = r;
        out.data[i * 4 + 1] = g;
        out.data[i * 4 + 2] = b;
        out.data[i * 4 + 3] = 255;
      }
      segmented.getContext('2d').putImageData(out, 0, 0);
      const counts = new Array(k).fill(0);
      for (let i = 0; i < n; i++) counts[labels[i]]++;
      legend.replaceChildren(...palette.map(([r, g, b], c) => {
        const item = document.createElement('span');
        item.className = 'swatch';
        const chip = document.createElement('i');
        chip.style.background = `rgb(${r},${g},${b})`;
        item.append(chip, `${((100 * counts[c]) / n).toFixed(1)}%`);
        return item;
      }), ` — fitted on ${m.toLocaleString('en')} of ${n.toLocaleString('en')} pixels in ${fitMs.toFixed(0)} ms ` +
        `(${gm.nIter} iterations), all pixels assigned.`);
      status.textContent = 'done';
    } catch (e) {
      status.textContent = `error: ${e.message}`;
    } finally {
      button.disabled = false;
    }
  });

  await loadSample();
}
