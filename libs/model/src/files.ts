/** File adapter: the only part of the package that touches the file system. */
import { randomBytes } from 'node:crypto';
import { open, readFile, rename, rm, stat } from 'node:fs/promises';

/**
 * Writes bytes to path atomically: a temporary file in the same directory, flushed to disk, then
 * a rename, so a reader sees either the old file or the whole new one, never half of it.
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array | string): Promise<void> {
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const handle = await open(temporary, 'w');
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** Reads a whole file. */
export async function readFileBytes(path: string): Promise<Uint8Array> {
  return readFile(path);
}

/** Reads a UTF-8 text file. */
export async function readTextFile(path: string): Promise<string> {
  return readFile(path, 'utf8');
}

/** What is at a path: a directory, a file, something else, or nothing. */
export async function pathKind(path: string): Promise<'directory' | 'file' | 'other' | 'missing'> {
  try {
    const info = await stat(path);
    if (info.isDirectory()) return 'directory';
    return info.isFile() ? 'file' : 'other';
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw error;
  }
}
