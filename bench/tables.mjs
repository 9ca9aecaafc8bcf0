// Markdown tables of a benchmark run, for the README's Speed section.
// Usage: node bench/tables.mjs [matrix.json] [peers.json]   (defaults: bench/results/latest.json, peers.json)
import { readFileSync } from 'node:fs';
import { fmtMs, fmtRatio, markdownTable, root } from './common.mjs';

const [matrixFile = 'latest.json', peersFile = 'peers.json'] = process.argv.slice(2);
const load = (name) => JSON.parse(readFileSync(`${root}/bench/results/${name}`, 'utf8'));
const POWERS = { 10000: '10⁴', 100000: '10⁵', 1000000: '10⁶' };

const cell = (r) =>
  !r ? '' : r.msPerIter !== undefined ? fmtMs(r.msPerIter)
    : r.skipped ? `skipped (est. ${r.estimatedSecondsPerIter.toPrecision(2)} s)` : r.failed ? `failed: ${r.failed}` : r.unsupported ?? 'n/a';

function matrixTables(run) {
  const measured = Object.entries(run.variants).filter(([, v]) => v === 'measured').map(([name]) => name);
  const ratios = [['jsOverWasm', 'js / wasm'], ['f64OverF32', 'f64 / f32'], ['f64OverRelaxed', 'f64 / f64 relaxed'],
    ['f64OverF32Relaxed', 'f64 / f32 relaxed'], ['oneOverTwoWorkers', '1 w / 2 w']]
    .filter(([key]) => run.results.some((r) => r.ratios[key] !== null && r.ratios[key] !== undefined));
  const out = [];
  for (const n of [...new Set(run.results.map((r) => r.n))]) {
    const rows = run.results.filter((r) => r.n === n).map((r) => [
      r.type, r.d, r.k, ...measured.map((v) => cell(r.variants[v])), ...ratios.map(([key]) => fmtRatio(r.ratios[key])),
    ]);
    const header = ['type', 'd', 'K', ...measured.map((v) => `${v} ms/iter`), ...ratios.map(([, label]) => label)];
    out.push(`N = ${POWERS[n] ?? n}:\n\n${markdownTable([header, ...rows])}`);
  }
  const missing = Object.entries(run.variants).filter(([, v]) => v !== 'measured');
  if (missing.length) out.push(`Not measured: ${missing.map(([name, why]) => `${name} (${why})`).join('; ')}.`);
  const f = run.firstFit;
  if (f && !f.skipped) {
    out.push(`First fit (${f.type}, N = ${POWERS[f.n] ?? f.n}, d = ${f.d}, K = ${f.k}, wasm f64, ${f.iterations} ` +
      `iterations, whole fit / iterations): ${fmtMs(f.coldMsPerIter)} ms/iter in a fresh process, ` +
      `${fmtMs(f.warmMsPerIter)} ms/iter for a second fit there (${fmtRatio(f.coldOverWarm)}); importing the package ` +
      `takes ${fmtMs(f.importMs)} ms.`);
  }
  return out.join('\n\n');
}

function peersTable(run) {
  const names = [...new Set(run.cases.flatMap((c) => Object.keys(c.results)))];
  const rows = run.cases.map((c) => [
    c.type, POWERS[c.n] ?? c.n, c.d, c.k,
    ...names.map((name) => {
      const r = c.results[name];
      return r?.msPerIter !== undefined ? `${fmtMs(r.msPerIter)} (${fmtRatio(r.ratioToWasmF64)})` : cell(r);
    }),
  ]);
  return markdownTable([['type', 'N', 'd', 'K', ...names.map((n) => `${n} ms/iter`)], ...rows]);
}

const matrix = load(matrixFile);
console.log(`Machine: ${matrix.cpu}, ${matrix.cores} cores, Node ${matrix.node}, SIMD ${matrix.simd ? 'on' : 'off'}, ` +
  `relaxed SIMD ${matrix.relaxedSimd ? 'on' : 'off'}, commit ${matrix.commit.slice(0, 7)}\n`);
console.log(matrixTables(matrix) + '\n');
const peers = load(peersFile);
if (peers.sklearn) console.log(`scikit-learn ${peers.sklearn.version}, numpy ${peers.sklearn.numpy}, 1 thread\n`);
console.log(peersTable(peers));
