import { baseAppSchema } from '@vrft/runtime';
import { z } from 'zod';

const MiB = 1024 * 1024;

/** Configuration of the reference-model (env vars VRFT_..., optional JSON file in VRFT_CONFIG_FILE). */
export const referenceModelConfigSchema = baseAppSchema('reference-model', 50053).extend({
  reference: z
    .object({
      checkpoint: z
        .string()
        .default('')
        .describe('Frozen checkpoint directory (the SFT model); health stays NOT_SERVING until it is loaded'),
      runId: z.string().default('').describe('Run id reported in model_version'),
      workers: z.number().int().positive().default(1).describe('onnxruntime worker threads'),
      intraOpThreads: z.number().int().min(0).default(0).describe('Operator threads per session (0 = cores / workers)'),
      executionProvider: z.enum(['cpu', 'cuda']).default('cpu').describe('onnxruntime execution provider'),
      maxQueue: z.number().int().positive().default(64).describe('Jobs waiting for a worker before RESOURCE_EXHAUSTED'),
      maxSequences: z.number().int().positive().default(1024).describe('Most completions in one request'),
      allowedRoots: z.array(z.string()).default([]).describe('Directories file:// videos may come from'),
      maxVideoBytes: z
        .number()
        .int()
        .positive()
        .default(64 * MiB)
        .describe('Largest video accepted, in bytes'),
      decodeTimeoutMs: z.number().int().positive().default(30_000).describe('Budget of one video decode'),
    })
    .prefault({}),
});

export type ReferenceModelConfig = z.output<typeof referenceModelConfigSchema>;
