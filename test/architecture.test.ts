/**
 * The import rules of the design (DESIGN.md, "Family × latent × driver") that the code already keeps, checked from
 * the sources' own import lines so that a change cannot quietly break them:
 * - no module imports from a model class's file (the public classes sit on top; shared helpers live below them),
 *   except those that build models: the public index, `selectModel` and the discrete mixtures' loader;
 * - the backends dispatch through the kernel table: no bound data branches on a kernel shape to pick a kernel;
 * - the EM loop (`src/em/`) and the families (`src/families/`) do not import each other: the loop knows no family,
 *   and a family needs no loop (shared pieces such as k-means and the random stream live outside both).
 */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const SRC = new URL('../src/', import.meta.url).pathname;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

function imports(path: string): string[] {
  const text = readFileSync(path, 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+'([^']+)'/gm)].map((m) => m[1]!);
}

/** The files of the public model classes. */
const MODEL_FILES = ['gaussian-mixture.ts', 'discrete/bernoulli-mixture.ts', 'discrete/categorical-mixture.ts',
  'discrete/poisson-mixture.ts', 'hmm/gaussian-hmm.ts', 'hmm/categorical-hmm.ts', 'hmm/poisson-hmm.ts'];

describe('import rules', () => {
  const files = sources(SRC).map((p) => relative(SRC, p));

  it('finds the sources and their imports', () => {
    expect(files).toContain('gaussian-mixture.ts');
    expect(imports(join(SRC, 'select-model.ts'))).toContain('./gaussian-mixture.js');
  });

  it('no module but those that build models imports from a model class', () => {
    const offenders: string[] = [];
    for (const file of files) {
      if (['index.ts', 'select-model.ts', 'discrete/load.ts'].includes(file)) continue;
      for (const spec of imports(join(SRC, file))) {
        if (!spec.startsWith('.')) continue;
        const target = relative(SRC, join(SRC, file, '..', spec)).replace(/\.js$/, '.ts');
        if (MODEL_FILES.includes(target)) offenders.push(`${file} → ${target}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('em/ and families/ do not import each other', () => {
    const crossings: string[] = [];
    for (const file of files) {
      const [top] = file.split('/');
      if (top !== 'em' && top !== 'families') continue;
      const other = top === 'em' ? 'families' : 'em';
      for (const spec of imports(join(SRC, file))) {
        if (!spec.startsWith('.')) continue;
        const target = relative(SRC, join(SRC, file, '..', spec));
        if (target.split('/')[0] === other) crossings.push(`${file} → ${target}`);
      }
    }
    expect(files.some((f) => f.startsWith('em/'))).toBe(true);
    expect(crossings).toEqual([]);
  });

  it('the bound data of both backends pick kernels from the table, not by shape', () => {
    for (const file of ['backend/js/index.ts', 'backend/wasm/index.ts']) {
      const text = readFileSync(join(SRC, file), 'utf8');
      expect(text, file).toContain('kernelRow(');
      // A kernel entry point named in a bound data's method is a dispatch the table should hold.
      expect(text.match(/kernels\.(accumulate|logprob)_\w+/g) ?? [], file).toEqual([]);
      expect(text.match(/\b(accumulate|logProb)Gauss(Full|Diag)(F32)?\(/g) ?? [], file).toEqual([]);
    }
  });
});
