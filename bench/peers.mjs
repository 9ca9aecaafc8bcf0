// wasm-em beside other Gaussian-mixture EM implementations: the same data and the same start in one run, the time
// per EM iteration reported as a ratio to wasm-em's wasm backend in float64.
// Usage: npm run bench:peers [-- --filter <substring>] [-- --budget <seconds>] [-- --out <name>.json]
//   (builds first; writes bench/results/peers.json, or the --out name there)
//
// - wasm-em (wasm f64, wasm f32, wasm f64 on 2 workers, js backend): median gap between successive iterations of a
//   fit with tol 0 (for the wasm variants, the fastest of 3 such fits of 10 iterations, as scikit-learn's below).
// - gaussian-mixture-model (npm): full covariances only; given start; one runEM(1), then runEM(m) timed over m.
// - expectation-maximization (npm): full covariances only; it takes no start and no iteration count (it starts from
//   random responsibilities and stops when they change by ≤ epsilon), so epsilon = Infinity makes one call exactly
//   one iteration (M-step + E-step); the fastest of a few calls is reported. Its transpose of the data is counted.
// - scikit-learn GaussianMixture (when /usr/bin/python3 imports sklearn), one thread, given start, tol 0: the
//   difference between fits of b and a iterations over b − a (bench/sklearn-iter.py), so set-up is not counted.
// A slow implementation is first timed on a few rows and skipped when its estimated measurement exceeds --budget
// seconds; a failure (a singular covariance, non-finite means) is recorded as its result.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import GaussianMixtureModel from 'gaussian-mixture-model';
import * as lib from 'wasm-em';
import {
  caseData, caseLabel, fmtMs, fmtRatio, formatTable, msPerIteration, parseFlags, root, saveRun, startFor,
} from './common.mjs';

const flags = parseFlags(process.argv.slice(2), 60, 'peers.json');
const PYTHON = '/usr/bin/python3';
const PROBE_ROWS = 2000;
const TARGET_SECONDS = 1;
const MAX_TIMED = 10;
/**
 * wasm-em's wasm variants are timed as scikit-learn is: the fastest of `WASM_FITS` fits (each the median gap between
 * its `WASM_TIMED + 1` iterations), which keeps one busy moment of a shared machine out of the ratios.
 */
const WASM_TIMED = 9;
const WASM_FITS = 3;
const CASES = [
  { type: 'full', n: 10_000, d: 2, k: 3 },
  { type: 'diag', n: 10_000, d: 2, k: 3 },
  { type: 'full', n: 10_000, d: 16, k: 16 },
  { type: 'full', n: 100_000, d: 16, k: 16 },
  { type: 'diag', n: 100_000, d: 16, k: 16 },
];

/** A peer's fit that did not produce a usable model (recorded as the result, not thrown out of the run). */
class PeerFailure extends Error {}

const rowsOf = (X, c, n = c.n) => Array.from({ length: n }, (_, i) => Array.from(X.subarray(i * c.d, (i + 1) * c.d)));
const allFinite = (arrays) => arrays.every((a) => a.every(Number.isFinite));
const fullOnly = (c) => (c.type === 'full' ? null : 'fits full covariances only');

function gaussianMixtureModel(c, X, init, timed) {
  const gmm = new GaussianMixtureModel({ ...init, bufferSize: c.n });
  for (const row of rowsOf(X, c)) gmm.addPoint(row);
  const check = (iterations) => {
    if (gmm.singularity) throw new PeerFailure(`singular covariance after ${iterations} iteration(s)`);
    if (!allFinite(gmm.means)) throw new PeerFailure(`non-finite means after ${iterations} iteration(s)`);
  };
  gmm.runEM(1);
  check(1);
  const t0 = performance.now();
  gmm.runEM(timed);
  const ms = (performance.now() - t0) / timed;
  check(1 + timed);
  return ms;
}

const requireFromPeer = createRequire(createRequire(import.meta.url).resolve('expectation-maximization'));
const expectationMaximization = requireFromPeer('expectation-maximization');
const numeric = requireFromPeer('numeric');
// Its loop ends when the largest change of a responsibility (numeric.norminf) is ≤ epsilon; a NaN change would loop
// on for 1000 iterations, so a non-finite one ends the call as a failure.
const norminf = numeric.norminf;
numeric.norminf = (x) => {
  const v = norminf(x);
  if (!Number.isFinite(v)) throw new PeerFailure('non-finite responsibilities');
  return v;
};

function expectationMaximizationPkg(c, X, init, timed) {
  const points = rowsOf(X, c);
  let best = Infinity;
  for (let r = 0; r < timed; r++) {
    const t0 = performance.now();
    const groups = expectationMaximization(points, c.k, Infinity);
    best = Math.min(best, performance.now() - t0);
    if (!allFinite(groups.map((g) => g.mu))) throw new PeerFailure('non-finite means after 1 iteration');
  }
  return best;
}

