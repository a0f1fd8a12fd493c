/**
 * R_s in the local GRPO loop (issue #6): the encode and reward stages against @vrft/rewards'
 * scoreGroup on embeddings computed independently, the option errors, and a 2-step run with a real
 * dual encoder on onnxruntime whose logged rollouts scoreGroup reproduces. Micro model, three clips.
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSamples, toProblemType, type ProblemTypeName } from '@vrft/data';
import { OnnxDualEncoder } from '@vrft/dual-encoder';
import { selectBackend } from '@vrft/engine-tfjs';
import {
  ClipFrameLoader,
  GroupEncoder,
  localRewardRecipe,
  parseLocalGrpoOptions,
  rewardGroups,
  runLocalGrpo,
  BONUS_STEP_METRICS,
  DYNAMIC_SAMPLING_STEP_METRICS,
  PTX_STEP_METRICS,
  SEMANTIC_STEP_METRICS,
  STEP_METRIC_GLOSSARY,
  TrainingCheckpointError,
  TrainingOptionsError,
  type GeneratedGroup,
  type LocalGrpoOptions,
  type RolloutLogRecord,
} from '@vrft/learner-core';
import { loadCheckpoint } from '@vrft/model';
import {
  extractDescriptionSpan,
  scoreGroup,
  semanticConsistency,
  type CompletionReward,
  type RewardRecipe,
} from '@vrft/rewards';
import { createMicroSetup, type MicroSetup } from './fixtures.js';
import { PRIMED_SPAN, primeDescribingPolicy, writeTestEncoder } from './grpo-fixtures.js';

const CLIPS = ['./videos/train-00000000.mp4', './videos/train-00000001.mp4', './videos/train-00000002.mp4'];

describe('semantic consistency R_s in the local GRPO loop', () => {
  let setup: MicroSetup;
  let encoderDir = '';
  let encoder: OnnxDualEncoder;
  let loader: ClipFrameLoader;

  beforeAll(async () => {
    await selectBackend({ order: ['wasm', 'cpu'] });
    setup = await createMicroSetup(3);
    encoderDir = await writeTestEncoder(join(setup.root, 'encoder'));
    encoder = await OnnxDualEncoder.open({ dir: encoderDir });
    loader = new ClipFrameLoader((await loadCheckpoint(setup.initDir)).config, { dataDir: setup.dataDir });
  });
  afterAll(async () => {
    await encoder?.close();
    await rm(setup.root, { recursive: true, force: true });
  });

  /** The frame embeddings of a clip, encoded on their own. */
  const frameEmbeddings = async (clipPath: string, recipe: RewardRecipe): Promise<Float32Array[]> => {
    const s = encoder.imageSize;
    const data = await loader.loadResized(clipPath, recipe.numFrames, s, s);
    return encoder.encodeFrames({ data, shape: [recipe.numFrames, s, s, 3] });
  };

  /** scoreGroup on embeddings computed here one text at a time (spans cut as the recipe says). */
  const expectedScores = async (
    group: { problemType: ProblemTypeName; solution: string; clipPath: string; texts: readonly string[] },
    recipe: RewardRecipe,
  ): Promise<CompletionReward[]> => {
    const texts: (Float32Array | undefined)[] = [];
    for (const text of group.texts) {
      const span = extractDescriptionSpan(text, {
        ...recipe.description,
        truncate: (t) => encoder.truncate(t, recipe.descriptionTokens),
      });
      texts.push(span.ok ? (await encoder.encodeTexts([span.text]))[0] : undefined);
    }
    return scoreGroup(
      {
        problemType: toProblemType(group.problemType),
        solution: group.solution,
        completions: group.texts.map((text) => ({ text })),
      },
      recipe,
      { frames: await frameEmbeddings(group.clipPath, recipe), texts },
    );
  };

  it('the fixture encoder gives the primed span a positive cosine with every clip (precondition)', async () => {
    const recipe = localRewardRecipe({}, true);
    const [span] = await encoder.encodeTexts([PRIMED_SPAN]);
    for (const clip of CLIPS) {
      const { similarity } = semanticConsistency(span as Float32Array, await frameEmbeddings(clip, recipe));
      expect(similarity, `${clip}: choose another seed in writeTestEncoder`).toBeGreaterThan(0);
    }
  });

  it('encode + reward give R = R_f + R_a + 1[R_a > 0]·R_s as scoreGroup does on the same embeddings', async () => {
    const texts = [
      `<think>Let me look. ${PRIMED_SPAN}</think><answer>B</answer>`, // R_a = 1, a span
      '<think>First. The sign reads PARK 86 and the counter shows 0.</think><answer>B</answer>', // R_a = 1, a span
      `<think>Let me look. ${PRIMED_SPAN}</think><answer>A</answer>`, // R_a = 0: gated
      '<think>No full stop here</think><answer>B</answer>', // R_a = 1, no span
    ];
    const groupOn = (clipPath: string, problemId: string): GeneratedGroup => ({
      prompt: {
        problemId,
        problemType: 'multiple choice',
        solution: '<answer>B</answer>',
        promptIds: [],
        frames: new Uint8Array(0),
        clipPath,
      },
      policyVersion: 0,
      completions: texts.map((text) => ({ text, tokenIds: [1, 2, 3], behaviourLogprobs: [0, 0, 0] })),
    });
    // Two groups share clip 0: its frames are encoded once.
    const groups = [
      groupOn(CLIPS[0] as string, 'a'),
      groupOn(CLIPS[2] as string, 'b'),
      groupOn(CLIPS[0] as string, 'c'),
    ];
    for (const input of [{}, { aggregation: 'mean-clipped-cosine' as const }, { gate: false }]) {
      const recipe = localRewardRecipe(input, true);
      const stage = new GroupEncoder(encoder, recipe, (clip, n, s) => loader.loadResized(clip, n, s, s), 8);
      const embeddings = await stage.encode(groups);
      expect(stage.lastCounts).toEqual({ texts: recipe.gate ? 6 : 9, clips: 2 });
      const rewarded = rewardGroups(groups, recipe, embeddings);
      await stage.encode(groups);
      expect(stage.lastCounts.clips).toBe(0); // the encoder is frozen: frame embeddings are kept

      for (const group of rewarded) {
        const expected = await expectedScores({ ...group.prompt, texts }, recipe);
        const { format, accuracy, semantic, total } = group.rewards;
        expect(semantic?.gated).toEqual(recipe.gate ? [false, false, true, false] : [false, false, false, false]);
        expect(semantic?.scored).toEqual(recipe.gate ? [true, true, false, false] : [true, true, true, false]);
        expected.forEach((e, i) => {
          const s = semantic?.value[i] ?? Number.NaN;
          expect(s).toBeCloseTo(e.semantic.value, 5);
          expect(total[i]).toBeCloseTo(e.total, 5);
          expect(s).toBeGreaterThanOrEqual(0);
          expect(s).toBeLessThanOrEqual(1);
          const gate = recipe.gate ? ((accuracy[i] as number) > 0 ? 1 : 0) : 1;
          expect(total[i]).toBeCloseTo((format[i] as number) + (accuracy[i] as number) + gate * s, 12);
        });
        expect(semantic?.value[0]).toBeGreaterThan(0); // R_a > 0 with a span the encoder agrees with
        expect(semantic?.value[3]).toBe(0);
        if (recipe.gate) expect(total[2]).toBe(1); // R_f only: the gate drops R_s
      }
    }
  });

  it('names bad reward and encoder options', async () => {
    const base: Partial<LocalGrpoOptions> = {
      runDir: join(setup.root, 'bad'),
      init: setup.initDir,
      promptsFile: join(setup.dataDir, 'train.jsonl'),
      dataDir: setup.dataDir,
      steps: 1,
    };
    const field = (input: Partial<LocalGrpoOptions>): string | undefined => {
      try {
        parseLocalGrpoOptions({ ...base, ...input });
        return undefined;
      } catch (error) {
        return error instanceof TrainingOptionsError ? error.field : String(error);
      }
    };
    expect(field({})).toBeUndefined();
    expect(localRewardRecipe().semantic).toBe(false); // no encoder: R = R_f + R_a as before
    expect(localRewardRecipe({}, true).semantic).toBe(true);
    expect(field({ reward: { semantic: true } })).toBe('encoder');
    expect(field({ reward: { semanticWeight: -1 } })).toBe('reward.semanticWeight');
    expect(field({ reward: { numFrames: 0 } })).toBe('reward.numFrames');
    expect(field({ reward: { bogus: 1 } as never })).toBe('reward.bogus');
    expect(field({ encoder: { dir: encoderDir }, reward: { accuracy: false } })).toBe('reward.gate');
    expect(field({ encoder: { dir: '' } })).toBe('encoder.dir');
    expect(field({ encoder: { dir: encoderDir, maxBatch: 0 } })).toBe('encoder.maxBatch');
    expect(field({ encoder: { dir: encoderDir }, encoderCacheClips: -1 })).toBe('encoderCacheClips');
    expect(field({ rolloutLogEvery: 1.5 })).toBe('rolloutLogEvery');

    const runField = async (input: Partial<LocalGrpoOptions>): Promise<string> => {
      const error: unknown = await runLocalGrpo({ ...base, ...input }, { write: () => undefined }).catch((e) => e);
      expect(error).toBeInstanceOf(TrainingOptionsError);
      return (error as TrainingOptionsError).field;
    };
    expect(await runField({ encoder: { dir: join(setup.root, 'no-such-encoder') } })).toBe('encoder.dir');
    expect(await runField({ encoder: { dir: encoderDir }, reward: { descriptionTokens: 65 } })).toBe(
      'reward.descriptionTokens',
    );
  });

  it('a run with the encoder logs R_s that scoreGroup reproduces, and refuses a resume with other reward settings', async () => {
    const primed = await primeDescribingPolicy(setup.root, setup.dataDir, setup.initDir, 40);
    const runDir = join(setup.root, 'grpo-semantic');
    const options: Partial<LocalGrpoOptions> = {
      runDir,
      init: primed.policyDir,
      promptsFile: primed.promptsFile,
      dataDir: setup.dataDir,
      steps: 2,
      promptsPerStep: 2,
      groupSize: 3,
      sampling: { temperature: 0.5, topP: 1, topK: 0, maxNewTokens: 40 },
      optimizer: { learningRate: 1e-3, warmupSteps: 0 },
      checkpointEvery: 1,
      engine: { intraOpThreads: 1 },
      encoder: { dir: encoderDir },
      rolloutLogEvery: 1,
    };
    const result = await runLocalGrpo(options, { write: () => undefined });
    expect(result.step).toBe(2);
    const metrics = result.lastMetrics;
    for (const name of Object.keys(STEP_METRIC_GLOSSARY))
      if (
        BONUS_STEP_METRICS.includes(name) ||
        DYNAMIC_SAMPLING_STEP_METRICS.includes(name) ||
        PTX_STEP_METRICS.includes(name)
      )
        expect(metrics).not.toHaveProperty(name); // bonuses, dynamic sampling and ptx are off
      else expect(metrics).toHaveProperty(name);
    expect(metrics['time/encode_s']).toBeGreaterThanOrEqual(0);
    for (const name of ['reward/semantic_mean', 'reward/semantic_gated_fraction', 'reward/semantic_scored_fraction']) {
      expect(metrics[name]).toBeGreaterThanOrEqual(0);
      expect(metrics[name]).toBeLessThanOrEqual(1);
    }

    const recipe = localRewardRecipe({}, true);
    const samples = await readSamples(primed.promptsFile, { kind: 'rl' });
    const records = (await readFile(join(runDir, 'rollouts.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as RolloutLogRecord);
    expect(records).toHaveLength(4); // 2 steps × 2 groups
    let describedAndRight = 0;
    for (const record of records) {
      const sample = samples.find((s) => String(s.problem_id) === record.problemId);
      if (sample === undefined) throw new Error(`no prompt ${record.problemId}`);
      const texts = record.completions.map((c) => c.text);
      const expected = await expectedScores(
        { problemType: sample.problem_type, solution: sample.solution, clipPath: record.clipPath, texts },
        recipe,
      );
      record.completions.forEach((c, i) => {
        const e = expected[i] as CompletionReward;
        expect(c.format).toBe(e.format.value);
        expect(c.accuracy).toBeCloseTo(e.accuracy.value, 12);
        expect(c.semantic).toBeCloseTo(e.semantic.value, 5);
        expect(c.total).toBeCloseTo(e.total, 5);
        expect(c.total).toBeCloseTo(c.format + c.accuracy + (c.gated === true ? 0 : (c.semantic ?? 0)), 12);
        const span = extractDescriptionSpan(c.text);
        if (c.accuracy > 0 && span.ok && span.text === PRIMED_SPAN) {
          describedAndRight += 1;
          expect(c.semantic).toBeGreaterThan(0);
        }
      });
    }
    expect(describedAndRight).toBeGreaterThan(0); // the primed policy writes the span, R_a > 0 by ROUGE
    const last = records.filter((r) => r.step === 2).flatMap((r) => r.completions);
    const mean = last.reduce((sum, c) => sum + (c.semantic ?? 0), 0) / last.length;
    expect(metrics['reward/semantic_mean']).toBeCloseTo(mean, 12);
    expect(metrics['reward/semantic_gated_fraction']).toBeCloseTo(
      last.filter((c) => c.gated === true).length / last.length,
      12,
    );

    // Other reward settings or no encoder change the rewards: resuming the run with them is refused.
    for (const changed of [
      { ...options, reward: { semanticWeight: 3 } },
      { ...options, reward: { aggregation: 'mean-clipped-cosine' as const } },
      { ...options, encoder: undefined },
    ]) {
      await expect(runLocalGrpo(changed, { write: () => undefined })).rejects.toThrow(TrainingCheckpointError);
    }
    // The same settings resume (here: nothing left to do).
    expect((await runLocalGrpo(options, { write: () => undefined })).resumedFrom).toBe(2);
  }, 120_000);

  it('lists the R_s metrics in the glossary', () => {
    expect(SEMANTIC_STEP_METRICS.length).toBeGreaterThanOrEqual(4);
    for (const name of SEMANTIC_STEP_METRICS) expect(STEP_METRIC_GLOSSARY[name]).toBeTruthy();
  });
});
