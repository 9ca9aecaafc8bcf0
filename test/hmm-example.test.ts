/**
 * The regimes example (`examples/hmm-regimes.mjs`), run as a user runs it: a child process on the built package.
 * Checks the printed transition matrix (3 rows that sum to 1, persistent regimes) and the Viterbi path's agreement
 * with the true regimes.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

describe('the regimes example (examples/hmm-regimes.mjs)', () => {
  it('prints the fitted transition matrix and a Viterbi path that agrees with the true regimes', () => {
    if (!existsSync(join(root, 'dist', 'index.js'))) throw new Error('dist/ is missing: run `npm run build` first (`npm test` does)');
    const r = spawnSync(process.execPath, [join(root, 'examples', 'hmm-regimes.mjs')], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/converged after \d+ Baum–Welch iterations/);
    const lines = r.stdout.split('\n');
    const head = lines.findIndex((l) => /^\s+calm\s+nervous\s+crash\s*$/.test(l));
    expect(head, r.stdout).toBeGreaterThanOrEqual(0);
    const rows = lines.slice(head + 1, head + 4).map((l) => l.trim().split(/\s+/));
    expect(rows.map((row) => row[0])).toEqual(['calm', 'nervous', 'crash']);
    rows.forEach((row, i) => {
      const p = row.slice(1).map(Number);
      expect(p).toHaveLength(3);
      expect(Math.abs(p.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(2e-3);
      expect(p[i]).toBe(Math.max(...p)); // regimes persist
    });
    const agree = /agrees with the true regimes on (\d+) of (\d+) days/.exec(r.stdout);
    expect(agree, r.stdout).not.toBeNull();
    expect(Number(agree![2])).toBe(1000);
    expect(Number(agree![1]) / 1000).toBeGreaterThan(0.9);
  }, 70_000);
});
