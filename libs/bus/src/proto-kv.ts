import { type DescMessage, type MessageShape, fromBinary, toBinary } from '@bufbuild/protobuf';
import { JetStreamApiCodes, JetStreamApiError, StorageType } from '@nats-io/jetstream';
import { type KV, type KvEntry, KvWatchInclude, Kvm } from '@nats-io/kv';
import { type NatsConnection } from '@nats-io/nats-core';
import { BusOptionsError, MessageDecodeError, RevisionConflictError } from './errors.js';
import { validateKey, validateKeyFilter } from './kv-keys.js';
import { readChoice, readInt, readName } from './validate.js';

/** Settings of a registry bucket, applied when it is created. */
export interface RegistryOptions {
  /** Revisions kept per key (1..64). Default 1. */
  history?: number;
  /** `file` (default) or `memory`. */
  storage?: 'file' | 'memory';
  /** Largest value in bytes; -1 (default) means the server's max_payload. */
  maxValueBytes?: number;
  /** Total size cap in bytes; -1 (default) is unlimited. */
  maxBucketBytes?: number;
}

/** A stored value with its revision (the compare-and-set token). */
export interface KvValue<T> {
  key: string;
  value: T;
  revision: number;
  created: Date;
}

/** One change seen by a watch. */
export type KvChange<T> =
  | (KvValue<T> & { operation: 'put'; isUpdate: boolean })
  | { key: string; revision: number; created: Date; operation: 'delete' | 'purge'; isUpdate: boolean };

/** A running watch: iterate it; stop() ends the iteration. */
export interface KvWatch<T> extends AsyncIterable<KvChange<T>> {
  stop(): void;
}

/** What to watch. */
export interface KvWatchOptions {
  /** Key or filter (`runs.*`, `>`). Default `>` (everything). */
  key?: string;
  /** `last` (default): each key's latest value, then changes; `history`: all kept revisions, then changes; `updates`: changes only. */
  include?: 'last' | 'history' | 'updates';
}

/** A KV bucket whose values are protobuf messages of one type. */
export interface ProtoKv<T> {
  readonly bucket: string;
  /** The latest value, or undefined when absent or deleted. */
  get(key: string): Promise<KvValue<T> | undefined>;
  /** Writes only if the key does not exist; else {@link RevisionConflictError}. Returns the revision. */
  create(key: string, value: T): Promise<number>;
  /** Writes unconditionally. Returns the revision. */
  put(key: string, value: T): Promise<number>;
  /** Writes only if the key is still at `expectedRevision`; else {@link RevisionConflictError}. */
  update(key: string, value: T, expectedRevision: number): Promise<number>;
  /** Deletes the key (optionally only at `expectedRevision`). */
  delete(key: string, options?: { expectedRevision?: number }): Promise<void>;
  /** Keys with a live value, optionally matching a filter. */
  keys(filter?: string): Promise<string[]>;
  /** Streams changes as typed entries. */
  watch(options?: KvWatchOptions): Promise<KvWatch<T>>;
}

function isConflict(err: unknown): boolean {
  return (
    err instanceof JetStreamApiError &&
    (err.code === JetStreamApiCodes.StreamWrongLastSequence ||
      err.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown)
  );
}

function readRevision(value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new BusOptionsError('expectedRevision', `must be a revision >= 1, got ${String(value)}`);
  }
  return value;
}

const includeMap = {
  last: KvWatchInclude.LastValue,
  history: KvWatchInclude.AllHistory,
  updates: KvWatchInclude.UpdatesOnly,
} as const;

class ProtoKvBucket<Desc extends DescMessage> implements ProtoKv<MessageShape<Desc>> {
  constructor(
    readonly bucket: string,
    private readonly kv: KV,
    private readonly schema: Desc,
  ) {}

  private decode(entry: KvEntry): MessageShape<Desc> {
    try {
      return fromBinary(this.schema, entry.value);
    } catch (err) {
      const where = `${this.bucket}/${entry.key}@${entry.revision}`;
      throw new MessageDecodeError(this.schema.typeName, where, { cause: err });
    }
  }

