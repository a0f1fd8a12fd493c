import { type ProblemType, RewardComponent, ZeroReason } from '@vrft/proto';
import { type PreparedSolution, prepareSolution, scoreCompletionAnswer } from './accuracy.js';
import { type TemporalStats, scoreLengthBonus, scoreTemporalBonus } from './bonuses.js';
import { type ComponentScore, valueScore, zeroScore } from './component-score.js';
import { type DescriptionSpan, extractDescriptionSpan } from './description-span.js';
import { RewardInputError } from './errors.js';
import { DEFAULT_REWARD_RECIPE, type RewardRecipe } from './recipe.js';
import { type SemanticScore, type Vector, createFrameScorer } from './semantic-consistency.js';
import { checkFormat } from './tags.js';

/** One completion to score. */
export interface GroupCompletion {
  readonly text: string;
  /** Length in tokens; required when the length bonus is on. */
  readonly numTokens?: number;
}

/** The G completions of one problem, scored together. */
export interface CompletionGroup {
  readonly problemType: ProblemType;
  /** Reference answer, with or without `<answer>` tags. */
  readonly solution: string;
  readonly completions: readonly GroupCompletion[];
  /** Required when the temporal bonus is on. */
  readonly temporal?: TemporalStats;
}

/** Embeddings for R_s, computed by the encoders outside this pure library. */
export interface GroupEmbeddings {
  /** Image-encoder embeddings of the video's F frames. */
  readonly frames: readonly Vector[];
  /**
   * Text-encoder embedding of each completion's description span, by
   * completion index; needed exactly where collectDescriptionSpans gave a span.
   */
  readonly texts: readonly (Vector | undefined)[];
}

/** Every component of one completion's reward, and the total. */
export interface CompletionReward {
  readonly format: ComponentScore;
  readonly accuracy: ComponentScore;
  readonly semantic: ComponentScore;
  readonly lengthBonus: ComponentScore;
  readonly temporalBonus: ComponentScore;
  /** R = R_f + R_a + 1[R_a > 0] · R_s + enabled bonuses (the gate term as set by the recipe). */
  readonly total: number;
}

/** Options of collectDescriptionSpans. */
export interface CollectSpansOptions {
  /** Cuts a span to the text encoder's first M tokens (recipe.descriptionTokens). */
  readonly truncate?: (text: string) => string;
}

/**
 * The description span to encode for each completion, or undefined where R_s
 * needs no text embedding (R_s off, gated by R_a = 0, or no span). Step one
 * of scoring a group: encode these, then call scoreGroup with the embeddings.
 */
export function collectDescriptionSpans(
  group: CompletionGroup,
  recipe: RewardRecipe = DEFAULT_REWARD_RECIPE,
  options: CollectSpansOptions = {},
): (string | undefined)[] {
  const solution = checkGroup(group, recipe);
  return group.completions.map((completion) => {
    if (!recipe.semantic) return undefined;
    if (isGated(recipe, scoreCompletionAnswer(solution, completion.text, recipe))) return undefined;
    const span = extractDescriptionSpan(completion.text, { ...recipe.description, truncate: options.truncate });
    return span.ok ? span.text : undefined;
  });
}

/**
 * Scores the G completions of one problem: R_f, R_a, R_s (from the given
 * embeddings), the enabled bonuses, and the total, in completion order.
 * Throws RewardInputError naming the field on bad input.
 */
export function scoreGroup(
  group: CompletionGroup,
  recipe: RewardRecipe = DEFAULT_REWARD_RECIPE,
  embeddings?: GroupEmbeddings,
): CompletionReward[] {
  const solution = checkGroup(group, recipe);
  const { completions } = group;
  const formats = completions.map((c) => (recipe.format ? checkFormat(c.text) : disabled(RewardComponent.FORMAT)));
  const accuracies = completions.map((c) =>
    recipe.accuracy ? scoreCompletionAnswer(solution, c.text, recipe) : disabled(RewardComponent.ACCURACY),
  );
  const semantics = scoreSemantics(group, recipe, accuracies, embeddings);
  const values = accuracies.map((a) => a.value);
  const lengthBonuses = recipe.lengthBonus.enabled
    ? scoreLengthBonus(values, tokenCounts(group), recipe.lengthBonus)
    : completions.map(() => disabled(RewardComponent.LENGTH_BONUS));
  const temporalBonuses = recipe.temporalBonus.enabled
    ? scoreTemporalBonus(values, temporalStats(group), recipe.temporalBonus)
    : completions.map(() => disabled(RewardComponent.TEMPORAL_BONUS));

  return completions.map((_, i) => {
    const format = formats[i] ?? disabled(RewardComponent.FORMAT);
    const accuracy = accuracies[i] ?? disabled(RewardComponent.ACCURACY);
    const semantic = semantics[i] ?? disabled(RewardComponent.SEMANTIC_CONSISTENCY);
    const lengthBonus = lengthBonuses[i] ?? disabled(RewardComponent.LENGTH_BONUS);
    const temporalBonus = temporalBonuses[i] ?? disabled(RewardComponent.TEMPORAL_BONUS);
    const gate = recipe.gate ? (accuracy.value > 0 ? 1 : 0) : 1; // 1[R_a > 0], or 1 when ungated
    // R = R_f + R_a + 1[R_a > 0] · R_s + bonus_len + bonus_temporal
    const total = format.value + accuracy.value + gate * semantic.value + lengthBonus.value + temporalBonus.value;
    return { format, accuracy, semantic, lengthBonus, temporalBonus, total };
  });
}

