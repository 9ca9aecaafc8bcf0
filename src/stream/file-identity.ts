/**
 * What identifies a file across the passes of a streamed fit: its device and inode (a file replaced by another, e.g.
 * renamed over it, has other ones), its size and its modification time (a file written in place).
 */

/** A file's identity at one moment. */
export interface FileIdentity {
  readonly dev: number;
  readonly ino: number;
  readonly size: number;
  readonly mtimeMs: number;
}

/** The identity of the file at `path` (Node only), or null when it cannot be read (reading it then says why). */
export async function fileIdentity(path: string): Promise<FileIdentity | null> {
  const { stat } = await import(/* webpackIgnore: true */ /* @vite-ignore */ 'node:fs/promises');
  try {
    const s = await stat(path);
    return { dev: s.dev, ino: s.ino, size: s.size, mtimeMs: s.mtimeMs };
  } catch {
    return null;
  }
}

/** What differs between two identities of a file, in words (`'size changed from 10 to 12 bytes'`), or null. */
export function identityChange(first: FileIdentity, now: FileIdentity): string | null {
  if (first.dev !== now.dev || first.ino !== now.ino) {
    return `identity changed (device ${first.dev}, inode ${first.ino} on the first pass; device ${now.dev}, inode ${now.ino} now: ` +
      'the file was replaced)';
  }
  if (first.size !== now.size) return `size changed from ${first.size} to ${now.size} bytes`;
  if (first.mtimeMs !== now.mtimeMs) {
    return `modification time changed from ${new Date(first.mtimeMs).toISOString()} to ${new Date(now.mtimeMs).toISOString()}`;
  }
  return null;
}
