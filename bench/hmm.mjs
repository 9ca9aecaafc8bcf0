// The hidden-Markov-model kernels (Backend.hmm): forward–backward and Viterbi time per step of one sequence, wasm
// against the TypeScript twin, K ∈ {2, 8, 32} states, T = 1e5 steps, seeded random models.
// Usage: npm run bench:hmm [-- --quick] [--filter <substring>] [--budget <seconds>] [--out <name>.json]
//   (writes bench/results/hmm.json, or the --out name there)
//
// The backends are not part of the package's API, so this script bundles src/backend/index.ts with esbuild (the
// kernels embedded by the last `npm run build:wasm`) and imports the bundle; the machine description comes from the
// built package. Each task is one kernel call over the whole sequence (copies into and out of WebAssembly memory
// included for wasm); the table gives tinybench's median per call divided by T.
import { build } from 'esbuild';
import * as lib from 'wasm-em';
import { Bench } from 'tinybench';
import { formatTable, fmtRatio, parseFlags, root, saveRun } from './common.mjs';

const flags = parseFlags(process.argv.slice(2), 2, 'hmm.json');
const T = 100_000;
const KS = [2, 8, 32];

const bundle = await build({
  entryPoints: [`${root}/src/backend/index.ts`], bundle: true, format: 'esm', platform: 'node', write: false,
});
const backends = await import(`data:text/javascript;base64,${Buffer.from(bundle.outputFiles[0].text).toString('base64')}`);
const wasm = backends.resolveBackend('wasm');
const js = backends.resolveBackend('js');

/** A seeded model: row-stochastic A and π, T×K log emissions in [−20, 0] (xorshift32). */
function model(K, seed) {
  let s = seed >>> 0 || 1;
  const u = () => ((s ^= s << 13), (s ^= s >>> 17), (s ^= s << 5), (s >>> 0) / 4294967296);
  const dist = () => {
    const p = Float64Array.from({ length: K }, () => 0.05 + u());
    const sum = p.reduce((a, b) => a + b, 0);
    return p.map((v) => v / sum);
  };
  const trans = new Float64Array(K * K);
  for (let i = 0; i < K; i++) trans.set(dist(), i * K);
  const logB = Float64Array.from({ length: T * K }, () => -20 * u());
  return { K, logB, start: dist(), trans };
}

const budgetMs = (flags.quick ? 0.25 : 1) * flags.budget * 1000 / (KS.length * 4);
const results = [];
for (const K of KS) {
  const label = `T=1e5 K=${K}`;
  if (!label.includes(flags.filter)) continue;
  const m = model(K, 17 + K);
  const gamma = new Float64Array(T * K);
  const xi = new Float64Array(K * K);
  const path = new Int32Array(T);
  const bench = new Bench({ time: budgetMs, iterations: 3, warmupIterations: 1, throws: true });
  for (const [name, b] of [['wasm', wasm], ['js', js]]) {
    bench.add(`${name} forward–backward`, () => {
      b.hmm.forwardBackward(m.logB, T, K, m.start, m.trans, gamma, xi);
    });
    bench.add(`${name} viterbi`, () => {
      b.hmm.viterbi(m.logB, T, K, m.start, m.trans, path);
    });
  }
  await bench.run();
  const ns = Object.fromEntries(bench.tasks.map((t) => [t.name, (t.result.latency.p50 * 1e6) / T]));
  const r = {
    T, K, label,
    fbWasmNsPerStep: ns['wasm forward–backward'], fbJsNsPerStep: ns['js forward–backward'],
    viterbiWasmNsPerStep: ns['wasm viterbi'], viterbiJsNsPerStep: ns['js viterbi'],
  };
  results.push(r);
  console.log(`${label}: forward–backward wasm ${r.fbWasmNsPerStep.toFixed(1)} ns/step, js ${r.fbJsNsPerStep.toFixed(1)}; ` +
    `viterbi wasm ${r.viterbiWasmNsPerStep.toFixed(1)}, js ${r.viterbiJsNsPerStep.toFixed(1)}`);
}

const f = (v) => v.toFixed(v >= 100 ? 0 : 1);
console.log('\n' + formatTable([
  ['case', 'fb wasm ns/step', 'fb js ns/step', 'fb js / wasm', 'viterbi wasm ns/step', 'viterbi js ns/step', 'viterbi js / wasm'],
  ...results.map((r) => [r.label, f(r.fbWasmNsPerStep), f(r.fbJsNsPerStep), fmtRatio(r.fbJsNsPerStep / r.fbWasmNsPerStep),
    f(r.viterbiWasmNsPerStep), f(r.viterbiJsNsPerStep), fmtRatio(r.viterbiJsNsPerStep / r.viterbiWasmNsPerStep)]),
]));
saveRun(flags.out, lib, flags, {
  note: 'Backend.hmm on one sequence of T = 1e5 steps: nanoseconds per step (tinybench median per call / T), ' +
    'wasm (copies in and out included) against the TypeScript twin; seeded random models.',
  results,
});
