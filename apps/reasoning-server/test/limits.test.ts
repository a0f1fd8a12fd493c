import { loadConfig } from '@vrft/config';
import { Code, RpcError, checkHealth, createClient } from '@vrft/grpc';
import { type ProblemType, ReasoningQuerySchema, ReasoningService } from '@vrft/proto';
import type { MessageInitShape } from '@bufbuild/protobuf';
import { type RunningApp, startApp } from '@vrft/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reasoningServerApp } from '../src/app.js';
import { createServerFixture, type ServerFixture, startServer } from './fixtures.js';

let fixture: ServerFixture;
beforeAll(async () => {
  fixture = await createServerFixture();
});
afterAll(async () => {
  await fixture.cleanup();
});

type Query = MessageInitShape<typeof ReasoningQuerySchema>;

async function codeOf(promise: Promise<unknown>): Promise<Code | 'OK'> {
  try {
    await promise;
    return 'OK';
  } catch (error) {
    if (!(error instanceof RpcError)) throw error;
    return error.code;
  }
}

describe('bad input', () => {
  let app: RunningApp;
  let client: ReturnType<typeof createClient<typeof ReasoningService>>;
  beforeAll(async () => {
    app = await startServer(fixture, { VRFT_LIMITS__MAX_NEW_TOKENS: '64', VRFT_LIMITS__MAX_QUESTION_CHARS: '500' });
    client = createClient(ReasoningService, { address: `127.0.0.1:${app.grpcPort}` });
  });
  afterAll(async () => {
    client.close();
    await app.close();
  });

  const base = { question: 'What happens?', sampling: { maxNewTokens: 4, seed: 1n } };
  const inline = (value: Uint8Array) => ({ source: { case: 'inlineBytes' as const, value } });

  it.each<[string, Query]>([
    ['negative temperature', { ...base, sampling: { temperature: -1 } }],
    ['NaN temperature', { ...base, sampling: { temperature: Number.NaN } }],
    ['infinite temperature', { ...base, sampling: { temperature: Number.POSITIVE_INFINITY } }],
    ['top_p above 1', { ...base, sampling: { topP: 2 } }],
    ['top_p of 0', { ...base, sampling: { topP: 0 } }],
    ['max_new_tokens of 0', { ...base, sampling: { maxNewTokens: 0 } }],
    ['max_new_tokens above the limit', { ...base, sampling: { maxNewTokens: 4_000_000_000 } }],
    ['too many stop sequences', { ...base, sampling: { stop: Array.from({ length: 100 }, (_, i) => `s${i}`) } }],
    ['an empty stop sequence', { ...base, sampling: { stop: [''] } }],
    ['an empty question', { question: '   ' }],
    ['a question over the limit', { question: 'x'.repeat(600) }],
    ['an unknown problem type', { ...base, problemType: 99 as ProblemType }],
    ['two <video> placeholders', { ...base, question: 'a <video> b <video>' }],
    ['corrupt video bytes', { ...base, video: inline(new Uint8Array(4096).fill(7)) }],
    ['a truncated mp4', { ...base, video: inline(new Uint8Array(0)) }],
    ['an upload id never issued', { ...base, video: { source: { case: 'uploadId', value: 'not-an-id' } } }],
    [
      'a frame width the model does not take',
      { ...base, video: { ...inline(new Uint8Array(8)), sampling: { width: 640 } } },
    ],
    ['too many frames', { ...base, video: { ...inline(new Uint8Array(8)), sampling: { numFrames: 1000 } } }],
  ])('refuses %s with INVALID_ARGUMENT', async (_, query) => {
    expect(await codeOf(client.generate({ query }))).toBe(Code.INVALID_ARGUMENT);
  });

  it('maps video sources to their own statuses and keeps serving', async () => {
    const outside = { source: { case: 'fileUri' as const, value: 'file:///etc/passwd' } };
    expect(await codeOf(client.generate({ query: { ...base, video: outside } }))).toBe(Code.PERMISSION_DENIED);
    const missing = { source: { case: 'fileUri' as const, value: `file://${fixture.videoDir}/nope.mp4` } };
    expect(await codeOf(client.generate({ query: { ...base, video: missing } }))).toBe(Code.NOT_FOUND);
    const unknownUpload = { source: { case: 'uploadId' as const, value: 'a'.repeat(64) } };
    expect(await codeOf(client.generate({ query: { ...base, video: unknownUpload } }))).toBe(Code.NOT_FOUND);
    const truncated = fixture.clip.subarray(0, Math.floor(fixture.clip.length / 3));
    expect(await codeOf(client.generate({ query: { ...base, video: inline(truncated) } }))).toBe(Code.INVALID_ARGUMENT);
    expect(await codeOf(client.generate({ query: base }))).toBe('OK');
    expect(await checkHealth(`127.0.0.1:${app.grpcPort}`)).toBe('SERVING');
  });
});

