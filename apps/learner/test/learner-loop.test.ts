/**
 * The learner service against a real nats-server: hand-built scored RolloutGroups (micro model,
 * a real h264 clip) go in; GRPO steps, weights versions in the Object Store, announcements,
 * checkpoints, acks held until the checkpoint, the staleness bound, the gRPC surface and resume
 * after a restart come out.
 */
import { create } from '@bufbuild/protobuf';
import * as tf from '@tensorflow/tfjs-core';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectBus, type Bus } from '@vrft/bus';
import { loadConfig } from '@vrft/config';
import { generateClip, parseSyntheticOptions, renderScene } from '@vrft/data';
import { createBatch, pickTokenLogProbs, sampledLogSoftmax, selectBackend, TfjsModel } from '@vrft/engine-tfjs';
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
import {
  LearnerPhase,
  LearnerService,
  RewardComponent,
  RolloutGroupSchema,
  ZeroReason,
  type RolloutGroup,
} from '@vrft/proto';
import { type RunningApp, startApp } from '@vrft/runtime';
import { startNatsServer, type NatsServer } from '@vrft/testkit';
import { type Tokenizer } from '@vrft/tokenizer';
import { encodeFramesToVideo, VideoReader } from '@vrft/video';
import { learnerApp } from '../src/app.js';

let nats: NatsServer;
let bus: Bus;
let root = '';
let initDir = '';
let videoPath = '';
let tokenizer: Tokenizer;
let config: ModelConfig;

/** A learner for run `runId` (its own run directory); `env` overrides the defaults. */
async function startLearner(
  runId = 'r1',
  env: Record<string, string> = {},
): Promise<{
  app: RunningApp;
  client: ReturnType<typeof createClient<typeof LearnerService>>;
}> {
  const defaults = {
    VRFT_GRPC__PORT: '0',
    VRFT_TELEMETRY__LOG_LEVEL: 'error',
    VRFT_TELEMETRY__METRICS_PORT: '0',
    VRFT_NATS__SERVERS: nats.url,
    VRFT_LEARNER__INIT: initDir,
    VRFT_LEARNER__RUN_DIR: join(root, 'runs', runId),
    VRFT_LEARNER__RUN_ID: runId,
    VRFT_LEARNER__GROUPS_PER_STEP: '2',
    VRFT_LEARNER__MAX_POLICY_LAG: '0',
    VRFT_LEARNER__LEARNING_RATE: '0.01',
    VRFT_LEARNER__VIDEO_ROOTS: root,
  };
  const app = await startApp(learnerApp, loadConfig(learnerApp.schema, { env: { ...defaults, ...env } }));
  return { app, client: createClient(LearnerService, { address: `127.0.0.1:${app.grpcPort}` }) };
}

/** One reward component of a completion (zeroReason as the reward model sets it). */
interface Component {
  readonly component: RewardComponent;
  readonly value: number;
  readonly zeroReason?: ZeroReason;
}

/** The token ids of completion i of every test group. */
function completionIds(i: number): number[] {
  return tokenizer.encode(`<think>I count ${i}.</think><answer>${i}</answer>`, { addEos: true });
}

/** A group of `runId` whose completions score R_f = 1 and R_a = reward − 1. */
function group(taskId: string, version: bigint, rewards: number[], runId = 'r1'): RolloutGroup {
  return scoredGroup(
    runId,
    taskId,
    version,
    rewards.map((total) => ({
      total,
      components: [
        { component: RewardComponent.FORMAT, value: 1 },
        { component: RewardComponent.ACCURACY, value: total - 1 },
      ],
    })),
  );
}