  private async guarded(key: string, expectedRevision: number, write: () => Promise<number>): Promise<number> {
    try {
      return await write();
    } catch (err) {
      if (isConflict(err)) throw new RevisionConflictError(this.bucket, key, expectedRevision, { cause: err });
      throw err;
    }
  }

  async get(key: string): Promise<KvValue<MessageShape<Desc>> | undefined> {
    const entry = await this.kv.get(validateKey(key));
    if (entry === null || entry.operation !== 'PUT') return undefined;
    return { key, value: this.decode(entry), revision: entry.revision, created: entry.created };
  }

  async create(key: string, value: MessageShape<Desc>): Promise<number> {
    validateKey(key);
    return this.guarded(key, 0, () => this.kv.create(key, toBinary(this.schema, value)));
  }

  async put(key: string, value: MessageShape<Desc>): Promise<number> {
    return this.kv.put(validateKey(key), toBinary(this.schema, value));
  }

  async update(key: string, value: MessageShape<Desc>, expectedRevision: number): Promise<number> {
    validateKey(key);
    const revision = readRevision(expectedRevision);
    return this.guarded(key, revision, () => this.kv.update(key, toBinary(this.schema, value), revision));
  }

  async delete(key: string, options: { expectedRevision?: number } = {}): Promise<void> {
    validateKey(key);
    if (options.expectedRevision === undefined) {
      await this.kv.delete(key);
      return;
    }
    const previousSeq = readRevision(options.expectedRevision);
    await this.guarded(key, previousSeq, async () => {
      await this.kv.delete(key, { previousSeq });
      return previousSeq;
    });
  }

  async keys(filter = '>'): Promise<string[]> {
    const out: string[] = [];
    for await (const key of await this.kv.keys(validateKeyFilter(filter))) out.push(key);
    return out;
  }

  async watch(options: KvWatchOptions = {}): Promise<KvWatch<MessageShape<Desc>>> {
    const key = validateKeyFilter(options.key ?? '>');
    const include = readChoice('watch.include', options.include, 'last', ['last', 'history', 'updates']);
    const iterator = await this.kv.watch({ key, include: includeMap[include] });
    const decodeChange = (e: KvEntry & { isUpdate: boolean }): KvChange<MessageShape<Desc>> => {
      const base = { key: e.key, revision: e.revision, created: e.created, isUpdate: e.isUpdate };
      if (e.operation === 'PUT') return { ...base, operation: 'put', value: this.decode(e) };
      return { ...base, operation: e.operation === 'DEL' ? 'delete' : 'purge' };
    };
    return {
      stop: () => iterator.stop(),
      async *[Symbol.asyncIterator]() {
        try {
          for await (const entry of iterator) yield decodeChange(entry);
        } finally {
          // Leaving the loop early (break, decode error) ends the server-side watcher too.
          iterator.stop();
        }
      },
    };
  }
}

/** Creates (if missing) and opens a KV bucket holding `schema` messages. */
export async function openProtoKv<Desc extends DescMessage>(
  nc: NatsConnection,
  schema: Desc,
  bucket: string,
  options: RegistryOptions,
  requestTimeoutMs: number,
): Promise<ProtoKv<MessageShape<Desc>>> {
  readName('bucket', bucket);
  const history = readInt('registry.history', options.history, 1, 1);
  if (history > 64) throw new BusOptionsError('registry.history', 'must be at most 64');
  const maxValueBytes = readInt('registry.maxValueBytes', options.maxValueBytes, -1, -1);
  const maxBucketBytes = readInt('registry.maxBucketBytes', options.maxBucketBytes, -1, -1);
  for (const [field, v] of [
    ['registry.maxValueBytes', maxValueBytes],
    ['registry.maxBucketBytes', maxBucketBytes],
  ] as const) {
    if (v === 0) throw new BusOptionsError(field, 'must be -1 (unlimited) or > 0');
  }
  const storage = readChoice('registry.storage', options.storage, 'file', ['file', 'memory']);
  const kv = await new Kvm(nc).create(bucket, {
    history,
    maxValueSize: maxValueBytes,
    max_bytes: maxBucketBytes,
    storage: storage === 'file' ? StorageType.File : StorageType.Memory,
    timeout: requestTimeoutMs,
  });
  return new ProtoKvBucket(bucket, kv, schema);
}
