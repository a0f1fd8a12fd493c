/**
 * The GRPO loss as TensorFlow.js ops, so that gradients flow from the loss into the learner's
 * log-probs. Same equations, symbols and conventions as grpo-reference.ts (read the math there);
 * tests hold the two equal on random inputs.
 *
 *   ρ = exp(logp − logp_old)                        logp_old = stop_gradient(logp) when absent
 *   P = min(ρ·A, clip(ρ, 1−ε, 1+ε_high)·A) | ρ·A
 *   x = clamp(logp_ref − logp, −c, c); KL = exp(x) − x − 1
 *   w = min(exp(logp_old − logp_b), C)              no gradient
 *   ℓ = −(w·P − β·KL);  L = sequence-mean or token-mean of ℓ over the mask
 *
 * The backend is the caller's choice (the engine picks it); nothing here sets one.
 */
import * as tf from '@tensorflow/tfjs-core';
import { GrpoInputError } from './errors.js';
import type { GrpoMetrics } from './grpo-metrics.js';
import type { GrpoLossConfig } from './grpo-reference.js';

/** The loss inputs as tensors; shapes as in GrpoReferenceInputs. All float32 except the mask (any dtype). */
export interface GrpoLossTensors {
  /** log π_θ of the sampled tokens, [B, T]; the tensor gradients flow into. */
  readonly logp: tf.Tensor2D;
  /** log π_θold, [B, T]; absent: stop_gradient(logp) (K = 1, ρ ≡ 1 with gradient A). */
  readonly logpOld?: tf.Tensor2D;
  /** log π_ref, [B, T]; required when β > 0. */
  readonly logpRef?: tf.Tensor2D;
  /** log π_b the rollout was sampled with, [B, T]; given: truncated importance correction. */
  readonly logpBehaviour?: tf.Tensor2D;
  /** A_i, [B]. */
  readonly advantages: tf.Tensor1D;
  /** > 0 on completion tokens, 0 on padding, [B, T]. */
  readonly mask: tf.Tensor2D;
  /**
   * Full-vocabulary logits of π_θ, [B, T, V], for the entropy metric. Costly on the tfjs cpu
   * backend (a log-softmax over V per token); a learner that already has the log-softmax should
   * pass `tokenEntropy` from computeTokenEntropiesFromLogProbs instead.
   */
  readonly logits?: tf.Tensor3D;
  /** Per-token entropies already computed, [B, T]; instead of `logits`. */
  readonly tokenEntropy?: tf.Tensor2D;
  /** Divide by this instead of the batch's own B (sequence-mean) or valid-token count (token-mean). */
  readonly normalizer?: number;
}

/** The metrics as scalar tensors (see GrpoMetrics for each field's meaning). */
export type GrpoMetricTensors = { readonly [K in keyof GrpoMetrics]: tf.Scalar };

/** The loss, the per-token losses ℓ [B, T] (0 on padding) and the metrics; the caller disposes them. */
export interface GrpoLossOutput {
  readonly loss: tf.Scalar;
  readonly tokenLoss: tf.Tensor2D;
  readonly metrics: GrpoMetricTensors;
}

let stopGradientOp: ((x: tf.Tensor) => tf.Tensor) | undefined;

/** Identity forward, zero gradient backward: stop_gradient(x). tfjs-core has no such op. */
export function stopGradient<T extends tf.Tensor>(x: T): T {
  stopGradientOp ??= tf.customGrad((...args) => {
    const input = args[0] as tf.Tensor;
    return { value: tf.clone(input), gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy) };
  });
  return stopGradientOp(x) as T;
}

/**
 * The GRPO loss with metrics, as differentiable tf ops (gradients flow into `logp` only).
 * Wrap in tf.grad / tf.variableGrads for gradients; those tidy what the function creates, so
 * tf.keep the metric tensors to read them after the step. The kernels of
 * GRPO_LOSS_GRADIENT_KERNELS must have registered gradients (assertGrpoGradientsRegistered).
 */
