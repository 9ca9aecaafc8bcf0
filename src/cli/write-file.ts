/**
 * Writing an output file so that a failure never costs the previous one: the text goes to a temporary file in the
 * same directory, is flushed to the disk (`fsync`), and only then renamed over the target — a rename within one file
 * system is atomic, so a reader (or the next run, after `kill -9`, a full disk or a power cut) sees either the old
 * file or the whole new one. A target that is not a regular file (`/dev/stdout`, a FIFO, a terminal, `/dev/null`)
 * cannot be replaced by renaming and is written in place.
 */
import * as nodeFs from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** The file operations `writeFileAtomic` uses: Node's `fs/promises`, or a stand-in that injects faults in tests. */
export interface WriteFs {
  stat(path: string): Promise<{ isFile(): boolean; mode: number }>;
  realpath(path: string): Promise<string>;
  open(path: string, flags: string, mode?: number): Promise<WriteHandle>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  writeFile(path: string, text: string, encoding: 'utf8'): Promise<void>;
}

/** The operations on an open file that `writeFileAtomic` uses. */
export interface WriteHandle {
  writeFile(text: string, encoding: 'utf8'): Promise<void>;
  chmod(mode: number): Promise<void>;
  sync(): Promise<void>;
  close(): Promise<void>;
}

const fsPromises: WriteFs = nodeFs as unknown as WriteFs;

/** The file's status, or null when nothing is at `path` (any other failure is thrown). */
async function statOrNull(fs: WriteFs, path: string): Promise<{ isFile(): boolean; mode: number } | null> {
  try {
    return await fs.stat(path);
  } catch (e) {
    if ((e as { code?: unknown }).code === 'ENOENT') return null;
    throw e;
  }
}

/** A name beside `target` that no other writer picks: hidden, with this process's id and a random part. */
function temporaryName(target: string): string {
  const random = Math.floor(Math.random() * 2 ** 32).toString(36);
  return join(dirname(target), `.${basename(target)}.${process.pid}.${random}.tmp`);
}

/**
 * Writes `text` (UTF-8) to `path` atomically: through a temporary file beside it, fsynced and renamed over it. A
 * target that exists keeps its permission bits; a symbolic link keeps pointing where it did (its destination is
 * replaced). On any failure the temporary file is removed, the target is as it was, and the error is thrown as it
 * came. A target that exists and is not a regular file is written directly.
 */
export async function writeFileAtomic(path: string, text: string, fs: WriteFs = fsPromises): Promise<void> {
  const existing = await statOrNull(fs, path);
  if (existing !== null && !existing.isFile()) {
    await fs.writeFile(path, text, 'utf8');
    return;
  }
  const target = existing === null ? path : await fs.realpath(path);
  const temporary = temporaryName(target);
  // 'wx' fails rather than follow or reuse anything already at the temporary name.
  const handle = await fs.open(temporary, 'wx', 0o666);
  let renamed = false;
  try {
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
    if (!renamed) await fs.unlink(temporary).catch(() => {});
  }
}
