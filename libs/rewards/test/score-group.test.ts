import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { ProblemType, RewardBreakdownSchema, RewardComponent, ScoreRequestSchema, ZeroReason } from '@vrft/proto';
import { describe, expect, it } from 'vitest';
import { RewardInputError } from '../src/errors.js';
import { groupFromScoreRequest, toRewardBreakdown } from '../src/proto-mapping.js';
import { parseRewardRecipe, type RewardRecipeInput } from '../src/recipe.js';
import { type CompletionGroup, type GroupEmbeddings, collectDescriptionSpans, scoreGroup } from '../src/score-group.js';

const SQRT_HALF = Math.SQRT1_2;
const THINK = 'The question asks for the shape. The video shows a red cube. So A.';
const SPAN = 'The video shows a red cube.';
const answer = (a: string, think = THINK): string => `<think>${think}</think>\n<answer>${a}</answer>`;

// Four completions of one multiple-choice problem (solution A):
// 0 correct and well formed; 1 wrong; 2 correct without <think>; 3 correct, no full stop in <think>.
const GROUP: CompletionGroup = {
  problemType: ProblemType.MULTIPLE_CHOICE,
  solution: '<answer>A</answer>',
  completions: [
    { text: answer('A') },
    { text: answer('B') },
    { text: '<answer>A</answer>' },
    { text: answer('A', 'no stop here') },
  ],
};
// Frames (1,0) and (0,1); a text embedding (1,0) has cos √½ with their mean.
const FRAMES = [
  [1, 0],
  [0, 1],
];
const recipeWith = (input: RewardRecipeInput = {}) => parseRewardRecipe({ numFrames: 2, semanticWeight: 1, ...input });

describe('scoreGroup: components and the gate', () => {
  it('collects the spans that need a text embedding (gate on)', () => {
    expect(collectDescriptionSpans(GROUP, recipeWith())).toEqual([SPAN, undefined, undefined, undefined]);
  });

  it('scores every component with a reason for each zero (gate on)', () => {
    const embeddings: GroupEmbeddings = { frames: FRAMES, texts: [[1, 0], undefined, undefined, undefined] };
    const [c0, c1, c2, c3] = scoreGroup(GROUP, recipeWith(), embeddings);
    // 0: R = 1 + 1 + 1·min(1, 1 · √½)
    expect(c0?.format).toMatchObject({ value: 1, zeroReason: ZeroReason.UNSPECIFIED });
    expect(c0?.accuracy).toMatchObject({ value: 1, zeroReason: ZeroReason.UNSPECIFIED });
    expect(c0?.semantic.value).toBeCloseTo(SQRT_HALF, 12);
    expect(c0?.total).toBeCloseTo(2 + SQRT_HALF, 12);
    // 1: wrong answer, R_s gated: R = 1 + 0 + 0
    expect(c1?.accuracy).toMatchObject({ value: 0, zeroReason: ZeroReason.WRONG_ANSWER });
    expect(c1?.semantic).toMatchObject({ value: 0, zeroReason: ZeroReason.GATED_BY_ACCURACY });
    expect(c1?.total).toBe(1);
    // 2: no <think>: R = 0 + 1 + 0
    expect(c2?.format).toMatchObject({ value: 0, zeroReason: ZeroReason.MISSING_TAGS });
    expect(c2?.semantic).toMatchObject({ value: 0, zeroReason: ZeroReason.MISSING_TAGS });
    expect(c2?.total).toBe(1);
    // 3: no description span: R = 1 + 1 + 0
    expect(c3?.semantic).toMatchObject({ value: 0, zeroReason: ZeroReason.EMPTY_DESCRIPTION });
    expect(c3?.total).toBe(2);
    // Bonuses are off by default.
    for (const c of [c0, c1, c2, c3]) {
      expect(c?.lengthBonus).toMatchObject({ value: 0, zeroReason: ZeroReason.DISABLED });
      expect(c?.temporalBonus).toMatchObject({ value: 0, zeroReason: ZeroReason.DISABLED });
    }
  });

  it('counts R_s for wrong answers when the gate is off', () => {
    const recipe = recipeWith({ gate: false });
    expect(collectDescriptionSpans(GROUP, recipe)).toEqual([SPAN, SPAN, undefined, undefined]);
    const embeddings: GroupEmbeddings = { frames: FRAMES, texts: [[1, 0], [1, 0], undefined, undefined] };
    const [, c1] = scoreGroup(GROUP, recipe, embeddings);
    // R = 1 + 0 + √½: the ungated ablation rewards a wrong answer's description.
    expect(c1?.semantic.value).toBeCloseTo(SQRT_HALF, 12);
    expect(c1?.total).toBeCloseTo(1 + SQRT_HALF, 12);
  });

  it('uses the recipe weight and aggregation', () => {
    const texts = [[1, 0], undefined, undefined, undefined];
    // w = 2: min(1, 2 · √½) = 1 → R = 3.
    expect(scoreGroup(GROUP, recipeWith({ semanticWeight: 2 }), { frames: FRAMES, texts })[0]?.total).toBe(3);
    // Public-code aggregation, w = 1: mean(max(1, 0), max(0, 0)) = 0.5 → R = 2.5.
    const publicCode = recipeWith({ aggregation: 'mean-clipped-cosine' });
    expect(scoreGroup(GROUP, publicCode, { frames: FRAMES, texts })[0]?.total).toBeCloseTo(2.5, 12);
  });

  it('explains a negative similarity', () => {
    const embeddings: GroupEmbeddings = { frames: FRAMES, texts: [[-1, -1], undefined, undefined, undefined] };
    const [c0] = scoreGroup(GROUP, recipeWith(), embeddings);
    expect(c0?.semantic).toMatchObject({ value: 0, zeroReason: ZeroReason.NEGATIVE_SIMILARITY });
    expect(c0?.semantic.detail).toBe('similarity -1.0000 ≤ 0');
    expect(c0?.total).toBe(2);
  });

  it('needs no embeddings when R_s is off or every completion is gated', () => {
    const off = scoreGroup(GROUP, recipeWith({ semantic: false }));
    expect(off.map((c) => c.semantic.zeroReason)).toEqual(Array(4).fill(ZeroReason.DISABLED));
    expect(off.map((c) => c.total)).toEqual([2, 1, 1, 2]);
    const allWrong: CompletionGroup = { ...GROUP, completions: [{ text: answer('B') }, { text: answer('C') }] };
    expect(scoreGroup(allWrong, recipeWith()).map((c) => c.total)).toEqual([1, 1]);
  });

  it('can switch R_f and R_a off', () => {
    const recipe = recipeWith({ format: false, accuracy: false, gate: false, semantic: false });
    const rewards = scoreGroup(GROUP, recipe);
    expect(rewards.map((c) => c.total)).toEqual([0, 0, 0, 0]);
    expect(rewards[0]?.format.zeroReason).toBe(ZeroReason.DISABLED);
    expect(rewards[0]?.accuracy.zeroReason).toBe(ZeroReason.DISABLED);
  });
});

