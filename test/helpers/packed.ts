/**
 * The package as a user gets it: `npm pack` of this checkout (its `dist/` already built: `npm test` and
 * `npm run test:browser` build first), installed from the tarball with `npm install --offline` into an empty project.
 * The package has no runtime dependencies, so the install needs no network.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A packed and installed copy of the package. */
export interface Installed {
  /** The directory of the tarball and the project. */
  dir: string;
  /** The empty project the tarball is installed in (`node_modules/wasm-em`). */
  project: string;
  /** The files the tarball holds, relative to the package (`dist/index.js`). */
  files: string[];
}

function npm(args: string[], cwd: string): string {
  return execFileSync('npm', args, {
    cwd,
    encoding: 'utf8',
    // No lifecycle script of the consumer's install (there is none) and no registry round trip.
    env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' },
  });
}

/**
 * Packs the checkout (`--ignore-scripts`: `prepack` would build again, and `dist/` is fresh) and installs the tarball
 * into a new project of `type` (`commonjs` or `module`) under the system temporary directory.
 */
export function packAndInstall(type: 'commonjs' | 'module' = 'commonjs'): Installed {
  const dir = mkdtempSync(join(tmpdir(), 'wasm-em-packed-'));
  const [packed] = JSON.parse(npm(['pack', '--ignore-scripts', '--json', '--pack-destination', dir], ROOT)) as
    { filename: string; files: { path: string }[] }[];
  const project = join(dir, 'project');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type }));
  npm(['install', '--offline', '--no-package-lock', join(dir, packed!.filename)], project);
  return { dir, project, files: packed!.files.map((f) => f.path).sort() };
}
