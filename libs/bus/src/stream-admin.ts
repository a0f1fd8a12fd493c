import {
  type ConsumerConfig,
  type ConsumerInfo,
  JetStreamApiCodes,
  JetStreamApiError,
  type JetStreamManager,
  type StreamInfo,
} from '@nats-io/jetstream';
import { BusOptionsError } from './errors.js';
import { type ConsumerSpec, type StreamSpec, toConsumerConfig, toStreamConfig } from './stream-spec.js';
import { readName } from './validate.js';

/** A stream's size and the number of consumers attached. */
export interface StreamStats {
  name: string;
  messages: number;
  bytes: number;
  firstSeq: number;
  lastSeq: number;
  consumers: number;
}

/** A durable consumer's backlog. */
export interface ConsumerStats {
  stream: string;
  durable: string;
  /** Messages not yet delivered. */
  pending: number;
  /** Delivered, not yet acknowledged. */
  ackPending: number;
  /** Delivered more than once and not yet acknowledged. */
  redelivered: number;
  /** Pull requests waiting on the server. */
  waiting: number;
}

function isApiError(err: unknown, code: number): boolean {
  return err instanceof JetStreamApiError && err.code === code;
}

async function findStream(jsm: JetStreamManager, name: string): Promise<StreamInfo | undefined> {
  try {
    return await jsm.streams.info(name);
  } catch (err) {
    if (isApiError(err, JetStreamApiCodes.StreamNotFound)) return undefined;
    throw err;
  }
}

async function findConsumer(jsm: JetStreamManager, stream: string, durable: string): Promise<ConsumerInfo | undefined> {
  try {
    return await jsm.consumers.info(stream, durable);
  } catch (err) {
    if (isApiError(err, JetStreamApiCodes.ConsumerNotFound)) return undefined;
    throw err;
  }
}

function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => v === b[i]);
  return a === b;
}

// Keys of `wanted` whose value differs from `current`.
function changedKeys(wanted: object, current: object): string[] {
  const cur = current as Record<string, unknown>;
  return Object.entries(wanted)
    .filter(([key, value]) => !sameValue(value, cur[key]))
    .map(([key]) => key);
}

function toStats(info: StreamInfo): StreamStats {
  return {
    name: info.config.name,
    messages: info.state.messages,
    bytes: info.state.bytes,
    firstSeq: info.state.first_seq,
    lastSeq: info.state.last_seq,
    consumers: info.state.consumer_count,
  };
}

/**
 * Creates the stream, or updates it when its settings differ; a second call
 * with the same spec changes nothing. Retention and storage cannot change
 * on a live stream: a different value is an error naming the field.
 */
export async function ensureStream(jsm: JetStreamManager, spec: StreamSpec): Promise<StreamStats> {
  const config = toStreamConfig(spec);
  const existing = await findStream(jsm, config.name);
  if (existing === undefined) return toStats(await jsm.streams.add(config));
  for (const [key, field] of [
    ['retention', 'stream.retention'],
    ['storage', 'stream.storage'],
  ] as const) {
    if (config[key] !== existing.config[key]) {
      throw new BusOptionsError(
        field,
        `stream ${config.name} exists with ${key} ${existing.config[key]}; it cannot change to ${String(config[key])}`,
      );
    }
  }
  if (changedKeys(config, existing.config).length === 0) return toStats(existing);
  const { name: _name, retention: _retention, storage: _storage, ...mutable } = config;
  return toStats(await jsm.streams.update(config.name, { ...existing.config, ...mutable }));
}

// Settings a live consumer accepts changes to.
const updatableConsumerKeys = [
  'ack_wait',
  'max_deliver',
  'backoff',
  'max_ack_pending',
  'description',
  'filter_subject',
] as const satisfies readonly (keyof ConsumerConfig)[];

/**
 * Creates the durable pull consumer, or updates the settings a live consumer
 * may change (ack wait, max deliver, backoff, max ack pending, filter).
 */
export async function ensureConsumer(
  jsm: JetStreamManager,
  stream: string,
  spec: ConsumerSpec,
): Promise<ConsumerStats> {
  readName('stream', stream);
  const config = toConsumerConfig(spec);
  const durable = spec.durable;
  const existing = await findConsumer(jsm, stream, durable);
  if (existing === undefined) return toConsumerStats(await jsm.consumers.add(stream, config));
  if (existing.config.deliver_subject !== undefined && existing.config.deliver_subject !== '') {
    throw new BusOptionsError('consumer.durable', `consumer ${stream}/${durable} exists as a push consumer`);
  }
  const wanted: Partial<ConsumerConfig> = {};
  for (const key of updatableConsumerKeys) {
    if (key in config) Object.assign(wanted, { [key]: config[key] });
  }
  if (changedKeys(wanted, existing.config).length === 0) return toConsumerStats(existing);
  return toConsumerStats(await jsm.consumers.update(stream, durable, wanted));
}

function toConsumerStats(info: ConsumerInfo): ConsumerStats {
  return {
    stream: info.stream_name,
    durable: info.name,
    pending: info.num_pending,
    ackPending: info.num_ack_pending,
    redelivered: info.num_redelivered,
    waiting: info.num_waiting,
  };
}

/** Reads a stream's current size. */
export async function readStreamStats(jsm: JetStreamManager, stream: string): Promise<StreamStats> {
  return toStats(await jsm.streams.info(readName('stream', stream)));
}

/** Reads a durable consumer's current backlog. */
export async function readConsumerStats(
  jsm: JetStreamManager,
  stream: string,
  durable: string,
): Promise<ConsumerStats> {
  return toConsumerStats(await jsm.consumers.info(readName('stream', stream), readName('durable', durable)));
}