// Validates the group once and parses its solution.
function checkGroup(group: CompletionGroup, recipe: RewardRecipe): PreparedSolution {
  if (group.completions.length === 0) throw new RewardInputError('completions', 'empty group');
  if (group.completions.length > recipe.maxGroupSize) {
    throw new RewardInputError(
      'completions',
      `${group.completions.length} completions exceed maxGroupSize ${recipe.maxGroupSize}`,
    );
  }
  checkTextLength(group.solution, 'solution', recipe.maxTextChars);
  group.completions.forEach((c, i) => checkTextLength(c.text, `completions[${i}].text`, recipe.maxTextChars));
  return prepareSolution(group.problemType, group.solution);
}

function checkTextLength(text: string, field: string, maxChars: number): void {
  if (typeof text !== 'string') throw new RewardInputError(field, 'must be a string');
  if (text.length > maxChars) throw new RewardInputError(field, `${text.length} chars exceed maxTextChars ${maxChars}`);
}

function isGated(recipe: RewardRecipe, accuracy: ComponentScore): boolean {
  return recipe.gate && !(accuracy.value > 0);
}

function scoreSemantics(
  group: CompletionGroup,
  recipe: RewardRecipe,
  accuracies: readonly ComponentScore[],
  embeddings: GroupEmbeddings | undefined,
): ComponentScore[] {
  const component = RewardComponent.SEMANTIC_CONSISTENCY;
  if (!recipe.semantic) return group.completions.map(() => disabled(component));
  const spans: (DescriptionSpan | undefined)[] = group.completions.map((c, i) =>
    isGated(recipe, accuracies[i] ?? disabled(RewardComponent.ACCURACY))
      ? undefined
      : extractDescriptionSpan(c.text, recipe.description),
  );
  let scoreText: ((text: Vector, field: string) => SemanticScore) | undefined;
  return spans.map((span, i) => {
    if (span === undefined) return zeroScore(component, ZeroReason.GATED_BY_ACCURACY, 'R_a = 0');
    if (!span.ok) return zeroScore(component, span.reason, span.detail);
    scoreText ??= frameScorer(group, recipe, embeddings);
    const text = embeddings?.texts[i];
    if (text === undefined) {
      throw new RewardInputError(`embeddings.texts[${i}]`, 'missing for a completion with a description span');
    }
    const { value, similarity } = scoreText(text, `embeddings.texts[${i}]`);
    return valueScore(component, value, ZeroReason.NEGATIVE_SIMILARITY, `similarity ${similarity.toFixed(4)} ≤ 0`);
  });
}

function frameScorer(
  group: CompletionGroup,
  recipe: RewardRecipe,
  embeddings: GroupEmbeddings | undefined,
): (text: Vector, field: string) => SemanticScore {
  if (embeddings === undefined) throw new RewardInputError('embeddings', 'required for R_s');
  if (embeddings.texts.length !== group.completions.length) {
    throw new RewardInputError(
      'embeddings.texts',
      `${embeddings.texts.length} entries for ${group.completions.length} completions`,
    );
  }
  if (embeddings.frames.length !== recipe.numFrames) {
    throw new RewardInputError(
      'embeddings.frames',
      `${embeddings.frames.length} frames, the recipe samples ${recipe.numFrames}`,
    );
  }
  const options = { weight: recipe.semanticWeight, aggregation: recipe.aggregation };
  return createFrameScorer(embeddings.frames, options, 'embeddings.frames');
}

function tokenCounts(group: CompletionGroup): number[] {
  return group.completions.map((c, i) => {
    const n = c.numTokens;
    if (n === undefined || !Number.isInteger(n) || n < 0) {
      throw new RewardInputError(`completions[${i}].numTokens`, 'a token count ≥ 0 is required by the length bonus');
    }
    return n;
  });
}

function temporalStats(group: CompletionGroup): TemporalStats {
  if (group.temporal === undefined) throw new RewardInputError('temporal', 'required by the temporal bonus');
  return group.temporal;
}

function disabled(component: RewardComponent): ComponentScore {
  return zeroScore(component, ZeroReason.DISABLED, 'off in the recipe');
}
