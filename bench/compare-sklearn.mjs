#!/usr/bin/env node
/**
 * wasm-em against scikit-learn on real data sets the tests do not see: scikit-learn's bundled wine, breast_cancer,
 * diabetes (K = 1…6, every covariance type) and digits (K = 5, 10; diag and full), raw features.
 *
 * Both libraries fit with 10 restarts, tol 1e-6, maxIter 1000, regCovar 1e-6, and each seed of --seeds [0] (wasm-em
 * on the wasm backend; seed s of one library faces seed s of the other).
 * A case passes when wasm-em's mean log-likelihood per row is at least scikit-learn's, less 1e-6 relative (a better
 * local optimum passes). Prints a table and writes bench/results/compare-sklearn.json.
 *
 * Usage: npm run build && node bench/compare-sklearn.mjs [--datasets wine,digits] [--python /usr/bin/python3]
 *        [--seeds 0,1,2] [--work DIR] [--options JSON] [--lib path/to/index.js --commit SHA]
 * --work keeps scikit-learn's side in DIR and reuses DIR/sklearn.json when it is there (for comparing builds).
 * Needs Python with scikit-learn (Debian: apt-get install -y python3-sklearn); bench/compare-sklearn.py exports the
 * data sets to CSV in a temporary folder and fits scikit-learn there.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const RTOL = 1e-6;
const FIT = { nInit: 10, tol: 1e-6, maxIter: 1000, regCovar: 1e-6, backend: 'wasm' };
// --options '{"initCandidates": 1}': more GaussianMixture options for wasm-em (recorded in the results).
Object.assign(FIT, JSON.parse(process.argv.includes('--options') ? process.argv[process.argv.indexOf('--options') + 1] : '{}'));

function option(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}
const python = option('--python', '/usr/bin/python3');
const datasets = option('--datasets', null);
const seeds = option('--seeds', '0');
const keep = option('--work', null);

// --lib: another build of the package entry point (default: the built dist/index.js).
const libPath = option('--lib', join(root, 'dist', 'index.js'));
let lib;
try {
  lib = await import(pathToFileURL(libPath).href);
} catch (e) {
  console.error(`compare-sklearn: cannot load ${libPath} (${e.message}). Run npm run build first.`);
  process.exit(1);
}
const { GaussianMixture } = lib;

/** Reads a CSV written by compare-sklearn.py: a header row, then numbers. */
function readCsv(path) {
  const lines = readFileSync(path, 'utf8').split('\n').filter((l) => l !== '');
  const rows = lines.slice(1).map((l) => l.split(',').map(Number));
  const cols = rows[0].length;
  const data = new Float64Array(rows.length * cols);
  rows.forEach((r, i) => data.set(r, i * cols));
  return { data, rows: rows.length, cols };
}

/** Smallest diagonal entry over the components' covariance matrices. */
function minVariance(gm, k) {
  let m = Infinity;
  for (let c = 0; c < k; c++) gm.covarianceMatrix(c).forEach((row, j) => (m = Math.min(m, row[j])));
  return m;
}

