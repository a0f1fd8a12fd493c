import { RewardComponent, ZeroReason } from '@vrft/proto';
import { type ComponentScore, valueScore, zeroScore } from './component-score.js';
import { RewardInputError } from './errors.js';

/** The length bonus of the public code: rewards correct completions of a moderate length. */
export interface LengthBonusOptions {
  /** Default false. */
  readonly enabled: boolean;
  /** Bonus added. Default 0.2. */
  readonly value: number;
  /** A completion is correct when R_a > this. Default 0.1. */
  readonly accuracyThreshold: number;
  /** Inclusive length range in completion tokens. Default [320, 512]. */
  readonly minTokens: number;
  readonly maxTokens: number;
  /** Correct completions the group needs before anyone gets the bonus. Default 2. */
  readonly minCorrect: number;
}

/** Video-R1's temporal (T-GRPO) bonus: rewards correct answers when frame order helped the group. */
export interface TemporalBonusOptions {
  /** Default false. */
  readonly enabled: boolean;
  /** Bonus added. Default 0.3. */
  readonly value: number;
  /** A completion is correct when R_a > this. Default 0.1. */
  readonly accuracyThreshold: number;
}

/** Accuracy of the group on ordered and on shuffled frames, each in [0, 1]. */
export interface TemporalStats {
  readonly orderedAccuracy: number;
  readonly shuffledAccuracy: number;
}

/**
 * Length bonus per completion: `value` when R_a > threshold, the length is in
 * [minTokens, maxTokens], and at least `minCorrect` completions of the group
 * have R_a > threshold; 0 with CONDITION_NOT_MET otherwise.
 */
export function scoreLengthBonus(
  accuracies: readonly number[],
  numTokens: readonly number[],
  options: LengthBonusOptions,
): ComponentScore[] {
  const component = RewardComponent.LENGTH_BONUS;
  const correct = accuracies.map((a) => a > options.accuracyThreshold);
  const numCorrect = correct.filter(Boolean).length;
  return accuracies.map((_, i) => {
    const tokens = numTokens[i] ?? 0;
    if (numCorrect < options.minCorrect) {
      return zeroScore(component, ZeroReason.CONDITION_NOT_MET, groupShort(numCorrect, options));
    }
    if (correct[i] !== true) {
      return zeroScore(component, ZeroReason.CONDITION_NOT_MET, `R_a ≤ ${options.accuracyThreshold}`);
    }
    if (tokens < options.minTokens || tokens > options.maxTokens) {
      const detail = `length ${tokens} tokens outside [${options.minTokens}, ${options.maxTokens}]`;
      return zeroScore(component, ZeroReason.CONDITION_NOT_MET, detail);
    }
    return valueScore(component, options.value, ZeroReason.CONDITION_NOT_MET, 'bonus value is 0');
  });
}

/**
 * Temporal bonus per completion: `value` for completions with R_a > threshold
 * when the group's accuracy on ordered frames ≥ its accuracy on shuffled
 * frames; 0 with CONDITION_NOT_MET otherwise.
 */
export function scoreTemporalBonus(
  accuracies: readonly number[],
  stats: TemporalStats,
  options: TemporalBonusOptions,
): ComponentScore[] {
  checkAccuracy(stats.orderedAccuracy, 'temporal.orderedAccuracy');
  checkAccuracy(stats.shuffledAccuracy, 'temporal.shuffledAccuracy');
  const component = RewardComponent.TEMPORAL_BONUS;
  const orderHelps = stats.orderedAccuracy >= stats.shuffledAccuracy; // 1[acc_ordered ≥ acc_shuffled]
  return accuracies.map((a) => {
    if (!orderHelps) {
      const detail = `ordered accuracy ${stats.orderedAccuracy} < shuffled ${stats.shuffledAccuracy}`;
      return zeroScore(component, ZeroReason.CONDITION_NOT_MET, detail);
    }
    if (a <= options.accuracyThreshold) {
      return zeroScore(component, ZeroReason.CONDITION_NOT_MET, `R_a ≤ ${options.accuracyThreshold}`);
    }
    return valueScore(component, options.value, ZeroReason.CONDITION_NOT_MET, 'bonus value is 0');
  });
}

function groupShort(numCorrect: number, options: LengthBonusOptions): string {
  return `${numCorrect} completions with R_a > ${options.accuracyThreshold}, the group needs ${options.minCorrect}`;
}

function checkAccuracy(value: number, field: string): void {
  if (!(value >= 0 && value <= 1)) throw new RewardInputError(field, `must be in [0, 1], got ${value}`);
}
