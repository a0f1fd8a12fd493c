import { ProblemType, ZeroReason } from '@vrft/proto';
import * as rewards from '@vrft/rewards';
import { describe, expect, it } from 'vitest';

describe('@vrft/rewards public surface', () => {
  it('exports the narrow API and nothing internal', () => {
    expect(Object.keys(rewards).sort()).toEqual(
      [
        'DEFAULT_ABBREVIATIONS',
        'DEFAULT_REWARD_RECIPE',
        'RewardInputError',
        'RewardRecipeError',
        'checkFormat',
        'collectDescriptionSpans',
        'cosineSimilarity',
        'extractAnswer',
        'extractDescriptionSpan',
        'extractSolution',
        'extractThink',
        'groupFromScoreRequest',
        'meanRelativeAccuracy',
        'parseRewardRecipe',
        'recipeFromProto',
        'regressionAccuracy',
        'relativeError',
        'rougeScores',
        'scoreAccuracy',
        'scoreAnswer',
        'scoreGroup',
        'semanticConsistency',
        'stemPorter',
        'toRewardBreakdown',
        'wordErrorRate',
      ].sort(),
    );
  });

  it('scores a free-form group end to end: spans → embeddings → rewards → proto', () => {
    const recipe = rewards.parseRewardRecipe({ numFrames: 3, descriptionTokens: 4 });
    const group: rewards.CompletionGroup = {
      problemType: ProblemType.FREE_FORM,
      solution: '<answer>the cat sat on the mat</answer>',
      completions: [
        {
          text: '<think>Look closely. A cat sits on a mat near a door.</think><answer>the cat lay on the mat</answer>',
        },
        { text: '<think>Hmm.</think><answer>a dog barks</answer>' },
      ],
    };
    // The text encoder's tokenizer keeps M = 4 tokens; words stand in for its tokens here.
    const truncate = (text: string): string => text.split(' ').slice(0, recipe.descriptionTokens).join(' ');
    const spans = rewards.collectDescriptionSpans(group, recipe, { truncate });
    expect(spans).toEqual(['A cat sits on', undefined]);
    const embeddings: rewards.GroupEmbeddings = {
      frames: [new Float32Array([1, 0, 0]), new Float32Array([0, 1, 0]), new Float32Array([0, 0, 1])],
      texts: [new Float32Array([1, 1, 1]), undefined],
    };
    const [first, second] = rewards.scoreGroup(group, recipe, embeddings).map(rewards.toRewardBreakdown);
    // R_a = 34/45 (the worked ROUGE example); t ∥ mean frame → cos 1 → R_s = min(1, 2) = 1.
    expect(first?.total).toBeCloseTo(1 + 34 / 45 + 1, 12);
    // No overlap with the reference → R_a = 0, R_s gated: R = R_f = 1.
    expect(second?.total).toBe(1);
    expect(second?.components[2]?.zeroReason).toBe(ZeroReason.GATED_BY_ACCURACY);
  });
});
