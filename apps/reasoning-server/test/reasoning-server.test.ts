import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@vrft/config';
import { Code, RpcError, checkHealth, createClient, listServicesByReflection } from '@vrft/grpc';
import { ReasoningService } from '@vrft/proto';
import { type RunningApp, startApp } from '@vrft/runtime';
import { reasoningServerApp } from '../src/app.js';

describe('reasoning-server over gRPC', () => {
  let app: RunningApp;
  let address = '';
  let uploadDir = '';

  beforeAll(async () => {
    uploadDir = await mkdtemp(join(tmpdir(), 'vrft-uploads-'));
    const env = {
      VRFT_GRPC__PORT: '0',
      VRFT_TELEMETRY__LOG_LEVEL: 'error',
      VRFT_UPLOADS__DIR: uploadDir,
      VRFT_UPLOADS__MAX_UPLOAD_BYTES: String(4 * 1024 * 1024),
    };
    app = await startApp(reasoningServerApp, loadConfig(reasoningServerApp.schema, { env }));
    address = `127.0.0.1:${app.grpcPort}`;
  });
  afterAll(async () => {
    await app.close();
    await rm(uploadDir, { recursive: true, force: true });
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

  it('says UNIMPLEMENTED, naming the issue, for what is not built yet', async () => {
    const client = createClient(ReasoningService, { address });
    const error = (await client.generate({ query: { question: 'q' } }).catch((e: unknown) => e)) as RpcError;
    expect(error).toBeInstanceOf(RpcError);
    expect(error.code).toBe(Code.UNIMPLEMENTED);
    expect(error.message).toContain('#7');
    client.close();
  });
});
