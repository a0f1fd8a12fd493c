import type { AppDefinition } from '@vrft/runtime';
import { reasoningServerConfigSchema } from './reasoning-server.config.js';
import { ReasoningServerModule } from './reasoning-server.module.js';

/** The reasoning-server deployable. */
export const reasoningServerApp: AppDefinition<typeof reasoningServerConfigSchema> = {
  name: 'reasoning-server',
  schema: reasoningServerConfigSchema,
  module: (config) => ReasoningServerModule.forRoot(config),
};
