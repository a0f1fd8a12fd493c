import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { baseAppSchema } from '@vrft/runtime';
import { z } from 'zod';

const MiB = 1024 * 1024;

/** Configuration of the reasoning-server (env vars VRFT_..., optional JSON file in VRFT_CONFIG_FILE). */
export const reasoningServerConfigSchema = baseAppSchema('reasoning-server', 50051).extend({
  uploads: z
    .object({
      dir: z.string().min(1).default(join(tmpdir(), 'vrft-uploads')).describe('Directory of finished video uploads'),
      maxUploadBytes: z
        .number()
        .int()
        .positive()
        .default(512 * MiB)
        .describe('Largest single upload, in bytes'),
      maxTotalBytes: z
        .number()
        .int()
        .positive()
        .default(4096 * MiB)
        .describe('Most bytes kept by all uploads; oldest evicted first'),
      ttlSeconds: z.number().int().positive().default(3600).describe('Uploads older than this are deleted'),
      maxConcurrentUploads: z
        .number()
        .int()
        .positive()
        .default(8)
        .describe('Uploads in progress at once; more get RESOURCE_EXHAUSTED'),
    })
    .prefault({}),
});

export type ReasoningServerConfig = z.output<typeof reasoningServerConfigSchema>;
