import {
  AckPolicy,
  type ConsumerConfig,
  DeliverPolicy,
  DiscardPolicy,
  ReplayPolicy,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';
import { BusOptionsError } from './errors.js';
import { readChoice, readInt, readName, readSubject } from './validate.js';

/** A JetStream stream as the bus declares it (times in ms). */
export interface StreamSpec {
  name: string;
  /** Subjects (wildcards allowed) captured by the stream; at least one. */
  subjects: string[];
  /** `limits` (default) keeps messages by limits; `workqueue` deletes each on ack; `interest` while consumers need it. */
  retention?: 'limits' | 'workqueue' | 'interest';
  /** `file` (default) or `memory`. */
  storage?: 'file' | 'memory';
  /** Largest message accepted, in bytes; -1 (default) means the server's max_payload. */
  maxMsgBytes?: number;
  /** Window in which a repeated Nats-Msg-Id is dropped, in ms. Default 120 000. */
  duplicateWindowMs?: number;
  /** Message age limit, in ms; 0 (default) keeps them. */
  maxAgeMs?: number;
  /** Total size cap in bytes; -1 (default) is unlimited. */
  maxBytes?: number;
  /** Message count cap; -1 (default) is unlimited. */
  maxMsgs?: number;
  /** What to drop when a cap is hit: `old` (default) or `new` (reject publishes). */
  discard?: 'old' | 'new';
  /** Replicas in a cluster. Default 1. */
  replicas?: number;
  description?: string;
}

/** A durable pull consumer (times in ms). */
export interface ConsumerSpec {
  /** Durable name; survives restarts and is shared by every worker that pulls from it. */
  durable: string;
  /** Time a delivered message may stay unacknowledged before redelivery, in ms. Default 30 000. */
  ackWaitMs?: number;
  /** Deliveries before the server gives up on a message; -1 is unlimited. Default 5. */
  maxDeliver?: number;
  /** Redelivery delays per attempt, in ms (fewer than maxDeliver); the first one replaces ackWaitMs. Default none. */
  backoffMs?: number[];
  /** Only messages on this subject (wildcards allowed). Default: all of the stream. */
  filterSubject?: string;
  /** Delivered-but-unacked cap across all workers. Default 1 000. */
  maxAckPending?: number;
  /** Where a new consumer starts: `all` (default), `new` or `last`. */
  deliverPolicy?: 'all' | 'new' | 'last';
  description?: string;
}

const retentionMap = {
  limits: RetentionPolicy.Limits,
  workqueue: RetentionPolicy.Workqueue,
  interest: RetentionPolicy.Interest,
} as const;
const deliverMap = { all: DeliverPolicy.All, new: DeliverPolicy.New, last: DeliverPolicy.Last } as const;

function readLimit(field: string, value: number | undefined): number {
  const v = readInt(field, value, -1, -1);
  if (v === 0) throw new BusOptionsError(field, 'must be -1 (unlimited) or > 0');
  return v;
}

/** A stream configuration for the server; fields left out take the server's defaults. */
export type StreamConfigRequest = Partial<StreamConfig> & { name: string };

/** Validates a {@link StreamSpec} and returns the server's stream configuration. */
export function toStreamConfig(spec: StreamSpec): StreamConfigRequest {
  const name = readName('stream.name', spec.name);
  if (!Array.isArray(spec.subjects) || spec.subjects.length === 0) {
    throw new BusOptionsError('stream.subjects', 'must list at least one subject');
  }
  const subjects = spec.subjects.map((s, i) => readSubject(`stream.subjects[${i}]`, s, true));
  const retention = readChoice('stream.retention', spec.retention, 'limits', ['limits', 'workqueue', 'interest']);
  const storage = readChoice('stream.storage', spec.storage, 'file', ['file', 'memory']);
  const discard = readChoice('stream.discard', spec.discard, 'old', ['old', 'new']);
  const config: StreamConfigRequest = {
    name,
    subjects,
    retention: retentionMap[retention],
    storage: storage === 'file' ? StorageType.File : StorageType.Memory,
    max_msg_size: readLimit('stream.maxMsgBytes', spec.maxMsgBytes),
    duplicate_window: nanos(readInt('stream.duplicateWindowMs', spec.duplicateWindowMs, 120_000, 1)),
    max_age: nanos(readInt('stream.maxAgeMs', spec.maxAgeMs, 0, 0)),
    max_bytes: readLimit('stream.maxBytes', spec.maxBytes),
    max_msgs: readLimit('stream.maxMsgs', spec.maxMsgs),
    discard: discard === 'old' ? DiscardPolicy.Old : DiscardPolicy.New,
    num_replicas: readInt('stream.replicas', spec.replicas, 1, 1),
  };
  if (spec.description !== undefined) config.description = spec.description;
  return config;
}

/** Validates a {@link ConsumerSpec} and returns the server's durable pull consumer configuration. */
export function toConsumerConfig(spec: ConsumerSpec): Partial<ConsumerConfig> {
  const durable = readName('consumer.durable', spec.durable);
  const maxDeliver = readInt('consumer.maxDeliver', spec.maxDeliver, 5, -1);
  if (maxDeliver === 0) throw new BusOptionsError('consumer.maxDeliver', 'must be -1 (unlimited) or > 0');
  const backoff = (spec.backoffMs ?? []).map((ms, i) => readInt(`consumer.backoffMs[${i}]`, ms, 0, 1));
  if (backoff.length > 0 && maxDeliver !== -1 && backoff.length >= maxDeliver) {
    throw new BusOptionsError('consumer.backoffMs', `needs fewer entries than maxDeliver (${maxDeliver})`);
  }
  const config: Partial<ConsumerConfig> = {
    durable_name: durable,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: deliverMap[readChoice('consumer.deliverPolicy', spec.deliverPolicy, 'all', ['all', 'new', 'last'])],
    replay_policy: ReplayPolicy.Instant,
    ack_wait: nanos(readInt('consumer.ackWaitMs', spec.ackWaitMs, 30_000, 1)),
    max_deliver: maxDeliver,
    max_ack_pending: readInt('consumer.maxAckPending', spec.maxAckPending, 1_000, 1),
  };
  if (backoff.length > 0) {
    config.backoff = backoff.map((ms) => nanos(ms));
    // The server makes the first backoff step the ack wait; say so up front so re-ensuring finds no change.
    config.ack_wait = config.backoff[0];
  }
  if (spec.filterSubject !== undefined) {
    config.filter_subject = readSubject('consumer.filterSubject', spec.filterSubject, true);
  }
  if (spec.description !== undefined) config.description = spec.description;
  return config;
}
