/**
 * The Old Faithful demo (`npm run demo`), run as a user runs it: a child process on the built package. Checks what it
 * prints, the model file, and the SVG; the ellipse geometry is recomputed here from the model file and the plot's own
 * axis ticks, without the demo's plotting code.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const TYPES = ['full', 'tied', 'diag', 'spherical'] as const;
type CovarianceType = (typeof TYPES)[number];

interface ModelJSON {
  covarianceType: CovarianceType;
  nComponents: number;
  weights: number[];
  means: number[][];
  covariances: unknown;
}

let run: { status: number | null; stdout: string; stderr: string };
let outDir: string;

beforeAll(() => {
  if (!existsSync(join(root, 'dist', 'index.js'))) {
    throw new Error('dist/ is missing: run `npm run build` first (`npm test` does)');
  }
  outDir = mkdtempSync(join(tmpdir(), 'wasm-em-demo-'));
  const r = spawnSync(process.execPath, [join(root, 'examples', 'faithful-demo.mjs'), outDir],
    { cwd: root, encoding: 'utf8', timeout: 120_000 });
  run = { status: r.status, stdout: r.stdout, stderr: r.stderr };
}, 130_000);

/** Σ_c as a 2×2 matrix from the model file's scikit-learn-shaped covariances. */
function covariance(model: ModelJSON, c: number): number[][] {
  const cov = model.covariances as never;
  switch (model.covarianceType) {
    case 'full': return (cov as number[][][])[c]!;
    case 'tied': return cov as number[][];
    case 'diag': return [[(cov as number[][])[c]![0]!, 0], [0, (cov as number[][])[c]![1]!]];
    case 'spherical': return [[(cov as number[])[c]!, 0], [0, (cov as number[])[c]!]];
  }
}

interface AxisMap {
  /** Page units per data unit (negative for y: the page's y grows downwards). */
  readonly scale: number;
  /** Page position of a data value. */
  at(v: number): number;
  /** Data value at a page position. */
  inverse(p: number): number;
}

/** One axis's data-to-page map, through its first and last tick mark ([position, value] pairs). */
function axisMap(ticks: [number, number][]): AxisMap {
  expect(ticks.length).toBeGreaterThanOrEqual(2);
  const [p0, v0] = ticks[0]!;
  const [p1, v1] = ticks[ticks.length - 1]!;
  const scale = (p1 - p0) / (v1 - v0);
  return { scale, at: (v) => p0 + (v - v0) * scale, inverse: (p) => v0 + (p - p0) / scale };
}

