import type { AppDefinition } from '@vrft/runtime';
import { referenceModelConfigSchema } from './reference-model.config.js';
import { ReferenceModelModule } from './reference-model.module.js';

/** The reference-model deployable. */
export const referenceModelApp: AppDefinition<typeof referenceModelConfigSchema> = {
  name: 'reference-model',
  schema: referenceModelConfigSchema,
  module: (config) => ReferenceModelModule.forRoot(config),
};
