import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@vrft/config';
import { OrtEngine } from '@vrft/engine-ort';
import { Code, RpcError, checkHealth, createClient } from '@vrft/grpc';
import { MICRO_MODEL_SIZES, createModelConfig, initWeights, saveCheckpoint, visualTokensPerFrame } from '@vrft/model';
import { ReferenceService } from '@vrft/proto';
import { type RunningApp, startApp } from '@vrft/runtime';
import { trainBpe } from '@vrft/tokenizer';
import { encodeFramesToVideo } from '@vrft/video';
import { referenceModelApp } from '../src/app.js';
import { ReferenceScoringService } from '../src/reference-scoring.service.js';

const env = { VRFT_GRPC__PORT: '0', VRFT_TELEMETRY__LOG_LEVEL: 'error' };

describe('reference-model over gRPC', () => {
  let dir = '';
  let checkpoint = '';
  let app: RunningApp;
  let client: ReturnType<typeof createClient<typeof ReferenceService>>;
  const tokenizer = trainBpe(['a red ball moves left', '<think>the ball</think><answer>A</answer>'], {
    vocabSize: 300,
  });
  const config = createModelConfig('tiny', tokenizer, { ...MICRO_MODEL_SIZES, numLayers: 1 });
  const weights = initWeights(config, 5);
  const video = config.specialTokens.video;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vrft-reference-'));
    checkpoint = join(dir, 'ckpt');
    await saveCheckpoint(checkpoint, { config, weights, tokenizer, metadata: { version: '7' } });
    app = await startApp(
      referenceModelApp,
      loadConfig(referenceModelApp.schema, { env: { ...env, VRFT_REFERENCE__CHECKPOINT: checkpoint } }),
    );
    client = createClient(ReferenceService, { address: `127.0.0.1:${app.grpcPort}` });
  });
  afterAll(async () => {
    client?.close();
    await app?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves once the checkpoint is loaded and returns the engine log-probs, with and without video', async () => {
    await app.context.get(ReferenceScoringService).ready();
    expect(await checkHealth(`127.0.0.1:${app.grpcPort}`)).toBe('SERVING');
    const frames = new Uint8Array(2 * 8 * 8 * 3).map((_, i) => (i * 37) % 256);
    const clip = await encodeFramesToVideo(
      { data: frames, shape: [2, 8, 8, 3] },
      { fps: 2, codec: 'ffv1', container: 'mkv' },
    );
    const prompt = [1, 20, 21];
    const completions = [{ tokenIds: [30, 31, 32] }, { tokenIds: [40] }];
    const response = await client.computeLogprobs({
      groups: [
        { promptTokenIds: prompt, completions },
        {
          promptTokenIds: [1, video, 22],
          completions,
          video: { source: { case: 'inlineBytes', value: clip }, sampling: { numFrames: 2 } },
        },
      ],
    });
    expect(response.modelVersion?.version).toBe(7n);
    const engine = await OrtEngine.open({ kind: 'checkpoint', dir: checkpoint }, { workers: 1, intraOpThreads: 1 });
    const expected = await engine.score(completions.map((c) => ({ promptIds: prompt, completionIds: c.tokenIds })));
    const expectedCooled = await engine.score(
      completions.map((c) => ({ promptIds: prompt, completionIds: c.tokenIds, temperature: 0.7 })),
    );
    await engine.close();
    response.groups[0]?.completions.forEach((c, i) => {
      expect(c.tokenIds).toEqual(completions[i]?.tokenIds);
      expect(c.logprobs).toHaveLength(completions[i]?.tokenIds.length ?? -1);
      c.logprobs.forEach((lp, k) => expect(lp).toBeCloseTo(expected.results[i]?.logprobs[k] ?? Number.NaN, 5));
    });
    // At the rollouts' sampling temperature: log softmax(z/τ), as the engine scores it, not the τ = 1 values.
    const cooled = await client.computeLogprobs({
      groups: [{ promptTokenIds: prompt, completions }],
      temperature: 0.7,
    });
    cooled.groups[0]?.completions.forEach((c, i) =>
      c.logprobs.forEach((lp, k) => {
        expect(lp).toBeCloseTo(expectedCooled.results[i]?.logprobs[k] ?? Number.NaN, 5);
        expect(Math.abs(lp - (expected.results[i]?.logprobs[k] ?? Number.NaN))).toBeGreaterThan(1e-3);
      }),
    );
    // The video group's prompt was expanded to 2 frames of visual tokens and scored with them.
    expect(response.groups[1]?.completions[0]?.logprobs).toHaveLength(3);
    expect(response.groups[1]?.completions[0]?.logprobs).not.toEqual(response.groups[0]?.completions[0]?.logprobs);
    expect(visualTokensPerFrame(config)).toBeGreaterThan(0);
  });

  it('answers bad input with INVALID_ARGUMENT naming the field', async () => {
    const error = (await client
      .computeLogprobs({ groups: [{ promptTokenIds: [1, 2], completions: [{ tokenIds: [99_999] }] }] })
      .catch((e: unknown) => e)) as RpcError;
    expect(error).toBeInstanceOf(RpcError);
    expect(error.code).toBe(Code.INVALID_ARGUMENT);
    expect(error.message).toMatch(/completionIds\[0\]/);
    const badVideo = (await client
      .computeLogprobs({
        groups: [
          {
            promptTokenIds: [1, video],
            completions: [{ tokenIds: [3] }],
            video: { source: { case: 'inlineBytes', value: new Uint8Array(100).fill(1) } },
          },
        ],
      })
      .catch((e: unknown) => e)) as RpcError;
    expect(badVideo.code).toBe(Code.INVALID_ARGUMENT);
    for (const temperature of [0, -1]) {
      const badTemperature = (await client
        .computeLogprobs({ groups: [{ promptTokenIds: [1, 2], completions: [{ tokenIds: [3] }] }], temperature })
        .catch((e: unknown) => e)) as RpcError;
      expect(badTemperature.code).toBe(Code.INVALID_ARGUMENT);
      expect(badTemperature.message).toMatch(/^temperature: /);
    }
  });

  it('stays NOT_SERVING and says why without a checkpoint', async () => {
    const bare = await startApp(referenceModelApp, loadConfig(referenceModelApp.schema, { env }));
    const address = `127.0.0.1:${bare.grpcPort}`;
    expect(await checkHealth(address)).toBe('NOT_SERVING');
    const other = createClient(ReferenceService, { address });
    const error = (await other
      .computeLogprobs({ groups: [{ promptTokenIds: [1, 2], completions: [{ tokenIds: [3] }] }] })
      .catch((e: unknown) => e)) as RpcError;
    expect(error.code).toBe(Code.FAILED_PRECONDITION);
    other.close();
    await bare.close();
  });
});

