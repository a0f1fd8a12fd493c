import { baseAppSchema } from '@vrft/runtime';
import type { z } from 'zod';

/** Configuration of the reference-model (env vars VRFT_..., optional JSON file in VRFT_CONFIG_FILE). */
export const referenceModelConfigSchema = baseAppSchema('reference-model', 50053);

export type ReferenceModelConfig = z.output<typeof referenceModelConfigSchema>;
