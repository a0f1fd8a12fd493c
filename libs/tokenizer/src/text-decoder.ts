/**
 * Decoders for plain-text (Unigram) vocabularies, from the `decoder` field: Metaspace, Replace,
 * ByteFallback, Fuse, Strip, or a Sequence of them. Each maps the list of token strings to a new
 * list; decoding joins the final list. (The byte-level BPE tokenizer has its own ByteLevel path.)
 */
import { TokenizerFormatError } from './errors.js';
import { readArray, readIndex, readObject, readString, readType, type JsonObject } from './json-fields.js';
import { compileStringOrRegex } from './normalizer.js';
import { readMetaspace } from './pre-tokenizer.js';

/** One decoder step over the token strings. */
type DecodeStep = (tokens: readonly string[]) => string[];

/** Token strings → text. */
export type DecodeTokens = (tokens: readonly string[]) => string;

const BYTE_TOKEN = /^<0x([0-9A-Fa-f]{2})>$/;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function metaspace(config: JsonObject, field: string): DecodeStep {
  const { replacement, prependScheme } = readMetaspace(config, field);
  // Hugging Face: the replacement becomes a space, except in the first token, where it is
  // dropped (it was the prefix the pre-tokenizer added) unless the scheme never adds one.
  return (tokens) =>
    tokens.map((token, i) =>
      [...token]
        .map((char) => (char !== replacement ? char : i === 0 && prependScheme !== 'never' ? '' : ' '))
        .join(''),
    );
}

function replace(config: JsonObject, field: string): DecodeStep {
  const regex = compileStringOrRegex(config['pattern'], `${field}.pattern`);
  const content = readString(config['content'], `${field}.content`);
  return (tokens) => tokens.map((token) => token.replace(regex, () => content));
}

// Runs of <0xXX> tokens become the text of their bytes; a run that is not valid UTF-8 becomes
// one U+FFFD per byte (Hugging Face's ByteFallback).
const byteFallback: DecodeStep = (tokens) => {
  const out: string[] = [];
  let bytes: number[] = [];
  const flush = (): void => {
    if (bytes.length === 0) return;
    try {
      out.push(strictUtf8.decode(Uint8Array.from(bytes)));
    } catch {
      for (let i = 0; i < bytes.length; i++) out.push('\ufffd');
    }
    bytes = [];
  };
  for (const token of tokens) {
    const match = BYTE_TOKEN.exec(token);
    if (match) {
      bytes.push(parseInt(match[1] as string, 16));
      continue;
    }
    flush();
    out.push(token);
  }
  flush();
  return out;
};

function strip(config: JsonObject, field: string): DecodeStep {
  const content = readString(config['content'], `${field}.content`);
  if ([...content].length !== 1) throw new TokenizerFormatError(`${field}.content`, 'expected one character');
  const start = readIndex(config['start'], `${field}.start`, 2 ** 31);
  const stop = readIndex(config['stop'], `${field}.stop`, 2 ** 31);
  return (tokens) =>
    tokens.map((token) => {
      const chars = [...token];
      let from = 0;
      while (from < start && chars[from] === content) from++;
      let to = chars.length;
      while (chars.length - to < stop && to > from && chars[to - 1] === content) to--;
      return chars.slice(from, to).join('');
    });
}

function compileStep(value: unknown, field: string): DecodeStep {
  const config = readObject(value, field);
  const type = readType(config, field);
  switch (type) {
    case 'Metaspace':
      return metaspace(config, field);
    case 'Replace':
      return replace(config, field);
    case 'ByteFallback':
      return byteFallback;
    case 'Fuse':
      return (tokens) => [tokens.join('')];
    case 'Strip':
      return strip(config, field);
    case 'Sequence': {
      const steps = readArray(config['decoders'], `${field}.decoders`).map((step, i) =>
        compileStep(step, `${field}.decoders[${i}]`),
      );
      return (tokens) => steps.reduce<string[]>((acc, step) => step(acc), [...tokens]);
    }
    default:
      throw new TokenizerFormatError(
        `${field}.type`,
        `unsupported decoder ${JSON.stringify(type)} for a Unigram model (supported: Metaspace, Replace, ByteFallback, Fuse, Strip, Sequence)`,
      );
  }
}

/** Builds the decoder; without one, tokens are joined with spaces (as Hugging Face does). */
export function compileTextDecoder(value: unknown, field = 'decoder'): DecodeTokens {
  if (value === null || value === undefined) return (tokens) => tokens.join(' ');
  const step = compileStep(value, field);
  return (tokens) => step(tokens).join('');
}
