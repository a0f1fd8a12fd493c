import { create } from '@bufbuild/protobuf';
import { RewardRecipeSchema, SimilarityAggregation } from '@vrft/proto';
import { describe, expect, it } from 'vitest';
import { RewardRecipeError } from '../src/errors.js';
import { recipeFromProto } from '../src/proto-mapping.js';
import { DEFAULT_REWARD_RECIPE, parseRewardRecipe } from '../src/recipe.js';

describe('parseRewardRecipe', () => {
  it('fills every default from an empty input', () => {
    const recipe = parseRewardRecipe({});
    expect(recipe).toEqual(DEFAULT_REWARD_RECIPE);
    expect(recipe).toMatchObject({
      format: true,
      accuracy: true,
      semantic: true,
      semanticWeight: 2,
      gate: true,
      aggregation: 'mean-frame-embedding',
      descriptionTokens: 64,
      numFrames: 16,
      lengthBonus: {
        enabled: false,
        value: 0.2,
        accuracyThreshold: 0.1,
        minTokens: 320,
        maxTokens: 512,
        minCorrect: 2,
      },
      temporalBonus: { enabled: false, value: 0.3, accuracyThreshold: 0.1 },
    });
    expect(parseRewardRecipe(undefined)).toEqual(DEFAULT_REWARD_RECIPE);
  });

  it('overrides nested fields one by one and keeps the rest', () => {
    const recipe = parseRewardRecipe({ semanticWeight: 1.5, lengthBonus: { enabled: true, maxTokens: 700 } });
    expect(recipe.semanticWeight).toBe(1.5);
    expect(recipe.lengthBonus).toEqual({ ...DEFAULT_REWARD_RECIPE.lengthBonus, enabled: true, maxTokens: 700 });
    expect(recipe.temporalBonus).toEqual(DEFAULT_REWARD_RECIPE.temporalBonus);
  });

  it('starts from a given base', () => {
    const base = parseRewardRecipe({ gate: false, numFrames: 8 });
    expect(parseRewardRecipe({ numFrames: 4 }, base)).toMatchObject({ gate: false, numFrames: 4 });
  });

  it.each([
    [{ semanticWeight: -1 }, 'semanticWeight'],
    [{ semanticWeight: Number.POSITIVE_INFINITY }, 'semanticWeight'],
    [{ gate: 'yes' }, 'gate'],
    [{ aggregation: 'max' }, 'aggregation'],
    [{ descriptionTokens: 0 }, 'descriptionTokens'],
    [{ numFrames: 2.5 }, 'numFrames'],
    [{ description: { extent: 'paragraph' } }, 'description.extent'],
    [{ description: { abbreviations: ['e g'] } }, 'description.abbreviations.0'],
    [{ lengthBonus: { minTokens: -1 } }, 'lengthBonus.minTokens'],
    [{ lengthBonus: { minTokens: 600 } }, 'lengthBonus.minTokens'], // above maxTokens 512
    [{ lengthBonus: { minCorrect: 0 } }, 'lengthBonus.minCorrect'],
    [{ lengthBonus: { colour: 'red' } }, 'lengthBonus.colour'],
    [{ temporalBonus: { accuracyThreshold: 1.5 } }, 'temporalBonus.accuracyThreshold'],
    [{ regressionEpsilon: 0 }, 'regressionEpsilon'],
    [{ maxTextChars: 0 }, 'maxTextChars'],
    [{ maxGroupSize: -3 }, 'maxGroupSize'],
    [{ weight: 2 }, 'weight'], // unknown key
    [{ accuracy: false }, 'gate'], // the default gate needs R_a
    [{ accuracy: false, gate: false, lengthBonus: { enabled: true } }, 'lengthBonus.enabled'],
    [{ accuracy: false, gate: false, temporalBonus: { enabled: true } }, 'temporalBonus.enabled'],
    [42, 'recipe'],
  ])('%j names %s', (input, field) => {
    try {
      parseRewardRecipe(input);
      expect.unreachable('should have thrown');
    } catch (error) {
      expect(error).toBeInstanceOf(RewardRecipeError);
      expect((error as RewardRecipeError).field).toBe(field);
      expect((error as Error).message.startsWith(`${field}: `)).toBe(true);
    }
  });

  it('accepts accuracy off when nothing needs it', () => {
    expect(parseRewardRecipe({ accuracy: false, gate: false }).accuracy).toBe(false);
    expect(parseRewardRecipe({ accuracy: false, semantic: false }).semantic).toBe(false);
  });
});

describe('recipeFromProto', () => {
  it('keeps the base for unset fields', () => {
    expect(recipeFromProto(undefined)).toEqual(DEFAULT_REWARD_RECIPE);
    expect(recipeFromProto(create(RewardRecipeSchema, {}))).toEqual(DEFAULT_REWARD_RECIPE);
  });

  it('maps every set field', () => {
    const message = create(RewardRecipeSchema, {
      format: false,
      accuracy: true,
      semanticConsistency: true,
      semanticWeight: 0,
      gateSemanticOnAccuracy: false,
      aggregation: SimilarityAggregation.MEAN_CLIPPED_COSINE,
      descriptionTokens: 32,
      numFrames: 8,
      lengthBonus: true,
      temporalBonus: true,
    });
    expect(recipeFromProto(message)).toMatchObject({
      format: false,
      semanticWeight: 0,
      gate: false,
      aggregation: 'mean-clipped-cosine',
      descriptionTokens: 32,
      numFrames: 8,
      lengthBonus: { enabled: true, value: 0.2 },
      temporalBonus: { enabled: true, value: 0.3 },
    });
  });

  it('validates like parseRewardRecipe', () => {
    expect(() => recipeFromProto(create(RewardRecipeSchema, { numFrames: 0 }))).toThrow(/^numFrames:/);
    expect(() => recipeFromProto(create(RewardRecipeSchema, { aggregation: 7 as SimilarityAggregation }))).toThrow(
      /^aggregation: unknown/,
    );
  });
});
