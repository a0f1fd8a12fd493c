/**
 * The update rule: learning-rate schedule (linear warm-up, then cosine decay), global-norm
 * gradient clipping and AdamW with decoupled weight decay. Options are validated in one place.
 */
import * as tf from '@tensorflow/tfjs-core';
import { weightKind } from '@vrft/model';
import { EngineOptionsError } from './errors.js';

/** Options of the optimizer and its schedule. */
export interface OptimizerOptions {
  /** Peak learning rate, reached at the end of warm-up. Default 3e-4. */
  readonly learningRate: number;
  /** Learning rate at the end of the cosine decay. Default 3e-5. */
  readonly minLearningRate: number;
  /** Steps of linear warm-up. Default 10. */
  readonly warmupSteps: number;
  /** Step at which the cosine reaches minLearningRate (it stays there after). Default 1000. */
  readonly totalSteps: number;
  /** Adam's first-moment decay β1. Default 0.9. */
  readonly beta1: number;
  /** Adam's second-moment decay β2. Default 0.95. */
  readonly beta2: number;
  /** Adam's ε. Default 1e-8. */
  readonly epsilon: number;
  /** Decoupled weight decay λ (matrices and embeddings only). Default 0.1. */
  readonly weightDecay: number;
  /** Clip the global gradient norm to this; 0 turns clipping off. Default 1. */
  readonly maxGradNorm: number;
  /**
   * Weights left as they are: names or name prefixes up to a dot (`vision` is every `vision.*`
   * weight, `lm.embed` the token embedding). They get no gradient, no moments and no decay, as
   * RL recipes for video models often keep the vision tower frozen. Default none.
   */
  readonly frozen: readonly string[];
}

/** Defaults of OptimizerOptions. */
export const DEFAULT_OPTIMIZER_OPTIONS: OptimizerOptions = {
  learningRate: 3e-4,
  minLearningRate: 3e-5,
  warmupSteps: 10,
  totalSteps: 1000,
  beta1: 0.9,
  beta2: 0.95,
  epsilon: 1e-8,
  weightDecay: 0.1,
  maxGradNorm: 1,
  frozen: [],
};

function checkNumber(value: unknown, field: string, min: number, max: number, integer = false): number {
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value < min ||
    value > max ||
    (integer && !Number.isInteger(value))
  ) {
    throw new EngineOptionsError(
      field,
      `expected ${integer ? 'an integer' : 'a number'} in [${min}, ${max}], got ${String(value)}`,
    );
  }
  return value;
}

function checkWeightPrefixes(value: unknown, field: string): readonly string[] {
  if (!Array.isArray(value))
    throw new EngineOptionsError(field, `expected a list of weight names, got ${String(value)}`);
  for (const prefix of value as unknown[]) {
    if (typeof prefix !== 'string' || !/^[a-z0-9_]+(\.[a-z0-9_]+)*$/.test(prefix))
      throw new EngineOptionsError(
        field,
        `${JSON.stringify(prefix)} is not a weight name or dotted prefix (e.g. vision)`,
      );
  }
  return Object.freeze([...(value as string[])]);
}

/** Whether weight `name` is `prefix` itself or lies under it (`vision` covers `vision.norm.weight`). */
export function isUnderPrefix(name: string, prefix: string): boolean {
  return name === prefix || name.startsWith(`${prefix}.`);
}

