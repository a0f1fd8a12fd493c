import type { AppDefinition } from '@vrft/runtime';
import { controllerConfigSchema } from './controller.config.js';
import { ControllerModule } from './controller.module.js';

/** The controller deployable. */
export const controllerApp: AppDefinition<typeof controllerConfigSchema> = {
  name: 'controller',
  schema: controllerConfigSchema,
  module: (config) => ControllerModule.forRoot(config),
};
