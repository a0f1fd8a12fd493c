import type { AppDefinition } from '@vrft/runtime';
import { learnerConfigSchema } from './learner.config.js';
import { LearnerModule } from './learner.module.js';

/** The learner deployable. */
export const learnerApp: AppDefinition<typeof learnerConfigSchema> = {
  name: 'learner',
  schema: learnerConfigSchema,
  module: (config) => LearnerModule.forRoot(config),
};