/** Validates optimizer options and fills in defaults; throws EngineOptionsError naming the field. */
export function parseOptimizerOptions(input: Partial<OptimizerOptions> = {}): OptimizerOptions {
  for (const key of Object.keys(input)) {
    if (!(key in DEFAULT_OPTIMIZER_OPTIONS)) throw new EngineOptionsError(key, 'unknown option');
  }
  const o = { ...DEFAULT_OPTIMIZER_OPTIONS, ...input };
  const options: OptimizerOptions = {
    learningRate: checkNumber(o.learningRate, 'learningRate', 0, 10),
    minLearningRate: checkNumber(o.minLearningRate, 'minLearningRate', 0, 10),
    warmupSteps: checkNumber(o.warmupSteps, 'warmupSteps', 0, 1e9, true),
    totalSteps: checkNumber(o.totalSteps, 'totalSteps', 1, 1e9, true),
    beta1: checkNumber(o.beta1, 'beta1', 0, 0.999999),
    beta2: checkNumber(o.beta2, 'beta2', 0, 0.999999),
    epsilon: checkNumber(o.epsilon, 'epsilon', 0, 1),
    weightDecay: checkNumber(o.weightDecay, 'weightDecay', 0, 10),
    maxGradNorm: checkNumber(o.maxGradNorm, 'maxGradNorm', 0, 1e9),
    frozen: checkWeightPrefixes(o.frozen, 'frozen'),
  };
  if (options.minLearningRate > options.learningRate) {
    throw new EngineOptionsError(
      'minLearningRate',
      `${options.minLearningRate} is above learningRate ${options.learningRate}`,
    );
  }
  if (options.warmupSteps > options.totalSteps) {
    throw new EngineOptionsError('warmupSteps', `${options.warmupSteps} is more than totalSteps ${options.totalSteps}`);
  }
  return Object.freeze(options);
}

/**
 * Learning rate of step s (0-based):
 * - warm-up, s < W: lr·(s+1)/W
 * - then: min + ½(lr − min)(1 + cos(π·p)), p = (s − W)/(S − W) clamped to [0, 1].
 */
export function learningRateAt(step: number, options: OptimizerOptions): number {
  const { learningRate: peak, minLearningRate: floor, warmupSteps: warm, totalSteps: total } = options;
  if (step < warm) return (peak * (step + 1)) / warm;
  const progress = total === warm ? 1 : Math.min(1, Math.max(0, (step - warm) / (total - warm)));
  return floor + 0.5 * (peak - floor) * (1 + Math.cos(Math.PI * progress));
}

/**
 * Whether a weight is decayed: matrices and embeddings are; norm weights and biases are not (a
 * decayed norm weight would be pulled towards 0, i.e. towards switching the layer off).
 */
export function isDecayed(name: string): boolean {
  const kind = weightKind(name);
  return kind !== 'norm' && kind !== 'bias';
}

/** The global L2 norm √(Σ‖g‖²) of gradients, and the factor min(1, max/(norm + 1e-6)) that clips it. */
export function globalNormClipScale(grads: readonly tf.Tensor[], maxNorm: number): { norm: number; scale: number } {
  const norm = Math.sqrt(tf.tidy(() => tf.addN(grads.map((g) => tf.sum(tf.square(g)))).dataSync()[0] ?? 0));
  const scale = maxNorm > 0 && norm > maxNorm ? maxNorm / (norm + 1e-6) : 1;
  return { norm, scale };
}

/** One parameter's Adam moments. */
export interface AdamMoments {
  readonly m: tf.Tensor;
  readonly v: tf.Tensor;
}

/**
 * One AdamW step of a parameter θ with gradient g at step t (1-based):
 *   m = β1·m + (1−β1)·g;  v = β2·v + (1−β2)·g²
 *   m̂ = m/(1−β1ᵗ);  v̂ = v/(1−β2ᵗ)
 *   θ = θ − lr·(m̂/(√v̂ + ε) + λ·θ)      (λ only when decayed; decoupled from the gradient)
 * Returns the new θ and moments; the caller disposes the old ones.
 */
export function adamWStep(
  param: tf.Tensor,
  grad: tf.Tensor,
  moments: AdamMoments,
  step: number,
  learningRate: number,
  decay: boolean,
  options: OptimizerOptions,
): { param: tf.Tensor; moments: AdamMoments } {
  return tf.tidy(() => {
    const { beta1, beta2, epsilon, weightDecay } = options;
    const m = tf.add(tf.mul(moments.m, beta1), tf.mul(grad, 1 - beta1));
    const v = tf.add(tf.mul(moments.v, beta2), tf.mul(tf.square(grad), 1 - beta2));
    const mHat = tf.div(m, 1 - Math.pow(beta1, step));
    const vHat = tf.div(v, 1 - Math.pow(beta2, step));
    let update = tf.div(mHat, tf.add(tf.sqrt(vHat), epsilon));
    if (decay && weightDecay > 0) update = tf.add(update, tf.mul(param, weightDecay));
    return { param: tf.sub(param, tf.mul(update, learningRate)), moments: { m, v } };
  });
}
