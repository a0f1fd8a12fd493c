/**
 * File-system adapter for durable writes: fsync of files and directories, atomic small files,
 * and a directory made visible by one rename. The only I/O of the checkpoint code.
 */
import { randomBytes } from 'node:crypto';
import { access, open, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';

/** Flushes a file's or a directory's contents (and a directory's entries) to disk. */
export async function fsyncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** fsyncs every regular file under `dir` (recursively), then every directory, deepest first. */
export async function fsyncTree(dir: string): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await fsyncTree(path);
    else if (entry.isFile()) await fsyncPath(path);
  }
  await fsyncPath(dir);
}

/**
 * Makes a fully written temporary directory visible under its final name: fsync its tree, rename
 * (atomic within one file system), fsync the parent so the rename itself survives a power cut.
 * A directory already at `finalDir` (the same step written before a crash) is replaced.
 */
export async function publishDirectory(tempDir: string, finalDir: string, parentDir: string): Promise<void> {
  await fsyncTree(tempDir);
  await rm(finalDir, { recursive: true, force: true });
  await rename(tempDir, finalDir);
  await fsyncPath(parentDir);
}

/** Writes a small file atomically and durably (temporary file, fsync, rename, fsync the directory). */
export async function writeFileDurable(dir: string, name: string, bytes: Uint8Array | string): Promise<void> {
  const temporary = join(dir, `.${name}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await open(temporary, 'w');
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, join(dir, name));
    await fsyncPath(dir);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** Whether something exists at `path`. */
export async function pathExists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