export function computeGrpoLoss(inputs: GrpoLossTensors, config: GrpoLossConfig): GrpoLossOutput {
  checkTensorInputs(inputs, config);
  return tf.tidy(() => {
    const valid = tf.greater(inputs.mask, 0); // [B, T] bool
    const validF = tf.cast(valid, 'float32'); // [B, T]
    // tf.zeros, not zerosLike(logp): a ZerosLike/OnesLike of logp would sit on the gradient path.
    const zeros = tf.zeros(inputs.logp.shape) as tf.Tensor2D; // [B, T]
    // Padding may hold anything (−inf, NaN); replacing it by 0 keeps every value and gradient finite.
    const clean = (x: tf.Tensor2D): tf.Tensor2D => tf.where(valid, x, zeros);
    const logp = clean(inputs.logp); // [B, T]
    const logpOld = inputs.logpOld === undefined ? stopGradient(logp) : stopGradient(clean(inputs.logpOld)); // [B, T]
    const advantages = tf.expandDims(inputs.advantages, 1); // [B, 1]

    const logRatio = tf.sub(logp, logpOld); // log ρ = logp − logp_old
    const ratio = tf.exp(logRatio); // ρ = exp(logp − logp_old)
    const unclipped = tf.mul(ratio, advantages); // ρ·A
    let policy: tf.Tensor = unclipped;
    let clippedActive: tf.Tensor = tf.zerosLike(valid);
    if (config.objective === 'clipped') {
      const clippedRatio = tf.clipByValue(ratio, 1 - config.clipEpsilon, 1 + config.clipEpsilonHigh);
      const clippedValue = tf.mul(clippedRatio, advantages); // clip(ρ, 1−ε, 1+ε_high)·A
      policy = tf.minimum(unclipped, clippedValue); // P = min(ρ·A, clip(ρ)·A); ties → unclipped branch
      clippedActive = tf.logicalAnd(tf.less(clippedValue, unclipped), valid); // the min took the clipped branch
    }

    let kl: tf.Tensor = zeros;
    if (config.beta > 0 && inputs.logpRef !== undefined) {
      const x = tf.clipByValue(tf.sub(clean(inputs.logpRef), logp), -config.klClamp, config.klClamp); // x = clamp(logp_ref − logp, −c, c)
      kl = tf.sub(tf.sub(tf.exp(x), x), 1); // KL = exp(x) − x − 1
    }

    let weight: tf.Tensor = tf.ones(inputs.logp.shape);
    let truncated: tf.Tensor = tf.zerosLike(valid);
    if (inputs.logpBehaviour !== undefined) {
      const rawWeight = stopGradient(tf.exp(tf.sub(logpOld, clean(inputs.logpBehaviour)))); // π_θold / π_b
      weight = tf.minimum(rawWeight, config.importanceCap); // w = min(exp(logp_old − logp_b), C)
      truncated = tf.logicalAnd(tf.greaterEqual(rawWeight, config.importanceCap), valid);
    }

    const perToken = tf.neg(tf.sub(tf.mul(weight, policy), tf.mul(config.beta, kl))); // ℓ = −(w·P − β·KL)
    const tokenLoss = tf.where(valid, perToken, zeros) as tf.Tensor2D; // 0 on padding
    const loss = aggregate(tokenLoss, validF, config.aggregation, inputs.normalizer);

    const n = tf.sum(validF); // valid tokens
    const nSafe = tf.maximum(n, 1);
    // where, not a product with the mask: NaN · 0 is NaN (logits on padding may hold anything).
    const maskedMean = (x: tf.Tensor): tf.Scalar => tf.div(tf.sum(tf.where(valid, x, zeros)), nSafe);
    const anyValid = tf.greater(n, 0);
    const metrics: GrpoMetricTensors = {
      klMean: maskedMean(kl),
      clipFraction: maskedMean(tf.cast(clippedActive, 'float32')),
      approxKl: maskedMean(tf.sub(tf.sub(ratio, 1), logRatio)), // KL(old ‖ new) ≈ (ρ − 1) − log ρ
      ratioMean: maskedMean(ratio),
      ratioMin: tf.where(anyValid, tf.min(tf.where(valid, ratio, tf.fill(ratio.shape, Infinity))), 1) as tf.Scalar,
      ratioMax: tf.where(anyValid, tf.max(tf.where(valid, ratio, tf.fill(ratio.shape, -Infinity))), 1) as tf.Scalar,
      importanceWeightMean: maskedMean(weight),
      importanceTruncatedFraction: maskedMean(tf.cast(truncated, 'float32')),
      validTokens: n as tf.Scalar,
      ...(inputs.logits !== undefined
        ? { entropy: maskedMean(computeTokenEntropies(inputs.logits)) }
        : inputs.tokenEntropy !== undefined
          ? { entropy: maskedMean(inputs.tokenEntropy) }
          : {}),
    };
    return { loss, tokenLoss, metrics };
  });
}

/**
 * Aggregates per-token losses (already 0 on padding), [B, T] → scalar.
 * sequence-mean: L = (1/N_seq) Σ_i (1/max(n_i, 1)) Σ_t ℓ_{i,t},  N_seq = normalizer ?? B
 * token-mean:    L = (1/N_tok) Σ_{i,t} ℓ_{i,t},                  N_tok = normalizer ?? max(Σ_i n_i, 1)
 */
export function aggregateTokenLosses(
  tokenLoss: tf.Tensor2D,
  mask: tf.Tensor2D,
  aggregation: GrpoLossConfig['aggregation'],
  normalizer?: number,
): tf.Scalar {
  return tf.tidy(() => aggregate(tokenLoss, tf.cast(tf.greater(mask, 0), 'float32'), aggregation, normalizer));
}

