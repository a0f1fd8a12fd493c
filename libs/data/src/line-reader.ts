import { SampleFormatError } from './errors.js';

/** One line of a text stream, without its line break; `number` is 1-based. */
export interface TextLine {
  readonly text: string;
  readonly number: number;
}

/**
 * Splits a stream of UTF-8 bytes (or strings) into lines, pulling one chunk at a time so memory
 * holds one chunk plus one line, however large the stream. A `\r` before `\n` is dropped, a BOM at
 * the start is skipped, invalid UTF-8 and lines longer than `maxLineChars` are errors.
 */
export async function* readLines(
  chunks: AsyncIterable<string | Uint8Array>,
  maxLineChars: number,
  source: string,
): AsyncGenerator<TextLine> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let pending = '';
  let number = 0;
  let started = false;
  const decode = (chunk: string | Uint8Array, stream: boolean): string => {
    if (typeof chunk === 'string') return chunk;
    try {
      return decoder.decode(chunk, { stream });
    } catch (cause) {
      throw new SampleFormatError(`${source}: invalid UTF-8 in line ${number + 1}`, { cause });
    }
  };
  const tooLong = (): SampleFormatError =>
    new SampleFormatError(`${source}: line ${number + 1} is longer than maxLineChars (${maxLineChars})`);

  for await (const chunk of chunks) {
    let text = decode(chunk, true);
    if (!started && text.length > 0) {
      started = true;
      if (text.startsWith('\uFEFF')) text = text.slice(1);
    }
    let start = 0;
    for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
      const line = withoutCr(pending + text.slice(start, end));
      pending = '';
      if (line.length > maxLineChars) throw tooLong();
      number += 1;
      yield { text: line, number };
      start = end + 1;
    }
    pending += text.slice(start);
    // One more character than the limit may still be the '\r' of a CRLF.
    if (pending.length > maxLineChars + 1) throw tooLong();
  }
  const last = withoutCr(pending + decode(new Uint8Array(0), false));
  if (last.length > maxLineChars) throw tooLong();
  if (last.length > 0) yield { text: last, number: number + 1 };
}

function withoutCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

/**
 * Reads a stream's first non-blank character without losing anything: returns it (or `undefined`
 * for a blank stream) together with a stream that replays the chunks already read.
 */
export async function peekFirstChar(
  chunks: AsyncIterable<string | Uint8Array>,
): Promise<{ first: string | undefined; chunks: AsyncIterable<string | Uint8Array> }> {
  const iterator = chunks[Symbol.asyncIterator]();
  const seen: (string | Uint8Array)[] = [];
  let first: string | undefined;
  while (first === undefined) {
    const next = await iterator.next();
    if (next.done === true) break;
    seen.push(next.value);
    first = firstNonBlank(next.value);
  }
  async function* replay(): AsyncGenerator<string | Uint8Array> {
    try {
      yield* seen;
      for (let next = await iterator.next(); next.done !== true; next = await iterator.next()) yield next.value;
    } finally {
      // A consumer that stops early must still release the source (a file stream closes here).
      await iterator.return?.();
    }
  }
  return { first, chunks: replay() };
}

function firstNonBlank(chunk: string | Uint8Array): string | undefined {
  if (typeof chunk === 'string') return /[^\s\uFEFF]/.exec(chunk)?.[0];
  for (const byte of chunk) {
    // Skip ASCII whitespace and the UTF-8 BOM bytes; the format's first character is ASCII.
    if (
      byte === 0x20 ||
      byte === 0x09 ||
      byte === 0x0a ||
      byte === 0x0d ||
      byte === 0xef ||
      byte === 0xbb ||
      byte === 0xbf
    ) {
      continue;
    }
    return String.fromCharCode(byte);
  }
  return undefined;
}
