/**
 * @vrft/client — a small typed client of the reasoning-server (ReasoningService over gRPC):
 * `ask` for the whole answer, `stream` for deltas as they are sampled, videos inline when small
 * and uploaded in chunks when large.
 */
export { DEFAULT_CLIENT_OPTIONS, parseClientOptions, type ReasoningClientOptions } from './client-options.js';
export { ClientOptionsError, IncompleteStreamError } from './errors.js';
export {
  type Answer,
  type AnswerEvent,
  type ProblemTypeName,
  type Question,
  type Sampling,
  type VideoRef,
  toAnswer,
  toQueryMessage,
} from './query.js';
export { ReasoningClient } from './reasoning-client.js';
