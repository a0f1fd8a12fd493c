import { type DescMessage, type MessageShape, fromBinary } from '@bufbuild/protobuf';
import { type JetStreamClient, type JsMsg } from '@nats-io/jetstream';
import { SpanKind, SpanStatusCode, type Tracer, context, trace } from '@opentelemetry/api';
import { type BusMessage, type Settlement, createBusMessage } from './bus-message.js';
import { type BusLogger } from './logger.js';
import { supportsTermReason } from './server-features.js';
import { extractTraceContext } from './trace-headers.js';
import { readInt, readName } from './validate.js';

/** Which durable consumer of which stream to pull from. */
export interface ConsumerRef {
  stream: string;
  consumer: string;
}

/** Handles one message; returning settles it with ack unless it was settled already, throwing naks it. */
export type BusHandler<T> = (message: BusMessage<T>) => Promise<void> | void;

/** Options of one consume loop. */
export interface ConsumeOptions {
  /** Handlers running at once. Default 1. */
  concurrency?: number;
  /** Messages buffered per pull; more buffering risks ack-wait expiry while queued. Default: concurrency. */
  maxMessages?: number;
  /** Lifetime of each pull request on the server, in ms (>= 1 000). Default 30 000. */
  expiresMs?: number;
  /** Redelivery delay after a handler throws, in ms. Default 1 000. */
  nakDelayMs?: number;
  /** Wait for the server to confirm an ack, in ms. Default: the bus requestTimeoutMs. */
  ackTimeoutMs?: number;
}

/** Counters of one consume loop. */
export interface ConsumeStats {
  received: number;
  acked: number;
  naked: number;
  terminated: number;
  /** Messages that were not valid protobuf for the schema (terminated, never retried). */
  decodeFailures: number;
  /** Handler calls that threw (the message was nak'd). */
  handlerErrors: number;
}

/** A running consume loop. */
export interface ConsumeHandle {
  /** Stops pulling, returns buffered messages to the server and waits for handlers in flight. */
  stop(): Promise<void>;
  /** A snapshot of the counters. */
  stats(): ConsumeStats;
  /** Resolves when the loop has ended (stopped, connection closed, consumer deleted). */
  readonly done: Promise<void>;
}

/** What a consume loop needs from the bus. */
export interface ConsumeDeps {
  js: JetStreamClient;
  /** Version of the server currently connected (it may change on reconnect). */
  serverVersion: () => string | undefined;
  tracer: Tracer;
  logger: BusLogger;
  requestTimeoutMs: number;
}

interface ResolvedConsumeOptions {
  concurrency: number;
  maxMessages: number;
  expiresMs: number;
  nakDelayMs: number;
  ackTimeoutMs: number;
}

function parseConsumeOptions(o: ConsumeOptions, requestTimeoutMs: number): ResolvedConsumeOptions {
  const concurrency = readInt('consume.concurrency', o.concurrency, 1, 1);
  return {
    concurrency,
    maxMessages: readInt('consume.maxMessages', o.maxMessages, concurrency, 1),
    expiresMs: readInt('consume.expiresMs', o.expiresMs, 30_000, 1_000),
    nakDelayMs: readInt('consume.nakDelayMs', o.nakDelayMs, 1_000, 0),
    ackTimeoutMs: readInt('consume.ackTimeoutMs', o.ackTimeoutMs, requestTimeoutMs, 1),
  };
}

const settlementCounter = { ack: 'acked', nak: 'naked', term: 'terminated' } as const;

/**
 * Pulls from a durable consumer, decodes each message with `schema` and runs
 * `handler` inside the publisher's trace context. Undecodable messages are
 * terminated (poison), never retried.
 */
export async function consumeMessages<Desc extends DescMessage>(
  deps: ConsumeDeps,
  schema: Desc,
  ref: ConsumerRef,
  handler: BusHandler<MessageShape<Desc>>,
  options: ConsumeOptions = {},
): Promise<ConsumeHandle> {
  const opts = parseConsumeOptions(options, deps.requestTimeoutMs);
  const stream = readName('stream', ref.stream);
  const durable = readName('consumer', ref.consumer);
  const { logger, tracer } = deps;
  const consumer = await deps.js.consumers.get(stream, durable);
  const messages = await consumer.consume({ max_messages: opts.maxMessages, expires: opts.expiresMs });
  const stats: ConsumeStats = { received: 0, acked: 0, naked: 0, terminated: 0, decodeFailures: 0, handlerErrors: 0 };
  const count = (kind: Settlement): void => {
    stats[settlementCounter[kind]]++;
  };
  const where = { stream, consumer: durable, type: schema.typeName };

  const handleOne = async (jm: JsMsg): Promise<void> => {
    stats.received++;
    const termReasons = supportsTermReason(deps.serverVersion());
    const traceContext = extractTraceContext(jm.headers);
    let data: MessageShape<Desc>;
    try {
      data = fromBinary(schema, jm.data);
    } catch (err) {
      stats.decodeFailures++;
      count('term');
      logger.warn('terminating undecodable message', { ...where, seq: jm.seq, error: err });
      jm.term(termReasons ? `not a valid ${schema.typeName}` : undefined);
      return;
    }
    const message = createBusMessage(jm, data, traceContext, opts.ackTimeoutMs, termReasons, count);
    const span = tracer.startSpan(
      `process ${jm.subject}`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          'messaging.system': 'nats',
          'messaging.operation.type': 'process',
          'messaging.destination.name': jm.subject,
          'messaging.consumer.group.name': durable,
          'messaging.nats.stream.sequence': jm.seq,
          'messaging.nats.delivery_count': jm.info.deliveryCount,
        },
      },
      traceContext,
    );
    try {
      await context.with(trace.setSpan(traceContext, span), () => handler(message));
      if (message.settlement === undefined) await message.ack();
    } catch (err) {
      stats.handlerErrors++;
      span.recordException(err instanceof Error ? err : String(err));
      span.setStatus({ code: SpanStatusCode.ERROR });
      logger.warn('handler failed; message will be redelivered', { ...where, seq: jm.seq, error: err });
      try {
        message.nak(opts.nakDelayMs);
      } catch (nakErr) {
        // The connection may be gone; the ack wait then redelivers the message.
        logger.warn('nak failed', { ...where, seq: jm.seq, error: nakErr });
      }
    } finally {
      span.end();
    }
  };

  let stopping = false;
  const inFlight = new Set<Promise<void>>();
  const done = (async () => {
    try {
      for await (const jm of messages) {
        if (stopping) {
          // Buffered after stop(): hand it straight back for another worker.
          jm.nak();
          continue;
        }
        while (inFlight.size >= opts.concurrency) await Promise.race(inFlight);
        const task: Promise<void> = handleOne(jm)
          .catch((err: unknown) => logger.error('message handling failed', { ...where, seq: jm.seq, error: err }))
          .finally(() => inFlight.delete(task));
        inFlight.add(task);
      }
    } catch (err) {
      logger.error('consume loop ended with an error', { ...where, error: err });
    }
    await Promise.all(inFlight);
  })();

  return {
    async stop() {
      stopping = true;
      try {
        await messages.close();
      } catch (err) {
        // Already closed with the connection: nothing left to stop.
        logger.info('closing the pull subscription failed', { ...where, error: err });
      }
      await done;
    },
    stats: () => ({ ...stats }),
    done,
  };
}
