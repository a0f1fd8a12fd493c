import type { AppDefinition } from '@vrft/runtime';
import { policyActorConfigSchema } from './policy-actor.config.js';
import { PolicyActorModule } from './policy-actor.module.js';

/** The policy-actor deployable. */
export const policyActorApp: AppDefinition<typeof policyActorConfigSchema> = {
  name: 'policy-actor',
  schema: policyActorConfigSchema,
  module: (config) => PolicyActorModule.forRoot(config),
};
