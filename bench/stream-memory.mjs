// Bounded memory of the streaming CLI: writes a CSV larger than the Node heap given to the CLI (default 2 750 000
// rows × 8 columns, about 150 MiB) in a temporary directory, then runs the built CLI under
// `node --max-old-space-size=48`: `fit` (streamed: the file is over --memory-budget) and `predict` (always streamed),
// and records each one's peak RSS (process.resourceUsage().maxRSS in the child), time and rows per second.
// Usage: npm run build && node bench/stream-memory.mjs [--rows N] [--iterations I] [--out FILE]
//   without --out: writes bench/results/stream-memory.json (npm run bench:stream); with it, writes FILE (the tests).
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root } from './common.mjs';

const flag = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i < 0 ? fallback : process.argv[i + 1];
};
const rows = Number(flag('--rows', 2_750_000));
const out = flag('--out', null);
const d = 8;
const k = 3;
const heapMiB = 48;
const iterations = Number(flag('--iterations', 3));

const dir = mkdtempSync(join(tmpdir(), 'wasm-em-stream-memory-'));
try {
  // Seeded rows around k centres, 4 decimals: about 75 bytes a row.
  const csv = join(dir, 'big.csv');
  const fd = openSync(csv, 'w');
  let s = 2463534242;
  const u = () => ((s ^= s << 13), (s ^= s >>> 17), (s ^= s << 5), (s >>> 0) / 4294967296);
  writeSync(fd, Array.from({ length: d }, (_, j) => `x${j}`).join(',') + '\n');
  let text = '';
  for (let i = 0; i < rows; i++) {
    const shift = (i % k) * 3;
    let line = '';
    for (let j = 0; j < d; j++) line += (j ? ',' : '') + (shift + 2 * (u() + u() + u()) - 3).toFixed(4);
    text += line + '\n';
    if (text.length > 1 << 20) {
      writeSync(fd, text);
      text = '';
    }
  }
  writeSync(fd, text);
  closeSync(fd);
  const fileBytes = statSync(csv).size;

  const cli = join(root, 'dist', 'cli.js');
  const run = (args) => {
    const rssFile = join(dir, 'rss.json');
    const t0 = performance.now();
    const child = spawnSync(process.execPath,
      [`--max-old-space-size=${heapMiB}`, '--import', join(root, 'bench', 'rss-on-exit.mjs'), cli, ...args],
      { env: { ...process.env, WASM_EM_RSS_FILE: rssFile }, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 30 });
    const seconds = (performance.now() - t0) / 1000;
    if (child.status !== 0) throw new Error(`wasm-em ${args.join(' ')} exited with ${child.status}: ${child.stderr}`);
    return { seconds, stdout: child.stdout, stderr: String(child.stderr), ...JSON.parse(readFileSync(rssFile, 'utf8')) };
  };

  const model = join(dir, 'model.json');
  // 1 start; the data has over 100 000 rows, so: the first pass, one for the start's sample, one per EM iteration.
  const fit = run(['fit', csv, '-k', String(k), '--covariance', 'diag', '--seed', '1', '--init-candidates', '1',
    '--max-iter', String(iterations), '--tol', '0', '--memory-budget', '16', '--progress', '-o', model]);
  const fitPasses = fit.stderr.split('\n').filter((l) => /^pass \d+ \[#{20}\]/.test(l)).length + 1;
  const predict = run(['predict', model, csv]);
  const labels = String(predict.stdout).split('\n').length - 2;
  if (labels !== rows) throw new Error(`predict printed ${labels} labels for ${rows} rows`);

  const mib = (b) => (b / 2 ** 20).toFixed(1);
  const result = {
    rows, d, k, iterations, fileBytes, maxOldSpaceMiB: heapMiB, heapLimitBytes: fit.heapLimitBytes,
    fit: { passes: fitPasses, seconds: fit.seconds, peakRssBytes: fit.maxRssBytes,
      rowsPerSecond: (rows * fitPasses) / fit.seconds },
    predict: { seconds: predict.seconds, peakRssBytes: predict.maxRssBytes, rowsPerSecond: rows / predict.seconds },
  };
  console.log(`${rows} rows × ${d}: CSV ${mib(fileBytes)} MiB, Node heap limit ${mib(fit.heapLimitBytes)} MiB`);
  console.log(`fit (streamed, ${fitPasses} passes): ${fit.seconds.toFixed(1)} s, ` +
    `${Math.round(result.fit.rowsPerSecond)} rows/s over all passes, peak RSS ${mib(fit.maxRssBytes)} MiB`);
  console.log(`predict: ${predict.seconds.toFixed(1)} s, ${Math.round(result.predict.rowsPerSecond)} rows/s, ` +
    `peak RSS ${mib(predict.maxRssBytes)} MiB`);
  if (out !== null) {
    const { writeFileSync } = await import('node:fs');
    writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
  } else {
    const lib = await import('wasm-em');
    const { saveRun } = await import('./common.mjs');
    saveRun('stream-memory.json', lib, { rows, d, k, iterations, heapMiB }, result);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
