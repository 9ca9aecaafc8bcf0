/**
 * Files the CLI writes: replaced atomically (temporary file, fsync, rename), so that a failed write — a full disk,
 * an I/O error, `kill -9` — leaves the previous file as it was; non-regular targets written in place; and every
 * write error one line with exit code 1.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import {
  chmodSync, closeSync, existsSync, lstatSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync,
  statSync, symlinkSync, watch, writeFileSync,
} from 'node:fs';
import * as fsPromises from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileAtomic, type WriteFs, type WriteHandle } from '../src/cli/write-file.js';
import { cliInProcess } from './helpers/cli-in-process.js';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const FAITHFUL = fileURLToPath(new URL('./fixtures/reference/faithful.csv', import.meta.url));
const OLD = '{"previous":"model"}\n';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wasm-em-writes-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A fresh directory holding `out.json` with the previous model. */
function withOld(name: string): { folder: string; target: string } {
  const folder = join(dir, name);
  mkdirSync(folder);
  const target = join(folder, 'out.json');
  writeFileSync(target, OLD);
  return { folder, target };
}

function errno(code: string): Error {
  return Object.assign(new Error(`${code}: injected`), { code });
}

/** Node's fs with one fault: `write` writes half the text and fails, or `sync` / `rename` fail. */
function faultyFs(fault: 'write' | 'sync' | 'rename' | 'close'): WriteFs {
  const real = fsPromises as unknown as WriteFs;
  return {
    ...real,
    stat: (p) => fsPromises.stat(p),
    realpath: (p) => fsPromises.realpath(p),
    unlink: (p) => fsPromises.unlink(p),
    writeFile: (p, t, o) => fsPromises.writeFile(p, t, o),
    rename: async (from, to) => {
      if (fault === 'rename') throw errno('EXDEV');
      await fsPromises.rename(from, to);
    },
    async open(path, flags, mode) {
      const handle = await fsPromises.open(path, flags, mode);
      const faulty: WriteHandle = {
        writeFile: async (text, encoding) => {
          if (fault !== 'write') return handle.writeFile(text, encoding);
          await handle.writeFile(text.slice(0, text.length >> 1), encoding);
          throw errno('ENOSPC');
        },
        chmod: (m) => handle.chmod(m),
        sync: async () => {
          if (fault === 'sync') throw errno('EIO');
          await handle.sync();
        },
        close: async () => {
          await handle.close();
          if (fault === 'close') throw errno('EIO');
        },
      };
      return faulty;
    },
  };
}

describe('writeFileAtomic', () => {
  it.each(['write', 'sync', 'close', 'rename'] as const)(
    'a failing %s leaves the previous file intact and no temporary file',
    async (fault) => {
      const { folder, target } = withOld(`fault-${fault}`);
      const error = await writeFileAtomic(target, '{"new":1}\n'.repeat(1000), faultyFs(fault)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      expect(readFileSync(target, 'utf8')).toBe(OLD);
      expect(readdirSync(folder)).toEqual(['out.json']);
    },
  );

  it('replaces the file, keeping its permission bits', async () => {
    const { folder, target } = withOld('mode');
    chmodSync(target, 0o600);
    await writeFileAtomic(target, 'new\n');
    expect(readFileSync(target, 'utf8')).toBe('new\n');
    expect(statSync(target).mode & 0o777).toBe(0o600);
    expect(readdirSync(folder)).toEqual(['out.json']);
  });

  it('a symbolic link keeps pointing at its destination, which is replaced', async () => {
    const { folder, target } = withOld('link');
    const link = join(folder, 'latest.json');
    symlinkSync('out.json', link);
    await writeFileAtomic(link, 'new\n');
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(target, 'utf8')).toBe('new\n');
  });

  it('creates a file that does not exist', async () => {
    const folder = join(dir, 'create');
    mkdirSync(folder);
    await writeFileAtomic(join(folder, 'm.json'), 'x\n');
    expect(readdirSync(folder)).toEqual(['m.json']);
  });

  it('writes /dev/stdout through its descriptor, even when it is redirected to a regular file', () => {
    const log = join(dir, 'appended.log');
    writeFileSync(log, 'first line\n');
    const fd = openSync(log, 'a');
    try {
      const child = spawnSync(process.execPath, [CLI, 'fit', FAITHFUL, '-k', '1', '--seed', '1', '-o', '/dev/stdout'],
        { stdio: ['ignore', fd, 'pipe'], encoding: 'utf8' });
      expect(child.status, child.stderr).toBe(0);
    } finally {
      closeSync(fd);
    }
    const text = readFileSync(log, 'utf8');
    expect(text.startsWith('first line\n{')).toBe(true);
    expect(JSON.parse(text.slice('first line\n'.length)).format).toBe('wasm-em/gaussian-mixture');
  });

  it('-o /dev/stdout into a pipe closed early (| head) is a quiet exit 0', () => {
    const run = spawnSync('bash', ['-c',
      `"${process.execPath}" "${CLI}" fit "${FAITHFUL}" -k 1 -o /dev/stdout | head -c 1 >/dev/null; echo "$\{PIPESTATUS[0]}" >&2`],
      { encoding: 'utf8' });
    expect(run.stderr).toBe('0\n');
  });

  it('writes a FIFO in place (it cannot be renamed over)', async () => {
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const reader = fsPromises.readFile(fifo, 'utf8');
    await writeFileAtomic(fifo, 'through the pipe\n');
    expect(await reader).toBe('through the pipe\n');
    expect(statSync(fifo).isFIFO()).toBe(true);
  });
});

