import { create } from '@bufbuild/protobuf';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { type SpanContext, SpanKind, context, propagation, trace } from '@opentelemetry/api';
import { PromptTaskSchema } from '@vrft/proto';
import { type NatsServer, startNatsServer } from '@vrft/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Bus, connectBus } from '../src/index.js';
import { collectingLogger, deferred } from './helpers.js';

let server: NatsServer;
let publisher: Bus;
let consumer: Bus;
const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
const contextManager = new AsyncLocalStorageContextManager();

beforeAll(async () => {
  // What the telemetry lib does at boot.
  context.setGlobalContextManager(contextManager.enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);

  server = await startNatsServer();
  const opts = { servers: server.url, logger: collectingLogger().logger };
  publisher = await connectBus({ ...opts, name: 'controller' });
  consumer = await connectBus({ ...opts, name: 'actor' });
  await publisher.ensureStream({ name: 'TRACED', subjects: ['traced.>'], retention: 'workqueue' });
  await publisher.ensureConsumer('TRACED', { durable: 'actors', ackWaitMs: 2_000 });
});

afterAll(async () => {
  await publisher?.close();
  await consumer?.close();
  await server?.stop();
  await provider.shutdown();
  trace.disable();
  propagation.disable();
  context.disable();
});

it('continues the publisher trace in the consumer', async () => {
  const tracer = trace.getTracer('test');
  let rootContext: SpanContext | undefined;
  await tracer.startActiveSpan('controller.schedule', async (span) => {
    rootContext = span.spanContext();
    await publisher.publish(PromptTaskSchema, 'traced.task', create(PromptTaskSchema, { taskId: 't' }));
    span.end();
  });

  const seen = deferred<{ active: SpanContext | undefined; carried: SpanContext | undefined; header: string }>();
  const handle = await consumer.consume(PromptTaskSchema, { stream: 'TRACED', consumer: 'actors' }, (msg) => {
    // A span started by the handler becomes a child of the consumer span.
    tracer.startSpan('actor.generate').end();
    seen.resolve({
      active: trace.getSpanContext(context.active()),
      carried: trace.getSpanContext(msg.traceContext),
      header: msg.headers['traceparent'] ?? '',
    });
  });
  const { active, carried, header } = await seen.promise;
  await handle.stop();

  const spans = exporter.getFinishedSpans();
  const send = spans.find((s) => s.name === 'send traced.task');
  const processSpan = spans.find((s) => s.name === 'process traced.task');
  const generate = spans.find((s) => s.name === 'actor.generate');
  expect(send?.kind).toBe(SpanKind.PRODUCER);
  expect(processSpan?.kind).toBe(SpanKind.CONSUMER);

  // One trace end to end: controller -> send -> process -> generate.
  const traceId = rootContext?.traceId;
  expect(traceId).toMatch(/^[0-9a-f]{32}$/);
  expect(carried?.traceId).toBe(traceId);
  expect(carried?.isRemote).toBe(true);
  expect(header).toContain(traceId);
  expect(send?.parentSpanContext?.spanId).toBe(rootContext?.spanId);
  expect(carried?.spanId).toBe(send?.spanContext().spanId);
  expect(processSpan?.parentSpanContext?.spanId).toBe(send?.spanContext().spanId);
  expect(active?.spanId).toBe(processSpan?.spanContext().spanId);
  expect(generate?.parentSpanContext?.spanId).toBe(processSpan?.spanContext().spanId);
  expect(generate?.spanContext().traceId).toBe(traceId);
});
