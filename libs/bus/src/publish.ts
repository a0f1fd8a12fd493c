import { type DescMessage, type MessageShape, toBinary } from '@bufbuild/protobuf';
import { JetStreamApiError, type JetStreamClient } from '@nats-io/jetstream';
import { InvalidArgumentError, type NatsConnection, headers as createHeaders } from '@nats-io/nats-core';
import { SpanKind, SpanStatusCode, type Tracer, context, trace } from '@opentelemetry/api';
import { BusOptionsError, PayloadTooLargeError } from './errors.js';
import { injectTraceContext } from './trace-headers.js';
import { readSubject } from './validate.js';

/** Options of one publish. */
export interface PublishOptions {
  /** De-duplication id sent as Nats-Msg-Id: a repeat within the stream's duplicate window is dropped. */
  msgId?: string;
  /** Extra NATS headers. */
  headers?: Record<string, string>;
  /** Wait for the stream's acknowledgement, in ms. Default: the bus requestTimeoutMs. */
  timeoutMs?: number;
}

/** The stream's acknowledgement of a publish. */
export interface BusPubAck {
  stream: string;
  /** Stream sequence of the stored message (of the original, for a duplicate). */
  seq: number;
  /** True when the msgId was seen within the duplicate window and nothing was stored. */
  duplicate: boolean;
}

/** What a publish needs from the bus. */
export interface PublishDeps {
  nc: NatsConnection;
  js: JetStreamClient;
  tracer: Tracer;
  requestTimeoutMs: number;
}

// JetStream's "message size exceeds maximum allowed" (the stream's max_msg_size).
const streamMessageTooLarge = 10054;
// Header names are HTTP-like tokens: no spaces, no colon.
const headerNamePattern = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

function toTooLarge(err: unknown, subject: string, size: number, max: number | undefined): unknown {
  if (err instanceof JetStreamApiError && err.code === streamMessageTooLarge) {
    return new PayloadTooLargeError(subject, size, undefined, { cause: err });
  }
  if (err instanceof InvalidArgumentError && /max_payload/.test(err.message)) {
    return new PayloadTooLargeError(subject, size, max, { cause: err });
  }
  return err;
}

/**
 * Encodes `message` with protobuf-es, publishes it to JetStream with the
 * active trace context in its headers, and returns the stream's ack.
 */
export async function publishMessage<Desc extends DescMessage>(
  deps: PublishDeps,
  schema: Desc,
  subject: string,
  message: MessageShape<Desc>,
  options: PublishOptions = {},
): Promise<BusPubAck> {
  readSubject('subject', subject, false);
  if (options.msgId !== undefined && options.msgId === '') throw new BusOptionsError('msgId', 'must not be empty');
  const payload = toBinary(schema, message);
  const maxPayload = deps.nc.info?.max_payload;
  if (maxPayload !== undefined && payload.length > maxPayload) {
    throw new PayloadTooLargeError(subject, payload.length, maxPayload);
  }
  const hdrs = createHeaders();
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    if (!headerNamePattern.test(name)) throw new BusOptionsError(`headers.${name}`, 'is not a valid header name');
    hdrs.set(name, value);
  }
  const span = deps.tracer.startSpan(`send ${subject}`, {
    kind: SpanKind.PRODUCER,
    attributes: {
      'messaging.system': 'nats',
      'messaging.operation.type': 'send',
      'messaging.destination.name': subject,
      'messaging.message.body.size': payload.length,
      ...(options.msgId === undefined ? {} : { 'messaging.message.id': options.msgId }),
    },
  });
  injectTraceContext(trace.setSpan(context.active(), span), hdrs);
  try {
    const ack = await deps.js.publish(subject, payload, {
      headers: hdrs,
      timeout: options.timeoutMs ?? deps.requestTimeoutMs,
      ...(options.msgId === undefined ? {} : { msgID: options.msgId }),
    });
    span.setAttribute('messaging.nats.stream.sequence', ack.seq);
    return { stream: ack.stream, seq: ack.seq, duplicate: ack.duplicate };
  } catch (err) {
    const mapped = toTooLarge(err, subject, payload.length, maxPayload);
    span.recordException(mapped instanceof Error ? mapped : String(mapped));
    span.setStatus({ code: SpanStatusCode.ERROR });
    throw mapped;
  } finally {
    span.end();
  }
}
