/** Log-probabilities of given sequences and the completion cross-entropy, from the forward's logits. */
import * as tf from '@tensorflow/tfjs-core';
import { unsampledTokenIds } from '@vrft/model';
import { type ModelBatch } from './batch.js';
import { EngineOptionsError } from './errors.js';
import { type TfjsModel } from './model.js';

// Finite rather than −∞: exp(−1e9) is exactly 0 in float32, and p·log p stays 0 (not NaN) in entropies.
const MASKED_LOGIT = -1e9;

/**
 * log softmax of the forward's logits [B, T, V] at temperature τ, with the tokens a completion
 * never contains (`<video>`, `<pad>`, `<bos>`) masked out, the way onnxruntime's sampler and
 * scorer renormalise: log p(v) = z_v/τ − log Σ_{u ∉ masked} exp(z_u/τ). With τ the rollouts'
 * sampling temperature the learner's log π_θ matches their behaviour log-probs (verl and TRL divide
 * the logits by it too). Call inside tf.tidy or a gradient function.
 */
export function sampledLogSoftmax(model: TfjsModel, batch: ModelBatch, temperature = 1): tf.Tensor3D {
  if (!(Number.isFinite(temperature) && temperature > 0))
    throw new EngineOptionsError('temperature', `expected a finite number > 0, got ${temperature}`);
  const v = model.config.vocabSize;
  const bias = new Float32Array(v);
  for (const id of unsampledTokenIds(model.config)) bias[id] = MASKED_LOGIT;
  const logits = model.forward(batch);
  const scaled = temperature === 1 ? logits : tf.div(logits, temperature); // z/τ
  return tf.logSoftmax(tf.add(scaled, tf.tensor1d(bias))) as tf.Tensor3D;
}

/**
 * Picks log p(token_t | tokens_<t) from log-probs [B, T, V]: [B, T], entry 0 of each row is 0
 * (nothing predicts the first token), padding entries are meaningless (mask them).
 */
export function pickTokenLogProbs(logProbs: tf.Tensor3D, batch: ModelBatch): tf.Tensor2D {
  const { batchSize: b, seqLen: t } = batch;
  const v = logProbs.shape[2];
  if (t === 1) return tf.zeros([b, 1]);
  // The flat index of logit (row, t−1, token_t): gather from [B·T·V] → [B·(T−1)].
  const index = new Int32Array(b * (t - 1));
  for (let row = 0; row < b; row++) {
    for (let i = 1; i < t; i++)
      index[row * (t - 1) + i - 1] = (row * t + i - 1) * v + (batch.tokenIds[row * t + i] as number);
  }
  const picked = tf.reshape(tf.gather(tf.reshape(logProbs, [b * t * v]), tf.tensor1d(index, 'int32')), [b, t - 1]);
  return tf.concat([tf.zeros([b, 1]), picked], 1) as tf.Tensor2D;
}

/**
 * log p(token_t | tokens_<t) for every position: [B, T] (see pickTokenLogProbs). With
 * `sampledOnly` the distribution excludes the never-sampled tokens (sampledLogSoftmax), as the
 * GRPO ratios and KL term need; SFT's likelihood uses the full vocabulary. Call inside tf.tidy or
 * a gradient function.
 */
export function tokenLogProbs(model: TfjsModel, batch: ModelBatch, sampledOnly = false): tf.Tensor2D {
  const logProbs = sampledOnly ? sampledLogSoftmax(model, batch) : (tf.logSoftmax(model.forward(batch)) as tf.Tensor3D); // [B, T, V]
  return pickTokenLogProbs(logProbs, batch);
}

/** Σ over the batch of −log p of the tokens marked in lossMask (a scalar; divide for a mean). */
export function maskedNllSum(model: TfjsModel, batch: ModelBatch): tf.Scalar {
  const logProbs = tokenLogProbs(model, batch); // [B, T]
  const mask = tf.tensor2d(batch.lossMask, [batch.batchSize, batch.seqLen]);
  return tf.neg(tf.sum(tf.mul(logProbs, mask))) as tf.Scalar;
}

/** Number of loss targets in a batch (Σ lossMask). */
export function countTargets(batch: ModelBatch): number {
  let count = 0;
  for (const value of batch.lossMask) count += value;
  return count;
}

/** Mean next-token cross-entropy over the completion tokens of a batch. */
export function completionLoss(model: TfjsModel, batch: ModelBatch): tf.Scalar {
  const targets = countTargets(batch);
  return tf.div(maskedNllSum(model, batch), Math.max(targets, 1));
}