describe('scoreGroup: bonuses', () => {
  const mc = (answers: string[], tokens: number[]): CompletionGroup => ({
    problemType: ProblemType.MULTIPLE_CHOICE,
    solution: 'A',
    completions: answers.map((a, i) => ({ text: answer(a), numTokens: tokens[i] })),
  });

  it('gives the length bonus to correct completions of 320–512 tokens when two are correct', () => {
    const recipe = recipeWith({ semantic: false, lengthBonus: { enabled: true } });
    const rewards = scoreGroup(mc(['A', 'A', 'B', 'A', 'A'], [400, 600, 400, 320, 512]), recipe);
    expect(rewards.map((c) => c.lengthBonus.value)).toEqual([0.2, 0, 0, 0.2, 0.2]);
    expect(rewards[1]?.lengthBonus.detail).toBe('length 600 tokens outside [320, 512]');
    expect(rewards[2]?.lengthBonus.detail).toBe('R_a ≤ 0.1');
    // R = 1 + 1 + 0.2 for the rewarded ones.
    expect(rewards.map((c) => c.total)).toEqual([2.2, 2, 1, 2.2, 2.2]);
  });

  it('withholds the length bonus when fewer than two are correct', () => {
    const recipe = recipeWith({ semantic: false, lengthBonus: { enabled: true } });
    const rewards = scoreGroup(mc(['A', 'B', 'C'], [400, 400, 319]), recipe);
    expect(rewards.map((c) => c.lengthBonus.zeroReason)).toEqual(Array(3).fill(ZeroReason.CONDITION_NOT_MET));
    expect(rewards[0]?.lengthBonus.detail).toBe('1 completions with R_a > 0.1, the group needs 2');
  });

  it('uses the accuracy threshold, not R_a > 0, for "correct"', () => {
    // Regression, gt 100: answers 95 (R_a 0.95), 92 (0.92), 5 (0.05 ≤ 0.1).
    const group: CompletionGroup = {
      problemType: ProblemType.REGRESSION,
      solution: '100',
      completions: ['95', '92', '5'].map((a) => ({ text: answer(a), numTokens: 400 })),
    };
    const recipe = recipeWith({ semantic: false, lengthBonus: { enabled: true } });
    expect(scoreGroup(group, recipe).map((c) => c.lengthBonus.value)).toEqual([0.2, 0.2, 0]);
  });

  it.each([
    [0.6, 0.5, [0.3, 0, 0.3]],
    [0.5, 0.5, [0.3, 0, 0.3]], // ≥: a tie still earns it
    [0.4, 0.5, [0, 0, 0]],
  ])('temporal bonus with ordered %d, shuffled %d', (orderedAccuracy, shuffledAccuracy, expected) => {
    const group = { ...mc(['A', 'B', 'A'], []), temporal: { orderedAccuracy, shuffledAccuracy } };
    const rewards = scoreGroup(group, recipeWith({ semantic: false, temporalBonus: { enabled: true } }));
    expect(rewards.map((c) => c.temporalBonus.value)).toEqual(expected);
    expect(rewards.map((c) => c.total)).toEqual([2, 1, 2].map((r, i) => r + (expected[i] ?? 0)));
  });
});

