/**
 * How a model wants one sequence laid out, from a tokenizer.json: the special tokens its
 * `post_processor` puts around the text (TemplateProcessing, e.g. SigLIP's `$A </s>`) and its
 * `padding` section (SigLIP pads every text to a fixed 64 tokens).
 */
import { TOKEN_ID_LIMIT } from './bpe-model.js';
import { TokenizerFormatError } from './errors.js';
import { readArray, readIndex, readObject, readString, type JsonObject } from './json-fields.js';

/** Ids added before and after the text of a single sequence. */
export interface SequenceTemplate {
  readonly before: readonly number[];
  readonly after: readonly number[];
}

/** The `padding` section of a tokenizer.json. */
export interface PaddingSpec {
  /** Id that fills the positions after the text. */
  readonly padId: number;
  readonly padToken: string;
  /** Pad every sequence to this many ids (strategy `{ "Fixed": n }`); undefined for BatchLongest. */
  readonly fixedLength: number | undefined;
  readonly direction: 'Right' | 'Left';
}

const EMPTY_TEMPLATE: SequenceTemplate = Object.freeze({ before: [], after: [] });

/** Post-processors that add nothing to a single sequence's ids. */
const NO_IDS = new Set(['ByteLevel']);

/**
 * The ids a `post_processor` adds around a single sequence: none for null or ByteLevel, the
 * `single` template of TemplateProcessing, and undefined for other kinds (not supported here:
 * asking for special tokens then is an error, see `describePostProcessor`).
 */
export function readSequenceTemplate(value: JsonObject | null, field = 'post_processor'): SequenceTemplate | undefined {
  if (value === null) return EMPTY_TEMPLATE;
  const type = value['type'];
  if (typeof type === 'string' && NO_IDS.has(type)) return EMPTY_TEMPLATE;
  if (type !== 'TemplateProcessing') return undefined;
  const special = readObject(value['special_tokens'] ?? {}, `${field}.special_tokens`);
  const single = value['single'];
  if (typeof single === 'string') {
    throw new TokenizerFormatError(
      `${field}.single`,
      'the string form of a template is not supported (expected a list)',
    );
  }
  const before: number[] = [];
  const after: number[] = [];
  let sequences = 0;
  readArray(single, `${field}.single`).forEach((entry, i) => {
    const itemField = `${field}.single[${i}]`;
    const item = readObject(entry, itemField);
    if (item['Sequence'] !== undefined) {
      const id = readString(readObject(item['Sequence'], `${itemField}.Sequence`)['id'], `${itemField}.Sequence.id`);
      if (id !== 'A')
        throw new TokenizerFormatError(
          `${itemField}.Sequence.id`,
          `expected "A" in a single template, got ${JSON.stringify(id)}`,
        );
      sequences += 1;
      return;
    }
    if (item['SpecialToken'] === undefined) {
      throw new TokenizerFormatError(itemField, 'expected a "Sequence" or a "SpecialToken" entry');
    }
    const name = readString(
      readObject(item['SpecialToken'], `${itemField}.SpecialToken`)['id'],
      `${itemField}.SpecialToken.id`,
    );
    const token = special[name];
    if (token === undefined) {
      throw new TokenizerFormatError(
        itemField,
        `special token ${JSON.stringify(name)} is not in ${field}.special_tokens`,
      );
    }
    const ids = readArray(
      readObject(token, `${field}.special_tokens[${JSON.stringify(name)}]`)['ids'],
      `${field}.special_tokens[${JSON.stringify(name)}].ids`,
    ).map((id, k) => readIndex(id, `${field}.special_tokens[${JSON.stringify(name)}].ids[${k}]`, TOKEN_ID_LIMIT));
    (sequences === 0 ? before : after).push(...ids);
  });
  if (sequences !== 1) {
    throw new TokenizerFormatError(
      `${field}.single`,
      `expected exactly one {"Sequence": {"id": "A"}} entry, found ${sequences}`,
    );
  }
  return { before, after };
}

/** Reads the `padding` section; null means none. */
export function readPadding(value: JsonObject | null, vocabSize: number, field = 'padding'): PaddingSpec | undefined {
  if (value === null) return undefined;
  const padId = readIndex(value['pad_id'], `${field}.pad_id`, vocabSize);
  const padToken = readString(value['pad_token'], `${field}.pad_token`);
  const direction = value['direction'] ?? 'Right';
  if (direction !== 'Right' && direction !== 'Left') {
    throw new TokenizerFormatError(
      `${field}.direction`,
      `expected "Right" or "Left", got ${JSON.stringify(direction)}`,
    );
  }
  const strategy = value['strategy'] ?? 'BatchLongest';
  let fixedLength: number | undefined;
  if (strategy !== 'BatchLongest') {
    const fixed = readObject(strategy, `${field}.strategy`)['Fixed'];
    if (typeof fixed !== 'number' || !Number.isInteger(fixed) || fixed < 1) {
      throw new TokenizerFormatError(`${field}.strategy`, 'expected "BatchLongest" or {"Fixed": n} with n ≥ 1');
    }
    fixedLength = fixed;
  }
  return { padId, padToken, fixedLength, direction };
}

/** A description of a post-processor for error messages. */
export function describePostProcessor(value: JsonObject | null): string {
  return value === null ? 'null' : JSON.stringify(value['type']);
}
