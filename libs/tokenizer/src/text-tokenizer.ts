/**
 * What every tokenizer read from a tokenizer.json offers, whatever its model (byte-level BPE or
 * Unigram): the surface the dual encoder and other readers of external files use.
 */
import { type PaddingSpec, type SequenceTemplate } from './sequence-layout.js';

/** Options of decode. */
export interface DecodeOptions {
  /** Leave out special added tokens (pad, bos, </s>, …). Default false. */
  readonly skipSpecial?: boolean;
}

/** Options of encode shared by every model. */
export interface TextEncodeOptions {
  /**
   * Put the post-processor's special tokens around the text (TemplateProcessing's `single`, e.g.
   * SigLIP's trailing `</s>`), as Hugging Face's `add_special_tokens=True`. Default false.
   * Throws TokenEncodeError when the file's post-processor is of a kind not supported here.
   */
  readonly addSpecialTokens?: boolean;
}

/** A tokenizer of either model. */
export interface TextTokenizer {
  readonly modelType: 'BPE' | 'Unigram';
  /** Number of ids: highest id + 1 (added tokens included). */
  readonly vocabSize: number;
  /** Ids the post-processor adds around one text; undefined when its kind is not supported. */
  readonly template: SequenceTemplate | undefined;
  /** The file's `padding` section, when it has one. */
  readonly padding: PaddingSpec | undefined;
  encode(text: string, options?: TextEncodeOptions): number[];
  decode(ids: ArrayLike<number>, options?: DecodeOptions): string;
  tokenToId(token: string): number | undefined;
  idToToken(id: number): string | undefined;
  isSpecial(id: number): boolean;
}
