/**
 * tfjs-core ships its gradient functions only in its ESM sources, which plain Node cannot load
 * (extensionless imports), and registers none by default: tf.grad over the GRPO loss fails with
 * "gradient function not found" until someone registers them. That is the training engine's job
 * (it needs the model's kernels too); this file names the kernels the loss needs so the learner
 * can check at start-up instead of failing at its first step.
 */
import * as tf from '@tensorflow/tfjs-core';
import { GrpoGradientError } from './errors.js';

/**
 * Kernels on the path from logp to the GRPO loss, whose gradients must be registered.
 * A test registers exactly these (tfjs-core's own) and differentiates every loss variant.
 */
export const GRPO_LOSS_GRADIENT_KERNELS: readonly string[] = Object.freeze([
  tf.Select, // tf.where masking of padding
  tf.Identity, // the clone inside tf.where's broadcast and stop_gradient
  tf.Sub, // logp − logp_old, logp_ref − logp, exp(x) − x − 1
  tf.Exp, // ρ = exp(·), exp(x)
  tf.Multiply, // ρ·A, w·P, β·KL
  tf.ClipByValue, // clip(ρ, 1−ε, 1+ε_high), clamp(x, −c, c)
  tf.Minimum, // min(ρ·A, clip(ρ)·A)
  tf.Neg, // ℓ = −(…)
  tf.Sum, // aggregation
  tf.RealDiv, // 1/n_i, 1/N
]);

/** The kernels of `kernels` that have no registered gradient (empty when training can run). */
export function findMissingGradients(kernels: readonly string[] = GRPO_LOSS_GRADIENT_KERNELS): string[] {
  return kernels.filter((kernel) => tf.getGradient(kernel) === undefined);
}

/** Throws GrpoGradientError naming every kernel of the loss whose gradient is not registered. */
export function assertGrpoGradientsRegistered(kernels: readonly string[] = GRPO_LOSS_GRADIENT_KERNELS): void {
  const missing = findMissingGradients(kernels);
  if (missing.length > 0) throw new GrpoGradientError(missing);
}