function aggregate(
  tokenLoss: tf.Tensor,
  validF: tf.Tensor,
  aggregation: GrpoLossConfig['aggregation'],
  normalizer?: number,
): tf.Scalar {
  if (aggregation === 'sequence-mean') {
    const counts = tf.maximum(tf.sum(validF, 1), 1); // max(n_i, 1), [B]
    const perSequence = tf.div(tf.sum(tf.mul(tokenLoss, validF), 1), counts); // (1/n_i) Σ_t ℓ_{i,t}, [B]
    return tf.div(tf.sum(perSequence), normalizer ?? tokenLoss.shape[0] ?? 1); // (1/N_seq) Σ_i
  }
  const denominator = normalizer === undefined ? tf.maximum(tf.sum(validF), 1) : tf.scalar(normalizer);
  return tf.div(tf.sum(tf.mul(tokenLoss, validF)), denominator); // (1/N_tok) Σ_{i,t}
}

/** Per-token entropy from logits, [B, T, V] → [B, T]: H = −Σ_v p_v log p_v with log p = logSoftmax(z). */
export function computeTokenEntropies(logits: tf.Tensor3D): tf.Tensor2D {
  return tf.tidy(() => computeTokenEntropiesFromLogProbs(tf.logSoftmax(logits, -1)));
}

/** Per-token entropy from normalised log-probs log p, [B, T, V] → [B, T]: H = −Σ_v exp(log p_v) · log p_v. */
export function computeTokenEntropiesFromLogProbs(logProbs: tf.Tensor3D): tf.Tensor2D {
  return tf.tidy(() => tf.neg(tf.sum(tf.mul(tf.exp(logProbs), logProbs), -1)) as tf.Tensor2D); // [B, T]
}

/** Downloads the metric scalars into plain numbers (does not dispose them). */
export async function readGrpoMetrics(metrics: GrpoMetricTensors): Promise<GrpoMetrics> {
  const read = async (t: tf.Scalar): Promise<number> => (await t.data())[0] ?? Number.NaN;
  return {
    klMean: await read(metrics.klMean),
    clipFraction: await read(metrics.clipFraction),
    approxKl: await read(metrics.approxKl),
    ratioMean: await read(metrics.ratioMean),
    ratioMin: await read(metrics.ratioMin),
    ratioMax: await read(metrics.ratioMax),
    importanceWeightMean: await read(metrics.importanceWeightMean),
    importanceTruncatedFraction: await read(metrics.importanceTruncatedFraction),
    validTokens: await read(metrics.validTokens),
    ...(metrics.entropy === undefined ? {} : { entropy: await read(metrics.entropy) }),
  };
}

function checkTensorInputs(inputs: GrpoLossTensors, config: GrpoLossConfig): void {
  const shape = inputs.logp.shape;
  if (inputs.logp.rank !== 2) throw new GrpoInputError('logp', `must be [B, T], got shape [${shape.join(', ')}]`);
  const [b, t] = shape;
  checkShape('mask', inputs.mask, [b, t]);
  checkShape('advantages', inputs.advantages, [b]);
  if (inputs.logpOld !== undefined) checkShape('logpOld', inputs.logpOld, [b, t]);
  if (inputs.logpBehaviour !== undefined) checkShape('logpBehaviour', inputs.logpBehaviour, [b, t]);
  if (inputs.logits !== undefined) {
    if (inputs.logits.rank !== 3) throw new GrpoInputError('logits', 'must be [B, T, V]');
    checkShape('logits', inputs.logits, [b, t, inputs.logits.shape[2]]);
  }
  if (inputs.tokenEntropy !== undefined) {
    if (inputs.logits !== undefined)
      throw new GrpoInputError('tokenEntropy', 'give either logits or tokenEntropy, not both');
    checkShape('tokenEntropy', inputs.tokenEntropy, [b, t]);
  }
  if (config.beta > 0) {
    if (inputs.logpRef === undefined) throw new GrpoInputError('logpRef', 'is required when beta > 0');
    checkShape('logpRef', inputs.logpRef, [b, t]);
  }
  if (config.innerUpdates > 1 && inputs.logpOld === undefined) {
    throw new GrpoInputError(
      'logpOld',
      'is required when innerUpdates > 1 (the log-probs from before the first update)',
    );
  }
  if (inputs.normalizer !== undefined && !(inputs.normalizer > 0 && Number.isFinite(inputs.normalizer))) {
    throw new GrpoInputError('normalizer', `must be a finite number > 0, got ${inputs.normalizer}`);
  }
}

function checkShape(name: string, tensor: tf.Tensor, expected: readonly (number | undefined)[]): void {
  const same = tensor.rank === expected.length && tensor.shape.every((d, k) => d === expected[k]);
  if (!same) {
    throw new GrpoInputError(name, `must have shape [${expected.join(', ')}], got [${tensor.shape.join(', ')}]`);
  }
}