describe('reference-model deadlines', () => {
  // One worker, at most 3 jobs queued or running: two long scoring calls and a short one fill it.
  const tokenizer = trainBpe(['a red ball moves left'], { vocabSize: 300 });
  const config = createModelConfig('tiny', tokenizer, { ...MICRO_MODEL_SIZES, numLayers: 1, contextLength: 512 });
  let dir = '';
  let app: RunningApp;
  let client: ReturnType<typeof createClient<typeof ReferenceService>>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vrft-reference-deadline-'));
    const checkpoint = join(dir, 'ckpt');
    await saveCheckpoint(checkpoint, {
      config,
      weights: initWeights(config, 3),
      tokenizer,
      metadata: { version: '1' },
    });
    const limits = { VRFT_REFERENCE__MAX_QUEUE: '3', VRFT_REFERENCE__INTRA_OP_THREADS: '1' };
    app = await startApp(
      referenceModelApp,
      loadConfig(referenceModelApp.schema, { env: { ...env, ...limits, VRFT_REFERENCE__CHECKPOINT: checkpoint } }),
    );
    await app.context.get(ReferenceScoringService).ready();
    client = createClient(ReferenceService, { address: `127.0.0.1:${app.grpcPort}` });
  });
  afterAll(async () => {
    client?.close();
    await app?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const ids = (count: number, seed: number) => Array.from({ length: count }, (_, j) => 8 + ((seed * 7 + j) % 250));
  // 256 completions of 200 tokens after a 50-token prompt: ≈ 0.5–1.5 s of scoring on one core.
  const long = (seed: number) => ({
    groups: [
      {
        promptTokenIds: ids(50, seed),
        completions: Array.from({ length: 256 }, (_, c) => ({ tokenIds: ids(200, seed + c) })),
      },
    ],
  });
  const short = { groups: [{ promptTokenIds: ids(5, 1), completions: [{ tokenIds: ids(3, 2) }] }] };
  const codeOf = (call: Promise<unknown>) =>
    call.then(
      () => Code.OK,
      (error: unknown) => (error instanceof RpcError ? error.code : Code.UNKNOWN),
    );

  /** Resolves once the engine holds `jobs` scoring jobs (the long calls have arrived). */
  const engineHolds = async (jobs: number): Promise<void> => {
    const scoring = app.context.get(ReferenceScoringService);
    while (scoring.load < jobs) await new Promise((resolve) => setTimeout(resolve, 5));
  };

  it('drops a queued call whose deadline passes (DEADLINE_EXCEEDED), frees its place and keeps serving', async () => {
    const first = client.computeLogprobs(long(1));
    const second = client.computeLogprobs(long(2));
    await engineHolds(2);
    // Behind two long jobs (one running, one queued): its deadline passes while it waits.
    expect(await codeOf(client.computeLogprobs(short, { timeoutMs: 200 }))).toBe(Code.DEADLINE_EXCEEDED);
    // The queue holds 3: had the expired call kept its place while the long jobs still run,
    // this one would be refused with RESOURCE_EXHAUSTED.
    const after = await client.computeLogprobs(short);
    expect(after.groups[0]?.completions[0]?.logprobs).toHaveLength(3);
    const [a, b] = await Promise.all([first, second]);
    expect(a.groups[0]?.completions).toHaveLength(256);
    expect(b.groups[0]?.completions[255]?.logprobs).toHaveLength(200);
    expect(await checkHealth(`127.0.0.1:${app.grpcPort}`)).toBe('SERVING');
  });

  it('ends a call cancelled by the client with CANCELLED and serves the next one', async () => {
    const first = client.computeLogprobs(long(3));
    await engineHolds(1);
    const controller = new AbortController();
    const cancelled = codeOf(client.computeLogprobs(short, { signal: controller.signal }));
    controller.abort();
    expect(await cancelled).toBe(Code.CANCELLED);
    const after = await client.computeLogprobs(short);
    expect(after.groups[0]?.completions[0]?.logprobs).toHaveLength(3);
    expect((await first).groups[0]?.completions).toHaveLength(256);
  });
});
