/**
 * The GRPO update on scored groups (method.md §5), shared by `vrft train grpo --local` and the
 * learner service: recompute log π_θ of every completion token with the tfjs model (under
 * softmax(z/τ) at the rollouts' sampling temperature, like their behaviour log-probs), build the
 * loss of @vrft/rl from the rollouts' reference and behaviour log-probs and advantages, accumulate
 * gradients over micro-batches (the normalizer makes their sum the whole batch's loss), and apply
 * K AdamW updates. With K > 1, log π_θold is taken once before the first update.
 *
 * With `ptx`, each inner update also accumulates γ times the mean next-token NLL of a batch of
 * supervised examples (PPO-ptx, as InstructGPT and OpenRLHF do), so RL cannot drift far from what
 * SFT taught: L = L_GRPO(θ) + γ·(−1/|y| Σ_t log π_θ(y_t | y_<t)).
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  countTargets,
  createBatch,
  maskedNllSum,
  pickTokenLogProbs,
  sampledLogSoftmax,
  type BatchSequence,
  type ModelBatch,
  type TfjsModel,
  type Trainer,
} from '@vrft/engine-tfjs';
import {
  computeGrpoLoss,
  computeTokenEntropiesFromLogProbs,
  readGrpoMetrics,
  type GrpoConfig,
  type GrpoMetricTensors,
  type GrpoMetrics,
} from '@vrft/rl';
import { RolloutInputError } from '../errors.js';
import { type UpdateGroup } from './rollout-batch.js';

/** Options of applyGrpoUpdate. */
export interface GrpoUpdateOptions {
  readonly grpo: GrpoConfig;
  /** Completions per micro-batch (memory bound). */
  readonly microRows: number;
  /** Weight tokens by min(π_θold/π_behaviour, C): for rollouts sampled by older weights. */
  readonly importanceCorrection: boolean;
  /**
   * The temperature τ the rollouts were sampled at (default 1): log π_θ is taken under
   * softmax(z/τ), the distribution their behaviour log-probs come from, as verl and TRL do. The
   * reference log-probs must be scored at the same τ.
   */
  readonly temperature?: number;
  /** PPO-ptx: γ·NLL of these supervised examples (loss mask on their completions) joins every inner update. */
  readonly ptx?: { readonly coefficient: number; readonly sequences: readonly BatchSequence[] };
}

/** What an update did. */
export interface GrpoUpdateResult {
  /** Loss of the first inner update (before any weight changed). */
  readonly loss: number;
  /** Token-weighted metrics of the first inner update. */
  readonly metrics: GrpoMetrics;
  readonly gradNorm: number;
  readonly learningRate: number;
  /** Optimizer step after the update. */
  readonly step: number;
  /** Completion tokens trained on. */
  readonly completionTokens: number;
  /**
   * Mean |log π_θ − log π_behaviour| over the completion tokens before the update: 0 up to float
   * error when the rollouts are fresh and sampled at the update's temperature; it grows with
   * staleness or a temperature mismatch.
   */
  readonly behaviourLogpGap: number;
  /** Mean NLL per target token of the ptx examples in the first inner update (with ptx only). */
  readonly ptxLoss?: number;
}

/** One completion as a training row. */
interface Row {
  readonly sequence: BatchSequence;
  readonly promptLength: number;
  readonly completionLength: number;
  readonly reference: readonly number[];
  readonly behaviour: readonly number[];
  readonly advantage: number;
}

function toRows(groups: readonly UpdateGroup[], contextLength: number, videoId: number): Row[] {
  const rows: Row[] = [];
  groups.forEach((group, g) => {
    group.completions.forEach((completion, i) => {
      const field = `groups[${g}].completions[${i}]`;
      const n = completion.tokenIds.length;
      const reference = group.referenceLogprobs[i];
      const advantage = group.advantages[i];
      if (reference === undefined || reference.length !== n)
        throw new RolloutInputError(`${field}.referenceLogprobs`, `expected ${n} values, got ${reference?.length}`);
      if (completion.behaviourLogprobs.length !== n)
        throw new RolloutInputError(
          `${field}.behaviourLogprobs`,
          `expected ${n} values, got ${completion.behaviourLogprobs.length}`,
        );
      if (advantage === undefined || !Number.isFinite(advantage))
        throw new RolloutInputError(`groups[${g}].advantages[${i}]`, `expected a finite number, got ${advantage}`);
      const promptLength = group.prompt.promptIds.length;
      if (promptLength + n > contextLength)
        throw new RolloutInputError(
          field,
          `prompt + completion is ${promptLength + n} tokens, more than the context ${contextLength}`,
        );
      const tokenIds = [...group.prompt.promptIds, ...completion.tokenIds];
      const videoStart = group.prompt.promptIds.indexOf(videoId); // −1 for a text-only prompt
      rows.push({
        sequence: {
          tokenIds,
          videoStart,
          lossMask: tokenIds.map((_, t) => (t >= promptLength ? 1 : 0)),
          frames: group.prompt.frames,
        },
        promptLength,
        completionLength: n,
        reference,
        behaviour: completion.behaviourLogprobs,
        advantage,
      });
    });
  });
  return rows;
}

