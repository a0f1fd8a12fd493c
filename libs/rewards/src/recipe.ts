import { z } from 'zod';
import type { LengthBonusOptions, TemporalBonusOptions } from './bonuses.js';
import { DEFAULT_ABBREVIATIONS, type DescriptionExtent } from './description-span.js';
import { RewardRecipeError } from './errors.js';
import { DEFAULT_REGRESSION_EPSILON } from './regression.js';
import {
  DEFAULT_AGGREGATION,
  DEFAULT_SEMANTIC_WEIGHT,
  type SimilarityAggregationMode,
} from './semantic-consistency.js';

/** Which reward components are on and with what constants and limits (method.md §4). */
export interface RewardRecipe {
  /** R_f on. Default true. */
  readonly format: boolean;
  /** R_a on. Default true. The gate and both bonuses need it. */
  readonly accuracy: boolean;
  /** R_s on. Default true. */
  readonly semantic: boolean;
  /** w in R_s = min(1, w · max(cos, 0)). Default 2. */
  readonly semanticWeight: number;
  /** Count R_s only when R_a > 0: R = R_f + R_a + 1[R_a > 0] · R_s. Default true. */
  readonly gate: boolean;
  /** How frame embeddings are combined. Default 'mean-frame-embedding' (the paper). */
  readonly aggregation: SimilarityAggregationMode;
  /** M: text-encoder tokens kept of the description span. Default 64. */
  readonly descriptionTokens: number;
  /** F: frames sampled uniformly and encoded by the image encoder. Default 16. */
  readonly numFrames: number;
  /** How the description span is cut out of `<think>`. */
  readonly description: {
    /** Default 'sentence'. */
    readonly extent: DescriptionExtent;
    /** Default DEFAULT_ABBREVIATIONS. */
    readonly abbreviations: readonly string[];
  };
  /** Default off, +0.2, R_a > 0.1, [320, 512] tokens, 2 correct. */
  readonly lengthBonus: LengthBonusOptions;
  /** Default off, +0.3, R_a > 0.1. */
  readonly temporalBonus: TemporalBonusOptions;
  /** ε of the regression relative error. Default 1e-9. */
  readonly regressionEpsilon: number;
  /** Longest solution or completion text accepted, in UTF-16 code units. Default 32768 (~8× a 1024-token completion). */
  readonly maxTextChars: number;
  /** Most completions accepted in one group. Default 256. */
  readonly maxGroupSize: number;
}

/** The recipe with every default. */
export const DEFAULT_REWARD_RECIPE: RewardRecipe = Object.freeze({
  format: true,
  accuracy: true,
  semantic: true,
  semanticWeight: DEFAULT_SEMANTIC_WEIGHT,
  gate: true,
  aggregation: DEFAULT_AGGREGATION,
  descriptionTokens: 64,
  numFrames: 16,
  description: Object.freeze({ extent: 'sentence' as const, abbreviations: DEFAULT_ABBREVIATIONS }),
  lengthBonus: Object.freeze({
    enabled: false,
    value: 0.2,
    accuracyThreshold: 0.1,
    minTokens: 320,
    maxTokens: 512,
    minCorrect: 2,
  }),
  temporalBonus: Object.freeze({ enabled: false, value: 0.3, accuracyThreshold: 0.1 }),
  regressionEpsilon: DEFAULT_REGRESSION_EPSILON,
  maxTextChars: 32_768,
  maxGroupSize: 256,
});

const finiteNonNegative = z.number().finite().min(0);
const unitInterval = z.number().min(0).max(1);
const positiveInt = z.number().int().min(1);

