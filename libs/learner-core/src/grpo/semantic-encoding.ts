/**
 * The encode stage of a local GRPO step, for R_s (method.md §4), as the reward-model service does
 * it: collectDescriptionSpans picks the span of every completion that R_s will score (not gated by
 * R_a = 0, a span in `<think>`, cut to M encoder tokens); all spans of the step go through the text
 * encoder in one batch, and the F frames (at the encoder's size) of each clip that has a span go
 * through the image encoder in one batch. The encoder is frozen for the whole run, so the frame
 * embeddings of a clip are kept (bounded, least recently used first out) and a clip is encoded once.
 * Also here: opening the encoder, with its errors as the learner's (options → TrainingOptionsError).
 */
import { resolve } from 'node:path';
import {
  EncoderLoadError,
  EncoderOptionsError,
  OnnxDualEncoder,
  parseOnnxEncoderOptions,
  type DualEncoder,
  type OnnxEncoderOptions,
  type OnnxEncoderOptionsInput,
} from '@vrft/dual-encoder';
import { collectDescriptionSpans, type GroupEmbeddings, type RewardRecipe } from '@vrft/rewards';
import { TrainingDataError, TrainingOptionsError } from '../errors.js';
import { pathExists } from '../fs-durable.js';
import { completionGroupOf } from './grpo-stages.js';
import { type GeneratedGroup } from './rollout-batch.js';

/** [count, size, size, 3] RGB bytes of a clip (ClipFrameLoader.loadResized). */
export type ClipFramesLoader = (clipPath: string, count: number, size: number) => Promise<Uint8Array>;

/** Counters of a GroupEncoder, for the step metrics. */
export interface EncodeCounts {
  /** Description spans encoded in the last step. */
  readonly texts: number;
  /** Clips whose frames were encoded in the last step (the others came from the cache). */
  readonly clips: number;
}

/** Turns a step's groups into the embeddings scoreGroup needs for R_s. */
export class GroupEncoder {
  private readonly frameCache = new Map<string, readonly Float32Array[]>();
  private counts: EncodeCounts = { texts: 0, clips: 0 };

  /** `cacheClips`: clips whose frame embeddings are kept (0 keeps none). */
  constructor(
    private readonly encoder: DualEncoder,
    private readonly recipe: RewardRecipe,
    private readonly loadFrames: ClipFramesLoader,
    private readonly cacheClips: number,
  ) {}

  /** What the last `encode` call ran through the encoder. */
  get lastCounts(): EncodeCounts {
    return this.counts;
  }

  /** One GroupEmbeddings per group: frames of its clip (none when no span needs them) and a text per span. */
  async encode(groups: readonly GeneratedGroup[]): Promise<GroupEmbeddings[]> {
    const { encoder, recipe } = this;
    const spans = groups.map((group) =>
      collectDescriptionSpans(completionGroupOf(group), recipe, {
        truncate: (text) => encoder.truncate(text, recipe.descriptionTokens),
      }),
    );
    const texts = spans.flatMap((perGroup) => perGroup.filter((span): span is string => span !== undefined));
    const clips = [
      ...new Set(
        groups.filter((_, g) => spans[g]?.some((span) => span !== undefined)).map((group) => group.prompt.clipPath),
      ),
    ];
    const missing = clips.filter((clip) => !this.frameCache.has(clip));
    const [frameRows, textRows] = await Promise.all([
      this.encodeClips(missing),
      texts.length > 0 ? encoder.encodeTexts(texts) : Promise.resolve([]),
    ]);
    const frames = new Map<string, readonly Float32Array[]>();
    for (const clip of clips) frames.set(clip, frameRows.get(clip) ?? this.touch(clip));
    for (const [clip, rows] of frameRows) this.remember(clip, rows);
    this.counts = { texts: texts.length, clips: missing.length };
    let next = 0;
    return groups.map((group, g) => ({
      frames: frames.get(group.prompt.clipPath) ?? [],
      texts: (spans[g] ?? []).map((span) => (span === undefined ? undefined : textRows[next++])),
    }));
  }

  /** F frame embeddings per clip, all clips' frames in one image-encoder batch. */
  private async encodeClips(clips: readonly string[]): Promise<Map<string, readonly Float32Array[]>> {
    const out = new Map<string, readonly Float32Array[]>();
    if (clips.length === 0) return out;
    const f = this.recipe.numFrames;
    const s = this.encoder.imageSize;
    const perClip = f * s * s * 3;
    const data = new Uint8Array(clips.length * perClip); // [K·F, S, S, 3]
    const loaded = await Promise.all(clips.map((clip) => this.loadFrames(clip, f, s)));
    loaded.forEach((bytes, k) => data.set(bytes, k * perClip));
    const rows = await this.encoder.encodeFrames({ data, shape: [clips.length * f, s, s, 3] });
    clips.forEach((clip, k) => out.set(clip, rows.slice(k * f, (k + 1) * f)));
    return out;
  }

  private touch(clip: string): readonly Float32Array[] {
    const rows = this.frameCache.get(clip) ?? [];
    this.frameCache.delete(clip);
    this.frameCache.set(clip, rows);
    return rows;
  }

  private remember(clip: string, rows: readonly Float32Array[]): void {
    if (this.cacheClips === 0) return;
    this.frameCache.set(clip, rows);
    while (this.frameCache.size > this.cacheClips) {
      const oldest = this.frameCache.keys().next().value;
      if (oldest === undefined) break;
      this.frameCache.delete(oldest);
    }
  }
}

/** The encoder's errors as the learner's: a bad option names `encoder.<field>`, an unreadable file is data. */
function asTrainingError(error: unknown): unknown {
  if (error instanceof EncoderOptionsError)
    return new TrainingOptionsError(`encoder.${error.field}`, error.message.slice(error.field.length + 2), {
      cause: error,
    });
  if (error instanceof EncoderLoadError)
    return new TrainingDataError(`cannot open the dual encoder: ${error.message}`, { cause: error });
  return error;
}

/** The encoder's options, parsed; a bad one is a TrainingOptionsError naming `encoder.<field>`. */
export function encoderOptions(input: OnnxEncoderOptionsInput): OnnxEncoderOptions {
  try {
    return parseOnnxEncoderOptions(input);
  } catch (error) {
    throw asTrainingError(error);
  }
}

/** What of the encoder's options shapes R_s (not threads, provider or batch size), for the options digest. */
export function encoderIdentity(options: OnnxEncoderOptions): Record<string, unknown> {
  const { executionProvider: _x, intraOpThreads: _t, maxBatch: _b, ...shaping } = options;
  return { ...shaping, dir: resolve(options.dir) };
}

/** Opens the dual encoder and checks that it takes the recipe's M description tokens. */
export async function openEncoder(options: OnnxEncoderOptions, recipe: RewardRecipe): Promise<OnnxDualEncoder> {
  if (!(await pathExists(options.dir)))
    throw new TrainingOptionsError('encoder.dir', `${options.dir} does not exist (an encoder directory is expected)`);
  let encoder: OnnxDualEncoder;
  try {
    encoder = await OnnxDualEncoder.open(options);
  } catch (error) {
    throw asTrainingError(error);
  }
  if (recipe.descriptionTokens > encoder.maxTextTokens) {
    await encoder.close();
    throw new TrainingOptionsError(
      'reward.descriptionTokens',
      `M = ${recipe.descriptionTokens} exceeds the text encoder's ${encoder.maxTextTokens} positions`,
    );
  }
  return encoder;
}
