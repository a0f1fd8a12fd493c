/**
 * The tokenizer: added tokens → normaliser → pre-tokenizer → BPE on encode; ids → bytes → UTF-8
 * on decode. Built from a validated tokenizer.json spec.
 */
import { AddedTokenMatcher, type AddedToken } from './added-tokens.js';
import { BpeModel, buildMergeTable, type ResolvedMerge } from './bpe-model.js';
import { pushTokenBytes, pushUtf8 } from './byte-level.js';
import { MissingSpecialTokenError, TokenEncodeError, TokenIdError } from './errors.js';
import { compileNormalizer, type Normalize } from './normalizer.js';
import { parseTokenizerOptions, type TokenizerOptions, type TokenizerOptionsInput } from './options.js';
import { compilePreTokenizer, type PreTokenizer } from './pre-tokenizer.js';
import { SPECIAL_TOKENS, type SpecialTokenRole } from './special-tokens.js';
import {
  describePostProcessor,
  readPadding,
  readSequenceTemplate,
  type PaddingSpec,
  type SequenceTemplate,
} from './sequence-layout.js';
import { type DecodeOptions, type TextEncodeOptions, type TextTokenizer } from './text-tokenizer.js';
import { writeTextFileAtomic } from './tokenizer-file.js';
import {
  parseTokenizerJson,
  stringifyTokenizerJson,
  toTokenizerJson,
  type TokenizerJson,
  type TokenizerSpec,
} from './tokenizer-json.js';

/** Options of Tokenizer.encode. */
export interface EncodeOptions extends TextEncodeOptions {
  /** Prepend the `bos` special token. Default false. */
  readonly addBos?: boolean;
  /** Append the `eos` special token. Default false. */
  readonly addEos?: boolean;
}

// ignoreBOM: a leading U+FEFF is text like any other and must survive decode.
const utf8Decoder = new TextDecoder('utf-8', { ignoreBOM: true });

/** A byte-level BPE tokenizer in the Hugging Face tokenizer.json model. */
export class Tokenizer implements TextTokenizer {
  readonly modelType = 'BPE';
  /** Number of ids: highest id + 1 (added tokens included). */
  readonly vocabSize: number;
  /** Ids the post-processor adds (none for ByteLevel, this package's own); undefined when unsupported. */
  readonly template: SequenceTemplate | undefined;
  readonly padding: PaddingSpec | undefined;
  /** Ids of the special roles this tokenizer has (see SPECIAL_TOKENS). */
  readonly specialIds: Readonly<Partial<Record<SpecialTokenRole, number>>>;

  private readonly idToTokenTable: (string | undefined)[];
  private readonly addedById = new Map<number, AddedToken>();
  private readonly addedByContent = new Map<string, AddedToken>();
  private readonly matcher: AddedTokenMatcher;
  private readonly normalize: Normalize | undefined;
  private readonly preTokenizer: PreTokenizer;
  private readonly model: BpeModel;

  private constructor(
    private readonly spec: TokenizerSpec,
    readonly options: TokenizerOptions,
  ) {
    for (const token of spec.addedTokens) {
      this.addedById.set(token.id, token);
      this.addedByContent.set(token.content, token);
    }
    let maxId = -1;
    for (const id of spec.vocab.values()) maxId = Math.max(maxId, id);
    for (const id of this.addedById.keys()) maxId = Math.max(maxId, id);
    this.vocabSize = maxId + 1;
    this.idToTokenTable = new Array<string | undefined>(this.vocabSize).fill(undefined);
    for (const [token, id] of spec.vocab) this.idToTokenTable[id] = token;
    for (const token of spec.addedTokens) this.idToTokenTable[token.id] = token.content;

    const specialIds: Partial<Record<SpecialTokenRole, number>> = {};
    for (const role of Object.keys(SPECIAL_TOKENS) as SpecialTokenRole[]) {
      const id = this.addedByContent.get(options.specialTokenNames[role])?.id;
      if (id !== undefined) specialIds[role] = id;
    }
    this.specialIds = Object.freeze(specialIds);

    this.matcher = new AddedTokenMatcher(spec.addedTokens);
    this.normalize = compileNormalizer(spec.normalizer);
    this.preTokenizer = compilePreTokenizer(spec.preTokenizer);
    const merges: ResolvedMerge[] = spec.merges.map(([left, right]) => ({
      left: spec.vocab.get(left) as number,
      right: spec.vocab.get(right) as number,
      merged: spec.vocab.get(left + right) as number,
    }));
    this.model = new BpeModel(spec.vocab, buildMergeTable(merges), {
      unkId: spec.unkToken === null ? undefined : spec.vocab.get(spec.unkToken),
      fuseUnk: spec.fuseUnk,
      ignoreMerges: spec.ignoreMerges,
      cacheSize: options.cacheSize,
    });
    this.template = readSequenceTemplate(spec.postProcessor);
    this.padding = readPadding(spec.padding, this.vocabSize);
  }