/** Per-token arrays of a micro-batch laid out on the padded [B, T] grid. */
function alignedArrays(rows: readonly Row[], batch: ModelBatch, old?: readonly Float32Array[]) {
  const { batchSize: b, seqLen: t } = batch;
  const mask = new Float32Array(b * t);
  const reference = new Float32Array(b * t);
  const behaviour = new Float32Array(b * t);
  const oldLogp = old === undefined ? undefined : new Float32Array(b * t);
  rows.forEach((row, r) => {
    for (let i = 0; i < row.completionLength; i++) {
      const at = r * t + row.promptLength + i;
      mask[at] = 1;
      reference[at] = row.reference[i] as number;
      behaviour[at] = row.behaviour[i] as number;
      if (oldLogp !== undefined) oldLogp[at] = old?.[r]?.[i] as number;
    }
  });
  return { mask, reference, behaviour, oldLogp };
}

/**
 * log π_θ(token_t | <t) [B, T] and the entropy of the distribution that predicted token t [B, T]
 * (0 at t = 0), from one forward. Over the tokens a completion can contain only, as onnxruntime
 * sampled them, so π_θ / π_behaviour compares like with like.
 */
function policyLogProbs(
  model: TfjsModel,
  batch: ModelBatch,
  temperature: number,
): { logp: tf.Tensor2D; entropy: tf.Tensor2D } {
  const { batchSize: b, seqLen: t } = batch;
  const logProbs = sampledLogSoftmax(model, batch, temperature); // [B, T, V] of softmax(z/τ)
  const logp = pickTokenLogProbs(logProbs, batch); // [B, T]
  const sourceEntropy = computeTokenEntropiesFromLogProbs(logProbs); // [B, T]: of the prediction made at t
  const entropy = tf.concat([tf.zeros([b, 1]), tf.slice(sourceEntropy, [0, 0], [b, t - 1])], 1) as tf.Tensor2D;
  return { logp, entropy };
}

/** log π_θ of each row's completion tokens now (no gradients), for logp_old. */
function currentLogProbs(
  model: TfjsModel,
  rows: readonly Row[],
  batch: ModelBatch,
  temperature: number,
): Float32Array[] {
  const values = tf.tidy(() => policyLogProbs(model, batch, temperature).logp).dataSync() as Float32Array;
  return rows.map((row, r) =>
    values.slice(r * batch.seqLen + row.promptLength, r * batch.seqLen + row.promptLength + row.completionLength),
  );
}

function combineMetrics(parts: readonly GrpoMetrics[]): GrpoMetrics {
  const total = parts.reduce((n, m) => n + m.validTokens, 0);
  const weighted = (key: keyof GrpoMetrics): number =>
    total === 0 ? 0 : parts.reduce((sum, m) => sum + (m[key] ?? 0) * m.validTokens, 0) / total;
  const withEntropy = parts.every((m) => m.entropy !== undefined);
  return {
    klMean: weighted('klMean'),
    clipFraction: weighted('clipFraction'),
    approxKl: weighted('approxKl'),
    ratioMean: weighted('ratioMean'),
    ratioMin: Math.min(...parts.map((m) => m.ratioMin)),
    ratioMax: Math.max(...parts.map((m) => m.ratioMax)),
    importanceWeightMean: weighted('importanceWeightMean'),
    importanceTruncatedFraction: weighted('importanceTruncatedFraction'),
    validTokens: total,
    ...(withEntropy ? { entropy: weighted('entropy') } : {}),
  };
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const parts: T[][] = [];
  for (let start = 0; start < items.length; start += size) parts.push(items.slice(start, start + size));
  return parts;
}

