import { type Context, type TextMapGetter, type TextMapSetter, ROOT_CONTEXT, propagation } from '@opentelemetry/api';
import { Match, type MsgHdrs } from '@nats-io/nats-core';

// W3C trace context travels in NATS headers (`traceparent`, `tracestate`)
// through whatever propagator the process registered at boot.

const setter: TextMapSetter<MsgHdrs> = {
  set(carrier, key, value) {
    carrier.set(key, value);
  },
};

const getter: TextMapGetter<MsgHdrs | undefined> = {
  keys(carrier) {
    return carrier?.keys() ?? [];
  },
  get(carrier, key) {
    // Other clients may write `Traceparent`; header names compare case-insensitively.
    if (carrier === undefined || !carrier.has(key, Match.IgnoreCase)) return undefined;
    return carrier.get(key, Match.IgnoreCase);
  },
};

/** Writes the trace context of `ctx` into `headers`. */
export function injectTraceContext(ctx: Context, headers: MsgHdrs): void {
  propagation.inject(ctx, headers, setter);
}

/** Reads the publisher's trace context from message headers (root context when absent). */
export function extractTraceContext(headers: MsgHdrs | undefined): Context {
  return propagation.extract(ROOT_CONTEXT, headers, getter);
}
