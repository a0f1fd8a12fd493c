import { Code } from '@vrft/grpc';
import { mapErrorClasses } from '@vrft/runtime';
import { InvalidPageTokenError, RunNotFoundError } from './run-registry.service.js';

/** Statuses of the controller's own errors. */
export const controllerErrorMapper = mapErrorClasses([
  [RunNotFoundError, Code.NOT_FOUND],
  [InvalidPageTokenError, Code.INVALID_ARGUMENT],
]);
