/**
 * The demo page's entry: loads the kernel module, wires the four sections and publishes the test hooks
 * (`window.__demo`, then `window.__demoReady = true`).
 */
import { initWasm, liveWorkers, preferRelaxedSimd } from '../../dist/index.js';
import { setupPlayground } from './playground.js';
import { setupSelection } from './selection.js';
import { setupBig } from './big.js';
import { setupSegmentation } from './segmentation.js';

async function main() {
  // The default SIMD build computes what the js backend and Node compute, to the last bit (the relaxed build fuses
  // multiply-adds): the playground's fits then equal a Node fit with the same options. This choice applies to this
  // thread; the workers of the large fit load the faster relaxed build where the browser has it.
  preferRelaxedSimd(false);
  let wasm = true;
  try {
    await initWasm();
  } catch (e) {
    wasm = false;
    document.getElementById('wasm-note').textContent =
      `WebAssembly SIMD is not available here (${e.message}): every section runs the js backend.`;
  }
  const isolated = globalThis.crossOriginIsolated === true;
  document.getElementById('isolation').textContent = isolated
    ? 'cross-origin isolated (COOP/COEP headers present)'
    : 'not cross-origin isolated (the demo does not need it)';

  /** Test and console hooks: the last results of each section and the library's count of live workers. */
  const demo = { playground: null, selection: null, big: null, liveWorkers, points: () => [] };
  window.__demo = demo;
  const playground = await setupPlayground({ demo, wasm });
  demo.points = playground.points;
  setupSelection({ demo, playground });
  setupBig({ demo, wasm });
  await setupSegmentation({ wasm });
  window.__demoReady = true;
  document.body.dataset.ready = 'true';
}

main().catch((e) => {
  const note = document.getElementById('wasm-note');
  note.textContent = `The demo failed to start: ${e.message}`;
  note.classList.add('error');
});
