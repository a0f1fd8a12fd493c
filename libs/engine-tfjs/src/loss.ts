/** Log-probabilities of given sequences and the completion cross-entropy, from the forward's logits. */
import * as tf from '@tensorflow/tfjs-core';
import { type ModelBatch } from './batch.js';
import { type TfjsModel } from './model.js';

/**
 * log p(token_t | tokens_<t) for every position: [B, T], entry 0 of each row is 0 (nothing
 * predicts the first token), padding entries are meaningless (mask them). The learner's GRPO
 * ratios and the KL term use these. Call inside tf.tidy or a gradient function.
 */
export function tokenLogProbs(model: TfjsModel, batch: ModelBatch): tf.Tensor2D {
  const { batchSize: b, seqLen: t } = batch;
  const v = model.config.vocabSize;
  const logProbs = tf.logSoftmax(model.forward(batch)); // [B, T, V]
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
