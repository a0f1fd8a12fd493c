/**
 * The method's rewards (method.md §4), pure and without I/O: format R_f,
 * accuracy R_a for every problem type, semantic consistency R_s from
 * embeddings computed elsewhere, optional bonuses, and the gated total.
 *
 * Scoring a group: collectDescriptionSpans → encode the spans and the frames
 * (an adapter's job) → scoreGroup → toRewardBreakdown per completion.
 */
export { type ComponentScore } from './component-score.js';
export { RewardInputError, RewardRecipeError } from './errors.js';
export { checkFormat, extractAnswer, extractSolution, extractThink } from './tags.js';
export { type AccuracyOptions, scoreAccuracy, scoreAnswer } from './accuracy.js';
export { type RougeScores, rougeScores, wordErrorRate } from './text-metrics.js';
export { stemPorter } from './porter-stemmer.js';
export { meanRelativeAccuracy, regressionAccuracy, relativeError } from './regression.js';
export {
  DEFAULT_ABBREVIATIONS,
  type DescriptionExtent,
  type DescriptionSpan,
  type DescriptionSpanOptions,
  extractDescriptionSpan,
} from './description-span.js';
export {
  cosineSimilarity,
  type SemanticConsistencyOptions,
  type SemanticScore,
  type SimilarityAggregationMode,
  semanticConsistency,
  type Vector,
} from './semantic-consistency.js';
export { type LengthBonusOptions, type TemporalBonusOptions, type TemporalStats } from './bonuses.js';
export { DEFAULT_REWARD_RECIPE, parseRewardRecipe, type RewardRecipe, type RewardRecipeInput } from './recipe.js';
export {
  type CollectSpansOptions,
  collectDescriptionSpans,
  type CompletionGroup,
  type CompletionReward,
  type GroupCompletion,
  type GroupEmbeddings,
  scoreGroup,
} from './score-group.js';
export { groupFromScoreRequest, recipeFromProto, toRewardBreakdown } from './proto-mapping.js';
