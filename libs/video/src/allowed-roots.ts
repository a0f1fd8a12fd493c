/**
 * File access confined to allowed roots. A path (plain, relative to a root, or a file:// URI) is
 * accepted only when its real path, after every symlink is followed, lies inside a root's real
 * path. `..` segments are refused outright, and the opened descriptor is checked again through
 * /proc so a symlink swapped in between the check and the open cannot escape.
 */
import { type FileHandle, open, readlink, realpath } from 'node:fs/promises';
import { constants } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { VideoInputError } from './errors.js';

/** A file opened for reading after its path passed the root checks. */
export interface AllowedFile {
  handle: FileHandle;
  /** The real path that was opened. */
  realPath: string;
  size: number;
}

/** True when `target` equals `root` or lies below it (both absolute, normalised). */
export function isInsideRoot(root: string, target: string): boolean {
  const rel = relative(root, target);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

function denied(message: string): VideoInputError {
  return new VideoInputError('PATH_NOT_ALLOWED', message);
}

/** Turns a file:// URI or a plain path into a path string; refuses other schemes. */
export function readPathReference(reference: string | URL): string {
  if (reference instanceof URL || /^[a-z][a-z0-9+.-]*:/i.test(reference)) {
    let url: URL;
    try {
      url = reference instanceof URL ? reference : new URL(reference);
    } catch (error) {
      throw new VideoInputError('INVALID_ARGUMENT', 'video path is not a valid URI', { cause: error, field: 'path' });
    }
    if (url.protocol !== 'file:') throw denied(`only file:// URIs are accepted, not ${url.protocol}//`);
    try {
      return fileURLToPath(url);
    } catch (error) {
      throw new VideoInputError('PATH_NOT_ALLOWED', 'file URI must be local and absolute', { cause: error });
    }
  }
  return reference;
}

async function realpathOrUndefined(path: string): Promise<string | undefined> {
  try {
    return await realpath(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new VideoInputError('NOT_FOUND', 'video file cannot be accessed', { cause: error });
  }
}

/**
 * Resolves `reference` inside `roots` and returns its real path. A relative path is tried against
 * each root in order. Throws PATH_NOT_ALLOWED when it falls outside every root, NOT_FOUND when it
 * is inside a root but does not exist.
 */
export async function resolveAllowedPath(reference: string | URL, roots: readonly string[]): Promise<string> {
  const path = readPathReference(reference);
  if (path.length === 0 || path.includes('\0')) {
    throw new VideoInputError('INVALID_ARGUMENT', 'video path is empty or contains a NUL byte', { field: 'path' });
  }
  if (path.split(/[\\/]/).includes('..')) throw denied('video path must not contain ".." segments');
  if (roots.length === 0) throw denied('no allowed roots are configured for file access');
  const lexicalRoots = roots.map((root) => resolve(root));
  const candidates = isAbsolute(path) ? [resolve(path)] : lexicalRoots.map((root) => resolve(root, path));
  const realRoots = (await Promise.all(lexicalRoots.map(realpathOrUndefined))).filter((r) => r !== undefined);
  let insideSomeRoot = false;
  for (const candidate of candidates) {
    if (!lexicalRoots.some((root) => isInsideRoot(root, candidate))) continue;
    insideSomeRoot = true;
    const real = await realpathOrUndefined(candidate);
    if (real === undefined) continue;
    if (!realRoots.some((root) => isInsideRoot(root, real)))
      throw denied('video path resolves outside the allowed roots');
    return real;
  }
  if (!insideSomeRoot) throw denied('video path is outside the allowed roots');
  throw new VideoInputError('NOT_FOUND', 'video file not found');
}

/**
 * Resolves and opens a file inside the roots, checks what was actually opened (regular file, its
 * real location, its size) and returns the open handle. The caller closes it.
 */
export async function openAllowedFile(
  reference: string | URL,
  roots: readonly string[],
  maxBytes: number,
): Promise<AllowedFile> {
  const realPath = await resolveAllowedPath(reference, roots);
  let handle: FileHandle;
  try {
    handle = await open(realPath, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK); // NONBLOCK: a FIFO must not hang the open
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP')
      throw new VideoInputError('PATH_NOT_ALLOWED', 'video path changed during the check', { cause: error });
    throw new VideoInputError('NOT_FOUND', 'video file cannot be opened', { cause: error });
  }
  try {
    if (process.platform === 'linux') {
      // The descriptor names the file really opened, whatever happened to the path meanwhile.
      const opened = await readlink(`/proc/self/fd/${handle.fd}`);
      const realRoots = (await Promise.all(roots.map((root) => realpathOrUndefined(resolve(root))))).filter(
        (r) => r !== undefined,
      );
      if (!realRoots.some((root) => isInsideRoot(root, opened)))
        throw denied('video path resolves outside the allowed roots');
    }
    const stats = await handle.stat();
    if (!stats.isFile()) throw new VideoInputError('NOT_FOUND', 'video path is not a regular file');
    if (stats.size === 0) throw new VideoInputError('EMPTY_INPUT', 'video file is empty');
    if (stats.size > maxBytes) {
      throw new VideoInputError('TOO_LARGE', `video file is larger than the limit of ${maxBytes} bytes`);
    }
    return { handle, realPath, size: stats.size };
  } catch (error) {
    await handle.close();
    throw error;
  }
}