describe('CLI writes', () => {
  it('fit -o into a missing directory is one line, exit 1, and writes nothing', async () => {
    const run = await cliInProcess(['fit', FAITHFUL, '-k', '1', '-o', join(dir, 'no', 'such', 'm.json')]);
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/^wasm-em: cannot write .*m\.json: no such file or directory\n$/);
  });

  it('select -o replaces the previous best model', async () => {
    const { folder, target } = withOld('select');
    const run = await cliInProcess(['select', FAITHFUL, '-k', '1..2', '--covariance', 'full', '--seed', '1', '-o', target]);
    expect(run.code, run.err).toBe(0);
    expect(JSON.parse(readFileSync(target, 'utf8')).format).toBe('wasm-em/gaussian-mixture');
    expect(readdirSync(folder)).toEqual(['out.json']);
  });

  it.skipIf(!existsSync('/dev/full'))('fit -o /dev/full and fit > /dev/full: one line, exit 1, no stack', () => {
    const toFile = spawnSync(process.execPath, [CLI, 'fit', FAITHFUL, '-k', '1', '-o', '/dev/full'], { encoding: 'utf8' });
    expect(toFile.status).toBe(1);
    expect(toFile.stderr).toBe('wasm-em: cannot write /dev/full: no space left on device\n');
    const full = openSync('/dev/full', 'w');
    try {
      const toStdout = spawnSync(process.execPath, [CLI, 'fit', FAITHFUL, '-k', '1'], {
        encoding: 'utf8', stdio: ['ignore', full, 'pipe'],
      });
      expect(toStdout.status).toBe(1);
      expect(toStdout.stderr).toBe('wasm-em: cannot write stdout: no space left on device\n');
    } finally {
      closeSync(full);
    }
  });

  /** 400 rows of 60 features: with -k 100 full covariances, a model JSON of about 10 MB. */
  function wideData(): string {
    let csv = '';
    for (let i = 0; i < 400; i++) {
      csv += Array.from({ length: 60 }, (_, j) => (((i * 7919 + j * 104729) % 1000) / 100).toFixed(2)).join(',') + '\n';
    }
    const data = join(dir, 'wide.csv');
    writeFileSync(data, csv);
    return data;
  }

  /** Runs `fit -k 100 -o` over the previous model and sends `signal` at the first change in the output's directory. */
  async function interruptedFit(name: string, signal: NodeJS.Signals): Promise<{ folder: string; target: string }> {
    const data = wideData();
    const { folder, target } = withOld(name);
    const child = spawn(process.execPath,
      [CLI, 'fit', data, '-k', '100', '--max-iter', '1', '--reg-covar', '0.1', '--seed', '1', '-o', target],
      { stdio: 'ignore' });
    // The first change in the directory is the start of the write: signal the process right then.
    const watcher = watch(folder, () => child.kill(signal));
    const got = await new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_, s) => resolve(s)));
    watcher.close();
    expect(got).toBe(signal);
    const text = readFileSync(target, 'utf8');
    // The old model, or (had the signal come after the rename) the whole new one; never a truncated file.
    if (text !== OLD) expect(JSON.parse(text).format).toBe('wasm-em/gaussian-mixture');
    return { folder, target };
  }

  it('kill -9 while fit -o writes a large model leaves the previous model whole', async () => {
    for (let trial = 0; trial < 2; trial++) await interruptedFit(`kill-${trial}`, 'SIGKILL');
  }, 60_000);

  it.each(['SIGINT', 'SIGTERM'] as const)('%s during the write also removes the temporary file', async (signal) => {
    const { folder } = await interruptedFit(`signal-${signal}`, signal);
    expect(readdirSync(folder)).toEqual(['out.json']);
  }, 60_000);
});