describe('npm run demo (examples/faithful-demo.mjs)', () => {
  it('exits 0', () => {
    expect(run.status, run.stderr).toBe(0);
  });

  it('prints the BIC table of 24 fits, K = 1…6 by four covariance types, with the lowest marked', () => {
    const lines = run.stdout.split('\n');
    const head = lines.findIndex((l) => /^K\s+full\s+tied\s+diag\s+spherical\s*$/.test(l));
    expect(head, run.stdout).toBeGreaterThanOrEqual(0);
    const rows = lines.slice(head + 1, head + 7).map((l) => l.trim().split(/\s+/));
    expect(rows.map((r) => r[0])).toEqual(['1', '2', '3', '4', '5', '6']);
    const cells: { k: number; type: CovarianceType; bic: number; best: boolean }[] = [];
    for (const row of rows) {
      const values = row.slice(1);
      for (let i = 0; i < values.length; i++) {
        const best = values[i + 1] === '*';
        cells.push({ k: Number(row[0]), type: TYPES[cells.length % 4]!, bic: Number(values[i]), best });
        if (best) i++;
      }
    }
    expect(cells).toHaveLength(24);
    expect(cells.every((c) => Number.isFinite(c.bic))).toBe(true);
    expect(cells.filter((c) => c.best)).toHaveLength(1);
    const best = cells.find((c) => c.best)!;
    expect(best.bic).toBe(Math.min(...cells.map((c) => c.bic)));
    expect(run.stdout).toMatch(/lower is better/);
    expect(run.stdout).toMatch(/mclust reports the negative/);
    expect(run.stdout).toMatch(/24 fits in \d+\.\d+ s/);
    // The chosen model is the starred cell.
    const chosen = /Chosen model: (\d+) components, covariance '(\w+)'/.exec(run.stdout);
    expect(chosen, run.stdout).not.toBeNull();
    expect([Number(chosen![1]), chosen![2]]).toEqual([best.k, best.type]);
  });

  it('prints the chosen model: weights, means, covariances, convergence, log-likelihood and cluster sizes', () => {
    const model = JSON.parse(readFileSync(join(outDir, 'faithful-model.json'), 'utf8')) as ModelJSON;
    const k = model.nComponents;
    expect(run.stdout).toContain(`Chosen model: ${k} components, covariance '${model.covarianceType}'`);
    expect(run.stdout).toMatch(/converged after \d+ EM iterations; mean log-likelihood -\d+\.\d+ per eruption/);
    for (let c = 0; c < k; c++) {
      expect(run.stdout).toContain(`component ${c + 1}: weight ${model.weights[c]!.toFixed(3)}`);
      const row = (v: number[]) => v.map((x) => x.toFixed(3).padStart(9)).join('');
      expect(run.stdout).toContain(`mean       [${row(model.means[c]!)} ]`);
      expect(run.stdout).toContain(`covariance [${row(covariance(model, c)[0]!)} ]`);
    }
    const sizes = /cluster sizes: ([\d, ]+)/.exec(run.stdout);
    expect(sizes).not.toBeNull();
    const counts = sizes![1]!.split(',').map(Number);
    expect(counts).toHaveLength(k);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(272);
    expect(run.stdout).toContain(`Plot: ${join(outDir, 'faithful.svg')}`);
  });

  it('writes an SVG with 272 points, axis labels and a 1σ and a 2σ ellipse per component', () => {
    const svg = readFileSync(join(outDir, 'faithful.svg'), 'utf8');
    const model = JSON.parse(readFileSync(join(outDir, 'faithful-model.json'), 'utf8')) as ModelJSON;
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg).toContain('xmlns="http://www.w3.org/2000/svg"');
    expect(svg.match(/<circle /g)).toHaveLength(272);
    expect(svg.match(/<ellipse /g)).toHaveLength(2 * model.nComponents);
    for (let c = 0; c < model.nComponents; c++) {
      for (const r of [1, 2]) expect(svg).toContain(`<ellipse data-component="${c}" data-sigma="${r}" `);
    }
    expect(svg).toContain('eruptions (min)');
    expect(svg).toContain('waiting (min)');
    expect(svg).toMatch(/<text [^>]*>Old Faithful[^<]*<\/text>/);
    // Tags balance (no XML parser in the dependencies; this catches a truncated or mangled file).
    const opened = (svg.match(/<(?!\/)[a-z]+[^>]*[^/]>/g) ?? []).length;
    const closed = (svg.match(/<\/[a-z]+>/g) ?? []).length;
    expect(opened).toBe(closed);
  });

  it('draws the ellipses of component 1 where its covariance puts them', () => {
    const svg = readFileSync(join(outDir, 'faithful.svg'), 'utf8');
    const model = JSON.parse(readFileSync(join(outDir, 'faithful-model.json'), 'utf8')) as ModelJSON;
    const ticks = (axis: 'x' | 'y'): [number, number][] =>
      [...svg.matchAll(new RegExp(`<text class="tick-${axis}"[^>]* ${axis}="([-\\d.]+)"[^>]*>([-\\d.]+)</text>`, 'g'))]
        .map((m) => [Number(m[1]), Number(m[2])]);
    const xAxis = axisMap(ticks('x'));
    const yAxis = axisMap(ticks('y'));
    expect(yAxis.scale).toBeLessThan(0); // the page's y grows downwards
    const c = 0;
    const mean = model.means[c]!;
    const [[a, b], [, d]] = covariance(model, c);
    // The covariance in page units, D Σ D with D = diag(x scale, y scale); its eigenvalues from the characteristic
    // polynomial λ² − tr λ + det = 0.
    const pa = a * xAxis.scale ** 2;
    const pb = b * xAxis.scale * yAxis.scale;
    const pd = d * yAxis.scale ** 2;
    const tr = pa + pd;
    const det = pa * pd - pb * pb;
    const disc = Math.sqrt(tr * tr / 4 - det);
    const lambda = [tr / 2 + disc, tr / 2 - disc];
    const detInv = 1 / (a * d - b * b);
    for (const r of [1, 2]) {
      const m = new RegExp(`<ellipse data-component="${c}" data-sigma="${r}" cx="([-\\d.]+)" cy="([-\\d.]+)" ` +
        'rx="([-\\d.]+)" ry="([-\\d.]+)" transform="rotate\\(([-\\d.]+) ([-\\d.]+) ([-\\d.]+)\\)"').exec(svg);
      expect(m, `ellipse ${c}, ${r}σ`).not.toBeNull();
      const [cx, cy, rx, ry, angle, ox, oy] = m!.slice(1).map(Number) as
        [number, number, number, number, number, number, number];
      expect([ox, oy]).toEqual([cx, cy]);
      expect(cx).toBeCloseTo(xAxis.at(mean[0]!), 1);
      expect(cy).toBeCloseTo(yAxis.at(mean[1]!), 1);
      // Semi-axes r√λ₁ and r√λ₂ in page units.
      expect(Math.abs(rx / (r * Math.sqrt(lambda[0]!)) - 1)).toBeLessThan(1e-3);
      expect(Math.abs(ry / (r * Math.sqrt(lambda[1]!)) - 1)).toBeLessThan(1e-3);
      // Every point of the drawn ellipse, taken back to data units, lies at Mahalanobis distance r from the mean.
      const t = (angle * Math.PI) / 180;
      for (let s = 0; s < 16; s++) {
        const u = (2 * Math.PI * s) / 16;
        const ex = rx * Math.cos(u);
        const ey = ry * Math.sin(u);
        const dx = xAxis.inverse(cx + ex * Math.cos(t) - ey * Math.sin(t)) - mean[0]!;
        const dy = yAxis.inverse(cy + ex * Math.sin(t) + ey * Math.cos(t)) - mean[1]!;
        const mahalanobis = Math.sqrt(detInv * (d * dx * dx - 2 * b * dx * dy + a * dy * dy));
        expect(Math.abs(mahalanobis / r - 1), `point ${s} of the ${r}σ ellipse`).toBeLessThan(2e-3);
      }
    }
  });
});

describe('the missing-values example (examples/missing-values.mjs)', () => {
  it('fits the incomplete rows near the complete-data means and fills the holes better than column means', () => {
    const r = spawnSync(process.execPath, [join(root, 'examples', 'missing-values.mjs')],
      { cwd: root, encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const rmse = /impute ([\d.]+) min, column means ([\d.]+) min/.exec(r.stdout);
    expect(rmse, r.stdout).not.toBeNull();
    expect(Number(rmse![1])).toBeLessThan(0.6 * Number(rmse![2]));
    const means = (label: string): number[][] => {
      const line = r.stdout.split('\n').find((l) => l.startsWith(label))!;
      return [...line.matchAll(/\[([^\]]+)\]/g)].map((m) => m[1]!.split(', ').map(Number)).sort((a, b) => a[0]! - b[0]!);
    };
    const incomplete = means('means fitted to the incomplete rows');
    const complete = means('means fitted to the complete rows');
    incomplete.forEach((m, c) => m.forEach((v, j) => expect(Math.abs(v - complete[c]![j]!)).toBeLessThan(1)));
  }, 70_000);
});
