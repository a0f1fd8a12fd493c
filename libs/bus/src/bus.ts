import { type DescMessage, type MessageShape } from '@bufbuild/protobuf';
import { type JetStreamClient, type JetStreamManager, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { type NatsConnection } from '@nats-io/nats-core';
import { type Tracer, trace } from '@opentelemetry/api';
import { type ObjectRef } from '@vrft/proto';
import { type BlobBucketOptions } from './blob-options.js';
import { type BlobSource } from './blob-source.js';
import { BlobStore } from './blob-store.js';
import { type BusOptions, type ResolvedBusOptions, parseBusOptions } from './bus-options.js';
import { openConnection } from './connection.js';
import {
  type BusHandler,
  type ConsumeHandle,
  type ConsumeOptions,
  type ConsumerRef,
  consumeMessages,
} from './consume.js';
import { type ProtoKv, type RegistryOptions, openProtoKv } from './proto-kv.js';
import { type BusPubAck, type PublishOptions, publishMessage } from './publish.js';
import {
  type ConsumerStats,
  type StreamStats,
  ensureConsumer,
  ensureStream,
  readConsumerStats,
  readStreamStats,
} from './stream-admin.js';
import { type ConsumerSpec, type StreamSpec } from './stream-spec.js';

/** A connection to NATS JetStream with typed messages, blobs and a KV registry. */
export interface Bus {
  /** Largest message the connected server accepts, in bytes (headers included). */
  maxPayloadBytes(): number;
  /** Creates or updates a stream; idempotent. */
  ensureStream(spec: StreamSpec): Promise<StreamStats>;
  /** Creates or updates a durable pull consumer; idempotent. */
  ensureConsumer(stream: string, spec: ConsumerSpec): Promise<ConsumerStats>;
  streamStats(stream: string): Promise<StreamStats>;
  consumerStats(stream: string, durable: string): Promise<ConsumerStats>;
  /** Encodes and publishes a protobuf message; resolves with the stream's ack. */
  publish<Desc extends DescMessage>(
    schema: Desc,
    subject: string,
    message: MessageShape<Desc>,
    options?: PublishOptions,
  ): Promise<BusPubAck>;
  /** Pulls, decodes and handles messages of a durable consumer until stopped. */
  consume<Desc extends DescMessage>(
    schema: Desc,
    ref: ConsumerRef,
    handler: BusHandler<MessageShape<Desc>>,
    options?: ConsumeOptions,
  ): Promise<ConsumeHandle>;
  /** Creates an Object Store bucket if missing, with settings over the bus defaults. */
  ensureBlobBucket(bucket: string, options?: BlobBucketOptions): Promise<void>;
  /** Streams data into the object store (bucket created on demand); returns its verified reference. */
  putBlob(bucket: string, name: string, data: BlobSource): Promise<ObjectRef>;
  /** Reads a whole blob, verifying size and SHA-256 against the ref. */
  getBlob(ref: ObjectRef): Promise<Uint8Array>;
  /** Streams a blob; verification failures surface as a DigestMismatchError before or after the chunks. */
  streamBlob(ref: ObjectRef): AsyncIterable<Uint8Array>;
  /** Deletes a blob; false when there was none. */
  deleteBlob(bucket: string, name: string): Promise<boolean>;
  /** Opens (creating if missing) a KV bucket of protobuf values. */
  openRegistry<Desc extends DescMessage>(
    schema: Desc,
    bucket: string,
    options?: RegistryOptions,
  ): Promise<ProtoKv<MessageShape<Desc>>>;
  /** Stops every consume loop (waiting for handlers), flushes and closes. */
  drain(): Promise<void>;
  /** Closes at once: handlers in flight lose their acks (the server redelivers). */
  close(): Promise<void>;
  /** Resolves when the connection is closed (with the error, if one closed it). */
  closed(): Promise<void | Error>;
}

class NatsBus implements Bus {
  private readonly tracer: Tracer = trace.getTracer('@vrft/bus');
  private readonly consumers = new Set<ConsumeHandle>();
  private readonly blobs: BlobStore;

  constructor(
    private readonly opts: ResolvedBusOptions,
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
  ) {
    this.blobs = new BlobStore(nc, opts.blobBuckets);
  }

  maxPayloadBytes(): number {
    return this.nc.info?.max_payload ?? 0;
  }

  ensureStream(spec: StreamSpec): Promise<StreamStats> {
    return ensureStream(this.jsm, spec);
  }

  ensureConsumer(stream: string, spec: ConsumerSpec): Promise<ConsumerStats> {
    return ensureConsumer(this.jsm, stream, spec);
  }

  streamStats(stream: string): Promise<StreamStats> {
    return readStreamStats(this.jsm, stream);
  }

  consumerStats(stream: string, durable: string): Promise<ConsumerStats> {
    return readConsumerStats(this.jsm, stream, durable);
  }

  publish<Desc extends DescMessage>(
    schema: Desc,
    subject: string,
    message: MessageShape<Desc>,
    options?: PublishOptions,
  ): Promise<BusPubAck> {
    const deps = { nc: this.nc, js: this.js, tracer: this.tracer, requestTimeoutMs: this.opts.requestTimeoutMs };
    return publishMessage(deps, schema, subject, message, options);
  }

  async consume<Desc extends DescMessage>(
    schema: Desc,
    ref: ConsumerRef,
    handler: BusHandler<MessageShape<Desc>>,
    options?: ConsumeOptions,
  ): Promise<ConsumeHandle> {
    const deps = {
      js: this.js,
      serverVersion: () => this.nc.info?.version,
      tracer: this.tracer,
      logger: this.opts.logger,
      requestTimeoutMs: this.opts.requestTimeoutMs,
    };
    const handle = await consumeMessages(deps, schema, ref, handler, options);
    this.consumers.add(handle);
    void handle.done.then(() => this.consumers.delete(handle));
    return handle;
  }

  ensureBlobBucket(bucket: string, options?: BlobBucketOptions): Promise<void> {
    return this.blobs.ensureBucket(bucket, options);
  }

  putBlob(bucket: string, name: string, data: BlobSource): Promise<ObjectRef> {
    return this.blobs.put(bucket, name, data);
  }

  getBlob(ref: ObjectRef): Promise<Uint8Array> {
    return this.blobs.get(ref);
  }

  streamBlob(ref: ObjectRef): AsyncIterable<Uint8Array> {
    return this.blobs.stream(ref);
  }

  deleteBlob(bucket: string, name: string): Promise<boolean> {
    return this.blobs.delete(bucket, name);
  }

  openRegistry<Desc extends DescMessage>(
    schema: Desc,
    bucket: string,
    options: RegistryOptions = {},
  ): Promise<ProtoKv<MessageShape<Desc>>> {
    return openProtoKv(this.nc, schema, bucket, options, this.opts.requestTimeoutMs);
  }

  async drain(): Promise<void> {
    await Promise.all([...this.consumers].map((c) => c.stop()));
    if (!this.nc.isClosed() && !this.nc.isDraining()) await this.nc.drain();
  }

  async close(): Promise<void> {
    if (!this.nc.isClosed()) await this.nc.close();
  }

  closed(): Promise<void | Error> {
    return this.nc.closed();
  }
}

/**
 * Connects to NATS (options validated first; an error names the bad field)
 * and checks that JetStream is available. The client reconnects by itself;
 * consume loops resume after a reconnect.
 */
export async function connectBus(options: BusOptions): Promise<Bus> {
  const opts = parseBusOptions(options);
  const nc = await openConnection(opts);
  try {
    const jsm = await jetstreamManager(nc, { timeout: opts.requestTimeoutMs });
    const js = jetstream(nc, { timeout: opts.requestTimeoutMs });
    return new NatsBus(opts, nc, js, jsm);
  } catch (err) {
    await nc.close();
    throw err;
  }
}
