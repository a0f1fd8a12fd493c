/**
 * The stages of a local GRPO step before the update, as functions of the typed batch:
 * generate (onnxruntime, current weights) → reward (format + accuracy) → reference (frozen model's
 * log-probs, onnxruntime scoring) → advantages (group-normalised, @vrft/rl).
 *
 * Semantic consistency R_s needs the dual encoder's embeddings, which this local loop does not
 * compute: the reward here is R = R_f + R_a (recipe with `semantic: false`). The distributed path
 * gets R_s from the RewardService.
 */
import { toProblemType } from '@vrft/data';
import { type OrtEngine } from '@vrft/engine-ort';
import { parseRewardRecipe, scoreGroup, type RewardRecipe } from '@vrft/rewards';
import { computeGroupAdvantages, type GrpoConfig } from '@vrft/rl';
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

/** The reward recipe of the local loop: format and accuracy, no semantic consistency (no encoder here). */
export function localRewardRecipe(): RewardRecipe {
  return parseRewardRecipe({ semantic: false });
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

/** Scores every completion: R_f, R_a and the total of the recipe. */
export function rewardGroups(groups: readonly GeneratedGroup[], recipe: RewardRecipe): RewardedGroup[] {
  return groups.map((group) => {
    const scores = scoreGroup(
      {
        problemType: toProblemType(group.prompt.problemType),
        solution: group.prompt.solution,
        completions: group.completions.map((c) => ({ text: c.text, numTokens: c.tokenIds.length })),
      },
      recipe,
    );
    return {
      ...group,
      rewards: {
        format: scores.map((s) => s.format.value),
        accuracy: scores.map((s) => s.accuracy.value),
        total: scores.map((s) => s.total),
      },
    };
  });
}

/** Adds log π_ref of every completion token, scored by the frozen reference engine. */
export async function referenceGroups(engine: OrtEngine, groups: readonly RewardedGroup[]): Promise<ReferencedGroup[]> {
  const frames = engine.config.frames;
  // Empty completions (cut at their first token) have nothing to score.
  const requests = groups.flatMap((group) =>
    group.completions
      .filter((completion) => completion.tokenIds.length > 0)
      .map((completion) => ({
        promptIds: group.prompt.promptIds,
        completionIds: completion.tokenIds,
        video: { frames: group.prompt.frames, frameCount: frames },
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