function git(args) {
  try {
    return execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
}

const work = keep ?? mkdtempSync(join(tmpdir(), 'wasm-em-compare-'));
try {
  if (!keep || !existsSync(join(work, 'sklearn.json'))) {
    const pyArgs = [join(root, 'bench', 'compare-sklearn.py'), work, '--seeds', seeds];
    if (datasets) pyArgs.push('--datasets', datasets);
    execFileSync(python, pyArgs, { stdio: ['ignore', 'inherit', 'inherit'] });
  }
  const sk = JSON.parse(readFileSync(join(work, 'sklearn.json'), 'utf8'));

  const data = {};
  for (const [name, info] of Object.entries(sk.datasets)) data[name] = readCsv(info.csv);

  const records = [];
  for (const ref of sk.records) {
    const X = data[ref.dataset];
    const rec = {
      dataset: ref.dataset,
      covarianceType: ref.covarianceType,
      K: ref.K,
      seed: ref.seed ?? 0,
      n: ref.n,
      d: ref.d,
      sklearn: {
        meanLoglik: ref.meanLoglik,
        bic: ref.bic ?? null,
        nParameters: ref.nParameters ?? null,
        nIter: ref.nIter ?? null,
        converged: ref.converged ?? null,
        minVariance: ref.minVariance ?? null,
        minWeight: ref.minWeight ?? null,
        seconds: ref.seconds,
        error: ref.error,
      },
    };
    const t0 = performance.now();
    try {
      const gm = new GaussianMixture({ nComponents: ref.K, covarianceType: ref.covarianceType, ...FIT, seed: ref.seed ?? 0 });
      gm.fit(X);
      const ll = gm.score(X);
      rec.wasmEm = {
        meanLoglik: ll,
        bic: gm.bic(X),
        nParameters: gm.nParameters,
        nIter: gm.nIter,
        converged: gm.converged,
        // A variance at the regCovar floor marks a component on a lower-dimensional set of rows (a degenerate optimum).
        minVariance: minVariance(gm, ref.K),
        minWeight: Math.min(...gm.weights),
        seconds: (performance.now() - t0) / 1000,
        error: null,
      };
    } catch (e) {
      rec.wasmEm = {
        meanLoglik: null,
        seconds: (performance.now() - t0) / 1000,
        error: `${e?.name ?? 'Error'}: ${String(e?.message ?? e).slice(0, 300)}`,
      };
    }
    const a = rec.sklearn.meanLoglik;
    const b = rec.wasmEm.meanLoglik;
    if (a === null) {
      rec.status = 'no reference';
    } else if (b === null) {
      rec.status = 'fail';
    } else {
      rec.difference = b - a;
      rec.relativeDifference = (b - a) / Math.abs(a);
      rec.status = b >= a - RTOL * Math.abs(a) ? 'pass' : 'fail';
      rec.nParametersMatch = rec.sklearn.nParameters === rec.wasmEm.nParameters;
    }
    records.push(rec);
    const f = (v) => (v === null || v === undefined ? '—'.padStart(16) : v.toFixed(9).padStart(16));
    console.log(
      `${rec.dataset.padEnd(14)} ${rec.covarianceType.padEnd(9)} K=${String(rec.K).padStart(2)} s=${rec.seed} ` +
        `sklearn ${f(a)}  wasm-em ${f(b)}  Δ ${rec.difference === undefined ? '—' : rec.difference.toExponential(2).padStart(10)}` +
        `  ${rec.status}${rec.wasmEm.error ? `  (${rec.wasmEm.error})` : ''}` +
        `${rec.nParametersMatch === false ? '  nParameters differ' : ''}  ${rec.wasmEm.seconds.toFixed(2)}s`,
    );
  }

  const pass = records.filter((r) => r.status === 'pass').length;
  const fail = records.filter((r) => r.status === 'fail');
  const summary = {
    cases: records.length,
    pass,
    fail: fail.length,
    noReference: records.filter((r) => r.status === 'no reference').length,
    better: records.filter((r) => r.status === 'pass' && r.relativeDifference > RTOL).length,
    failures: fail.map((r) => ({
      dataset: r.dataset,
      covarianceType: r.covarianceType,
      K: r.K,
      seed: r.seed,
      sklearn: r.sklearn.meanLoglik,
      wasmEm: r.wasmEm.meanLoglik,
      error: r.wasmEm.error,
    })),
  };
  console.log(
    `\n${pass}/${records.length} pass (wasm-em ≥ scikit-learn − ${RTOL} relative); ${summary.better} strictly better; ` +
      `${fail.length} fail`,
  );
  for (const f of summary.failures) {
    console.log(`  FAIL ${f.dataset} ${f.covarianceType} K=${f.K} seed ${f.seed}: sklearn ${f.sklearn}, wasm-em ${f.wasmEm}${f.error ? ` (${f.error})` : ''}`);
  }

  // --commit: the commit a --lib build was made from (default: this checkout's HEAD).
  const commit = option('--commit', null) ?? git(['rev-parse', 'HEAD']);
  const dirty = git(['status', '--porcelain', '--untracked-files=no', '--', 'src', 'assembly']);
  const out = {
    description:
      'Mean log-likelihood per row of wasm-em and scikit-learn GaussianMixture fits on scikit-learn\'s bundled data sets ' +
      '(raw features); pass = wasm-em >= sklearn - 1e-6 relative. Made by bench/compare-sklearn.mjs.',
    date: new Date().toISOString(),
    commit,
    // Uncommitted changes to src/ or assembly/ when the built dist/ was measured (unknown for a --lib build).
    sourceModified: libPath === join(root, 'dist', 'index.js') ? Boolean(dirty) : null,
    library: libPath.startsWith(root) ? libPath.slice(root.length + 1) : 'a build of the commit above (--lib, --commit)',
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    sklearnVersion: sk.sklearnVersion,
    numpyVersion: sk.numpyVersion,
    python: sk.python,
    sklearnParams: sk.params,
    wasmEmParams: { ...FIT, seed: seeds.split(',').map(Number) },
    datasets: Object.fromEntries(Object.entries(sk.datasets).map(([k, v]) => [k, { n: v.n, d: v.d, source: v.source }])),
    summary,
    records,
  };
  mkdirSync(join(root, 'bench', 'results'), { recursive: true });
  const outPath = join(root, 'bench', 'results', datasets || keep ? 'compare-sklearn.partial.tmp.json' : 'compare-sklearn.json');
  writeFileSync(outPath, JSON.stringify(out, null, 1) + '\n');
  console.log(`wrote ${outPath}`);
  process.exitCode = fail.length > 0 ? 1 : 0;
} finally {
  if (!keep) rmSync(work, { recursive: true, force: true });
}
