/**
 * The stages of a local GRPO step before the update, as functions of the typed batch:
 * generate (onnxruntime, current weights) → encode (dual encoder, R_s only: semantic-encoding.ts)
 * → reward (the recipe's R = R_f + R_a + 1[R_a > 0]·R_s + bonuses) → (filter: dynamic sampling,
 * informativeGroups) → reference (frozen model's log-probs, onnxruntime scoring) → advantages
 * (group-normalised, @vrft/rl).
 */
import { toProblemType } from '@vrft/data';
import { type OrtEngine } from '@vrft/engine-ort';
import {
  DEFAULT_REWARD_RECIPE,
  parseRewardRecipe,
  RewardRecipeError,
  scoreGroup,
  type CompletionGroup,
  type GroupEmbeddings,
  type RewardRecipe,
  type RewardRecipeInput,
} from '@vrft/rewards';
import { computeGroupAdvantages, type GrpoConfig } from '@vrft/rl';
import { TrainingOptionsError } from '../errors.js';
import {
  type GeneratedGroup,
  type ReferencedGroup,
  type RewardedGroup,
  type RolloutTask,
  type ScoredGroup,
} from './rollout-batch.js';

/** Sampling of rollouts (method.md §5: temperature 1; the paper adds top-p 0.95). */
export interface RolloutSampling {
  readonly temperature: number;
  readonly topP: number;
  readonly topK: number;
  readonly maxNewTokens: number;
}

/**
 * The temperature the update's and the reference's log-probs are taken at for rollouts sampled
 * with `sampling`: its τ, or 1 for greedy rollouts (τ = 0 has no distribution; onnxruntime reports
 * their log-probs at τ = 1 too).
 */
export function logProbTemperature(sampling: Pick<RolloutSampling, 'temperature'>): number {
  return sampling.temperature > 0 ? sampling.temperature : 1;
}

/**
 * The reward recipe of the local loop: `input` over the method's defaults, with R_s on by default
 * only when a dual encoder is given (without one the default is R = R_f + R_a). A bad field is a
 * TrainingOptionsError naming `reward.<field>`.
 */
export function localRewardRecipe(input: RewardRecipeInput = {}, withEncoder = false): RewardRecipe {
  const base = { ...DEFAULT_REWARD_RECIPE, semantic: withEncoder };
  try {
    return parseRewardRecipe(input, base);
  } catch (error) {
    if (error instanceof RewardRecipeError)
      throw new TrainingOptionsError(`reward.${error.field}`, error.message.slice(error.field.length + 2), {
        cause: error,
      });
    throw error;
  }
}

/** A generated group as @vrft/rewards scores it. */
export function completionGroupOf(group: GeneratedGroup): CompletionGroup {
  return {
    problemType: toProblemType(group.prompt.problemType),
    solution: group.prompt.solution,
    completions: group.completions.map((c) => ({ text: c.text, numTokens: c.tokenIds.length })),
  };
}

/** Samples G completions per prompt; `seeds[i]` seeds prompt i's stream (derived per sample by the engine). */
export async function generateGroups(
  engine: OrtEngine,
  prompts: readonly RolloutTask[],
  groupSize: number,
  sampling: RolloutSampling,
  seeds: readonly bigint[],
  policyVersion: number,
): Promise<GeneratedGroup[]> {
  const frames = engine.config.frames;
  const { results } = await engine.generate(
    prompts.map((prompt, i) => ({
      promptIds: prompt.promptIds,
      video: { frames: prompt.frames, frameCount: frames },
      samples: groupSize,
      sampling: { ...sampling, seed: seeds[i] as bigint },
    })),
  );
  const { pad, bos, video } = engine.config.specialTokens;
  const banned = new Set([pad, bos, video]);
  return prompts.map((prompt, i) => ({
    prompt,
    policyVersion,
    completions: (results[i]?.completions ?? []).map((c) => {
      // A completion that samples <video>, <pad> or <bos> ends there: those ids mean positions of
      // the input, and scoring them as text would splice a visual token that does not exist.
      const cut = c.tokenIds.findIndex((id) => banned.has(id));
      if (cut < 0) return { tokenIds: c.tokenIds, behaviourLogprobs: c.logprobs, text: c.text };
      const tokenIds = c.tokenIds.slice(0, cut);
      return { tokenIds, behaviourLogprobs: c.logprobs.slice(0, cut), text: engine.tokenizer.decode(tokenIds) };
    }),
  }));
}

