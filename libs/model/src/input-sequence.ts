/**
 * From prompt text to the model's input sequence (docs/model.md): `[<bos>] prompt…` where the
 * single `<video>` token is replaced by the clip's visual tokens, in frame order. Both engines
 * build their inputs here so they cannot disagree on positions.
 */
import { InputSequenceError } from './errors.js';

/** What buildInputSequence needs of a tokenizer. */
export interface SequenceTokenizer {
  encode(text: string, options?: { addBos?: boolean }): number[];
  specialId(role: 'video'): number;
}

/** Options of buildInputSequence. */
export interface InputSequenceOptions {
  /** Prepend `<bos>`. Default true. */
  readonly addBos: boolean;
  /** Longest expanded sequence accepted; usually the config's contextLength. Default: no limit. */
  readonly maxLength: number;
}

/** Defaults of InputSequenceOptions. */
export const DEFAULT_INPUT_SEQUENCE_OPTIONS: InputSequenceOptions = {
  addBos: true,
  maxLength: Number.POSITIVE_INFINITY,
};

/** A prompt ready for the model. */
export interface InputSequence {
  /**
   * The expanded ids, length `textTokenIds.length − 1 + numVisualTokens` with video (or
   * `textTokenIds` without): the `numVisualTokens` positions from `videoStart` hold the `<video>`
   * id and are replaced by the visual tokens inside the model; each takes one position.
   */
  readonly tokenIds: number[];
  /** Index in `tokenIds` of the first visual token; −1 when the prompt has no video. */
  readonly videoStart: number;
  /** Visual tokens spliced in (0 without video). */
  readonly numVisualTokens: number;
  /** The prompt's ids as the tokenizer gave them, with one `<video>` id. */
  readonly textTokenIds: number[];
  /** Index of `<video>` in `textTokenIds`; −1 when the prompt has no video. */
  readonly videoTokenIndex: number;
}

/**
 * Tokenizes a prompt and expands its `<video>` placeholder to `numVisualTokens` positions. The
 * prompt must hold exactly one `<video>` when numVisualTokens > 0 and none when it is 0 (a text
 * only prompt); anything else is an InputSequenceError, as is an expanded length above maxLength.
 */
export function buildInputSequence(
  tokenizer: SequenceTokenizer,
  promptText: string,
  numVisualTokens: number,
  options: Partial<InputSequenceOptions> = {},
): InputSequence {
  const { addBos, maxLength } = { ...DEFAULT_INPUT_SEQUENCE_OPTIONS, ...options };
  if (!Number.isInteger(numVisualTokens) || numVisualTokens < 0) {
    throw new InputSequenceError(`numVisualTokens must be a non-negative integer, got ${numVisualTokens}`);
  }
  const videoId = tokenizer.specialId('video');
  const textTokenIds = tokenizer.encode(promptText, { addBos });
  const videoIndices: number[] = [];
  textTokenIds.forEach((id, index) => {
    if (id === videoId) videoIndices.push(index);
  });
  if (videoIndices.length > 1)
    throw new InputSequenceError(`the prompt holds ${videoIndices.length} <video> tokens; one is allowed`);
  const videoTokenIndex = videoIndices[0] ?? -1;
  if (numVisualTokens > 0 && videoTokenIndex < 0) {
    throw new InputSequenceError('the prompt holds no <video> token, but visual tokens were given');
  }
  if (numVisualTokens === 0 && videoTokenIndex >= 0) {
    throw new InputSequenceError('the prompt holds a <video> token, but no visual tokens were given');
  }
  const tokenIds =
    videoTokenIndex < 0
      ? [...textTokenIds]
      : [
          ...textTokenIds.slice(0, videoTokenIndex),
          ...new Array<number>(numVisualTokens).fill(videoId),
          ...textTokenIds.slice(videoTokenIndex + 1),
        ];
  if (tokenIds.length > maxLength) {
    throw new InputSequenceError(
      `the expanded prompt has ${tokenIds.length} positions, more than the limit ${maxLength}`,
    );
  }
  return { tokenIds, videoStart: videoTokenIndex, numVisualTokens, textTokenIds, videoTokenIndex };
}