describe('capacity, cancellation and drain', () => {
  it('sheds load with RESOURCE_EXHAUSTED at once and frees slots of cancelled streams', async () => {
    const app = await startServer(fixture, { VRFT_MODEL__MAX_BATCH_SIZE: '1', VRFT_MODEL__MAX_QUEUE: '1' });
    const client = createClient(ReasoningService, { address: `127.0.0.1:${app.grpcPort}` });
    try {
      const long = { question: 'Describe the video.', sampling: { maxNewTokens: 200, seed: 1n } };
      // One slot and one queue place: of 8 calls sent together, the extra ones are shed at once.
      const outcomes = await Promise.all(Array.from({ length: 8 }, () => codeOf(client.generate({ query: long }))));
      expect(outcomes).toContain(Code.RESOURCE_EXHAUSTED);
      expect(outcomes).toContain('OK');
      expect(outcomes.every((code) => code === 'OK' || code === Code.RESOURCE_EXHAUSTED)).toBe(true);
      // Cancelled calls give their slot and queue place back.
      const controller = new AbortController();
      const cancelled = [1, 2].map(() => codeOf(client.generate({ query: long }, { signal: controller.signal })));
      await new Promise((resolve) => setTimeout(resolve, 2));
      controller.abort();
      expect(await Promise.all(cancelled)).toEqual([Code.CANCELLED, Code.CANCELLED]);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(await codeOf(client.generate({ query: { ...long, sampling: { maxNewTokens: 4 } } }))).toBe('OK');
    } finally {
      client.close();
      await app.close();
    }
  });

  it('lets a stream in flight finish when the server drains on shutdown', async () => {
    const app = await startServer(fixture, { VRFT_SHUTDOWN__GRACE_MS: '10000' });
    const client = createClient(ReasoningService, { address: `127.0.0.1:${app.grpcPort}` });
    try {
      const query = { question: 'Describe the video.', sampling: { maxNewTokens: 120, seed: 2n } };
      const messages: string[] = [];
      const reading = (async () => {
        for await (const message of client.generateStream({ query })) messages.push(message.event.case ?? '');
      })();
      while (messages.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      const closing = app.close();
      await reading;
      await closing;
      expect(messages.at(-1)).toBe('final');
    } finally {
      client.close();
    }
  });

  it('reports NOT_SERVING and UNAVAILABLE without a model', async () => {
    const env = { VRFT_GRPC__PORT: '0', VRFT_TELEMETRY__LOG_LEVEL: 'error' };
    const app = await startApp(reasoningServerApp, loadConfig(reasoningServerApp.schema, { env }));
    const client = createClient(ReasoningService, {
      address: `127.0.0.1:${app.grpcPort}`,
      retry: { maxAttempts: 1 },
    });
    try {
      expect(await checkHealth(`127.0.0.1:${app.grpcPort}`)).toBe('NOT_SERVING');
      expect(await codeOf(client.generate({ query: { question: 'q' } }))).toBe(Code.UNAVAILABLE);
      expect(await codeOf(client.modelInfo({}))).toBe(Code.UNAVAILABLE);
    } finally {
      client.close();
      await app.close();
    }
  });

  it('serves seeded random weights when asked to (a dev stack without a trained model)', async () => {
    const env = {
      VRFT_GRPC__PORT: '0',
      VRFT_TELEMETRY__LOG_LEVEL: 'error',
      VRFT_MODEL__RANDOM_WEIGHTS__PRESET: 'tiny',
      VRFT_MODEL__INTRA_OP_THREADS: '1',
    };
    const app = await startApp(reasoningServerApp, loadConfig(reasoningServerApp.schema, { env }));
    const client = createClient(ReasoningService, { address: `127.0.0.1:${app.grpcPort}` });
    try {
      expect(await checkHealth(`127.0.0.1:${app.grpcPort}`)).toBe('SERVING');
      expect((await client.modelInfo({})).preset).toBe('tiny');
      const query = { question: 'What happens?', sampling: { maxNewTokens: 3 } };
      expect((await client.generate({ query })).result?.modelVersion?.runId).toBe('random-tiny-1');
    } finally {
      client.close();
      await app.close();
    }
  });
});
