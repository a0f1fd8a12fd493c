import { createHash, randomBytes } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Code, RpcError, checkHealth, createClient, listServicesByReflection } from '@vrft/grpc';
import { FinishReason, ProblemType, ReasoningService } from '@vrft/proto';
import { type RunningApp } from '@vrft/runtime';
import { Registry } from 'prom-client';
import { AnswerService } from '../src/generation/answer.service.js';
import { createServerFixture, makeClip, type ServerFixture, startServer } from './fixtures.js';

describe('reasoning-server over gRPC', () => {
  let app: RunningApp;
  let fixture: ServerFixture;
  let address = '';
  let uploadDir = '';

  beforeAll(async () => {
    fixture = await createServerFixture();
    uploadDir = join(fixture.dir, 'uploads');
    app = await startServer(fixture, { VRFT_UPLOADS__MAX_UPLOAD_BYTES: String(4 * 1024 * 1024) });
    address = `127.0.0.1:${app.grpcPort}`;
  });
  afterAll(async () => {
    await app.close();
    await fixture.cleanup();
  });

  type UploadPart = {
    part: { case: 'header'; value: { sizeBytes: bigint; sha256?: string } } | { case: 'chunk'; value: Uint8Array };
  };
  async function* uploadParts(
    data: Uint8Array,
    header: { sizeBytes?: bigint; sha256?: string } = {},
  ): AsyncGenerator<UploadPart> {
    yield {
      part: { case: 'header', value: { sizeBytes: header.sizeBytes ?? BigInt(data.length), sha256: header.sha256 } },
    };
    for (let offset = 0; offset < data.length; offset += 256 * 1024) {
      yield { part: { case: 'chunk', value: data.subarray(offset, offset + 256 * 1024) } };
    }
  }

  it('accepts a chunked upload larger than one message, stored under its SHA-256', async () => {
    const client = createClient(ReasoningService, { address });
    const data = randomBytes(3 * 1024 * 1024 + 17);
    const sha256 = createHash('sha256').update(data).digest('hex');
    const response = await client.uploadVideo(uploadParts(data, { sha256 }));
    expect(response).toMatchObject({ uploadId: sha256, sha256, sizeBytes: BigInt(data.length) });
    expect(Buffer.compare(await readFile(join(uploadDir, sha256)), data)).toBe(0); // toEqual on 3 MB is slow
    client.close();
  });

  it('refuses bad uploads with the right status and leaves no partial file', async () => {
    const client = createClient(ReasoningService, { address });
    const data = randomBytes(1000);
    const codeOf = async (parts: AsyncIterable<UploadPart>) =>
      ((await client.uploadVideo(parts).catch((e: unknown) => e)) as RpcError).code;
    expect(await codeOf(uploadParts(data, { sizeBytes: 999n }))).toBe(Code.INVALID_ARGUMENT); // more than declared
    expect(await codeOf(uploadParts(data, { sizeBytes: 1001n }))).toBe(Code.INVALID_ARGUMENT); // fewer than declared
    expect(await codeOf(uploadParts(data, { sha256: '0'.repeat(64) }))).toBe(Code.INVALID_ARGUMENT); // digest mismatch
    expect(await codeOf(uploadParts(data, { sizeBytes: 5n * 1024n * 1024n }))).toBe(Code.RESOURCE_EXHAUSTED); // over the limit
    async function* chunkFirst(): AsyncGenerator<UploadPart> {
      yield { part: { case: 'chunk', value: data } };
    }
    expect(await codeOf(chunkFirst())).toBe(Code.INVALID_ARGUMENT);
    const leftovers = (await readdir(uploadDir)).filter((name) => name.startsWith('.partial'));
    expect(leftovers).toEqual([]);
    client.close();
  });

  it('answers health and lists its service by reflection', async () => {
    expect(await checkHealth(address)).toBe('SERVING');
    expect(await listServicesByReflection(address)).toContain('vrft.serving.v1.ReasoningService');
  });

  const seeded = (seed: number, video?: object) => ({
    query: {
      question: 'How many objects are visible at the end of the video?',
      problemType: ProblemType.NUMERICAL,
      sampling: { temperature: 1, seed: BigInt(seed), maxNewTokens: 16 },
      includeLogprobs: true,
      ...(video ? { video } : {}),
    },
  });

  it('answers a seeded query with a video reproducibly, with usage and the think/answer split', async () => {
    const client = createClient(ReasoningService, { address });
    const video = { source: { case: 'inlineBytes' as const, value: fixture.clip } };
    const first = (await client.generate(seeded(5, video))).result;
    const again = (await client.generate(seeded(5, video))).result;
    const other = (await client.generate(seeded(6, video))).result;
    expect(first?.completion?.tokenIds.length).toBeGreaterThan(0);
    expect(again?.completion?.tokenIds).toEqual(first?.completion?.tokenIds);
    expect(again?.text).toBe(first?.text);
    expect(other?.completion?.tokenIds).not.toEqual(first?.completion?.tokenIds);
    // Model default of 2 frames × 4 visual tokens per 16×16 frame (patch 8, no pooling).
    expect(first?.usage?.videoTokens).toBe(8);
    expect(first?.usage?.completionTokens).toBe(first?.completion?.tokenIds.length);
    expect(first?.usage?.promptTokens).toBeGreaterThan(8);
    expect([FinishReason.EOS, FinishReason.LENGTH]).toContain(first?.finishReason);
    // Without <answer> tags (random weights) the answer is the whole text.
    expect(first?.answer).toBe(first?.text.trim());
    client.close();
  });

  it('streams deltas that add up to the final text, ending with the result', async () => {
    const client = createClient(ReasoningService, { address });
    const video = { source: { case: 'fileUri' as const, value: `file://${fixture.clipPath}` } };
    const messages = [];
    for await (const message of client.generateStream(seeded(9, video))) messages.push(message);
    const final = messages.at(-1)?.event;
    expect(final?.case).toBe('final');
    const deltas = messages.slice(0, -1).map((m) => (m.event.case === 'delta' ? m.event.value : undefined));
    expect(deltas.every((d) => d !== undefined)).toBe(true);
    if (final?.case !== 'final') return;
    expect(deltas.map((d) => d?.text).join('')).toBe(final.value.text);
    expect(deltas.flatMap((d) => d?.tokenIds ?? [])).toEqual(final.value.completion?.tokenIds);
    // The same query unary gives the same completion: the seed decides, not the API.
    const unary = (await client.generate(seeded(9, video))).result;
    expect(unary?.text).toBe(final.value.text);
    client.close();
  });

  it('decodes and encodes a clip once when it is asked about again (any source)', async () => {
    const client = createClient(ReasoningService, { address });
    const answers = app.context.get(AnswerService);
    const data = await makeClip(4, 9);
    const sha256 = createHash('sha256').update(data).digest('hex');
    const { uploadId } = await client.uploadVideo(uploadParts(data, { sha256 }));
    const before = answers.featureCacheStats;
    await client.generate(seeded(1, { source: { case: 'uploadId', value: uploadId } }));
    await client.generate(seeded(2, { source: { case: 'inlineBytes', value: data } }));
    const after = answers.featureCacheStats;
    expect(after.misses - before.misses).toBe(1);
    expect(after.hits - before.hits).toBe(1);
    client.close();
  });

  it('answers text-only queries and reports the model', async () => {
    const client = createClient(ReasoningService, { address });
    const result = (await client.generate(seeded(3))).result;
    expect(result?.usage?.videoTokens).toBe(0);
    const info = await client.modelInfo({});
    expect(info).toMatchObject({
      modelName: 'vrft-reasoner',
      preset: 'custom',
      frameWidth: 16,
      frameHeight: 16,
      defaultNumFrames: 2,
      maxContextTokens: 256,
      maxBatchSize: 64,
      executionProvider: 'cpu',
    });
    client.close();
  });

  it('exports serving metrics on the Prometheus registry', async () => {
    const text = await app.context.get(Registry).metrics();
    for (const name of [
      'vrft_serving_time_to_first_token_seconds_bucket',
      'vrft_serving_batch_size_bucket',
      'vrft_serving_queue_depth',
      'vrft_serving_tokens_per_second',
      'vrft_serving_generated_tokens_total',
      'vrft_serving_requests_total{api="grpc",code="OK"',
      'vrft_serving_feature_cache_lookups_total{result="hit"',
    ]) {
      expect(text).toContain(name);
    }
  });
});
