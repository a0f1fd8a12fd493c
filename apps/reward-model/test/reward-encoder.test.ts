import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@vrft/config';
import { OnnxDualEncoder } from '@vrft/dual-encoder';
import { Code, RpcError, createClient } from '@vrft/grpc';
import { ProblemType, RewardComponent, RewardService, ZeroReason } from '@vrft/proto';
import { semanticConsistency } from '@vrft/rewards';
import { type RunningApp, startApp } from '@vrft/runtime';
import { VideoReader } from '@vrft/video';
import { rewardModelApp } from '../src/app.js';
import { RewardScoringService } from '../src/reward-scoring.service.js';
import { createGroup, writeTestClip, writeTestEncoder } from './fixtures.js';

const F = 4;

describe('reward-model with the dual encoder, over gRPC', () => {
  let dir = '';
  let encoderDir = '';
  let clip: Uint8Array;
  let app: RunningApp;
  let client: ReturnType<typeof createClient<typeof RewardService>>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vrft-reward-'));
    encoderDir = await writeTestEncoder(dir);
    clip = await writeTestClip();
    const env = {
      VRFT_GRPC__PORT: '0',
      VRFT_TELEMETRY__LOG_LEVEL: 'error',
      VRFT_REWARD__ENCODER__DIR: encoderDir,
      VRFT_REWARD__RECIPE: JSON.stringify({ numFrames: F, descriptionTokens: 24 }),
    };
    app = await startApp(rewardModelApp, loadConfig(rewardModelApp.schema, { env }));
    client = createClient(RewardService, { address: `127.0.0.1:${app.grpcPort}` });
  });
  afterAll(async () => {
    client.close();
    await app?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('scores R_s from one decode of the video, equal to encoding it directly', async () => {
    const service = app.context.get(RewardScoringService);
    const before = service.videoReader.stats();
    const response = await client.score(createGroup(clip));
    const after = service.videoReader.stats();
    expect(after.cacheMisses - before.cacheMisses).toBe(1); // one decode for the whole group

    // The same computation by hand: decode, encode, cosine of the mean frame embedding.
    const encoder = await OnnxDualEncoder.open({ dir: encoderDir });
    const reader = new VideoReader();
    const frames = await reader.decodeFrames(clip, { numFrames: F, width: 16, height: 16, resizeMode: 'stretch' });
    const frameEmbeddings = await encoder.encodeFrames(frames);
    const spans = ['A red circle at the top left moving right.', 'The sign reads EXIT 3 and the counter shows 0.'];
    const texts = await encoder.encodeTexts(spans.map((s) => encoder.truncate(s, 24)));
    await encoder.close();

    const semantic = (i: number) =>
      response.rewards[i]?.components.find((c) => c.component === RewardComponent.SEMANTIC_CONSISTENCY);
    for (const i of [0, 1]) {
      const expected = semanticConsistency(texts[i] as Float32Array, frameEmbeddings).value;
      expect(semantic(i)?.value).toBeCloseTo(expected, 5);
      const total = response.rewards[i]?.total ?? 0;
      expect(total).toBeCloseTo(2 + expected, 5); // R_f + R_a + R_s
    }
    expect(semantic(2)?.zeroReason).toBe(ZeroReason.GATED_BY_ACCURACY);
    expect(response.rewards[2]?.total).toBe(1);
  });

  it('answers every bad input with INVALID_ARGUMENT naming the field', async () => {
    const fail = async (request: Parameters<typeof client.score>[0]) =>
      (await client.score(request).catch((e: unknown) => e)) as RpcError;
    const group = createGroup(clip);
    const cases: [Parameters<typeof client.score>[0], RegExp][] = [
      [{ ...group, solution: '' }, /solution/],
      [{ ...group, problemType: 99 as ProblemType }, /problem_?[tT]ype/],
      [{ ...group, video: undefined }, /video/],
      [{ ...group, video: { ...group.video, sampling: { numFrames: F + 3 } } }, /video\.sampling\.num_frames/],
      [{ ...group, video: { source: { case: 'inlineBytes', value: new Uint8Array(4096).fill(7) } } }, /./],
      [{ ...group, completions: [{ text: 'x'.repeat(40_000) }] }, /completions\[0\]\.text/],
      [{ ...group, recipe: { descriptionTokens: 99 } }, /description_tokens/],
    ];
    for (const [request, field] of cases) {
      const error = await fail(request);
      expect(error, String(field)).toBeInstanceOf(RpcError);
      expect(error.code, `${String(field)}: ${error.message}`).toBe(Code.INVALID_ARGUMENT);
      expect(error.message).toMatch(field);
    }
  });

  it('honours the deadline', async () => {
    const error = (await client
      .score({ ...createGroup(await writeTestClip(5)) }, { timeoutMs: 1 })
      .catch((e: unknown) => e)) as RpcError;
    expect(error.code).toBe(Code.DEADLINE_EXCEEDED);
    // The server keeps serving afterwards.
    expect((await client.score(createGroup(clip))).rewards).toHaveLength(3);
  });
});