  /**
   * Builds a tokenizer from a tokenizer.json object or its text. Throws TokenizerFormatError
   * naming the bad field, or TokenizerOptionsError for bad options.
   */
  static fromJSON(json: unknown, options?: TokenizerOptionsInput): Tokenizer {
    const parsedOptions = parseTokenizerOptions(options);
    return new Tokenizer(parseTokenizerJson(json), parsedOptions);
  }

  /** Token ids of text. Added tokens in the text (`<think>`, …) become their single ids. */
  encode(text: string, options: EncodeOptions = {}): number[] {
    if (typeof text !== 'string') throw new TokenEncodeError(`expected text to be a string, got ${typeof text}`);
    const ids: number[] = [];
    const template = options.addSpecialTokens ? this.requireTemplate() : undefined;
    if (template) ids.push(...template.before);
    if (options.addBos) ids.push(this.requireSpecial('bos'));
    for (const segment of this.matcher.split(text)) {
      if ('id' in segment) {
        ids.push(segment.id);
        continue;
      }
      const normalized = this.normalize ? this.normalize(segment.text) : segment.text;
      for (const piece of this.preTokenizer.split(normalized)) {
        for (const id of this.model.tokenize(piece)) ids.push(id);
      }
    }
    if (options.addEos) ids.push(this.requireSpecial('eos'));
    if (template) ids.push(...template.after);
    return ids;
  }

  /** The UTF-8 bytes token ids stand for; lets a streaming caller hold back a split character. */
  decodeBytes(ids: ArrayLike<number>, options: DecodeOptions = {}): Uint8Array {
    const bytes: number[] = [];
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i] as number;
      const token = Number.isInteger(id) && id >= 0 ? this.idToTokenTable[id] : undefined;
      if (token === undefined) {
        throw new TokenIdError(
          id,
          `ids[${i}] = ${id} is not a token id of this tokenizer (ids 0..${this.vocabSize - 1})`,
        );
      }
      const added = this.addedById.get(id);
      if (added === undefined) pushTokenBytes(token, bytes);
      else if (!(options.skipSpecial && added.special)) pushUtf8(added.content, bytes);
    }
    return Uint8Array.from(bytes);
  }

  /** Text of token ids; byte sequences that are not valid UTF-8 decode to U+FFFD. */
  decode(ids: ArrayLike<number>, options: DecodeOptions = {}): string {
    return utf8Decoder.decode(this.decodeBytes(ids, options));
  }

  /** Id of a token (its byte-level form, or an added token's content), if it exists. */
  tokenToId(token: string): number | undefined {
    return this.addedByContent.get(token)?.id ?? this.spec.vocab.get(token);
  }

  /** Token of an id (byte-level form, or an added token's content), if the id exists. */
  idToToken(id: number): string | undefined {
    return Number.isInteger(id) && id >= 0 ? this.idToTokenTable[id] : undefined;
  }

  /** Whether id is a special added token. */
  isSpecial(id: number): boolean {
    return this.addedById.get(id)?.special ?? false;
  }

  /** Id of a special role; throws MissingSpecialTokenError when the tokenizer lacks it. */
  specialId(role: SpecialTokenRole): number {
    return this.requireSpecial(role);
  }

  /** The tokenizer.json object (JSON.stringify(tokenizer) uses it). */
  toJSON(): TokenizerJson {
    return toTokenizerJson(this.spec);
  }

  /** The tokenizer.json text: deterministic, byte-identical for identical tokenizers. */
  toJSONString(): string {
    return stringifyTokenizerJson(this.toJSON());
  }

  /** Writes tokenizer.json to path (atomically). */
  async save(path: string): Promise<void> {
    await writeTextFileAtomic(path, this.toJSONString());
  }

  private requireTemplate(): SequenceTemplate {
    if (this.template === undefined) {
      throw new TokenEncodeError(
        `cannot add special tokens: post_processor ${describePostProcessor(this.spec.postProcessor)} is not supported (TemplateProcessing and ByteLevel are)`,
      );
    }
    return this.template;
  }

  private requireSpecial(role: SpecialTokenRole): number {
    const id = this.specialIds[role];
    if (id === undefined) throw new MissingSpecialTokenError(role, this.options.specialTokenNames[role]);
    return id;
  }
}
