/**
 * File adapter of the dataset formats: the only part of this library that touches the disk.
 * JSONL is streamed line by line; a JSON array is read whole (it is one value).
 */
import { createReadStream } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { extname } from 'node:path';
import { DataOptionsError, SampleFormatError } from './errors.js';
import { peekFirstChar, readLines } from './line-reader.js';
import { type SampleFileFormat, type SampleKind, type SampleOf, type VideoSample } from './sample-format.js';
import {
  parseReadOptions,
  parseWriteOptions,
  type ReadSamplesOptions,
  type WriteSamplesOptions,
} from './sample-options.js';
import { RecordCollector, SampleRenderer, detectFormat, parseJsonArray } from './sample-text.js';

/**
 * Where samples come from: a file path, the text of a file, or a stream of its bytes (any async
 * iterable, e.g. a Node `Readable`). `name` labels the source in error messages.
 */
export type SampleSource =
  | string
  | { readonly text: string; readonly name?: string }
  | { readonly chunks: AsyncIterable<string | Uint8Array>; readonly name?: string };

/**
 * Yields the validated samples of a source one by one. JSONL is read a chunk at a time, so a file
 * of any size streams in bounded memory. Errors follow `options.errors` (see {@link ReadSamplesOptions}).
 */
export async function* streamSamples<K extends SampleKind>(
  source: SampleSource,
  options: ReadSamplesOptions<K>,
): AsyncGenerator<SampleOf<K>> {
  const settings = parseReadOptions(options);
  const name = sourceName(source);
  let chunks = openChunks(source);
  let format = settings.format === 'auto' && typeof source === 'string' ? formatFromExtension(source) : settings.format;
  if (format === 'auto') {
    const peeked = await peekFirstChar(chunks);
    chunks = peeked.chunks;
    format = detectFormat(peeked.first ?? '', name);
  }
  const collector = new RecordCollector(settings, name);
  if (format === 'json') {
    const records = parseJsonArray(await readAllText(chunks, name), name);
    for (const [i, record] of records.entries()) {
      const sample = collector.accept(record, `index ${i}`);
      if (sample !== undefined) yield sample as SampleOf<K>;
    }
  } else {
    for await (const line of readLines(chunks, settings.maxLineChars, name)) {
      const sample = collector.acceptLine(line.text, line.number);
      if (sample !== undefined) yield sample as SampleOf<K>;
    }
  }
  collector.finish();
}

/** Reads every validated sample of a source into an array (see {@link streamSamples}). */
export async function readSamples<K extends SampleKind>(
  source: SampleSource,
  options: ReadSamplesOptions<K>,
): Promise<SampleOf<K>[]> {
  const samples: SampleOf<K>[] = [];
  for await (const sample of streamSamples(source, options)) samples.push(sample);
  return samples;
}

// Writes are gathered into blocks of about this many characters before hitting the disk.
const WRITE_BLOCK_CHARS = 1 << 20;
let tempCounter = 0;

/**
 * Writes samples to `path` as JSON or JSONL (by `options.format`, else by extension), in the layout
 * of the public files unless options say otherwise. Samples may come from an async iterable, so a
 * large set need not be held in memory. The file appears whole or not at all (written to a
 * temporary file beside it, then renamed). Returns the number of samples written.
 */
export async function writeSamples(
  path: string,
  samples: Iterable<VideoSample> | AsyncIterable<VideoSample>,
  options: WriteSamplesOptions = {},
): Promise<number> {
  const settings = parseWriteOptions(options);
  const format = settings.format === 'auto' ? formatFromExtension(path) : settings.format;
  if (format === 'auto') {
    throw new DataOptionsError(
      'format',
      `cannot tell the format from the file name ${JSON.stringify(path)}; set "json" or "jsonl"`,
    );
  }
  const renderer = new SampleRenderer(format, settings);
  tempCounter += 1;
  const temp = `${path}.${process.pid}-${tempCounter}.tmp`;
  const file = await open(temp, 'w');
  let count = 0;
  try {
    let block: string[] = [];
    let blockChars = 0;
    for await (const sample of samples) {
      const text = renderer.record(sample);
      count += 1;
      block.push(text);
      blockChars += text.length;
      if (blockChars >= WRITE_BLOCK_CHARS) {
        await file.write(block.join(''));
        block = [];
        blockChars = 0;
      }
    }
    block.push(renderer.end());
    await file.write(block.join(''));
    await file.close();
    await rename(temp, path);
  } catch (error) {
    await file.close().catch(() => undefined);
    await rm(temp, { force: true });
    throw error;
  }
  return count;
}

function formatFromExtension(path: string): SampleFileFormat | 'auto' {
  const extension = extname(path).toLowerCase();
  return extension === '.json' ? 'json' : extension === '.jsonl' ? 'jsonl' : 'auto';
}

function sourceName(source: SampleSource): string {
  if (typeof source === 'string') return source;
  return source.name ?? ('text' in source ? 'text' : 'stream');
}

function openChunks(source: SampleSource): AsyncIterable<string | Uint8Array> {
  if (typeof source === 'string') return createReadStream(source);
  if ('text' in source)
    return (async function* () {
      yield source.text;
    })();
  return source.chunks;
}

async function readAllText(chunks: AsyncIterable<string | Uint8Array>, name: string): Promise<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const decode = (bytes: Uint8Array, stream: boolean): string => {
    try {
      return decoder.decode(bytes, { stream });
    } catch (cause) {
      throw new SampleFormatError(`${name}: invalid UTF-8`, { cause });
    }
  };
  const parts: string[] = [];
  for await (const chunk of chunks) parts.push(typeof chunk === 'string' ? chunk : decode(chunk, true));
  parts.push(decode(new Uint8Array(0), false));
  const text = parts.join('');
  return text.startsWith('\uFEFF') ? text.slice(1) : text;
}
