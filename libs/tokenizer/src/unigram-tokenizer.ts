/**
 * A Unigram (SentencePiece) tokenizer read from a Hugging Face tokenizer.json, the kind public
 * SigLIP and T5 exports ship: added tokens → normaliser → pre-tokenizer (Metaspace, …) →
 * Viterbi segmentation on encode, then the post-processor's template when special tokens are
 * asked for; ids → token strings → decoder (Metaspace, …) on decode. Read-only: the project
 * trains byte-level BPE, never Unigram.
 */
import { AddedTokenMatcher, type AddedToken } from './added-tokens.js';
import { TOKEN_ID_LIMIT } from './bpe-model.js';
import { TokenEncodeError, TokenIdError, TokenizerFormatError } from './errors.js';
import { readArray, readBoolean, readIndex, readObject, readString, type JsonObject } from './json-fields.js';
import { compileNormalizer, type Normalize } from './normalizer.js';
import { parseTokenizerOptions, type TokenizerOptionsInput } from './options.js';
import { compilePreTokenizer, type PreTokenizer } from './pre-tokenizer.js';
import {
  describePostProcessor,
  readPadding,
  readSequenceTemplate,
  type PaddingSpec,
  type SequenceTemplate,
} from './sequence-layout.js';
import { compileTextDecoder, type DecodeTokens } from './text-decoder.js';
import { type DecodeOptions, type TextEncodeOptions, type TextTokenizer } from './text-tokenizer.js';
import { checkIds, readAddedTokens, readJsonRoot, readNullableObject } from './tokenizer-json.js';
import { UnigramModel } from './unigram-model.js';

/** A validated Unigram tokenizer.json. */
interface UnigramSpec {
  readonly addedTokens: readonly AddedToken[];
  readonly normalizer: JsonObject | null;
  readonly preTokenizer: JsonObject | null;
  readonly postProcessor: JsonObject | null;
  readonly decoder: JsonObject | null;
  readonly padding: JsonObject | null;
  /** pieces in id order with their scores */
  readonly vocab: readonly (readonly [string, number])[];
  readonly unkId: number | undefined;
  readonly byteFallback: boolean;
}

function readUnigramVocab(value: unknown): [string, number][] {
  const seen = new Map<string, number>();
  const entries = readArray(value, 'model.vocab');
  if (entries.length === 0) throw new TokenizerFormatError('model.vocab', 'must not be empty');
  if (entries.length > TOKEN_ID_LIMIT) {
    throw new TokenizerFormatError('model.vocab', `holds ${entries.length} pieces, more than ${TOKEN_ID_LIMIT}`);
  }
  return entries.map((entry, id) => {
    const field = `model.vocab[${id}]`;
    const pair = readArray(entry, field);
    if (pair.length !== 2) throw new TokenizerFormatError(field, `expected [piece, score], got ${pair.length} items`);
    const piece = readString(pair[0], `${field}[0]`);
    if (piece === '') throw new TokenizerFormatError(`${field}[0]`, 'a piece must not be empty');
    const score = pair[1];
    if (typeof score !== 'number' || !Number.isFinite(score)) {
      throw new TokenizerFormatError(
        `${field}[1]`,
        `expected a finite score (a log-probability), got ${JSON.stringify(score)}`,
      );
    }
    const other = seen.get(piece);
    if (other !== undefined) {
      throw new TokenizerFormatError(`${field}[0]`, `piece ${JSON.stringify(piece)} is also model.vocab[${other}]`);
    }
    seen.set(piece, id);
    return [piece, score];
  });
}

function parseUnigramJson(input: unknown): UnigramSpec {
  const root = readJsonRoot(input);
  readString(root['version'], 'version');
  const model = readObject(root['model'], 'model');
  if (model['type'] !== 'Unigram') {
    throw new TokenizerFormatError('model.type', `expected "Unigram", got ${JSON.stringify(model['type'])}`);
  }
  const vocab = readUnigramVocab(model['vocab']);
  const unkId =
    model['unk_id'] === null || model['unk_id'] === undefined
      ? undefined
      : readIndex(model['unk_id'], 'model.unk_id', vocab.length);
  const byteFallback = readBoolean(model['byte_fallback'], 'model.byte_fallback', false);
  const addedTokens = readAddedTokens(root['added_tokens'] ?? []);
  checkIds(addedTokens, new Map(vocab.map(([piece], id) => [piece, id])));
  return {
    addedTokens,
    normalizer: readNullableObject(root['normalizer'], 'normalizer'),
    preTokenizer: readNullableObject(root['pre_tokenizer'], 'pre_tokenizer'),
    postProcessor: readNullableObject(root['post_processor'], 'post_processor'),
    decoder: readNullableObject(root['decoder'], 'decoder'),
    padding: readNullableObject(root['padding'], 'padding'),
    vocab,
    unkId,
    byteFallback,
  };
}

/** A Unigram tokenizer in the Hugging Face tokenizer.json model. */
export class UnigramTokenizer implements TextTokenizer {
  readonly modelType = 'Unigram';
  /** Number of ids: highest id + 1 (added tokens included). */
  readonly vocabSize: number;
  readonly template: SequenceTemplate | undefined;
  readonly padding: PaddingSpec | undefined;