const sklearnAvailable = (() => {
  try {
    execFileSync(PYTHON, ['-c', 'import sklearn'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const sklearnInfo = {};

function scikitLearn(c, X, init) {
  const dir = mkdtempSync(join(tmpdir(), 'wasm-em-peers-'));
  try {
    writeFileSync(join(dir, 'x.f64'), Buffer.from(X.buffer, X.byteOffset, X.byteLength));
    writeFileSync(join(dir, 'start.json'), JSON.stringify(init));
    const env = { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
    // A pinned OpenBLAS core type slows a current numpy; both variables go together (see threadpool in the result).
    delete env.OPENBLAS_CORETYPE;
    delete env.OPENBLAS_L2_SIZE;
    const args = [join(root, 'bench', 'sklearn-iter.py'), join(dir, 'x.f64'), c.n, c.d, c.k, c.type,
      join(dir, 'start.json'), flags.budget].map(String);
    const out = JSON.parse(execFileSync(PYTHON, args, { encoding: 'utf8', env }));
    Object.assign(sklearnInfo, { version: out.sklearnVersion, numpy: out.numpyVersion, threadpool: out.threadpool });
    if (!out.finite) throw new PeerFailure('non-finite means');
    return { ms: out.msPerIter, detail: { a: out.a, b: out.b, reps: out.reps } };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `time(c, X, init, timed)` → ms per iteration (or `{ ms, detail }`); `probe`: estimate on a few rows first. */
const wasmEm = (variant) => (c, X, init, t) => msPerIteration(lib, X, c, init, variant, t, WASM_FITS, 'min');
const PEERS = [
  { name: 'wasm-em f64', time: wasmEm({ backend: 'wasm' }), timed: WASM_TIMED },
  { name: 'wasm-em f32', time: wasmEm({ backend: 'wasm', dtype: 'float32' }), timed: WASM_TIMED },
  { name: 'wasm-em 2 workers', time: wasmEm({ backend: 'wasm', workers: 2 }), timed: WASM_TIMED },
  { name: 'wasm-em js', time: (c, X, init, t) => msPerIteration(lib, X, c, init, { backend: 'js' }, t), probe: true },
  { name: 'gaussian-mixture-model', time: gaussianMixtureModel, probe: true, unsupported: fullOnly },
  { name: 'expectation-maximization', time: expectationMaximizationPkg, probe: true, unsupported: fullOnly,
    start: 'random responsibilities (it takes no starting parameters)' },
  { name: 'scikit-learn', time: scikitLearn, once: true,
    unsupported: () => (sklearnAvailable ? null : `${PYTHON} does not import sklearn`) },
];

async function timePeer(peer, c, X, init) {
  const reason = peer.unsupported?.(c);
  if (reason) return { unsupported: reason };
  try {
    let timed = peer.timed ?? 3;
    if (peer.probe) {
      const rows = Math.min(c.n, PROBE_ROWS);
      const probe = { ...c, n: rows };
      const seconds = ((await peer.time(probe, X.subarray(0, rows * c.d), init, 1)) / 1000) * (c.n / rows);
      if (seconds * 2 > flags.budget) {
        return { skipped: `skipped (estimated ${seconds.toPrecision(3)} s/iter)`, estimatedSecondsPerIter: seconds };
      }
      timed = Math.max(1, Math.min(MAX_TIMED, Math.round(TARGET_SECONDS / seconds), Math.floor(flags.budget / seconds) - 1));
    }
    const out = await peer.time(c, X, init, timed);
    return typeof out === 'number' ? { msPerIter: out, timedIterations: timed } : { msPerIter: out.ms, ...out.detail };
  } catch (e) {
    if (e instanceof PeerFailure || e instanceof lib.DegenerateComponentError) return { failed: e.message };
    throw e;
  }
}

const cell = (r) =>
  r.msPerIter !== undefined ? `${fmtMs(r.msPerIter)} (${fmtRatio(r.ratioToWasmF64)})`
    : r.skipped ? `skip ~${r.estimatedSecondsPerIter.toPrecision(2)}s` : r.failed ? 'failed' : 'n/a';

// Warm-up: one small fit per wasm-em variant, so the first case is not charged with compiling the module and the
// JavaScript around it (the first-fit cost is measured on its own by bench/run.mjs).
{
  const warm = { type: 'full', n: 2000, d: 4, k: 3 };
  const { X, centres } = caseData(warm);
  for (const p of PEERS.filter((q) => q.name.startsWith('wasm-em'))) await p.time(warm, X, startFor('full', centres), 2);
}

const cases = [];
for (const c of CASES) {
  const label = caseLabel(c);
  const peers = PEERS.filter((p) => `${label} ${p.name}`.includes(flags.filter));
  if (peers.length === 0) continue;
  const { X, centres } = caseData(c);
  const init = startFor(c.type, centres);
  const results = {};
  for (const p of peers) {
    results[p.name] = await timePeer(p, c, X, init);
    if (p.start) results[p.name].start = p.start;
  }
  const reference = results['wasm-em f64']?.msPerIter;
  for (const r of Object.values(results)) {
    if (r.msPerIter !== undefined && reference) r.ratioToWasmF64 = r.msPerIter / reference;
  }
  cases.push({ ...c, label, results });
  console.log(`${label.padEnd(22)} ${Object.entries(results).map(([n, r]) => `${n} ${cell(r)}`).join('  ')}`);
}

const header = ['case', ...PEERS.map((p) => `${p.name} ms/iter`)];
console.log('\n' + formatTable([header, ...cases.map((c) => [c.label, ...PEERS.map((p) => (c.results[p.name] ? cell(c.results[p.name]) : ''))])]));
for (const c of cases) {
  for (const [name, r] of Object.entries(c.results)) {
    if (r.failed || r.unsupported) console.log(`${c.label} ${name}: ${r.failed ?? r.unsupported}`);
  }
}

saveRun(flags.out, lib, flags, {
  note:
    'ms per EM iteration on the same seeded data from the same given start (except expectation-maximization, which ' +
    'takes none); ratioToWasmF64 = ms / wasm-em f64 ms (above 1 is slower than wasm-em).',
  sklearn: sklearnAvailable ? { ...sklearnInfo, threads: 1 } : null,
  cases,
});