/** A group of `runId` with the given reward breakdown per completion and actor stage times. */
function scoredGroup(
  runId: string,
  taskId: string,
  version: bigint,
  rewards: { total: number; components: Component[] }[],
  stageSeconds: Record<string, number> = {},
): RolloutGroup {
  const promptIds = buildInputSequence(
    tokenizer,
    reasoningPrompt({ problem: 'How many circles appear in the video?', problem_type: 'numerical', options: [] }),
    visualTokensPerClip(config),
  ).tokenIds;
  return create(RolloutGroupSchema, {
    runId,
    taskId,
    problemId: taskId,
    policyVersion: { runId, version },
    prompt: { tokenIds: promptIds },
    video: { source: { case: 'fileUri', value: videoPath } },
    completions: rewards.map((reward, i) => {
      const ids = completionIds(i);
      return {
        tokens: { tokenIds: ids, logprobs: ids.map(() => -2.5) },
        referenceLogprobs: ids.map(() => -2.4),
        reward,
        text: `answer ${i}`,
      };
    }),
    stageSeconds,
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

  it('reports every reward component the groups carry, the staleness histogram and the actors’ stage times', async () => {
    const { app, client } = await startLearner('r2', {
      VRFT_LEARNER__CONSUMER: 'learner-r2',
      VRFT_LEARNER__MAX_POLICY_LAG: '1',
    });
    const metrics = client.streamMetrics({ runId: 'r2' })[Symbol.asyncIterator]();
    try {
      const c = (component: RewardComponent, value: number, zeroReason = ZeroReason.UNSPECIFIED): Component => ({
        component,
        value,
        zeroReason,
      });
      const { FORMAT: F, ACCURACY: A, SEMANTIC_CONSISTENCY: S, LENGTH_BONUS: L, TEMPORAL_BONUS: T } = RewardComponent;
      const off = ZeroReason.DISABLED;
      // Step 1: two groups sampled with v0. The first has R_s and the length bonus on, the second
      // R_s only; neither has the temporal bonus. Totals are R_f + R_a + R_s + bonus.
      await bus.publish(
        RolloutGroupSchema,
        'vrft.rollouts.r2',
        scoredGroup(
          'r2',
          'a',
          0n,
          [
            { total: 2.8, components: [c(F, 1), c(A, 1), c(S, 0.6), c(L, 0.2), c(T, 0, off)] },
            {
              total: 1,
              components: [
                c(F, 1),
                c(A, 0, ZeroReason.WRONG_ANSWER),
                c(S, 0, ZeroReason.GATED_BY_ACCURACY),
                c(L, 0, ZeroReason.CONDITION_NOT_MET),
                c(T, 0, off),
              ],
            },
            {
              total: 2.2,
              components: [c(F, 1), c(A, 1), c(S, 0, ZeroReason.NEGATIVE_SIMILARITY), c(L, 0.2), c(T, 0, off)],
            },
          ],
          { generate: 2, reward: 0.5, reference: 1 },
        ),
      );
      await bus.publish(
        RolloutGroupSchema,
        'vrft.rollouts.r2',
        scoredGroup(
          'r2',
          'b',
          0n,
          [
            {
              total: 1,
              components: [
                c(F, 0, ZeroReason.MISSING_TAGS),
                c(A, 1),
                c(S, 0, ZeroReason.EMPTY_DESCRIPTION),
                c(L, 0, off),
                c(T, 0, off),
              ],
            },
            {
              total: 2,
              components: [c(F, 1), c(A, 1), c(S, 0, ZeroReason.EMPTY_DESCRIPTION), c(L, 0, off), c(T, 0, off)],
            },
            { total: 1.8, components: [c(F, 1), c(A, 0.5), c(S, 0.3), c(L, 0, off), c(T, 0, off)] },
          ],
          { generate: 4, reward: 1.5 },
        ),
      );
      const first = (await metrics.next()).value?.metrics;
      expect(first?.step).toBe(1n);
      const s1 = first?.scalars ?? {};
      // Per completion, in order: R = [2.8, 1, 2.2, 1, 2, 1.8], R_f = [1, 1, 1, 0, 1, 1],
      // R_a = [1, 0, 1, 1, 1, 0.5], R_s = [0.6, 0, 0, 0, 0, 0.3], length bonus = [0.2, 0, 0.2, 0, 0, 0]
      // (the second group has it off: 0). Sums and sums of squares by hand; std is the population one.
      expect(s1['reward/total_mean']).toBeCloseTo(10.8 / 6, 9);
      expect(s1['reward/total_std']).toBeCloseTo(Math.sqrt(21.92 / 6 - (10.8 / 6) ** 2), 9);
      expect(s1['reward/format_mean']).toBeCloseTo(5 / 6, 9);
      expect(s1['reward/format_std']).toBeCloseTo(Math.sqrt(5 / 6 - (5 / 6) ** 2), 9);
      expect(s1['reward/accuracy_mean']).toBeCloseTo(4.5 / 6, 9);
      expect(s1['reward/accuracy_std']).toBeCloseTo(Math.sqrt(4.25 / 6 - (4.5 / 6) ** 2), 9);
      expect(s1['reward/semantic_mean']).toBeCloseTo(0.15, 9);
      expect(s1['reward/semantic_std']).toBeCloseTo(Math.sqrt(0.45 / 6 - 0.15 ** 2), 9);
      // Scored: a span compared with the frames (0.6, the similarity ≤ 0 one, 0.3), not the two
      // without a span; gated: the one with R_a = 0.
      expect(s1['reward/semantic_scored_mean']).toBeCloseTo(0.9 / 3, 9);
      expect(s1['reward/semantic_scored_fraction']).toBeCloseTo(3 / 6, 12);
      expect(s1['reward/semantic_gated_fraction']).toBeCloseTo(1 / 6, 12);
      expect(s1['reward/length_bonus_mean']).toBeCloseTo(0.4 / 6, 9);
      expect(s1['reward/length_bonus_std']).toBeCloseTo(Math.sqrt(0.08 / 6 - (0.4 / 6) ** 2), 9);
      expect(s1).not.toHaveProperty('reward/temporal_bonus_mean'); // off in every group
      expect(s1['rollout/groups']).toBe(2);
      expect(s1['rollout/completions']).toBe(6);
      const tokens = 2 * [0, 1, 2].reduce((n, i) => n + completionIds(i).length, 0);
      expect(s1['rollout/completion_tokens_mean']).toBeCloseTo(tokens / 6, 12);
      expect(s1['rollout/staleness_lag_0']).toBe(2);
      expect(s1['rollout/staleness_max']).toBe(0);
      // The actors' stage times: mean over the groups that report the stage.
      expect(s1['actor/generate_s_mean']).toBeCloseTo(3, 12);
      expect(s1['actor/reward_s_mean']).toBeCloseTo(1, 12);
      expect(s1['actor/reference_s_mean']).toBeCloseTo(1, 12);
      // The rest of the list: KL, loss, clip fraction, entropy, tokens/s, step-time breakdown.
      for (const name of ['policy/kl', 'policy/loss', 'policy/entropy'])
        expect(Number.isFinite(s1[name]), name).toBe(true);
      expect(s1['policy/entropy']).toBeGreaterThan(0);
      expect(s1['policy/clip_fraction']).toBeGreaterThanOrEqual(0);
      expect(s1['policy/clip_fraction']).toBeLessThanOrEqual(1);
      const stages = ['update', 'publish', 'checkpoint'].map((stage) => s1[`time/${stage}_s`] ?? Number.NaN);
      expect(s1['time/step_s']).toBeCloseTo(
        stages.reduce((a, b) => a + b, 0),
        9,
      );
      expect(s1['throughput/tokens_per_s']).toBeCloseTo(tokens / (s1['time/step_s'] ?? Number.NaN), 6);

      // Step 2 (weights v1, lag bound 1): a group from v0 (lag 1) and one from v1 (lag 0), with
      // R_f and R_a only (the first without an R_s component, the second with R_s DISABLED).
      const plain = (format: number, accuracy: number, semantic?: Component) => ({
        total: format + accuracy,
        components: [c(F, format), c(A, accuracy), ...(semantic === undefined ? [] : [semantic])],
      });
      await bus.publish(
        RolloutGroupSchema,
        'vrft.rollouts.r2',
        scoredGroup('r2', 'c', 0n, [plain(1, 1), plain(1, 0), plain(0, 0)]),
      );
      const disabled = c(S, 0, off);
      await bus.publish(
        RolloutGroupSchema,
        'vrft.rollouts.r2',
        scoredGroup('r2', 'd', 1n, [plain(1, 1, disabled), plain(1, 1, disabled), plain(1, 0, disabled)]),
      );
      const second = (await metrics.next()).value?.metrics;
      expect(second?.step).toBe(2n);
      const s2 = second?.scalars ?? {};
      expect(s2['rollout/staleness_lag_0']).toBe(1);
      expect(s2['rollout/staleness_lag_1']).toBe(1);
      expect(s2['rollout/staleness_mean']).toBeCloseTo(0.5, 12);
      expect(s2['rollout/staleness_max']).toBe(1);
      // R = [2, 1, 0, 2, 2, 1], R_a = [1, 0, 0, 1, 1, 0].
      expect(s2['reward/total_mean']).toBeCloseTo(8 / 6, 9);
      expect(s2['reward/total_std']).toBeCloseTo(Math.sqrt(14 / 6 - (8 / 6) ** 2), 9);
      expect(s2['reward/accuracy_mean']).toBeCloseTo(0.5, 9);
      expect(s2['reward/accuracy_std']).toBeCloseTo(0.5, 9);
      const absent = Object.keys(s2).filter((name) =>
        /^(reward\/(semantic|length_bonus|temporal_bonus)_|actor\/)/.test(name),
      );
      expect(absent).toEqual([]); // no group carries R_s, a bonus or stage times
    } finally {
      await metrics.return?.();
      client.close();
      await app.close();
    }
  }, 120_000);

  it('judges staleness when a group is trained: one that waited while a step ran past the bound is dropped', async () => {
    // Three groups sampled with v0 are on the stream before the learner starts, so its first pull
    // (up to groupsPerStep × checkpointEvery = 4) hands it all three at once, decided at v0. Two make
    // step 1; the third waits for a partner and, once step 1 has made v1, lags 1 > maxPolicyLag 0.
    await bus.ensureStream({ name: 'VRFT_ROLLOUTS', subjects: ['vrft.rollouts.>'] });
    for (const taskId of ['a', 'b', 'c'])
      await bus.publish(RolloutGroupSchema, 'vrft.rollouts.r3', group(taskId, 0n, [0, 1, 2], 'r3'));
    const { app, client } = await startLearner('r3', {
      VRFT_LEARNER__CONSUMER: 'learner-r3',
      VRFT_LEARNER__CHECKPOINT_EVERY: '2', // step 1's groups stay unacked, so the pull is not held back
    });
    const metrics = client.streamMetrics({ runId: 'r3' })[Symbol.asyncIterator]();
    try {
      const s1 = (await metrics.next()).value?.metrics?.scalars ?? {};
      expect(s1['rollout/groups']).toBe(2);
      expect(s1['rollout/staleness_lag_0']).toBe(2);
      expect((await client.getStatus({})).weightsVersion?.version).toBe(1n);

      // Two fresh groups (v1): the next step is built from the waiting group and these; the waiting
      // one is past the bound now and is dropped, the fresh two make step 2.
      for (const taskId of ['d', 'e'])
        await bus.publish(RolloutGroupSchema, 'vrft.rollouts.r3', group(taskId, 1n, [2, 0, 1], 'r3'));
      const s2 = (await metrics.next()).value?.metrics?.scalars ?? {};
      expect(s2).not.toHaveProperty('rollout/staleness_lag_1');
      expect(s2['rollout/groups']).toBe(2);
      expect(s2['rollout/staleness_lag_0']).toBe(2);
      expect(s2['rollout/staleness_max']).toBe(0);
      expect(s2['rollout/dropped_stale_total']).toBe(1);
      expect(s2['rollout/consumed_total']).toBe(4);

      // Step 2 checkpoints: the four trained groups are acked, and so is the dropped one; none is
      // left pending or redelivered.
      const status = await waitFor(
        () => client.getStatus({}),
        (s) => s.lastCheckpoint?.step === 2n,
      );
      expect(status.step).toBe(2n);
      expect(status.rolloutGroupsConsumed).toBe(4n);
      expect(status.rolloutGroupsDroppedStale).toBe(1n);
      const settled = await waitFor(
        () => bus.consumerStats('VRFT_ROLLOUTS', 'learner-r3'),
        (s) => s.pending === 0 && s.ackPending === 0,
      );
      expect(settled).toMatchObject({ pending: 0, ackPending: 0, redelivered: 0 });
    } finally {
      await metrics.return?.();
      client.close();
      await app.close();
    }
  }, 120_000);
  it('dynamic sampling: drops a group without an accuracy spread, counts it, and fills the step with later ones', async () => {
    const { app, client } = await startLearner('r6', {
      VRFT_LEARNER__CONSUMER: 'learner-r6',
      VRFT_LEARNER__MIN_ACCURACY_SPREAD: '0.5',
    });
    const metrics = client.streamMetrics({ runId: 'r6' })[Symbol.asyncIterator]();
    try {
      // R_a = total − 1: all 0 for the flat group (dropped); −1, 0, 1 for the other two (trained).
      await bus.publish(RolloutGroupSchema, 'vrft.rollouts.r6', group('flat', 0n, [1, 1, 1], 'r6'));
      await bus.publish(RolloutGroupSchema, 'vrft.rollouts.r6', group('x', 0n, [0, 1, 2], 'r6'));
      await bus.publish(RolloutGroupSchema, 'vrft.rollouts.r6', group('y', 0n, [2, 0, 1], 'r6'));
      const s1 = (await metrics.next()).value?.metrics?.scalars ?? {};
      expect(s1['rollout/groups']).toBe(2);
      expect(s1['rollout/filtered_no_spread_total']).toBe(1);
      expect(s1['rollout/consumed_total']).toBe(2);
      expect(s1['reward/accuracy_std']).toBeGreaterThan(0);
      const settled = await waitFor(
        () => bus.consumerStats('VRFT_ROLLOUTS', 'learner-r6'),
        (c) => c.pending === 0 && c.ackPending === 0,
      );
      expect(settled).toMatchObject({ pending: 0, ackPending: 0, redelivered: 0 });
    } finally {
      await metrics.return?.();
      client.close();
      await app.close();
    }
  }, 120_000);

  it('leaves the frozen weights (VRFT_LEARNER__FREEZE) as they were and trains the rest', async () => {
    const { app, client } = await startLearner('r7', {
      VRFT_LEARNER__CONSUMER: 'learner-r7',
      VRFT_LEARNER__FREEZE: 'vision',
    });
    try {
      await bus.publish(RolloutGroupSchema, 'vrft.rollouts.r7', group('a', 0n, [0, 1, 2], 'r7'));
      await bus.publish(RolloutGroupSchema, 'vrft.rollouts.r7', group('b', 0n, [2, 0, 1], 'r7'));
      const stepped = await waitFor(
        () => client.getStatus({}),
        (s) => s.weightsVersion?.version === 1n,
      );
      expect(stepped.step).toBe(1n);
      const published = decodeSafetensors(await bus.getBlob(stepped.weightsVersion!.weights!)).tensors;
      const start = initWeights(config, 11);
      const moved = (name: string) => published.get(name)!.data.some((v, i) => v !== start.get(name)![i]);
      const vision = [...start.keys()].filter((name) => name.startsWith('vision.'));
      expect(vision.length).toBeGreaterThan(3);
      for (const name of vision) expect(moved(name), name).toBe(false);
      expect(moved('projector.fc1.weight')).toBe(true);
      expect(moved('lm.blocks.0.mlp.w1')).toBe(true);
    } finally {
      client.close();
      await app.close();
    }
  }, 120_000);

  it('takes log π_θ at the configured sampling temperature: behaviour log-probs at that τ match it', async () => {
    const tau = 0.5;
    // The behaviour log-probs a sampler at τ would report: log softmax(z/τ) of the start weights on
    // the frames the learner decodes (same reader and size).
    const decoded = await new VideoReader({ allowedRoots: [root] }).decodeFrames(videoPath, {
      numFrames: config.frames,
      width: config.imageWidth,
      height: config.imageHeight,
      resizeMode: 'stretch',
    });
    await selectBackend({ order: ['wasm', 'cpu'] });
    const model = TfjsModel.create(config, initWeights(config, 11));
    const base = scoredGroup('r5', 'p', 0n, [
      { total: 2, components: [] },
      { total: 1, components: [] },
    ]);
    const promptIds = base.prompt?.tokenIds ?? [];
    const logprobsAt = (temperature: number) =>
      base.completions.map((c) => {
        const ids = c.tokens?.tokenIds ?? [];
        const batch = createBatch(config, [
          {
            tokenIds: [...promptIds, ...ids],
            videoStart: promptIds.indexOf(config.specialTokens.video),
            frames: decoded.data,
          },
        ]);
        const row = tf.tidy(() =>
          pickTokenLogProbs(sampledLogSoftmax(model, batch, temperature), batch).arraySync(),
        )[0]!;
        return row.slice(promptIds.length);
      });
    const cooled = logprobsAt(tau);
    const plain = logprobsAt(1);
    model.dispose();
    // The check below can fail: at τ = 1 the learner's log-probs are far from these.
    const plainFlat = plain.flat();
    expect(Math.max(...cooled.flat().map((lp, i) => Math.abs(lp - (plainFlat[i] as number))))).toBeGreaterThan(0.05);
    base.completions.forEach((c, i) => {
      if (c.tokens !== undefined) c.tokens.logprobs = cooled[i] as number[];
    });
    const { app, client } = await startLearner('r5', {
      VRFT_LEARNER__CONSUMER: 'learner-r5',
      VRFT_LEARNER__GROUPS_PER_STEP: '1',
      VRFT_LEARNER__SAMPLING_TEMPERATURE: String(tau),
    });
    const metrics = client.streamMetrics({ runId: 'r5' })[Symbol.asyncIterator]();
    try {
      await bus.publish(RolloutGroupSchema, 'vrft.rollouts.r5', base);
      const first = (await metrics.next()).value?.metrics;
      expect(first?.step).toBe(1n);
      expect(first?.scalars['policy/behaviour_logp_gap']).toBeLessThan(1e-4);
    } finally {
      client.close();
      await app.close();
    }
  }, 60_000);

  it('PPO-ptx (VRFT_LEARNER__PTX__FILE): adds the NLL of CoT-SFT examples to every update and reports it', async () => {
    const sftFile = join(root, 'ptx-sft.jsonl');
    const sample = (i: number) => ({
      problem_id: i,
      problem: 'How many circles appear in the video?',
      data_type: 'video',
      problem_type: 'numerical',
      options: [],
      process: `<think>I look at the clip. I count ${i} circles.</think>`,
      solution: `<answer>${i}</answer>`,
      path: './videos/clip.mp4',
      data_source: 'test',
    });
    await writeFile(sftFile, [1, 2, 3].map((i) => JSON.stringify(sample(i))).join('\n') + '\n');
    // The same two groups, with and without the term: the weights must end apart.
    const publishedAfterOneStep = async (runId: string, env: Record<string, string>) => {
      const { app, client } = await startLearner(runId, { VRFT_LEARNER__CONSUMER: `learner-${runId}`, ...env });
      const metrics = client.streamMetrics({ runId })[Symbol.asyncIterator]();
      try {
        await bus.publish(RolloutGroupSchema, `vrft.rollouts.${runId}`, group('a', 0n, [0, 1, 2], runId));
        await bus.publish(RolloutGroupSchema, `vrft.rollouts.${runId}`, group('b', 0n, [2, 0, 1], runId));
        const first = (await metrics.next()).value?.metrics;
        const stepped = await waitFor(
          () => client.getStatus({}),
          (s) => s.weightsVersion?.version === 1n,
        );
        const weights = decodeSafetensors(await bus.getBlob(stepped.weightsVersion!.weights!)).tensors;
        return { scalars: first?.scalars ?? {}, weights };
      } finally {
        client.close();
        await app.close();
      }
    };
    const withPtx = await publishedAfterOneStep('r8', {
      VRFT_LEARNER__PTX__FILE: sftFile,
      VRFT_LEARNER__PTX__COEFFICIENT: '5',
      VRFT_LEARNER__PTX__ROWS: '2',
    });
    const without = await publishedAfterOneStep('r9', {});
    expect(withPtx.scalars['policy/ptx_loss']).toBeGreaterThan(0);
    expect(without.scalars['policy/ptx_loss']).toBeUndefined();
    const name = 'lm.blocks.0.attn.wq';
    expect(withPtx.weights.get(name)!.data).not.toEqual(without.weights.get(name)!.data);

    // The term's settings without its file are refused, not ignored.
    expect(() =>
      loadConfig(learnerApp.schema, { env: { VRFT_NATS__SERVERS: nats.url, VRFT_LEARNER__PTX__COEFFICIENT: '1' } }),
    ).toThrow(/ptx\.file/);
    // A file whose samples do not load stops the learner's start with the reason.
    await expect(startLearner('r10', { VRFT_LEARNER__PTX__FILE: join(root, 'no-such-sft.jsonl') })).rejects.toThrow(
      /no-such-sft\.jsonl/,
    );
  }, 120_000);
});
