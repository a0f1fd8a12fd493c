/** Reading the JSON side files of an encoder directory (encoder.json, a public export's configs). */
import { readFile } from 'node:fs/promises';
import { EncoderLoadError } from './errors.js';

/** A JSON object read from disk. */
export type JsonObject = { readonly [key: string]: unknown };

/** The JSON object in `path`, or undefined when the file does not exist; EncoderLoadError otherwise. */
export async function readOptionalJsonObject(path: string): Promise<JsonObject | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new EncoderLoadError(path, `cannot read: ${(error as Error).message}`, { cause: error });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new EncoderLoadError(path, `is not valid JSON (${(cause as Error).message})`, { cause });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new EncoderLoadError(path, 'expected a JSON object');
  }
  return value as JsonObject;
}
