/**
 * Training examples: a prompt (with its clip) and a completion, tokenized into one sequence whose
 * loss mask marks the completion (and, optionally, the prompt's text). Pure.
 */
import { type BatchSequence } from '@vrft/engine-tfjs';
import { buildInputSequence, visualTokensPerClip, type ModelConfig } from '@vrft/model';
import { type Tokenizer } from '@vrft/tokenizer';

/** A prompt with its clip and the completion to learn. */
export interface TextExample {
  /** Prompt text holding one `<video>` placeholder (prompts.ts). */
  readonly promptText: string;
  /** Target text; `<eos>` is appended. */
  readonly completionText: string;
  /** [F, H, W, 3] frames at the model's size. */
  readonly frames: Uint8Array;
}

/** A tokenized example, ready for createBatch. */
export interface TokenizedExample extends BatchSequence {
  readonly lossMask: number[];
  readonly frames: Uint8Array;
  /** Expanded prompt length (visual tokens included); the completion starts here. */
  readonly promptLength: number;
}

/** Options of tokenizeExample. */
export interface TokenizeOptions {
  /** Also learn the prompt's text tokens (never the visual positions). Default false. */
  readonly trainOnPrompt: boolean;
  /** Longest sequence; longer examples give undefined. Default: the config's context length. */
  readonly maxLength?: number;
}

/** Tokenizes an example; undefined when it is longer than the limit (the caller counts those). */
export function tokenizeExample(
  tokenizer: Tokenizer,
  config: ModelConfig,
  example: TextExample,
  options: TokenizeOptions = { trainOnPrompt: false },
): TokenizedExample | undefined {
  const prompt = buildInputSequence(tokenizer, example.promptText, visualTokensPerClip(config));
  const completion = tokenizer.encode(example.completionText, { addEos: true });
  const tokenIds = [...prompt.tokenIds, ...completion];
  if (tokenIds.length > (options.maxLength ?? config.contextLength)) return undefined;
  const promptLength = prompt.tokenIds.length;
  const visualEnd = prompt.videoStart + prompt.numVisualTokens;
  const lossMask = tokenIds.map((_, i) => {
    if (i >= promptLength) return 1;
    if (!options.trainOnPrompt || i === 0) return 0;
    return i >= prompt.videoStart && i < visualEnd ? 0 : 1;
  });
  return { tokenIds, videoStart: prompt.videoStart, lossMask, frames: example.frames, promptLength };
}