/**
 * Scores every completion with the recipe: R_f, R_a, R_s (from `embeddings[g]`, the encode stage's
 * output, when the recipe has it on) and the total R = R_f + R_a + 1[R_a > 0]·R_s + bonuses.
 */
export function rewardGroups(
  groups: readonly GeneratedGroup[],
  recipe: RewardRecipe,
  embeddings?: readonly (GroupEmbeddings | undefined)[],
): RewardedGroup[] {
  return groups.map((group, g) => {
    const embedded = embeddings?.[g];
    const scores = scoreGroup(completionGroupOf(group), recipe, embedded);
    const accuracy = scores.map((s) => s.accuracy.value);
    return {
      ...group,
      rewards: {
        format: scores.map((s) => s.format.value),
        accuracy,
        ...(recipe.semantic
          ? {
              semantic: {
                value: scores.map((s) => s.semantic.value),
                gated: accuracy.map((a) => recipe.gate && !(a > 0)),
                scored: scores.map((_, i) => embedded?.texts[i] !== undefined),
              },
            }
          : {}),
        ...(recipe.lengthBonus.enabled ? { lengthBonus: scores.map((s) => s.lengthBonus.value) } : {}),
        ...(recipe.temporalBonus.enabled ? { temporalBonus: scores.map((s) => s.temporalBonus.value) } : {}),
        total: scores.map((s) => s.total),
      },
    };
  });
}

/**
 * Whether a group's accuracy rewards spread by at least `minSpread`: max_i R_a,i − min_i R_a,i ≥
 * minSpread (always, for `minSpread` 0). A TrainingOptionsError names a threshold outside [0, 1].
 */
export function hasAccuracySpread(accuracy: readonly number[], minSpread: number): boolean {
  if (!(minSpread >= 0 && minSpread <= 1))
    throw new TrainingOptionsError('minAccuracySpread', `expected a number in [0, 1], got ${minSpread}`);
  if (minSpread === 0) return true;
  if (accuracy.length === 0) return false;
  return Math.max(...accuracy) - Math.min(...accuracy) >= minSpread;
}

/**
 * Dynamic sampling (DAPO): the groups with an accuracy spread of at least `minSpread`
 * (hasAccuracySpread); `minSpread` 0 keeps every group. A group of all-right or all-wrong
 * completions has no accuracy signal: its advantages are only the spread of R_f and R_s, which the
 * std normalisation scales up to ±1, so it adds noise to the update and costs as much.
 */
export function informativeGroups<T extends RewardedGroup>(groups: readonly T[], minSpread: number): T[] {
  return groups.filter((group) => hasAccuracySpread(group.rewards.accuracy, minSpread));
}

/**
 * Adds log π_ref of every completion token, scored by the frozen reference engine under
 * softmax(z/τ) at the rollouts' sampling temperature, so the KL term compares π_θ and π_ref at the
 * same τ as the update's log π_θ (GrpoUpdateOptions.temperature).
 */
export async function referenceGroups(
  engine: OrtEngine,
  groups: readonly RewardedGroup[],
  temperature = 1,
): Promise<ReferencedGroup[]> {
  const frames = engine.config.frames;
  // Empty completions (cut at their first token) have nothing to score.
  const requests = groups.flatMap((group) =>
    group.completions
      .filter((completion) => completion.tokenIds.length > 0)
      .map((completion) => ({
        promptIds: group.prompt.promptIds,
        completionIds: completion.tokenIds,
        video: { frames: group.prompt.frames, frameCount: frames },
        temperature,
      })),
  );
  const { results } = requests.length > 0 ? await engine.score(requests) : { results: [] };
  let next = 0;
  return groups.map((group) => ({
    ...group,
    referenceLogprobs: group.completions.map((c) => (c.tokenIds.length > 0 ? (results[next++]?.logprobs ?? []) : [])),
  }));
}

/** A_i = (r_i − mean_g) / (std_g + ε) per group (the config's ε and scaling). */
export function advantageGroups(groups: readonly ReferencedGroup[], grpo: GrpoConfig): ScoredGroup[] {
  return groups.map((group) => ({
    ...group,
    advantages: Array.from(computeGroupAdvantages(group.rewards.total, grpo)),
  }));
}
