/**
 * Section 2, model selection: `selectModel` over K = 1…8 and the four covariance types on the playground's points,
 * the BIC and AIC curves per type, the chosen model marked on the curve of the criterion used and drawn beside.
 * `window.__demo.selection` gets `{ bestK, bestType, criterion, value }`.
 */
import { selectModel } from '../../dist/index.js';
import { lineChart, COLOURS } from './plot.js';
import { drawMixture } from './playground.js';

const TYPES = ['full', 'tied', 'diag', 'spherical'];
const TYPE_COLOURS = { full: COLOURS[0], tied: COLOURS[1], diag: COLOURS[2], spherical: COLOURS[3] };

/**
 * @param {{ demo: object, playground: { points: () => number[][], range: () => object, preset: () => string } }} env
 */
export function setupSelection({ demo, playground }) {
  const $ = (id) => document.getElementById(id);
  const status = $('select-status');
  const button = $('select-run');
  const summary = $('select-summary');

  button.addEventListener('click', async () => {
    const points = playground.points();
    const criterion = $('select-criterion').value;
    const seed = Number($('seed').value);
    const backend = $('backend').value;
    status.textContent = 'running';
    button.disabled = true;
    try {
      await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
      const t0 = performance.now();
      // The same seed for every fit of the grid; one restart each with the library's default starts.
      const { table, best, bestIndex } = selectModel(points, {
        nComponents: [1, 8], covarianceTypes: TYPES, criterion, nInit: 1, seed, backend,
      });
      const ms = performance.now() - t0;
      const chosen = table[bestIndex];
      const series = (key) => TYPES.map((type) => {
        const rows = table.filter((r) => r.covarianceType === type);
        return {
          label: type, colour: TYPE_COLOURS[type], dashed: false,
          points: rows.map((r) => [r.nComponents, r[key]]),
          marks: key === criterion && chosen.covarianceType === type ? [[chosen.nComponents, chosen[key]]] : [],
        };
      });
      lineChart($('select-bic'), series('bic'), { xLabel: 'K (components)', yLabel: 'BIC (lower is better)',
        title: 'BIC = −2 log L + p ln n', xRange: [0.7, 8.3], integerX: true });
      lineChart($('select-aic'), series('aic'), { xLabel: 'K (components)', yLabel: 'AIC (lower is better)',
        title: 'AIC = −2 log L + 2p', xRange: [0.7, 8.3], integerX: true });
      const failed = table.filter((r) => r.error !== undefined).length;
      drawMixture($('select-model'), points, best, {
        range: playground.range(), xLabel: '', yLabel: '',
        title: `chosen: K = ${best.nComponents}, '${best.covarianceType}'`,
      });
      demo.selection = { bestK: best.nComponents, bestType: best.covarianceType, criterion, value: chosen[criterion] };
      summary.textContent = `Lowest ${criterion.toUpperCase()}: K = ${best.nComponents}, covariance ` +
        `'${best.covarianceType}' (${criterion.toUpperCase()} ${chosen[criterion].toFixed(2)}, ` +
        `${best.nParameters} parameters). ${table.length} fits on ${points.length} points in ${ms.toFixed(0)} ms` +
        `${failed > 0 ? `; ${failed} fits had a collapsed component or too few distinct points (left out)` : ''}.`;
      status.textContent = 'done';
    } catch (e) {
      status.textContent = `error: ${e.message}`;
    } finally {
      button.disabled = false;
    }
  });
}
