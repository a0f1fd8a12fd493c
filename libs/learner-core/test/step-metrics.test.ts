/**
 * The bonus components in the local reward stage and the step metrics: present with the recipe's
 * bonus on, absent with it off; dynamic sampling's group filter and its metrics. Pure (no engine): a hand-built group, an update result by hand.
 */
import { describe, expect, it } from 'vitest';
import {
  BONUS_STEP_METRICS,
  collectStepMetrics,
  DYNAMIC_SAMPLING_STEP_METRICS,
  informativeGroups,
  localRewardRecipe,
  rewardGroups,
  STEP_METRIC_GLOSSARY,
  TrainingOptionsError,
  type GeneratedGroup,
  type RewardedGroup,
} from '@vrft/learner-core';

const group: GeneratedGroup = {
  prompt: {
    problemId: 'p',
    problemType: 'multiple choice',
    solution: '<answer>B</answer>',
    promptIds: [],
    frames: new Uint8Array(0),
    clipPath: 'clip.mp4',
  },
  policyVersion: 0,
  completions: [
    { text: '<think>It is B.</think><answer>B</answer>', length: 3 }, // right, in [2, 5] tokens
    { text: '<think>It is B.</think><answer>B</answer>', length: 9 }, // right, too long
    { text: '<think>It is A.</think><answer>A</answer>', length: 3 }, // wrong
  ].map(({ text, length }) => ({
    text,
    tokenIds: Array.from({ length }, () => 1),
    behaviourLogprobs: Array.from({ length }, () => -1),
  })),
};

const update = {
  loss: 0.5,
  gradNorm: 1,
  learningRate: 1e-3,
  completionTokens: 15,
  behaviourLogpGap: 0,
  metrics: {
    klMean: 0,
    clipFraction: 0,
    approxKl: 0,
    ratioMean: 1,
    ratioMin: 1,
    ratioMax: 1,
    importanceWeightMean: 1,
    importanceTruncatedFraction: 0,
    entropy: 1,
    validTokens: 15,
  },
};

function metricsOf(recipe: ReturnType<typeof localRewardRecipe>): Record<string, number> {
  const [rewarded] = rewardGroups([group], recipe);
  if (rewarded === undefined) throw new Error('no group');
  return collectStepMetrics([{ ...rewarded, advantages: [0, 0, 0] }], update, { update: 1 }, 0);
}

describe('bonus step metrics', () => {
  it('reports the length bonus mean and std when the recipe has it on', () => {
    const recipe = localRewardRecipe({ lengthBonus: { enabled: true, minTokens: 2, maxTokens: 5, minCorrect: 2 } });
    const [rewarded] = rewardGroups([group], recipe);
    expect(rewarded?.rewards.lengthBonus).toEqual([0.2, 0, 0]); // the default bonus value, 0.2
    expect(rewarded?.rewards).not.toHaveProperty('temporalBonus');
    const metrics = metricsOf(recipe);
    expect(metrics['reward/length_bonus_mean']).toBeCloseTo(0.2 / 3, 12);
    expect(metrics['reward/length_bonus_std']).toBeCloseTo(Math.sqrt(0.04 / 3 - (0.2 / 3) ** 2), 12);
    expect(metrics).not.toHaveProperty('reward/temporal_bonus_mean');
    // R = R_f + R_a + bonus = [2.2, 2, 1]
    expect(metrics['reward/total_mean']).toBeCloseTo(5.2 / 3, 12);
  });

  it('has no bonus metrics with the bonuses off, and the glossary names them', () => {
    const metrics = metricsOf(localRewardRecipe({}));
    for (const name of BONUS_STEP_METRICS) expect(metrics).not.toHaveProperty(name);
    expect(BONUS_STEP_METRICS).toHaveLength(4);
    for (const name of BONUS_STEP_METRICS) expect(STEP_METRIC_GLOSSARY[name]).toBeTruthy();
  });
});

describe('dynamic sampling', () => {
  /** A rewarded group with these accuracy rewards (the other components do not matter here). */
  const withAccuracy = (id: string, accuracy: number[]): RewardedGroup => ({
    ...group,
    prompt: { ...group.prompt, problemId: id },
    completions: accuracy.map(() => group.completions[0] as RewardedGroup['completions'][number]),
    rewards: { format: accuracy.map(() => 1), accuracy, total: accuracy.map((a) => 1 + a) },
  });
  const groups = [
    withAccuracy('all-wrong', [0, 0, 0, 0]),
    withAccuracy('mixed', [0, 1, 0, 0]),
    withAccuracy('all-right', [1, 1, 1, 1]),
    withAccuracy('rouge-close', [0.41, 0.43, 0.42, 0.44]),
    withAccuracy('rouge-apart', [0.2, 0.6, 0.4, 0.3]),
  ];
  const ids = (kept: readonly RewardedGroup[]): string[] => kept.map((g) => g.prompt.problemId);

  it('keeps the groups whose accuracy spreads by at least the threshold, in order', () => {
    expect(ids(informativeGroups(groups, 1e-6))).toEqual(['mixed', 'rouge-close', 'rouge-apart']);
    // max − min: 0.03 for rouge-close, 0.4 for rouge-apart
    expect(ids(informativeGroups(groups, 0.05))).toEqual(['mixed', 'rouge-apart']);
    expect(ids(informativeGroups(groups, 0.39))).toEqual(['mixed', 'rouge-apart']);
    expect(ids(informativeGroups(groups, 0.41))).toEqual(['mixed']);
    expect(ids(informativeGroups(groups, 0))).toEqual(groups.map((g) => g.prompt.problemId));
  });

  it('refuses a threshold outside [0, 1], naming the option', () => {
    for (const bad of [-0.1, 1.5, Number.NaN])
      expect(() => informativeGroups(groups, bad)).toThrow(TrainingOptionsError);
    expect(() => informativeGroups(groups, -1)).toThrow(/minAccuracySpread/);
  });

  it('reports generated, filtered and rounds only for a filtering step', () => {
    const scored = [{ ...withAccuracy('mixed', [0, 1, 0]), advantages: [-0.5, 1, -0.5] }];
    const filtered = collectStepMetrics(scored, update, { update: 1 }, 0, { generatedGroups: 6, generationRounds: 3 });
    expect(filtered['rollout/generated_groups']).toBe(6);
    expect(filtered['rollout/filtered_groups']).toBe(5);
    expect(filtered['rollout/generation_rounds']).toBe(3);
    const plain = collectStepMetrics(scored, update, { update: 1 }, 0);
    for (const name of DYNAMIC_SAMPLING_STEP_METRICS) {
      expect(plain).not.toHaveProperty(name);
      expect(STEP_METRIC_GLOSSARY[name]).toBeTruthy();
    }
  });
});