describe('scoreGroup: bad input', () => {
  const embeddings: GroupEmbeddings = { frames: FRAMES, texts: [[1, 0], undefined, undefined, undefined] };
  const long = 'x'.repeat(101);
  it.each<[string, CompletionGroup, RewardRecipeInput, GroupEmbeddings | undefined, string]>([
    ['empty group', { ...GROUP, completions: [] }, {}, embeddings, 'completions'],
    ['group too large', GROUP, { maxGroupSize: 3 }, embeddings, 'completions'],
    ['missing solution', { ...GROUP, solution: ' ' }, {}, embeddings, 'solution'],
    ['unknown problem type', { ...GROUP, problemType: ProblemType.UNSPECIFIED }, {}, embeddings, 'problemType'],
    ['oversized solution', { ...GROUP, solution: long }, { maxTextChars: 100 }, embeddings, 'solution'],
    [
      'oversized completion',
      { ...GROUP, completions: [{ text: 'a' }, { text: long }] },
      { maxTextChars: 100 },
      embeddings,
      'completions[1].text',
    ],
    ['embeddings missing', GROUP, {}, undefined, 'embeddings'],
    [
      'text embedding missing',
      GROUP,
      {},
      { frames: FRAMES, texts: [undefined, undefined, undefined, undefined] },
      'embeddings.texts[0]',
    ],
    ['texts of another group', GROUP, {}, { frames: FRAMES, texts: [[1, 0]] }, 'embeddings.texts'],
    ['wrong frame count', GROUP, { numFrames: 16 }, embeddings, 'embeddings.frames'],
    ['frame dimension mismatch', GROUP, {}, { ...embeddings, frames: [[1, 0], [1]] }, 'embeddings.frames[1]'],
    ['text dimension mismatch', GROUP, {}, { ...embeddings, texts: [[1, 0, 0]] }, 'embeddings.texts'],
    [
      'length bonus without token counts',
      GROUP,
      { semantic: false, lengthBonus: { enabled: true } },
      undefined,
      'completions[0].numTokens',
    ],
    [
      'temporal bonus without stats',
      GROUP,
      { semantic: false, temporalBonus: { enabled: true } },
      undefined,
      'temporal',
    ],
    [
      'temporal accuracy out of range',
      { ...GROUP, temporal: { orderedAccuracy: 1.5, shuffledAccuracy: 0 } },
      { semantic: false, temporalBonus: { enabled: true } },
      undefined,
      'temporal.orderedAccuracy',
    ],
  ])('%s names %s', (_name, group, input, groupEmbeddings, field) => {
    try {
      scoreGroup(group, recipeWith(input), groupEmbeddings);
      expect.unreachable('should have thrown');
    } catch (error) {
      expect(error).toBeInstanceOf(RewardInputError);
      expect((error as RewardInputError).field).toBe(field);
    }
  });
});

describe('proto mapping', () => {
  it('builds a RewardBreakdown with all five components in order', () => {
    const embeddings: GroupEmbeddings = { frames: FRAMES, texts: [[1, 0], undefined, undefined, undefined] };
    const rewards = scoreGroup(GROUP, recipeWith(), embeddings);
    const breakdown = toRewardBreakdown(rewards[1] ?? expect.unreachable());
    const decoded = fromBinary(RewardBreakdownSchema, toBinary(RewardBreakdownSchema, breakdown));
    expect(decoded.total).toBe(1);
    expect(decoded.components.map((c) => [c.component, c.value, c.zeroReason])).toEqual([
      [RewardComponent.FORMAT, 1, ZeroReason.UNSPECIFIED],
      [RewardComponent.ACCURACY, 0, ZeroReason.WRONG_ANSWER],
      [RewardComponent.SEMANTIC_CONSISTENCY, 0, ZeroReason.GATED_BY_ACCURACY],
      [RewardComponent.LENGTH_BONUS, 0, ZeroReason.DISABLED],
      [RewardComponent.TEMPORAL_BONUS, 0, ZeroReason.DISABLED],
    ]);
    expect(decoded.components[1]?.detail).toBe('"B" ≠ "A"');
  });

  it('reads a ScoreRequest into a group', () => {
    const request = create(ScoreRequestSchema, {
      problemType: ProblemType.NUMERICAL,
      solution: '<answer>3.5</answer>',
      completions: [
        { text: answer('3.50'), numTokens: 12 },
        { text: answer('4'), numTokens: 9 },
      ],
      temporal: { orderedAccuracy: 0.5, shuffledAccuracy: 0.25 },
    });
    const group = groupFromScoreRequest(request);
    expect(group.completions).toEqual([
      { text: answer('3.50'), numTokens: 12 },
      { text: answer('4'), numTokens: 9 },
    ]);
    expect(group.temporal).toEqual({ orderedAccuracy: 0.5, shuffledAccuracy: 0.25 });
    const rewards = scoreGroup(group, recipeWith({ semantic: false, temporalBonus: { enabled: true } }));
    expect(rewards.map((c) => c.total)).toEqual([2.3, 1]);
    expect(groupFromScoreRequest(create(ScoreRequestSchema, {})).temporal).toBeUndefined();
  });
});
