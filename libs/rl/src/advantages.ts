import { GrpoInputError } from './errors.js';

/** What the group advantage needs of the config (a GrpoConfig fits). */
export interface AdvantageOptions {
  /** The ε in A_i = (r_i − mean) / (std + ε). Default 1e-4. */
  readonly advantageEpsilon?: number;
  /** Divide by the group std. Default true; false gives A_i = r_i − mean (Dr. GRPO). */
  readonly scaleAdvantagesByStd?: boolean;
}

/** Mean and unbiased standard deviation of one group's rewards. */
export interface GroupStats {
  readonly mean: number;
  /** Unbiased (n − 1) std; 0 for a group of one (the n − 1 estimator is undefined there). */
  readonly std: number;
}

/**
 * mean_g = (1/G) Σ r_i and std_g = sqrt(Σ (r_i − mean_g)² / (G − 1)), the unbiased std the
 * public code takes over the group (torch's default). A group of one has std 0 by definition here.
 */
export function computeGroupStats(rewards: ArrayLike<number>): GroupStats {
  const n = rewards.length;
  if (n === 0) throw new GrpoInputError('rewards', 'a group needs at least one reward');
  let sum = 0;
  for (let i = 0; i < n; i++) sum += checkFinite(rewards, i);
  const mean = sum / n; // mean_g = (1/G) Σ r_i
  if (n === 1) return { mean, std: 0 };
  let squares = 0;
  for (let i = 0; i < n; i++) {
    const d = (rewards[i] ?? 0) - mean;
    squares += d * d;
  }
  return { mean, std: Math.sqrt(squares / (n - 1)) }; // std_g = sqrt(Σ (r_i − mean_g)² / (G − 1))
}

/**
 * Advantages of one group of G completions of the same prompt (method.md §5):
 * A_i = (r_i − mean_g) / (std_g + ε). Every completion's tokens share its A_i.
 *
 * Degenerate groups carry no learning signal and get A_i = 0 exactly: a group of one (std is
 * taken as 0, and r_1 − mean = 0), and a group whose rewards are all equal (std 0, so
 * (r_i − mean) / ε = 0 / ε = 0).
 */
export function computeGroupAdvantages(rewards: ArrayLike<number>, options: AdvantageOptions = {}): Float64Array {
  const epsilon = options.advantageEpsilon ?? 1e-4;
  if (!(epsilon > 0) || !Number.isFinite(epsilon)) {
    throw new GrpoInputError('advantageEpsilon', `must be a finite number > 0, got ${epsilon}`);
  }
  const { mean, std } = computeGroupStats(rewards);
  const scale = options.scaleAdvantagesByStd === false ? 1 : std + epsilon;
  const advantages = new Float64Array(rewards.length);
  for (let i = 0; i < rewards.length; i++) {
    advantages[i] = ((rewards[i] ?? 0) - mean) / scale; // A_i = (r_i − mean_g) / (std_g + ε)
  }
  return advantages;
}

/**
 * Advantages of a batch laid out as consecutive groups of `groupSize` (prompts × G, the order
 * GenerateRollouts returns): each group is normalised on its own statistics.
 */
export function computeBatchAdvantages(
  rewards: ArrayLike<number>,
  groupSize: number,
  options: AdvantageOptions = {},
): Float64Array {
  if (!Number.isInteger(groupSize) || groupSize < 1) {
    throw new GrpoInputError('groupSize', `must be an integer ≥ 1, got ${groupSize}`);
  }
  if (rewards.length % groupSize !== 0) {
    throw new GrpoInputError('rewards', `length ${rewards.length} is not a multiple of the group size ${groupSize}`);
  }
  const advantages = new Float64Array(rewards.length);
  const values = Array.from(rewards);
  for (let start = 0; start < values.length; start += groupSize) {
    advantages.set(computeGroupAdvantages(values.slice(start, start + groupSize), options), start);
  }
  return advantages;
}

function checkFinite(values: ArrayLike<number>, i: number): number {
  const v = values[i];
  if (v === undefined || !Number.isFinite(v)) throw new GrpoInputError(`rewards[${i}]`, `must be finite, got ${v}`);
  return v;
}
