/**
 * The learner service against a real nats-server: hand-built scored RolloutGroups (micro model,
 * a real h264 clip) go in; GRPO steps, weights versions in the Object Store, announcements,
 * checkpoints, acks held until the checkpoint, the staleness bound, the gRPC surface and resume
 * after a restart come out.
 */
import { create } from '@bufbuild/protobuf';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectBus, type Bus } from '@vrft/bus';
import { loadConfig } from '@vrft/config';
import { generateClip, parseSyntheticOptions, renderScene } from '@vrft/data';
import { createClient } from '@vrft/grpc';
import { reasoningPrompt, trainTokenizerStage } from '@vrft/learner-core';
import {
  MICRO_VIDEO_MODEL_SIZES,
  buildInputSequence,
  createModelConfig,
  decodeSafetensors,
  initWeights,
  saveCheckpoint,
  visualTokensPerClip,
  type ModelConfig,
} from '@vrft/model';
import { LearnerPhase, LearnerService, RewardComponent, RolloutGroupSchema, type RolloutGroup } from '@vrft/proto';
import { type RunningApp, startApp } from '@vrft/runtime';
import { startNatsServer, type NatsServer } from '@vrft/testkit';
import { type Tokenizer } from '@vrft/tokenizer';
import { encodeFramesToVideo } from '@vrft/video';
import { learnerApp } from '../src/app.js';

let nats: NatsServer;
let bus: Bus;
let root = '';
let initDir = '';
let videoPath = '';
let tokenizer: Tokenizer;
let config: ModelConfig;

async function startLearner(): Promise<{
  app: RunningApp;
  client: ReturnType<typeof createClient<typeof LearnerService>>;
}> {
  const env = {
    VRFT_GRPC__PORT: '0',
    VRFT_TELEMETRY__LOG_LEVEL: 'error',
    VRFT_TELEMETRY__METRICS_PORT: '0',
    VRFT_NATS__SERVERS: nats.url,
    VRFT_LEARNER__INIT: initDir,
    VRFT_LEARNER__RUN_DIR: join(root, 'run'),
    VRFT_LEARNER__RUN_ID: 'r1',
    VRFT_LEARNER__GROUPS_PER_STEP: '2',
    VRFT_LEARNER__MAX_POLICY_LAG: '0',
    VRFT_LEARNER__LEARNING_RATE: '0.01',
    VRFT_LEARNER__VIDEO_ROOTS: root,
  };
  const app = await startApp(learnerApp, loadConfig(learnerApp.schema, { env }));
  return { app, client: createClient(LearnerService, { address: `127.0.0.1:${app.grpcPort}` }) };
}

function group(taskId: string, version: bigint, rewards: number[]): RolloutGroup {
  const promptIds = buildInputSequence(
    tokenizer,
    reasoningPrompt({ problem: 'How many circles appear in the video?', problem_type: 'numerical', options: [] }),
    visualTokensPerClip(config),
  ).tokenIds;
  return create(RolloutGroupSchema, {
    runId: 'r1',
    taskId,
    problemId: taskId,
    policyVersion: { runId: 'r1', version },
    prompt: { tokenIds: promptIds },
    video: { source: { case: 'fileUri', value: videoPath } },
    completions: rewards.map((reward, i) => {
      const ids = tokenizer.encode(`<think>I count ${i}.</think><answer>${i}</answer>`, { addEos: true });
      return {
        tokens: { tokenIds: ids, logprobs: ids.map(() => -2.5) },
        referenceLogprobs: ids.map(() => -2.4),
        reward: {
          total: reward,
          components: [
            { component: RewardComponent.FORMAT, value: 1 },
            { component: RewardComponent.ACCURACY, value: reward - 1 },
          ],
        },
        text: `answer ${i}`,
      };
    }),
  });
}

