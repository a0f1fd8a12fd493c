/**
 * The typed batch that flows through a GRPO step. Each stage returns the batch with its own part
 * added, so the type says what is known at every point:
 * generate → GeneratedGroup, reward → RewardedGroup, reference → ReferencedGroup,
 * advantages → ScoredGroup (what the update needs; the learner service builds these from bus
 * messages).
 */
import { type ProblemTypeName } from '@vrft/data';

/** A prompt as the model reads it: expanded ids and its clip. */
export interface RolloutPrompt {
  readonly problemId: string;
  /** Expanded prompt ids (buildInputSequence). */
  readonly promptIds: readonly number[];
  /** [F, H, W, 3] frames at the model's size. */
  readonly frames: Uint8Array;
}

/** A prompt to roll out locally, with what its answers are judged against. */
export interface RolloutTask extends RolloutPrompt {
  readonly problemType: ProblemTypeName;
  /** Reference answer (`<answer>X</answer>` or bare). */
  readonly solution: string;
}

/** One sampled completion. */
export interface RolloutCompletion {
  readonly tokenIds: readonly number[];
  /** log π_behaviour of each token (what the sampler reported). */
  readonly behaviourLogprobs: readonly number[];
  readonly text: string;
}

/** G completions of one prompt, sampled with one policy version. */
export interface GeneratedGroup {
  readonly prompt: RolloutTask;
  /** Weights version the completions were sampled with. */
  readonly policyVersion: number;
  readonly completions: readonly RolloutCompletion[];
}

/** Per-completion rewards by component. */
export interface GroupRewards {
  readonly format: readonly number[];
  readonly accuracy: readonly number[];
  /** R = R_f + R_a (+ 1[R_a > 0]·R_s when semantic consistency is on). */
  readonly total: readonly number[];
}

/** A group with its rewards. */
export interface RewardedGroup extends GeneratedGroup {
  readonly rewards: GroupRewards;
}

/** A group with the reference model's log-probs of every completion token. */
export interface ReferencedGroup extends RewardedGroup {
  /** [G][completion length] log π_ref. */
  readonly referenceLogprobs: readonly (readonly number[])[];
}

/** A group ready for the update: A_i per completion. */
export interface ScoredGroup extends ReferencedGroup {
  readonly advantages: readonly number[];
}

/** What the update needs of a group (a ScoredGroup, or one built from a bus RolloutGroup). */
export interface UpdateGroup {
  readonly prompt: RolloutPrompt;
  readonly completions: readonly RolloutCompletion[];
  /** [G][completion length] log π_ref. */
  readonly referenceLogprobs: readonly (readonly number[])[];
  readonly advantages: readonly number[];
}

/** What the step metrics need of a group. */
export interface MetricGroup {
  readonly policyVersion: number;
  readonly completions: readonly RolloutCompletion[];
  readonly rewards: GroupRewards;
  readonly advantages: readonly number[];
}
