/**
 * `fitStream` over a source that changes between passes (other rows of the same count and width, a file replaced or
 * rewritten) rejects with an `InputError` saying so; a read that never completes (a stalled FIFO, a Readable with no
 * data, an async iterator that never yields) is abandoned as soon as the signal aborts, and the source released.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, utimesSync, writeFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AbortError, GaussianMixture, InputError } from '../src/index.js';
import type { StreamChunk } from '../src/index.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wasm-em-stream-changes-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const d = 2;
/** 600 rows of two clusters (deterministic). */
function rows(shift: number): number[][] {
  return Array.from({ length: 600 }, (_, i) => [((i * 37) % 101) / 50 + (i % 2) * 6 + shift, ((i * 53) % 97) / 40]);
}
const csv = (r: number[][]): string => 'a,b\n' + r.map((x) => x.join(',')).join('\n') + '\n';
const OPTIONS = { nComponents: 2, seed: 3, initCandidates: 1, maxIter: 20, tol: 0 };

describe('a source whose rows change between passes', () => {
  it('row chunks: other values, same count, on a later pass', async () => {
    let opened = 0;
    const source = () => {
      opened++;
      // Pass 3 (the second EM pass) yields rows shifted by a small amount: same rows, same width, other values.
      return [rows(opened === 3 ? 0.001 : 0)];
    };
    const err = await new GaussianMixture(OPTIONS).fitStream(source).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).argument).toBe('source rows 0 to 599');
    expect((err as Error).message).toMatch(
      /^source rows 0 to 599: expected the same values on every pass \(the data changed during the fit\), got other values on pass 3 than on pass 1/);
  });

  it('row chunks: the same rows in another order', async () => {
    let opened = 0;
    const source = () => (++opened === 2 ? [rows(0).reverse()] : [rows(0)]);
    await expect(new GaussianMixture(OPTIONS).fitStream(source)).rejects.toThrow(/data changed during the fit/);
  });

  it('a file replaced by another of the same size between passes', async () => {
    const path = join(dir, 'replaced.csv');
    const a = csv(rows(0));
    // The other file: same length, one digit changed.
    const b = a.replace(/\n1/, '\n2');
    expect(b.length).toBe(a.length);
    writeFileSync(path, a);
    const other = join(dir, 'other.csv');
    writeFileSync(other, b);
    let replaced = false;
    const err = await new GaussianMixture(OPTIONS).fitStream(path, { onProgress: (p) => {
      if (p.phase === 'em' && !replaced) {
        replaced = true;
        renameSync(other, path);
      }
    } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toMatch(/replaced\.csv: expected a file left unchanged during the fit \(the data changed during the fit\), got its identity changed .*the file was replaced/);
  });

  it('a file rewritten in place with the same bytes but a new modification time', async () => {
    const path = join(dir, 'touched.csv');
    writeFileSync(path, csv(rows(0)));
    let touched = false;
    const err = await new GaussianMixture(OPTIONS).fitStream(path, { onProgress: (p) => {
      if (p.phase === 'em' && !touched) {
        touched = true;
        const t = statSync(path).mtime.getTime() / 1000 + 5;
        utimesSync(path, t, t);
      }
    } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toMatch(/data changed during the fit\), got its modification time changed from/);
  });

  it('an unchanged source still fits as fit does', async () => {
    const r = rows(0);
    const path = join(dir, 'same.csv');
    writeFileSync(path, csv(r));
    const expected = JSON.stringify(new GaussianMixture(OPTIONS).fit(r).toJSON());
    expect(JSON.stringify((await new GaussianMixture(OPTIONS).fitStream(path)).toJSON())).toBe(expected);
    expect(JSON.stringify((await new GaussianMixture(OPTIONS).fitStream(() => [r])).toJSON())).toBe(expected);
  });
});

/** Rejects after `ms` so that a hanging fit fails the test instead of stalling it. */
function within<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** Aborts `ac` after `ms` and returns the time from the abort to the rejection of `fit`, and the rejection. */
async function abortLatency(fit: Promise<unknown>, ac: AbortController, ms: number, reason?: unknown): Promise<{ latency: number; error: unknown }> {
  let t0 = 0;
  setTimeout(() => {
    t0 = performance.now();
    ac.abort(reason);
  }, ms);
  const error = await within(fit.then(() => null, (e: unknown) => e), 5000);
  return { latency: performance.now() - t0, error };
}

describe('abort while a read is pending', () => {
  it('an async iterator that never yields: rejects at once, its return() is called', async () => {
    let returned = 0;
    const source = (): AsyncIterable<StreamChunk> => ({
      [Symbol.asyncIterator]: () => {
        let first = true;
        return {
          next: () => {
            if (first) {
              first = false;
              return Promise.resolve({ done: false, value: rows(0) });
            }
            return new Promise<IteratorResult<StreamChunk>>(() => {});
          },
          return: () => {
            returned++;
            return Promise.resolve({ done: true, value: undefined });
          },
        };
      },
    });
    const ac = new AbortController();
    const { latency, error } = await abortLatency(new GaussianMixture(OPTIONS).fitStream(source, { signal: ac.signal }), ac, 50);
    console.log(`pending iterator: rejected ${latency.toFixed(1)} ms after abort()`);
    expect(error).toBeInstanceOf(AbortError);
    expect(latency).toBeLessThan(1000);
    expect(returned).toBe(1);
  });

  it('a Readable that stalls: rejects at once and is destroyed', async () => {
    const streams: Readable[] = [];
    const source = () => {
      const r = new Readable({ read() {} });
      r.push('a,b\n1,2\n3,4\n');
      streams.push(r);
      return r;
    };
    const ac = new AbortController();
    const { latency, error } = await abortLatency(new GaussianMixture(OPTIONS).fitStream(source, { signal: ac.signal }), ac, 50);
    console.log(`stalled Readable: rejected ${latency.toFixed(1)} ms after abort()`);
    expect(error).toBeInstanceOf(AbortError);
    expect(latency).toBeLessThan(1000);
    expect(streams.length).toBe(1);
    expect(streams[0].destroyed).toBe(true);
  });

  it('a FIFO whose writer stalls: rejects at once, the file is closed', async () => {
    const fifo = join(dir, 'rows.fifo');
    const made = spawn('mkfifo', [fifo]);
    await new Promise((resolve) => made.on('exit', resolve));
    // The writer sends a header and two rows, then holds the pipe open without writing.
    const writer = spawn('sh', ['-c', `printf 'a,b\\n1,2\\n3,4\\n' > '${fifo}'; sleep 30 > '${fifo}'`]);
    try {
      const handles = (): number => process.getActiveResourcesInfo().filter((r) => r === 'FileHandle').length;
      const before = handles();
      const ac = new AbortController();
      const { latency, error } = await abortLatency(new GaussianMixture(OPTIONS).fitStream(fifo, { signal: ac.signal }), ac, 200);
      console.log(`stalled FIFO: rejected ${latency.toFixed(1)} ms after abort()`);
      expect(error).toBeInstanceOf(AbortError);
      expect(latency).toBeLessThan(1000);
      for (let t = 0; t < 50 && handles() > before; t++) await new Promise((r) => setTimeout(r, 10));
      expect(handles()).toBeLessThanOrEqual(before);
    } finally {
      writer.kill();
    }
  });

  it('rejects with the signal\'s own reason when it has one', async () => {
    const ac = new AbortController();
    const reason = new Error('stopped by the user');
    const never = (): AsyncIterable<StreamChunk> => ({
      [Symbol.asyncIterator]: () => ({ next: () => new Promise<IteratorResult<StreamChunk>>(() => {}) }),
    });
    const { error } = await abortLatency(new GaussianMixture(OPTIONS).fitStream(never, { signal: ac.signal }), ac, 20, reason);
    expect(error).toBe(reason);
  });
});