async function waitFor<T>(read: () => Promise<T>, ok: (value: T) => boolean, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (ok(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  nats = await startNatsServer();
  bus = await connectBus({ servers: [nats.url] });
  root = await mkdtemp(join(tmpdir(), 'vrft-learner-svc-'));
  ({ tokenizer } = await trainTokenizerStage({ outPath: join(root, 'tokenizer.json'), clips: 20, vocabSize: 400 }));
  config = createModelConfig('tiny', tokenizer, MICRO_VIDEO_MODEL_SIZES);
  initDir = join(root, 'init');
  await saveCheckpoint(initDir, { config, tokenizer, weights: initWeights(config, 11) });
  const scene = generateClip('train', 0, parseSyntheticOptions({})).scene;
  const frames = renderScene(scene);
  await mkdir(join(root, 'videos'), { recursive: true });
  videoPath = join(root, 'videos', 'clip.mp4');
  await writeFile(
    videoPath,
    await encodeFramesToVideo({ data: frames.data, shape: frames.shape }, { fps: 8, codec: 'h264', container: 'mp4' }),
  );
}, 60_000);
afterAll(async () => {
  await bus?.close();
  await nats?.stop();
  await rm(root, { recursive: true, force: true });
});

describe('learner service', () => {
  it('trains on rollout groups, publishes weights, checkpoints before acking, bounds staleness and resumes', async () => {
    let { app, client } = await startLearner();
    try {
      const idle = await client.getStatus({});
      expect(idle.phase).toBe(LearnerPhase.IDLE);
      expect(idle.weightsVersion?.version).toBe(0n); // the start weights are published as v0

      await bus.publish(RolloutGroupSchema, 'vrft.rollouts.r1', group('t1', 0n, [0, 1, 2]));
      // One group of two: no step yet, and the group stays unacked.
      const held = await waitFor(
        () => bus.consumerStats('VRFT_ROLLOUTS', 'learner'),
        (s) => s.ackPending === 1,
      );
      expect(held.ackPending).toBe(1);
      expect((await client.getStatus({})).step).toBe(0n);

      await bus.publish(RolloutGroupSchema, 'vrft.rollouts.r1', group('t2', 0n, [2, 0, 1]));
      const stepped = await waitFor(
        () => client.getStatus({}),
        (s) => s.step === 1n && s.lastCheckpoint?.step === 1n,
      );
      expect(stepped.step).toBe(1n);
      expect(stepped.rolloutGroupsConsumed).toBe(2n);
      expect(stepped.weightsVersion?.version).toBe(1n);
      expect(stepped.lastCheckpoint?.path).toMatch(/step-00000001$/);
      const acked = await waitFor(
        () => bus.consumerStats('VRFT_ROLLOUTS', 'learner'),
        (s) => s.ackPending === 0,
      );
      expect(acked.ackPending).toBe(0);

      const blob = await bus.getBlob(stepped.weightsVersion!.weights!);
      expect(decodeSafetensors(blob).tensors.get('lm.embed.weight')?.shape).toEqual([config.vocabSize, 32]);

      const other = await (async () => {
        for await (const _ of client.streamMetrics({ runId: 'another' })) void _;
      })().catch((e: unknown) => e);
      expect((other as { code: number }).code).toBe(5); // NOT_FOUND
      const stream = client.streamMetrics({ runId: 'r1' });
      const first = await stream[Symbol.asyncIterator]().next();
      expect(first.value?.metrics?.step).toBe(1n);
      expect(first.value?.metrics?.scalars['reward/total_mean']).toBeCloseTo(1);
      expect(Number.isFinite(first.value?.metrics?.scalars['policy/kl'])).toBe(true);
      expect(first.value?.metrics?.scalars['rollout/staleness_lag_0']).toBe(2);

      // Version 1 now; a group sampled with v0 lags 1 > maxPolicyLag 0: dropped and counted.
      await bus.publish(RolloutGroupSchema, 'vrft.rollouts.r1', group('t3', 0n, [0, 1, 0]));
      const dropped = await waitFor(
        () => client.getStatus({}),
        (s) => s.rolloutGroupsDroppedStale === 1n,
      );
      expect(dropped.rolloutGroupsDroppedStale).toBe(1n);
      expect(dropped.step).toBe(1n);

      // A malformed group (reference log-probs of the wrong length) is given up, not retried forever.
      const broken = group('t4', 1n, [0, 1, 2]);
      broken.completions[0]!.referenceLogprobs = [-1];
      await bus.publish(RolloutGroupSchema, 'vrft.rollouts.r1', broken);
      const settled = await waitFor(
        () => bus.consumerStats('VRFT_ROLLOUTS', 'learner'),
        (s) => s.pending === 0 && s.ackPending === 0,
      );
      expect(settled.ackPending).toBe(0);
      expect((await client.getStatus({})).step).toBe(1n);

      const made = await client.createCheckpoint({});
      expect(made.checkpoint?.step).toBe(1n);
      expect(made.checkpoint?.object?.bucket).toBe('vrft_checkpoints');
    } finally {
      client.close();
      await app.close();
    }

    ({ app, client } = await startLearner());
    try {
      const resumed = await client.getStatus({});
      expect(resumed.step).toBe(1n);
      expect(resumed.weightsVersion?.version).toBe(1n);
      expect(resumed.rolloutGroupsConsumed).toBe(2n);
    } finally {
      client.close();
      await app.close();
    }
  }, 120_000);
});
