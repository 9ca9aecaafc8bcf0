// Per-iteration EM time of the discrete mixtures (Bernoulli, categorical, Poisson) on the wasm and js backends.
// Usage: npm run bench:families [-- --quick] [-- --out <name>.json]
//   (builds first; prints a table and writes bench/results/families.json, or the --out name there)
//
// N = 1e5 rows (--quick: 1e4), K = 8 components: Bernoulli d = 16 binary features, categorical 8 features × 4
// categories (32 one-hot columns in the kernel), Poisson d = 16 counts. Seeded data drawn from a known mixture; every
// fit starts from the same given parameters (the generating ones) with tol 0, so both backends do the same work. The
// time per iteration is the median gap between successive `onIteration` calls of one fit (data validation, encoding,
// copy and the first iteration are left out), taken as tinybench's median over `fits` runs.
import * as lib from 'wasm-em';
import { fmtMs, fmtRatio, formatTable, medianIterationGap, parseFlags, saveRun } from './common.mjs';

const flags = parseFlags(process.argv.slice(2), 30, 'families.json');
const N = flags.quick ? 10_000 : 100_000;
const K = 8;
const TIMED = flags.quick ? 4 : 8;
const FITS = 3;

/** xorshift32 uniforms in [0, 1). */
function uniform(seed) {
  let s = seed >>> 0 || 1;
  return () => ((s ^= s << 13), (s ^= s >>> 17), (s ^= s << 5), (s >>> 0) / 4294967296);
}

/** Rows drawn from k components: `draw(c, u)` returns one row. */
function makeRows(n, k, draw, seed) {
  const u = uniform(seed);
  return Array.from({ length: n }, (_, i) => draw(i % k, u));
}

function poisson(lambda, u) {
  const limit = Math.exp(-lambda);
  let n = 0;
  let p = u();
  while (p > limit) {
    n++;
    p *= u();
  }
  return n;
}

const u0 = uniform(7);
const bernP = Array.from({ length: K }, () => Array.from({ length: 16 }, () => 0.05 + 0.9 * u0()));
const rates = Array.from({ length: K }, () => Array.from({ length: 16 }, () => 0.5 + 10 * u0()));
const catP = Array.from({ length: K }, () => Array.from({ length: 8 }, () => {
  const v = Array.from({ length: 4 }, () => 0.1 + u0());
  const s = v.reduce((a, b) => a + b, 0);
  return v.map((x) => x / s);
}));
const pick = (probs, u) => {
  let v = u();
  let x = 0;
  while (x < probs.length - 1 && v >= probs[x]) v -= probs[x++];
  return x;
};

const CASES = [
  { name: 'bernoulli', label: 'Bernoulli d=16', Model: lib.BernoulliMixture, init: { probabilities: bernP },
    rows: () => makeRows(N, K, (c, u) => bernP[c].map((p) => (u() < p ? 1 : 0)), 11) },
  { name: 'categorical', label: 'categorical 8×4', Model: lib.CategoricalMixture, init: { categoryProbabilities: catP },
    rows: () => makeRows(N, K, (c, u) => catP[c].map((p) => pick(p, u)), 12) },
  { name: 'poisson', label: 'Poisson d=16', Model: lib.PoissonMixture, init: { rates },
    rows: () => makeRows(N, K, (c, u) => rates[c].map((l) => poisson(l, u)), 13) },
];

/** Milliseconds per EM iteration of `Model` on `X` with `backend` (tinybench median over FITS fits). */
function msPerIteration(c, X, backend) {
  return medianIterationGap(backend, TIMED, FITS, (onIteration) =>
    new c.Model({ nComponents: K, init: c.init, maxIter: TIMED + 1, tol: 0, backend }).fit(X, { onIteration }));
}

const results = [];
for (const c of CASES) {
  const X = c.rows();
  const wasm = await msPerIteration(c, X, 'wasm');
  const js = await msPerIteration(c, X, 'js');
  results.push({ family: c.name, label: c.label, n: N, k: K, wasmMs: wasm, jsMs: js, ratio: js / wasm });
  console.error(`${c.label}: wasm ${fmtMs(wasm)} ms, js ${fmtMs(js)} ms per iteration`);
}
console.log(formatTable([
  ['case', 'N', 'K', 'wasm ms/iter', 'js ms/iter', 'js / wasm'],
  ...results.map((r) => [r.label, r.n, r.k, fmtMs(r.wasmMs), fmtMs(r.jsMs), fmtRatio(r.ratio)]),
]));
saveRun(flags.out, lib, flags, { timedIterations: TIMED, fits: FITS, results });
