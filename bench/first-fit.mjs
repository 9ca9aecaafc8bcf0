// The first-fit cost, run by bench/run.mjs in a fresh `node` process:
//   node bench/first-fit.mjs <type> <n> <d> <k> <iterations>
// Makes the case's data, then imports wasm-em (timed), fits once (cold: module compilation, memory set-up and the
// data copy happen here) and fits again (warm), both from the same given start with tol 0 on the wasm backend.
// Prints { importMs, coldMsPerIter, warmMsPerIter } as JSON: whole fit time / iterations.
import { caseData, startFor } from './common.mjs';

const [type, n, d, k, iterations] = process.argv.slice(2);
const c = { type, n: Number(n), d: Number(d), k: Number(k) };
const maxIter = Number(iterations);
const { X, centres } = caseData(c);
const init = startFor(type, centres);

const t0 = performance.now();
const { GaussianMixture } = await import('wasm-em');
const importMs = performance.now() - t0;

function fitMsPerIter() {
  const t = performance.now();
  new GaussianMixture({ nComponents: c.k, covarianceType: type, init, maxIter, tol: 0, backend: 'wasm' })
    .fit(X, { nFeatures: c.d });
  return (performance.now() - t) / maxIter;
}
const coldMsPerIter = fitMsPerIter();
const warmMsPerIter = fitMsPerIter();
console.log(JSON.stringify({ importMs, coldMsPerIter, warmMsPerIter }));
