import { type JsMsg } from '@nats-io/jetstream';
import { type Context } from '@opentelemetry/api';

/** How a message was settled with the server. */
export type Settlement = 'ack' | 'nak' | 'term';

/** A decoded message handed to a consume handler. */
export interface BusMessage<T> {
  /** The decoded protobuf message. */
  readonly data: T;
  readonly subject: string;
  /** NATS headers (last value per name). */
  readonly headers: Readonly<Record<string, string>>;
  /** Deliveries so far, this one included: 1 on the first delivery, 2 on the first redelivery. */
  readonly redeliveryCount: number;
  /** Position of the message in its stream. */
  readonly streamSeq: number;
  /** Time the stream stored the message. */
  readonly timestamp: Date;
  /** The publisher's trace context (the handler also runs inside it). */
  readonly traceContext: Context;
  /** How the message was settled so far; undefined while open. */
  readonly settlement: Settlement | undefined;
  /** Acknowledges and waits for the server to confirm; the message is done. */
  ack(): Promise<void>;
  /** Hands the message back for redelivery, after `delayMs` if given. */
  nak(delayMs?: number): void;
  /** Tells the server the handler is still working: restarts the ack wait. */
  working(): void;
  /** Gives up on the message for good (no redelivery). */
  term(reason?: string): void;
}

function readHeaders(jm: JsMsg): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, values] of jm.headers ?? []) {
    const last = values[values.length - 1];
    if (last !== undefined) out[name] = last;
  }
  return out;
}

/**
 * Wraps a JetStream message. The first settlement wins; later calls are
 * ignored, so a handler may settle and the consume loop need not guess.
 * `termReasons` says whether the server accepts a reason with term.
 */
export function createBusMessage<T>(
  jm: JsMsg,
  data: T,
  traceContext: Context,
  ackTimeoutMs: number,
  termReasons: boolean,
  onSettle: (kind: Settlement) => void,
): BusMessage<T> {
  let settlement: Settlement | undefined;
  const settle = (kind: Settlement): boolean => {
    if (settlement !== undefined) return false;
    settlement = kind;
    onSettle(kind);
    return true;
  };
  return {
    data,
    subject: jm.subject,
    headers: readHeaders(jm),
    redeliveryCount: jm.info.deliveryCount,
    streamSeq: jm.seq,
    timestamp: jm.time,
    traceContext,
    get settlement() {
      return settlement;
    },
    async ack() {
      if (settle('ack')) await jm.ackAck({ timeout: ackTimeoutMs });
    },
    nak(delayMs) {
      if (settle('nak')) jm.nak(delayMs);
    },
    working() {
      if (settlement === undefined) jm.working();
    },
    term(reason) {
      if (settle('term')) jm.term(termReasons ? reason : undefined);
    },
  };
}
