/**
 * `npm run soak`: 2000 seeded fits of mixed sizes (n 1–20 000, d 1–32, K 1–8), families, backends and entry points
 * (`fit`, `fitAsync` on 1–2 workers, `fitStream`) in one process, on the built package; every model is disposed after
 * its fit. Prints the memory every 100 fits and writes `bench/results/soak.json`. Exits 1 when a fit failed with an
 * error other than a typed rejection of its data, when the heap of the last quarter exceeds 1.2 × the first
 * quarter's + 8 MiB, when WebAssembly memory is held between fits, or when a worker is left.
 * Run with `node --expose-gc bench/soak.mjs [fits] [seed]` (the npm script does).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as lib from '../dist/index.js';
import { runSoak } from './soak-core.mjs';

const fits = Number(process.argv[2] ?? 2000);
const seed = Number(process.argv[3] ?? 1);
const mib = (b) => (b / 2 ** 20).toFixed(1);
const report = await runSoak(lib, {
  fits, seed,
  onCheckpoint: (s) => console.log(`fits ${String(s.fits).padStart(5)}  heap ${mib(s.heapUsed).padStart(7)} MiB  ` +
    `rss ${mib(s.rss).padStart(7)} MiB  wasm ${mib(s.wasm)} MiB`),
});
const { checkpoints, bound } = report;
const summary = {
  fits: report.fits, seconds: Number(report.seconds.toFixed(1)), failures: report.failures.length,
  expectedErrors: report.expectedErrors,
  heapMiB: { start: mib(checkpoints[0].heapUsed), end: mib(checkpoints.at(-1).heapUsed),
    peak: mib(Math.max(...checkpoints.map((c) => c.heapUsed))) },
  rssMiB: { start: mib(checkpoints[0].rss), end: mib(checkpoints.at(-1).rss), peak: mib(Math.max(...checkpoints.map((c) => c.rss))) },
  wasmMiB: { betweenFitsMax: mib(bound.wasmAtCheckpointsMax), peakDuringFits: mib(report.wasmPeakDuringFits) },
  heapBounded: report.heapBounded, liveWorkersAtEnd: report.liveWorkersAtEnd,
};
console.log(JSON.stringify(summary, null, 2));
for (const f of report.failures.slice(0, 20)) console.log('FAILED', JSON.stringify(f));
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/soak.json', import.meta.url), JSON.stringify({
  node: process.version, date: new Date().toISOString(), summary, ...report,
}, null, 2) + '\n');
const ok = report.failures.length === 0 && report.heapBounded && bound.wasmAtCheckpointsMax === 0 &&
  report.liveWorkersAtEnd === 0 && report.gcExposed;
if (!ok) process.exitCode = 1;
