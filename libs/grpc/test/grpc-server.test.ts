import { createHash, randomBytes } from 'node:crypto';
import { Client, credentials, status } from '@grpc/grpc-js';
import { ROOT_CONTEXT, context, propagation, trace, TraceFlags } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReasoningService, RewardService } from '@vrft/proto';
import { Code, GrpcServer, RpcError, checkHealth, createClient, listServicesByReflection } from '@vrft/grpc';
import { createObserved, testReasoningService, testRewardService } from './fixtures.js';

describe('GrpcServer with a typed client over loopback', () => {
  const observed = createObserved();
  const server = new GrpcServer({
    host: '127.0.0.1',
    port: 0,
    maxReceiveMessageBytes: 64 * 1024,
    shutdownGraceMs: 500,
  });
  let address = '';
  let reasoning: ReturnType<typeof createClient<typeof ReasoningService>>;
  let reward: ReturnType<typeof createClient<typeof RewardService>>;

  beforeAll(async () => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    server.addService(ReasoningService, testReasoningService(observed));
    server.addService(RewardService, testRewardService());
    address = `127.0.0.1:${await server.start()}`;
    reasoning = createClient(ReasoningService, { address, retry: { initialBackoffMs: 5, maxBackoffMs: 20 } });
    reward = createClient(RewardService, { address });
  });
  afterAll(async () => {
    reasoning.close();
    reward.close();
    await server.shutdown();
  });

  it('reports NOT_SERVING until told, then SERVING', async () => {
    expect(await checkHealth(address)).toBe('NOT_SERVING');
    server.setServing(true);
    expect(await checkHealth(address)).toBe('SERVING');
    expect(await checkHealth(address, 'vrft.serving.v1.ReasoningService')).toBe('SERVING');
  });

  it('lists its services through reflection', async () => {
    expect(await listServicesByReflection(address)).toEqual([
      'grpc.health.v1.Health',
      'vrft.reward.v1.RewardService',
      'vrft.serving.v1.ReasoningService',
    ]);
  });

  it('round-trips a typed unary call', async () => {
    const response = await reasoning.generate({ query: { question: 'how many cubes' } });
    expect(response.$typeName).toBe('vrft.serving.v1.GenerateResponse');
    expect(response.result?.answer).toBe('how many cubes');
  });

  it('streams server responses in order, ending with the final message', async () => {
    const events = [];
    for await (const message of reasoning.generateStream({ query: { question: 'a b c' } })) events.push(message.event);
    expect(events.map((e) => e.case)).toEqual(['delta', 'delta', 'delta', 'final']);
    expect(events.at(-1)?.value).toMatchObject({ answer: 'a b c' });
  });

  it('accepts a chunked client stream', async () => {
    const data = randomBytes(200_000);
    async function* parts() {
      yield { part: { case: 'header' as const, value: { sizeBytes: BigInt(data.length) } } };
      for (let offset = 0; offset < data.length; offset += 32_768) {
        yield { part: { case: 'chunk' as const, value: data.subarray(offset, offset + 32_768) } };
      }
    }
    const response = await reasoning.uploadVideo(parts());
    expect(response.sha256).toBe(createHash('sha256').update(data).digest('hex'));
    expect(response.sizeBytes).toBe(BigInt(data.length));
  });

  it('answers each message of a bidi stream', async () => {
    async function* requests() {
      for (const n of [1, 3, 2]) yield { request: { completions: Array.from({ length: n }, () => ({ text: 'x' })) } };
    }
    const sizes = [];
    for await (const message of reward.scoreStream(requests())) sizes.push(message.response?.rewards.length);
    expect(sizes).toEqual([1, 3, 2]);
  });

  it('ends a call at its deadline and the server sees it', async () => {
    const started = observed.aborted;
    const error = await reasoning
      .generate({ query: { question: 'slow' } }, { timeoutMs: 150 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RpcError);
    expect((error as RpcError).code).toBe(Code.DEADLINE_EXCEEDED);
    expect(await started).toBe('vrft.serving.v1.ReasoningService/Generate');
  });

  it('propagates client cancellation of a stream to the server handler', async () => {
    const seen = createObserved();
    const cancelServer = new GrpcServer({ host: '127.0.0.1', port: 0 });
    cancelServer.addService(ReasoningService, testReasoningService(seen));
    const port = await cancelServer.start();
    const client = createClient(ReasoningService, { address: `127.0.0.1:${port}` });
    const abort = new AbortController();
    const received: string[] = [];
    const consumed = (async () => {
      for await (const message of client.generateStream(
        { query: { question: 'first slow' } },
        { signal: abort.signal },
      )) {
        if (message.event.case === 'delta') received.push(message.event.value.text);
        abort.abort();
      }
    })().catch((e: unknown) => e);
    expect(await seen.aborted).toBe('vrft.serving.v1.ReasoningService/GenerateStream');
    expect(((await consumed) as RpcError).code).toBe(Code.CANCELLED);
    expect(received).toEqual(['first']);
    client.close();
    await cancelServer.shutdown();
  });

  it('maps thrown errors to status codes without leaking internals', async () => {
    const invalid = (await reasoning.generate({ query: { question: 'invalid' } }).catch((e: unknown) => e)) as RpcError;
    expect(invalid.code).toBe(Code.INVALID_ARGUMENT);
    expect(invalid.message).toContain('not allowed');
    const crash = (await reasoning.generate({ query: { question: 'crash' } }).catch((e: unknown) => e)) as RpcError;
    expect(crash.code).toBe(Code.INTERNAL);
    expect(crash.message).not.toContain('secret');
  });

  it('retries UNAVAILABLE a bounded number of times', async () => {
    observed.unavailableLeft = 2;
    expect((await reasoning.generate({ query: { question: 'flaky' } })).result?.answer).toBe('flaky');
    observed.unavailableLeft = 10;
    const error = (await reasoning.generate({ query: { question: 'flaky' } }).catch((e: unknown) => e)) as RpcError;
    expect(error.code).toBe(Code.UNAVAILABLE);
    expect(observed.unavailableLeft).toBe(6); // 4 attempts by default
  });

  it('answers garbage bytes with INVALID_ARGUMENT and keeps serving', async () => {
    const raw = new Client(address, credentials.createInsecure());
    const garbage = Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x07, 0x01]);
    const result = await new Promise<{ code: number; details: string }>((resolve) => {
      raw.makeUnaryRequest(
        '/vrft.serving.v1.ReasoningService/Generate',
        (b: Buffer) => b,
        (b: Buffer) => b,
        garbage,
        (error) => resolve({ code: error?.code ?? status.OK, details: error?.details ?? '' }),
      );
    });
    raw.close();
    expect(result.code).toBe(status.INVALID_ARGUMENT);
    expect(result.details).toContain('vrft.serving.v1.GenerateRequest');
    expect((await reasoning.generate({ query: { question: 'still here' } })).result?.answer).toBe('still here');
  });

  it('refuses a request over the size limit with RESOURCE_EXHAUSTED', async () => {
    const error = (await reasoning
      .generate({ query: { question: 'x'.repeat(100_000) } })
      .catch((e: unknown) => e)) as RpcError;
    expect(error.code).toBe(Code.RESOURCE_EXHAUSTED);
  });

  it('carries the W3C trace context in metadata', async () => {
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const parent = trace.setSpanContext(ROOT_CONTEXT, {
      traceId,
      spanId: 'b7ad6b7169203331',
      traceFlags: TraceFlags.SAMPLED,
    });
    await context.with(parent, () => reasoning.generate({ query: { question: 'traced' } }));
    expect(observed.traceIds.at(-1)).toBe(traceId);
  });
});
