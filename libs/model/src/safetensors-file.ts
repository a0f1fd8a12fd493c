/** Reading and writing safetensors files (see safetensors-codec.ts for the format). */
import { SafetensorsError } from './errors.js';
import { readFileBytes, writeFileAtomic } from './files.js';
import {
  decodeSafetensors,
  DEFAULT_SAFETENSORS_READ_OPTIONS,
  encodeSafetensors,
  type NamedTensor,
  type SafetensorsContent,
  type SafetensorsReadOptions,
} from './safetensors-codec.js';

/** Writes tensors and metadata to a safetensors file atomically (temporary file, then rename). */
export async function writeSafetensors(
  path: string,
  tensors: ReadonlyMap<string, NamedTensor>,
  metadata: Readonly<Record<string, string>> = {},
): Promise<void> {
  await writeFileAtomic(path, encodeSafetensors(tensors, metadata));
}

/**
 * Reads and validates a safetensors file. Throws SafetensorsError for an unreadable path and for
 * every malformation decodeSafetensors detects.
 */
export async function readSafetensors(
  path: string,
  options: SafetensorsReadOptions = DEFAULT_SAFETENSORS_READ_OPTIONS,
): Promise<SafetensorsContent> {
  let bytes: Uint8Array;
  try {
    bytes = await readFileBytes(path);
  } catch (error) {
    throw new SafetensorsError(path, undefined, `cannot read: ${(error as Error).message}`, { cause: error });
  }
  return decodeSafetensors(bytes, path, options);
}