/** Applies the GRPO update for scored groups: K inner AdamW updates over micro-batches. */
export async function applyGrpoUpdate(
  model: TfjsModel,
  trainer: Trainer,
  groups: readonly UpdateGroup[],
  options: GrpoUpdateOptions,
): Promise<GrpoUpdateResult> {
  if (groups.length === 0) throw new RolloutInputError('groups', 'an update needs at least one group');
  if (!Number.isInteger(options.microRows) || options.microRows < 1)
    throw new RolloutInputError('microRows', `expected an integer ≥ 1, got ${options.microRows}`);
  const temperature = options.temperature ?? 1;
  if (!(Number.isFinite(temperature) && temperature > 0))
    throw new RolloutInputError('temperature', `expected a finite number > 0, got ${temperature}`);
  const ptx = options.ptx;
  if (ptx !== undefined && !(Number.isFinite(ptx.coefficient) && ptx.coefficient >= 0))
    throw new RolloutInputError('ptx.coefficient', `expected a finite number ≥ 0, got ${ptx.coefficient}`);
  // Shortest first, so each micro-batch pads to a length near its rows' own (completions of one
  // prompt differ by hundreds of tokens); the accumulated gradient does not depend on the order.
  const rows = toRows(groups, model.config.contextLength, model.config.specialTokens.video).sort(
    (a, b) => a.sequence.tokenIds.length - b.sequence.tokenIds.length,
  );
  const micro = chunk(rows, options.microRows);
  const batches = micro.map((part) =>
    createBatch(
      model.config,
      part.map((r) => r.sequence),
    ),
  );
  const completionTokens = rows.reduce((n, r) => n + r.completionLength, 0);
  // The normalizer makes Σ over micro-batches equal the loss of the whole batch.
  const normalizer = options.grpo.aggregation === 'sequence-mean' ? rows.length : Math.max(1, completionTokens);
  const ptxBatches =
    ptx === undefined || ptx.coefficient === 0
      ? []
      : chunk(ptx.sequences, options.microRows).map((part) => createBatch(model.config, part));
  // Σ over the ptx micro-batches of NLL · γ / (all their targets) is γ · the mean NLL per token.
  const ptxTargets = ptxBatches.reduce((n, batch) => n + countTargets(batch), 0);
  const ptxScale = ptxBatches.length === 0 ? 0 : (ptx?.coefficient ?? 0) / Math.max(1, ptxTargets);
  const old =
    options.grpo.innerUpdates > 1
      ? micro.map((part, k) => currentLogProbs(model, part, batches[k] as ModelBatch, temperature))
      : undefined;

  let firstLoss = 0;
  let firstPtxLoss = 0;
  let firstMetrics: GrpoMetrics | undefined;
  let behaviourGapSum = 0;
  let last = { gradNorm: 0, learningRate: 0, step: trainer.step };
  for (let k = 0; k < options.grpo.innerUpdates; k++) {
    const parts: GrpoMetrics[] = [];
    let loss = 0;
    for (const [m, part] of micro.entries()) {
      const batch = batches[m] as ModelBatch;
      const arrays = alignedArrays(part, batch, old?.[m]);
      const shape: [number, number] = [batch.batchSize, batch.seqLen];
      let kept: GrpoMetricTensors | undefined;
      let gapSum: tf.Scalar | undefined;
      loss += trainer.accumulate(() => {
        const { logp, entropy } = policyLogProbs(model, batch, temperature);
        const mask = tf.tensor2d(arrays.mask, shape);
        const behaviour = tf.tensor2d(arrays.behaviour, shape);
        // Σ |log π_θ − log π_b| over completion tokens: the sampler/learner mismatch, a metric only.
        if (k === 0) gapSum = tf.keep(tf.sum(tf.mul(tf.abs(tf.sub(logp, behaviour)), mask)) as tf.Scalar);
        const output = computeGrpoLoss(
          {
            logp,
            logpRef: tf.tensor2d(arrays.reference, shape),
            ...(arrays.oldLogp !== undefined ? { logpOld: tf.tensor2d(arrays.oldLogp, shape) } : {}),
            ...(options.importanceCorrection ? { logpBehaviour: behaviour } : {}),
            advantages: tf.tensor1d(part.map((r) => r.advantage)),
            mask,
            tokenEntropy: entropy,
            normalizer,
          },
          options.grpo,
        );
        kept = Object.fromEntries(
          Object.entries(output.metrics).map(([name, t]) => [name, tf.keep(t)]),
        ) as GrpoMetricTensors;
        return output.loss;
      });
      if (kept !== undefined) {
        parts.push(await readGrpoMetrics(kept));
        for (const t of Object.values(kept)) (t as tf.Tensor).dispose();
      }
      if (gapSum !== undefined) {
        behaviourGapSum += (await gapSum.data())[0] as number;
        gapSum.dispose();
      }
    }
    let ptxLoss = 0;
    for (const batch of ptxBatches)
      ptxLoss += trainer.accumulate(() => tf.mul(maskedNllSum(model, batch), ptxScale) as tf.Scalar);
    const stats = trainer.applyUpdate();
    last = { gradNorm: stats.gradNorm, learningRate: stats.learningRate, step: stats.step };
    if (k === 0) {
      firstLoss = loss;
      if (ptxBatches.length > 0) firstPtxLoss = ptxLoss / (ptx?.coefficient as number); // γ > 0 here
      firstMetrics = combineMetrics(parts);
    }
  }
  return {
    loss: firstLoss,
    metrics: firstMetrics as GrpoMetrics,
    gradNorm: last.gradNorm,
    learningRate: last.learningRate,
    step: last.step,
    completionTokens,
    behaviourLogpGap: behaviourGapSum / Math.max(1, completionTokens),
    ...(ptxBatches.length > 0 ? { ptxLoss: firstPtxLoss } : {}),
  };
}
