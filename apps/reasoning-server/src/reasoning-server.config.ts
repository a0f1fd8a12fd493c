import { baseAppSchema } from '@vrft/runtime';
import type { z } from 'zod';

/** Configuration of the reasoning-server (env vars VRFT_..., optional JSON file in VRFT_CONFIG_FILE). */
export const reasoningServerConfigSchema = baseAppSchema('reasoning-server', 50051);

export type ReasoningServerConfig = z.output<typeof reasoningServerConfigSchema>;
