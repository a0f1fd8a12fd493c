import { MAX_ENCODER_WORKERS } from '@vrft/dual-encoder';
import { baseAppSchema } from '@vrft/runtime';
import { z } from 'zod';

const MiB = 1024 * 1024;
const channels = z.array(z.number()).length(3);

/** Configuration of the reward-model (env vars VRFT_..., optional JSON file in VRFT_CONFIG_FILE). */
export const rewardModelConfigSchema = baseAppSchema('reward-model', 50054).extend({
  reward: z
    .object({
      recipe: z
        .record(z.string(), z.unknown())
        .default({})
        .describe('Server default reward recipe (fields of @vrft/rewards RewardRecipe, JSON); requests override it'),
      encoder: z
        .object({
          dir: z
            .string()
            .default('')
            .describe(
              'Dual-encoder directory (vrft train encoder, or an external SigLIP-style ONNX export); empty = no R_s',
            ),
          visionFile: z
            .string()
            .min(1)
            .default('vision_model.onnx')
            .describe('Image-encoder graph inside dir (a bare name is also looked for in dir/onnx/)'),
          textFile: z
            .string()
            .min(1)
            .default('text_model.onnx')
            .describe('Text-encoder graph inside dir (a bare name is also looked for in dir/onnx/)'),
          tokenizerFile: z
            .string()
            .min(1)
            .default('tokenizer.json')
            .describe('Hugging Face tokenizer.json inside dir (byte-level BPE or Unigram)'),
          pixelValuesInput: z.string().min(1).default('pixel_values').describe('Image graph input [B, 3, S, S]'),
          imageEmbedsOutput: z.string().min(1).default('image_embeds').describe('Image graph output [B, E]'),
          inputIdsInput: z.string().min(1).default('input_ids').describe('Text graph input [B, M] int64'),
          textEmbedsOutput: z.string().min(1).default('text_embeds').describe('Text graph output [B, E]'),
          attentionMaskInput: z.string().default('').describe('Text graph attention-mask input, empty if it has none'),
          imageSize: z
            .number()
            .int()
            .positive()
            .optional()
            .describe(
              "Frame side S (default: encoder.json, else the export's preprocessor_config.json or config.json)",
            ),
          maxTextTokens: z
            .number()
            .int()
            .positive()
            .optional()
            .describe(
              "M of the text graph (default: encoder.json, else tokenizer.json's fixed padding or config.json)",
            ),
          padId: z
            .number()
            .int()
            .min(0)
            .optional()
            .describe(
              'Padding token id (default: encoder.json, else tokenizer.json padding, tokenizer_config.json pad_token, <pad>)',
            ),
          pixelMean: channels
            .optional()
            .describe(
              'Per-channel mean of [0, 1] pixels (default encoder.json, else preprocessor_config.json, else 0.5)',
            ),
          pixelStd: channels
            .optional()
            .describe(
              'Per-channel std of [0, 1] pixels (default encoder.json, else preprocessor_config.json, else 0.5)',
            ),
          executionProvider: z.enum(['cpu', 'cuda']).default('cpu').describe('onnxruntime execution provider'),
          intraOpThreads: z
            .number()
            .int()
            .min(0)
            .default(1)
            .describe('Operator threads per encoder session (0 = all cores)'),
          maxBatch: z.number().int().positive().default(64).describe('Most frames or texts per encoder run'),
          workers: z
            .number()
            .int()
            .min(0)
            .max(MAX_ENCODER_WORKERS)
            .default(1)
            .describe('Worker threads running the encoder sessions (0 = on the event-loop thread)'),
        })
        .prefault({}),
      video: z
        .object({
          allowedRoots: z.array(z.string()).default([]).describe('Directories file:// videos may come from'),
          maxInputBytes: z
            .number()
            .int()
            .positive()
            .default(64 * MiB)
            .describe('Largest video accepted, in bytes'),
          maxDurationSec: z.number().positive().default(600).describe('Longest clip accepted, in seconds'),
          decodeTimeoutMs: z.number().int().positive().default(30_000).describe('Budget of one decode'),
          maxConcurrentDecodes: z.number().int().positive().default(2).describe('ffmpeg decodes at once'),
          cacheMaxBytes: z
            .number()
            .int()
            .min(0)
            .default(64 * MiB)
            .describe('Decoded frames kept in the LRU cache (0 = off)'),
          resizeMode: z
            .enum(['letterbox', 'center-crop', 'stretch'])
            .default('stretch')
            .describe('How frames are fitted to the encoder (stretch = what SigLIP preprocessing does)'),
        })
        .prefault({}),
    })
    .prefault({}),
});

export type RewardModelConfig = z.output<typeof rewardModelConfigSchema>;