// Every field optional: what is given overrides the base recipe, nested objects field by field.
const recipeInputSchema = z.strictObject({
  format: z.boolean().optional(),
  accuracy: z.boolean().optional(),
  semantic: z.boolean().optional(),
  semanticWeight: finiteNonNegative.optional(),
  gate: z.boolean().optional(),
  aggregation: z.enum(['mean-frame-embedding', 'mean-clipped-cosine']).optional(),
  descriptionTokens: positiveInt.optional(),
  numFrames: positiveInt.optional(),
  description: z
    .strictObject({
      extent: z.enum(['sentence', 'rest']).optional(),
      abbreviations: z.array(z.string().regex(/^\S+$/u, 'must be a non-empty word without spaces')).optional(),
    })
    .optional(),
  lengthBonus: z
    .strictObject({
      enabled: z.boolean().optional(),
      value: finiteNonNegative.optional(),
      accuracyThreshold: unitInterval.optional(),
      minTokens: z.number().int().min(0).optional(),
      maxTokens: z.number().int().min(0).optional(),
      minCorrect: positiveInt.optional(),
    })
    .optional(),
  temporalBonus: z
    .strictObject({
      enabled: z.boolean().optional(),
      value: finiteNonNegative.optional(),
      accuracyThreshold: unitInterval.optional(),
    })
    .optional(),
  regressionEpsilon: z.number().finite().positive().optional(),
  maxTextChars: positiveInt.optional(),
  maxGroupSize: positiveInt.optional(),
});

/** A partial recipe, as accepted by parseRewardRecipe. */
export type RewardRecipeInput = z.input<typeof recipeInputSchema>;

/**
 * Validates a partial recipe and fills it from `base` (default: the defaults).
 * Throws RewardRecipeError naming the first bad or unknown field, including
 * combinations that cannot work (the gate or a bonus without R_a).
 */
export function parseRewardRecipe(input: unknown = {}, base: RewardRecipe = DEFAULT_REWARD_RECIPE): RewardRecipe {
  const parsed = recipeInputSchema.safeParse(input ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = (issue?.path ?? []).map(String);
    if (issue?.code === 'unrecognized_keys') path.push(issue.keys[0] ?? '');
    throw new RewardRecipeError(path.join('.') || 'recipe', issue?.message ?? 'invalid', { cause: parsed.error });
  }
  const given = parsed.data;
  const recipe: RewardRecipe = {
    format: given.format ?? base.format,
    accuracy: given.accuracy ?? base.accuracy,
    semantic: given.semantic ?? base.semantic,
    semanticWeight: given.semanticWeight ?? base.semanticWeight,
    gate: given.gate ?? base.gate,
    aggregation: given.aggregation ?? base.aggregation,
    descriptionTokens: given.descriptionTokens ?? base.descriptionTokens,
    numFrames: given.numFrames ?? base.numFrames,
    description: {
      extent: given.description?.extent ?? base.description.extent,
      abbreviations: given.description?.abbreviations ?? base.description.abbreviations,
    },
    lengthBonus: { ...base.lengthBonus, ...withoutUndefined(given.lengthBonus) },
    temporalBonus: { ...base.temporalBonus, ...withoutUndefined(given.temporalBonus) },
    regressionEpsilon: given.regressionEpsilon ?? base.regressionEpsilon,
    maxTextChars: given.maxTextChars ?? base.maxTextChars,
    maxGroupSize: given.maxGroupSize ?? base.maxGroupSize,
  };
  checkCombinations(recipe);
  return recipe;
}

function checkCombinations(recipe: RewardRecipe): void {
  if (recipe.lengthBonus.minTokens > recipe.lengthBonus.maxTokens) {
    throw new RewardRecipeError('lengthBonus.minTokens', 'must not exceed lengthBonus.maxTokens');
  }
  if (recipe.accuracy) return;
  if (recipe.semantic && recipe.gate) {
    throw new RewardRecipeError('gate', 'gating R_s on R_a needs accuracy on (or set gate: false)');
  }
  if (recipe.lengthBonus.enabled) throw new RewardRecipeError('lengthBonus.enabled', 'needs accuracy on');
  if (recipe.temporalBonus.enabled) throw new RewardRecipeError('temporalBonus.enabled', 'needs accuracy on');
}

// Spreading `{ value: undefined }` would erase a base value; keep only the given fields.
function withoutUndefined<T extends object>(value: T | undefined): Partial<T> {
  if (value === undefined) return {};
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
