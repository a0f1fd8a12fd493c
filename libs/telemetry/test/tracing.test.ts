import { context, propagation, trace } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { type TracingHandle, TelemetryOptionsError, startTracing } from '@vrft/telemetry';
import { startOtlpCollector } from './otlp-collector.js';

describe('startTracing', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  function track(handle: TracingHandle): TracingHandle {
    cleanups.push(() => handle.shutdown());
    return handle;
  }

  it('exports spans over OTLP/HTTP to <endpoint>/v1/traces on shutdown', async () => {
    const collector = await startOtlpCollector();
    cleanups.push(() => collector.close());
    // A trailing slash must not produce //v1/traces.
    const tracing = startTracing({ serviceName: 'vrft-otlp-test', otlpEndpoint: `${collector.endpoint}/` });
    expect(tracing.exporting).toBe(true);
    const span = trace.getTracer('test').startSpan('rollout-group-42');
    span.setAttribute('vrft.group', 42);
    const traceId = span.spanContext().traceId;
    span.end();
    expect(collector.received).toHaveLength(0); // batched, not sent per span
    await tracing.shutdown();

    expect(collector.received).toHaveLength(1);
    const request = collector.received[0];
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe('/v1/traces');
    expect(request?.contentType).toMatch(/^application\/(json|x-protobuf)/);
    const body = request?.body ?? Buffer.alloc(0);
    // The exporter sends JSON or protobuf; either way the span and service names are in the bytes.
    expect(body.includes(Buffer.from('rollout-group-42'))).toBe(true);
    expect(body.includes(Buffer.from('vrft-otlp-test'))).toBe(true);
    if (request?.contentType.startsWith('application/json') === true) {
      const text = body.toString('utf8');
      const parsed = JSON.parse(text) as {
        resourceSpans: { scopeSpans: { spans: { name: string; traceId: string }[] }[] }[];
      };
      const spans = parsed.resourceSpans.flatMap((resource) => resource.scopeSpans.flatMap((scope) => scope.spans));
      expect(spans.map((exported) => exported.name)).toEqual(['rollout-group-42']);
      expect(spans[0]?.traceId.toLowerCase()).toBe(traceId);
    }
  });

  it('exports nothing for unsampled traces, yet gives them trace ids', async () => {
    const collector = await startOtlpCollector();
    cleanups.push(() => collector.close());
    const tracing = startTracing({ serviceName: 'unsampled', otlpEndpoint: collector.endpoint, sampleRatio: 0 });
    const span = trace.getTracer('test').startSpan('dropped');
    expect(span.spanContext().traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(span.isRecording()).toBe(false);
    span.end();
    await tracing.shutdown();
    expect(collector.received).toHaveLength(0);
  });

  it('registers W3C trace-context and baggage propagation', () => {
    track(startTracing({ serviceName: 'propagation' }));
    const span = trace.getTracer('test').startSpan('outgoing');
    const baggage = propagation.createBaggage({ policy: { value: 'v7' } });
    const carrier: Record<string, string> = {};
    const active = propagation.setBaggage(trace.setSpan(context.active(), span), baggage);
    propagation.inject(active, carrier);
    const { traceId, spanId } = span.spanContext();
    expect(carrier.traceparent).toBe(`00-${traceId}-${spanId}-01`);
    expect(carrier.baggage).toBe('policy=v7');

    const extracted = propagation.extract(context.active(), carrier);
    expect(trace.getSpanContext(extracted)?.traceId).toBe(traceId);
    span.end();
  });

  it('shares one provider between starts and stops it when the last handle shuts down', async () => {
    const first = track(startTracing({ serviceName: 'once' }));
    const second = track(startTracing({ serviceName: 'other' }));
    expect(second.options.serviceName).toBe('once'); // the first call's options win
    await first.shutdown();
    // One handle is still open: spans are still recorded.
    expect(trace.getTracer('test').startSpan('still').spanContext().traceId).not.toBe('0'.repeat(32));
    await second.shutdown();
    // After the last shutdown the globals are free again, and spans are no-ops.
    expect(trace.getTracer('test').startSpan('after').spanContext().traceId).toBe('0'.repeat(32));
    const third = track(startTracing({ serviceName: 'other' }));
    expect(third.options.serviceName).toBe('other');
    expect(trace.getTracer('test').startSpan('again').spanContext().traceId).not.toBe('0'.repeat(32));
  });

  it('rejects bad options, naming the field', () => {
    expect(() => startTracing({ serviceName: '' })).toThrow(TelemetryOptionsError);
    expect(() => startTracing({ serviceName: 's', sampleRatio: 2 })).toThrow(
      'sampleRatio: expected a number in 0..1, got 2',
    );
    expect(() => startTracing({ serviceName: 's', otlpEndpoint: 'localhost:4318' })).toThrow(
      'otlpEndpoint: expected an http(s) URL',
    );
    expect(() => startTracing({ serviceName: 's', maxQueueSize: 10, maxExportBatchSize: 20 })).toThrow(
      'maxExportBatchSize: must not exceed maxQueueSize (10)',
    );
  });
});
