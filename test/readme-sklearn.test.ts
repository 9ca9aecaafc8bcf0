/**
 * The README's scikit-learn loader, run as written: the ```python block of its "Model JSON" section, with
 * `model.json` a model the library wrote, must build a scikit-learn GaussianMixture whose `score` is the library's.
 * Needs /usr/bin/python3 with numpy and scikit-learn (Debian: python3-sklearn); skipped, saying why, without them.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GaussianMixture } from '../src/index.js';
import { loadReference } from './helpers/load-csv.js';

const PYTHON = '/usr/bin/python3';
const probe = spawnSync(PYTHON, ['-c', 'import numpy, sklearn'], { encoding: 'utf8' });
const missing = probe.error ? `${PYTHON} is missing` : probe.status !== 0 ? `${PYTHON} has no numpy or scikit-learn` : null;
if (missing !== null) console.warn(`readme-sklearn.test.ts skipped: ${missing} (Debian: apt-get install python3-sklearn)`);

/** The one ```python block of the README's "## Model JSON" section. */
function readmeLoader(): string {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('\n## Model JSON'));
  const match = /```python\n([\s\S]*?)```/.exec(section.slice(0, section.indexOf('\n## ', 1)));
  if (!match) throw new Error('README.md: no ```python block in the Model JSON section');
  return match[1]!;
}

const dir = mkdtempSync(join(tmpdir(), 'wasm-em-readme-sklearn-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(missing !== null)("the README's scikit-learn loader", () => {
  it('runs as written and scores like the library, for each covariance type', () => {
    const X = loadReference('faithful').array;
    writeFileSync(join(dir, 'X.json'), JSON.stringify(X));
    const types = ['full', 'tied', 'diag', 'spherical'] as const;
    const models = types.map((type) => new GaussianMixture({ nComponents: 2, covarianceType: type, seed: 1 }).fit(X));
    types.forEach((type, c) => {
      mkdirSync(join(dir, type));
      writeFileSync(join(dir, type, 'model.json'), JSON.stringify(models[c]!.toJSON(), null, 2));
    });
    // One interpreter (importing scikit-learn takes seconds): the block runs as written in each model's directory.
    const script = `import json, os\nblock = ${JSON.stringify(readmeLoader())}\n` +
      `X = json.load(open("X.json"))\nfor d in ${JSON.stringify(types)}:\n` +
      `    os.chdir(d)\n    ns = {}\n    exec(block, ns)\n    print(repr(ns["gm"].score(ns["np"].asarray(X))))\n` +
      `    os.chdir("..")\n`;
    const out = execFileSync(PYTHON, ['-c', script], { cwd: dir, encoding: 'utf8' }).trim().split('\n').map(Number);
    expect(out).toHaveLength(types.length);
    models.forEach((gm, c) => {
      const score = gm.score(X);
      expect(Math.abs(out[c]! - score), types[c]).toBeLessThanOrEqual(1e-12 * Math.abs(score));
    });
  }, 60_000);
});