  private readonly idToTokenTable: string[];
  private readonly vocabIds = new Map<string, number>();
  private readonly addedById = new Map<number, AddedToken>();
  private readonly addedByContent = new Map<string, AddedToken>();
  private readonly matcher: AddedTokenMatcher;
  private readonly normalize: Normalize | undefined;
  private readonly preTokenizer: PreTokenizer;
  private readonly decodeTokens: DecodeTokens;
  private readonly model: UnigramModel;

  private constructor(
    private readonly spec: UnigramSpec,
    cacheSize: number,
  ) {
    spec.vocab.forEach(([piece], id) => this.vocabIds.set(piece, id));
    for (const token of spec.addedTokens) {
      this.addedById.set(token.id, token);
      this.addedByContent.set(token.content, token);
    }
    this.vocabSize = spec.addedTokens.reduce((size, token) => Math.max(size, token.id + 1), spec.vocab.length);
    this.idToTokenTable = spec.vocab.map(([piece]) => piece);
    for (const token of spec.addedTokens) this.idToTokenTable[token.id] = token.content;
    this.matcher = new AddedTokenMatcher(spec.addedTokens);
    this.normalize = compileNormalizer(spec.normalizer);
    this.preTokenizer = compilePreTokenizer(spec.preTokenizer, 'pre_tokenizer', 'Unigram');
    this.decodeTokens = compileTextDecoder(spec.decoder);
    this.template = readSequenceTemplate(spec.postProcessor);
    for (const id of [...(this.template?.before ?? []), ...(this.template?.after ?? [])]) {
      if (this.idToTokenTable[id] === undefined) {
        throw new TokenizerFormatError('post_processor.special_tokens', `id ${id} is not a token of this tokenizer`);
      }
    }
    this.padding = readPadding(spec.padding, this.vocabSize);
    if (spec.byteFallback && spec.unkId === undefined) {
      // Byte fallback still needs unk for a byte whose <0xXX> token is missing.
      throw new TokenizerFormatError('model.unk_id', 'byte_fallback needs an unk_id');
    }
    this.model = new UnigramModel(spec.vocab, { unkId: spec.unkId, byteFallback: spec.byteFallback, cacheSize });
  }

  /**
   * Builds a tokenizer from a Unigram tokenizer.json object or its text. Throws
   * TokenizerFormatError naming the bad field. Only `cacheSize` of the options applies.
   */
  static fromJSON(json: unknown, options?: Pick<TokenizerOptionsInput, 'cacheSize'>): UnigramTokenizer {
    const { cacheSize } = parseTokenizerOptions(options);
    return new UnigramTokenizer(parseUnigramJson(json), cacheSize);
  }

  /** Token ids of text; added tokens in the text become their single ids. */
  encode(text: string, options: TextEncodeOptions = {}): number[] {
    if (typeof text !== 'string') throw new TokenEncodeError(`expected text to be a string, got ${typeof text}`);
    const template = options.addSpecialTokens ? this.requireTemplate() : undefined;
    const ids: number[] = template ? [...template.before] : [];
    this.matcher.split(text).forEach((segment, i) => {
      if ('id' in segment) {
        ids.push(segment.id);
        return;
      }
      const normalized = this.normalize ? this.normalize(segment.text) : segment.text;
      for (const piece of this.preTokenizer.split(normalized, i === 0)) {
        for (const id of this.model.tokenize(piece)) ids.push(id);
      }
    });
    if (template) ids.push(...template.after);
    return ids;
  }

  /** Text of token ids through the decoder (Metaspace: "▁" → space, the first one dropped). */
  decode(ids: ArrayLike<number>, options: DecodeOptions = {}): string {
    const tokens: string[] = [];
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i] as number;
      const token = this.idToToken(id);
      if (token === undefined) {
        throw new TokenIdError(
          id,
          `ids[${i}] = ${id} is not a token id of this tokenizer (ids 0..${this.vocabSize - 1})`,
        );
      }
      if (options.skipSpecial && this.isSpecial(id)) continue;
      tokens.push(token);
    }
    return this.decodeTokens(tokens);
  }

  /** The pieces of a text without ids: how Viterbi cut each pre-tokenised piece (for inspection). */
  segment(text: string): string[] {
    const normalized = this.normalize ? this.normalize(text) : text;
    return this.preTokenizer.split(normalized).flatMap((piece) => this.model.segment(piece));
  }

  tokenToId(token: string): number | undefined {
    return this.addedByContent.get(token)?.id ?? this.vocabIds.get(token);
  }

  idToToken(id: number): string | undefined {
    return Number.isInteger(id) && id >= 0 ? this.idToTokenTable[id] : undefined;
  }

  isSpecial(id: number): boolean {
    return this.addedById.get(id)?.special ?? false;
  }

  /** Score (log-probability) of a vocabulary piece. */
  score(id: number): number | undefined {
    return this.spec.vocab[id]?.[1];
  }

  private requireTemplate(): SequenceTemplate {
    if (this.template === undefined) {
      throw new TokenEncodeError(
        `cannot add special tokens: post_processor ${describePostProcessor(this.spec.postProcessor)} is not supported (TemplateProcessing is)`,
      );
    }
    return this.template;
  }
}
