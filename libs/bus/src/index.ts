/**
 * The NATS JetStream bus: typed protobuf messages on streams with durable pull
 * consumers, W3C trace context across the hop, Object Store blobs addressed by
 * verified ObjectRefs, and a typed KV registry.
 */
export { type Bus, connectBus } from './bus.js';
export {
  type BusCredentials,
  type BusOptions,
  type BusReconnectOptions,
  type BusStatusEvent,
  type BusTlsOptions,
  parseBusOptions,
} from './bus-options.js';
export { type BusLogger, stderrLogger } from './logger.js';
export { type BlobBucketOptions } from './blob-options.js';
export { type BlobSource } from './blob-source.js';
export { type BusMessage, type Settlement } from './bus-message.js';
export {
  type BusHandler,
  type ConsumeHandle,
  type ConsumeOptions,
  type ConsumeStats,
  type ConsumerRef,
} from './consume.js';
export { type BusPubAck, type PublishOptions } from './publish.js';
export { type ConsumerSpec, type StreamSpec } from './stream-spec.js';
export { type ConsumerStats, type StreamStats } from './stream-admin.js';
export {
  type KvChange,
  type KvValue,
  type KvWatch,
  type KvWatchOptions,
  type ProtoKv,
  type RegistryOptions,
} from './proto-kv.js';
export { validateKey, validateKeyFilter } from './kv-keys.js';
export {
  BlobNotFoundError,
  BusOptionsError,
  DigestMismatchError,
  InvalidKeyError,
  MessageDecodeError,
  PayloadTooLargeError,
  RevisionConflictError,
} from './errors.js';
