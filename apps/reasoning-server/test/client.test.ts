import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ReasoningClient } from '@vrft/client';
import { type RunningApp } from '@vrft/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnswerService } from '../src/generation/answer.service.js';
import { createServerFixture, makeClip, type ServerFixture, startServer } from './fixtures.js';

let fixture: ServerFixture;
let app: RunningApp;
let client: ReasoningClient;

beforeAll(async () => {
  fixture = await createServerFixture();
  app = await startServer(fixture);
  // A tiny inline limit, so that the fixture clip takes the upload path.
  client = new ReasoningClient({ address: `127.0.0.1:${app.grpcPort}`, inlineLimitBytes: 1024, uploadChunkBytes: 700 });
});
afterAll(async () => {
  client.close();
  await app.close();
  await fixture.cleanup();
});

describe('@vrft/client against the server', () => {
  it('uploads a large local clip in chunks, inlines a small one, and both answer alike', async () => {
    const big = join(fixture.dir, 'big.mp4');
    await writeFile(big, fixture.clip);
    const sampling = { seed: 3, maxNewTokens: 10 };
    const uploaded = await client.ask({ question: 'What moves?', video: { path: big }, sampling });
    const inlineClient = new ReasoningClient({ address: `127.0.0.1:${app.grpcPort}` });
    const inlined = await inlineClient.ask({ question: 'What moves?', video: { bytes: fixture.clip }, sampling });
    inlineClient.close();
    expect(fixture.clip.length).toBeGreaterThan(1024);
    expect(inlined.text).toBe(uploaded.text);
    expect(uploaded.usage.videoTokens).toBe(8);
    // Same clip: encoded once, whatever the transport.
    expect(app.context.get(AnswerService).featureCacheStats.hits).toBeGreaterThan(0);
  });

  it('streams deltas then the answer; the deltas add up to its text', async () => {
    const clip = await makeClip(3, 4);
    const events = [];
    for await (const event of client.stream({
      question: 'Count the objects.',
      problemType: 'numerical',
      video: { bytes: clip },
      frames: 3,
      sampling: { seed: 11, maxNewTokens: 12 },
      includeLogprobs: true,
    })) {
      events.push(event);
    }
    const last = events.at(-1);
    expect(last?.type).toBe('answer');
    if (last?.type !== 'answer') return;
    const text = events.map((e) => (e.type === 'delta' ? e.text : '')).join('');
    expect(text).toBe(last.answer.text);
    expect(last.answer.usage.videoTokens).toBe(12); // 3 frames × 4 tokens
    expect(last.answer.tokenIds?.length).toBe(last.answer.usage.completionTokens);
  });

  it('reports the model', async () => {
    const info = await client.modelInfo();
    expect(info.modelName).toBe('vrft-reasoner');
  });
});
