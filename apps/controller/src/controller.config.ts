import { natsSchema } from '@vrft/config';
import { baseAppSchema } from '@vrft/runtime';
import { z } from 'zod';

/** Configuration of the controller (env vars VRFT_..., optional JSON file in VRFT_CONFIG_FILE). */
export const controllerConfigSchema = baseAppSchema('controller', 50056).extend({
  nats: natsSchema.prefault({}),
  registry: z
    .object({
      bucket: z.string().min(1).default('vrft_runs').describe('JetStream KV bucket of the run registry'),
      maxPageSize: z.number().int().positive().default(100).describe('Largest page ListRuns returns'),
    })
    .prefault({}),
});

export type ControllerConfig = z.output<typeof controllerConfigSchema>;
