import { baseAppSchema } from '@vrft/runtime';
import type { z } from 'zod';

/** Configuration of the policy-actor (env vars VRFT_..., optional JSON file in VRFT_CONFIG_FILE). */
export const policyActorConfigSchema = baseAppSchema('policy-actor', 50052);

export type PolicyActorConfig = z.output<typeof policyActorConfigSchema>;
