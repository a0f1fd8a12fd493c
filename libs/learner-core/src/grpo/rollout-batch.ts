/**
 * The typed batch that flows through a GRPO step. Each stage returns the batch with its own part
 * added, so the type says what is known at every point:
 * generate → GeneratedGroup, (encode → GroupEmbeddings beside it, for R_s) reward → RewardedGroup,
 * reference → ReferencedGroup,
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
  /** The sample's media path (relative to the data directory): where R_s gets its frames. */
  readonly clipPath: string;
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

/** R_s of every completion of a group, and why it is zero where it is. */
export interface SemanticRewards {
  /** R_s = min(1, w · max(s, 0)) per completion; 0 where gated or without a description span. */
  readonly value: readonly number[];
  /** R_a = 0 switched R_s off (the gate 1[R_a > 0]). */
  readonly gated: readonly boolean[];
  /** A description span was encoded and compared with the frames. */
  readonly scored: readonly boolean[];
}

/** Per-completion rewards by component. */
export interface GroupRewards {
  readonly format: readonly number[];
  readonly accuracy: readonly number[];
  /** Present when the recipe has semantic consistency on. */
  readonly semantic?: SemanticRewards;
  /** The length bonus per completion, present when the recipe has it on. */
  readonly lengthBonus?: readonly number[];
  /** The temporal (T-GRPO) bonus per completion, present when the recipe has it on. */
  readonly temporalBonus?: readonly number[];
  /** R = R_f + R_a (+ 1[R_a > 0]·R_s when semantic consistency is on, + enabled bonuses). */
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
