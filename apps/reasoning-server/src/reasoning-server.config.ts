import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { portSchema } from '@vrft/config';
import { baseAppSchema } from '@vrft/runtime';
import { z } from 'zod';

const MiB = 1024 * 1024;
const positive = () => z.number().int().positive();

/** Configuration of the reasoning-server (env vars VRFT_..., optional JSON file in VRFT_CONFIG_FILE). */
export const reasoningServerConfigSchema = baseAppSchema('reasoning-server', 50051).extend({
  uploads: z
    .object({
      dir: z.string().min(1).default(join(tmpdir(), 'vrft-uploads')).describe('Directory of finished video uploads'),
      maxUploadBytes: positive()
        .default(512 * MiB)
        .describe('Largest single upload, in bytes'),
      maxTotalBytes: positive()
        .default(4096 * MiB)
        .describe('Most bytes kept by all uploads; oldest evicted first'),
      ttlSeconds: positive().default(3600).describe('Uploads older than this are deleted'),
      maxConcurrentUploads: positive().default(8).describe('Uploads in progress at once; more get RESOURCE_EXHAUSTED'),
    })
    .prefault({}),
  model: z
    .object({
      checkpointDir: z
        .string()
        .min(1)
        .optional()
        .describe('Checkpoint directory served (config.json, tokenizer.json, model.safetensors); absent = NOT_SERVING'),
      randomWeights: z
        .object({
          preset: z.enum(['tiny', 'small']).default('tiny').describe('Size preset of the random model'),
          seed: z.number().int().min(0).default(1).describe('Seed of the random weights'),
        })
        .optional()
        .describe(
          'Without checkpointDir: serve seeded random weights (gibberish answers, every path real), for a dev stack',
        ),
      name: z.string().min(1).default('vrft-reasoner').describe('Model name reported by ModelInfo and /v1/models'),
      executionProvider: z.enum(['cpu', 'cuda']).default('cpu').describe('onnxruntime execution provider'),
      workers: positive().default(1).describe('Session worker threads, each with its own continuous batch'),
      intraOpThreads: z
        .number()
        .int()
        .min(0)
        .default(0)
        .describe('onnxruntime operator threads per worker (0 = cores / workers)'),
      maxBatchSize: positive().default(64).describe('Sequences decoded together per worker (1 = batching off)'),
      maxQueue: z
        .number()
        .int()
        .min(1)
        .default(64)
        .describe('Requests waiting for a batch slot; one more gets RESOURCE_EXHAUSTED at once'),
      maxPrefillTokens: positive().default(4096).describe('Prompt positions prefilled between two decode steps'),
      cacheBlock: positive().default(32).describe('KV-cache capacity grows and shrinks in blocks of this many slots'),
      streamIntervalMs: z
        .number()
        .min(0)
        .default(0)
        .describe(
          'GenerateStream/SSE: tokens of a running answer go out at most every this many ms, several per message when decoding is faster (0 = one message per decode step); the first token is sent at once',
        ),
    })
    .prefault({}),
  limits: z
    .object({
      maxNewTokens: positive().default(512).describe('Largest max_new_tokens a request may ask for'),
      defaultMaxNewTokens: positive().default(256).describe('max_new_tokens when a request leaves it unset'),
      maxFrames: positive().default(16).describe('Most frames sampled from one video (also bounded by the model)'),
      maxQuestionChars: positive().default(8192).describe('Longest question, in characters'),
      maxOptions: positive().default(26).describe('Most multiple-choice options'),
      maxStopSequences: positive().default(8).describe('Most stop sequences per request'),
      maxStopChars: positive().default(128).describe('Longest stop sequence, in characters'),
      maxVideoBytes: positive()
        .default(256 * MiB)
        .describe('Largest video read from any source, in bytes'),
    })
    .prefault({}),
  video: z
    .object({
      allowedRoots: z
        .array(z.string().min(1))
        .default([])
        .describe('Directories file_uri videos may be read from, comma-separated; empty = no file access'),
      decodeTimeoutMs: positive().default(60_000).describe('Budget of one ffmpeg decode, in ms'),
      maxConcurrentDecodes: positive().default(2).describe('ffmpeg decodes at once'),
      maxQueuedDecodes: positive().default(64).describe('Decodes waiting; one more gets RESOURCE_EXHAUSTED'),
      frameCacheBytes: z
        .number()
        .int()
        .min(0)
        .default(64 * MiB)
        .describe('Decoded frames kept by the video reader (0 = off)'),
      featureCacheBytes: z
        .number()
        .int()
        .min(0)
        .default(256 * MiB)
        .describe('Visual tokens kept, keyed by video digest + sampling + weights (0 = off)'),
    })
    .prefault({}),
  http: z
    .object({
      port: portSchema.optional().describe('Port of the OpenAI-compatible HTTP endpoint; absent = off'),
      host: z.string().min(1).default('127.0.0.1').describe('Interface the HTTP endpoint binds to'),
      maxBodyBytes: positive()
        .default(64 * MiB)
        .describe('Largest HTTP request body, in bytes'),
    })
    .prefault({}),
});

export type ReasoningServerConfig = z.output<typeof reasoningServerConfigSchema>;
