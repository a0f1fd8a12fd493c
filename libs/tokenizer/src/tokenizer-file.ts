/** File adapter: the only part of the package that touches the file system. */
import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';

/**
 * Writes text to path atomically: a temporary file in the same directory, then a rename, so a
 * reader never sees half a tokenizer.json.
 */
export async function writeTextFileAtomic(path: string, text: string): Promise<void> {
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(temporary, text, 'utf8');
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** Reads a UTF-8 text file. */
export async function readTextFile(path: string): Promise<string> {
  return readFile(path, 'utf8');
}
