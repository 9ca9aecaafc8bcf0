/**
 * The CLI on a problem too large for WebAssembly memory: with the default backend ('auto') the fit runs on the js
 * backend, and the library's warning that says so reaches stderr as one line.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/run.js';

describe('the CLI on a problem that WebAssembly memory cannot hold', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'wasm-em-size-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("fit with the default backend ('auto') prints the js fallback as one warning line and exits 0", async () => {
    // 129 categorical features with codes up to 65 535: 8.5 million one-hot columns, a 4.03 GiB wasm kernel scratch.
    const rows = [Array.from({ length: 129 }, () => 65535), Array.from({ length: 129 }, (_, j) => j)];
    const data = join(dir, 'wide.csv');
    writeFileSync(data, `${rows.map((r) => r.join(',')).join('\n')}\n`);
    let out = '';
    let err = '';
    const code = await runCli(['fit', data, '--family', 'categorical', '-k', '1', '--seed', '1', '--max-iter', '2'], {
      stdin: Readable.from([]),
      stdout: { write: (s: string) => (out += s) },
      stderr: { write: (s: string) => (err += s) },
      isTTY: false,
    });
    expect(code, err).toBe(0);
    // The fallback is one line of its own (a second line says that 2 iterations did not converge).
    const lines = err.trimEnd().split('\n');
    expect(lines.filter((l) => l.includes('js backend'))).toHaveLength(1);
    expect(lines[0]).toMatch(/^wasm-em: warning: the wasm backend would need 4\.\d GiB of WebAssembly memory /);
    expect(lines[0]).toContain('(n = 2, 8454144 columns, k = 1), more than wasm32 addresses; fitting on the js backend');
    expect(lines[0]).toMatch(/js backend$/);
    expect(JSON.parse(out).format).toMatch(/categorical/);
  }, 60_000);
});
