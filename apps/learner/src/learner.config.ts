import { baseAppSchema } from '@vrft/runtime';
import type { z } from 'zod';

/** Configuration of the learner (env vars VRFT_..., optional JSON file in VRFT_CONFIG_FILE). */
export const learnerConfigSchema = baseAppSchema('learner', 50055);

export type LearnerConfig = z.output<typeof learnerConfigSchema>;
