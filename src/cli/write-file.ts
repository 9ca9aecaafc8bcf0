/**
 * Writing an output file so that a failure never costs the previous one: the text goes to a temporary file in the
 * same directory, is flushed to the disk (`fsync`), and only then renamed over the target — a rename within one file
 * system is atomic, so a reader (or the next run, after `kill -9`, a full disk or a power cut) sees either the old
 * file or the whole new one. A target that is not a regular file (`/dev/stdout`, a FIFO, a terminal, `/dev/null`)
 * cannot be replaced by renaming and is written in place.
 */
import { unlinkSync } from 'node:fs';
import * as nodeFs from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** The file operations `writeFileAtomic` uses: Node's `fs/promises`, or a stand-in that injects faults in tests. */
export interface WriteFs {
  stat(path: string): Promise<{ isFile(): boolean; mode: number }>;
  realpath(path: string): Promise<string>;
  open(path: string, flags: string, mode?: number): Promise<WriteHandle>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  writeFile(path: string, text: string, options: { encoding: 'utf8'; flag: 'a' }): Promise<void>;
}

/** The operations on an open file that `writeFileAtomic` uses. */
export interface WriteHandle {
  writeFile(text: string, encoding: 'utf8'): Promise<void>;
  chmod(mode: number): Promise<void>;
  sync(): Promise<void>;
  close(): Promise<void>;
}

const fsPromises: WriteFs = nodeFs as unknown as WriteFs;

/** Temporary files being written, for `removeTemporaries` when a signal stops the process mid-write. */
const pending = new Set<string>();

/**
 * Removes the temporary files of the writes in progress, synchronously: for a signal handler (SIGINT, SIGTERM), which
 * runs no `finally` of the interrupted write. (Nothing can clean up after `kill -9`: its temporary file stays.)
 */
export function removeTemporaries(): void {
  for (const path of pending) {
    try {
      unlinkSync(path);
    } catch {
      // Already gone, or renamed into place.
    }
  }
  pending.clear();
}

/** The file's status, or null when nothing is at `path` (any other failure is thrown). */
async function statOrNull(fs: WriteFs, path: string): Promise<{ isFile(): boolean; mode: number } | null> {
  try {
    return await fs.stat(path);
  } catch (e) {
    if ((e as { code?: unknown }).code === 'ENOENT') return null;
    throw e;
  }
}

/** Paths that name a descriptor or a kernel object rather than a file of a directory. */
const DESCRIPTOR_PATH = /^\/(dev|proc)\//;

/** A name beside `target` that no other writer picks: hidden, with this process's id and a random part. */
function temporaryName(target: string): string {
  const random = Math.floor(Math.random() * 2 ** 32).toString(36);
  return join(dirname(target), `.${basename(target)}.${process.pid}.${random}.tmp`);
}

/**
 * Writes `text` (UTF-8) to `path` atomically: through a temporary file beside it, fsynced and renamed over it. A
 * target that exists keeps its permission bits; a symbolic link keeps pointing where it did (its destination is
 * replaced). On any failure the temporary file is removed, the target is as it was, and the error is thrown as it
 * came. A target that exists and is not a regular file, or is under /dev or /proc (`/dev/stdout` redirected to a
 * file), is written directly.
 */
export async function writeFileAtomic(path: string, text: string, fs: WriteFs = fsPromises): Promise<void> {
  const existing = await statOrNull(fs, path);
  // /dev/stdout and /proc/self/fd/N name an open descriptor (a redirect, maybe in append mode): renaming over the file
  // behind it would bypass the descriptor, so they are written through, as are devices, FIFOs and sockets.
  if (existing !== null && (!existing.isFile() || DESCRIPTOR_PATH.test(path))) {
    // Appending, not truncating: /dev/stdout redirected to a file (`>> log`) reopens that file, and 'w' would empty it.
    await fs.writeFile(path, text, { encoding: 'utf8', flag: 'a' });
    return;
  }
  const target = existing === null ? path : await fs.realpath(path);
  const temporary = temporaryName(target);
  // Known before it exists, so that a signal arriving as the file is created still removes it.
  pending.add(temporary);
  let created = false;
  let renamed = false;
  try {
    // 'wx' fails rather than follow or reuse anything already at the temporary name.
    const handle = await fs.open(temporary, 'wx', 0o666);
    created = true;
    try {
      await handle.writeFile(text, 'utf8');
      if (existing !== null) await handle.chmod(existing.mode & 0o7777);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temporary, target);
    renamed = true;
  } finally {
    pending.delete(temporary);
    if (created && !renamed) await fs.unlink(temporary).catch(() => {});
  }
}
