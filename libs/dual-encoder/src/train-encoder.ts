/**
 * Training the dual encoder with the sigmoid contrastive loss on (frame, description) pairs of
 * the synthetic world, in TensorFlow.js: pairs → BPE tokenizer trained on the training texts →
 * seeded init → steps of (sample a batch of B pairs from B different clips → loss and
 * gradients → global-norm clipping → AdamW) → retrieval accuracy on held-out pairs.
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  adamWStep,
  globalNormClipScale,
  learningRateAt,
  matMulExplicit,
  selectBackend,
  swapLastAxes,
  type AdamMoments,
} from '@vrft/engine-tfjs';
import { ARENA_BACKGROUND } from '@vrft/data';
import { createSeededRandom } from '@vrft/model';
import { type Tokenizer, trainBpe } from '@vrft/tokenizer';
import { type DualEncoderConfig, parseEncoderConfig } from './encoder-config.js';
import { type EncoderWeights, encoderWeightSpecs, initEncoderWeights, isDecayedWeight } from './encoder-weights.js';
import { type FramePairs, generateFramePairs } from './frame-pairs.js';
import { patchify, toPixelValues, tokenizeTexts } from './preprocess.js';
import { type RetrievalAccuracy, measureRetrieval } from './retrieval.js';
import { batchLossTf, encodeImagesTf, encodeTextsTf, l2NormalizeTf } from './tfjs-encoder.js';
import { embedFramesTf, embedTextsTf } from './tfjs-embed.js';
import { type TrainEncoderOptions, type TrainEncoderOptionsInput, parseTrainEncoderOptions } from './train-options.js';

/**
 * Pixel normalisation for the synthetic world: centred on the arena's background colour, so an
 * empty patch is ≈ 0 and only objects and text carry signal. With SigLIP's 0.5/0.5 every patch
 * shared one large background vector, the towers' outputs were nearly identical for every frame,
 * and training collapsed to the loss's bias-only optimum (measured: loss stuck at 4.45 for B=32,
 * retrieval at chance; centred, the loss falls below it within 50 steps).
 */
export const WORLD_PIXEL_STATS = {
  pixelMean: [ARENA_BACKGROUND[0] / 255, ARENA_BACKGROUND[1] / 255, ARENA_BACKGROUND[2] / 255] as [
    number,
    number,
    number,
  ],
  pixelStd: [0.25, 0.25, 0.25] as [number, number, number],
};

/** Progress of a training run, reported after each step. */
export interface TrainProgress {
  readonly step: number;
  readonly steps: number;
  readonly loss: number;
  readonly learningRate: number;
  /** The loss's temperature t = exp(logit_scale) after the step. */
  readonly logitScale: number;
  /** The loss's bias b after the step. */
  readonly logitBias: number;
  readonly stepsPerSecond: number;
  readonly elapsedSec: number;
  readonly etaSec: number;
  /** Set on the steps where held-out retrieval was measured. */
  readonly retrieval?: RetrievalAccuracy;
}

/** Side effects of a run, injectable. */
export interface TrainHooks {
  readonly onProgress?: (progress: TrainProgress) => void;
  /** Where the backend choice is logged. */
  readonly logger?: { info(message: string, ...params: unknown[]): void };
  /** Milliseconds clock. Default performance.now. */
  readonly clock?: () => number;
}

/** A trained encoder and how it got there. */
export interface TrainedEncoder {
  readonly config: DualEncoderConfig;
  readonly weights: EncoderWeights;
  readonly tokenizer: Tokenizer;
  /** Held-out retrieval with the final weights (tfjs forward). */
  readonly retrieval: RetrievalAccuracy;
  /** Retrieval of the initial (untrained) weights on the same pairs: the chance baseline. */
  readonly initialRetrieval: RetrievalAccuracy;
  readonly losses: number[];
  readonly backend: string;
  readonly elapsedSec: number;
  readonly trainPairs: number;
  /** The held-out pairs (for the ORT check after export). */
  readonly evalPairs: FramePairs;
}

/** Trains a dual encoder; see the module comment for the steps. */
export async function trainDualEncoder(
  input: TrainEncoderOptionsInput = {},
  hooks: TrainHooks = {},
): Promise<TrainedEncoder> {
  const options = parseTrainEncoderOptions(input);
  const clock = hooks.clock ?? (() => performance.now());
  const backend = await selectBackend({
    ...(options.backendOrder ? { order: options.backendOrder } : {}),
    logger: hooks.logger,
  });
  const imageSize = options.sizes.imageSize ?? 64;
  const synthetic = { difficulty: options.difficulty };
  const train = generateFramePairs({
    split: 'train',
    clips: options.trainClips,
    framesPerClip: options.framesPerClip,
    imageSize,
    synthetic,
  });
  const held = generateFramePairs({
    split: 'validation',
    clips: options.evalClips,
    framesPerClip: 1,
    imageSize,
    synthetic,
  });
  const tokenizer = trainBpe(train.texts, { vocabSize: options.tokenizerVocabSize });
  const config = parseEncoderConfig({
    ...options.sizes,
    vocabSize: tokenizer.vocabSize,
    padId: tokenizer.specialId('pad'),
  });

  const initial = initEncoderWeights(config, options.seed);
  const params = new Map(
    encoderWeightSpecs(config).map((spec) => [
      spec.name,
      // Unnamed: tfjs variable names are process-global, and a process may train more than once.
      tf.variable(tf.tensor(initial.get(spec.name) as Float32Array, [...spec.shape])),
    ]),
  );
  const moments = new Map<string, AdamMoments>(
    [...params].map(([name, v]) => [name, { m: tf.zerosLike(v), v: tf.zerosLike(v) }]),
  );
  const evaluate = (): RetrievalAccuracy =>
    measureRetrieval(
      embedFramesTf(config, params, held.frames, held.texts.length),
      embedTextsTf(config, params, tokenizer, held.texts),
    );
  const initialRetrieval = evaluate();

  const random = createSeededRandom(options.seed ^ 0x5eed);
  const pairsByClip = groupByClip(train);
  balanceLogitBias(
    config,
    params,
    prepareBatch(config, train, sampleBatch(pairsByClip, options.batchSize, random.uniform), tokenizer),
    options.batchSize,
  );
  const losses: number[] = [];
  const started = clock();
  let retrieval = initialRetrieval;
  for (let step = 0; step < options.steps; step++) {
    const batch = sampleBatch(pairsByClip, options.batchSize, random.uniform);
    const { patches, ids } = prepareBatch(config, train, batch, tokenizer);
    const learningRate = learningRateAt(step, options.optimizer);
    const loss = applyStep(config, params, moments, { patches, ids, b: batch.length }, step + 1, learningRate, options);
    losses.push(loss);
    const measured = options.evalEvery > 0 && (step + 1) % options.evalEvery === 0 ? evaluate() : undefined;
    if (measured) retrieval = measured;
    const elapsedSec = (clock() - started) / 1000;
    const stepsPerSecond = (step + 1) / Math.max(elapsedSec, 1e-9);
    hooks.onProgress?.({
      step: step + 1,
      steps: options.steps,
      loss,
      learningRate,
      logitScale: Math.exp(scalarOf(params, 'logit_scale')),
      logitBias: scalarOf(params, 'logit_bias'),
      stepsPerSecond,
      elapsedSec,
      etaSec: (options.steps - step - 1) / stepsPerSecond,
      ...(measured ? { retrieval: measured } : {}),
    });
  }
  if (options.evalEvery === 0 || options.steps % options.evalEvery !== 0) retrieval = evaluate();
  const weights: EncoderWeights = new Map([...params].map(([name, v]) => [name, v.dataSync() as Float32Array]));
  for (const v of params.values()) v.dispose();
  for (const m of moments.values()) tf.dispose([m.m, m.v]);
  return {
    config,
    weights,
    tokenizer,
    retrieval,
    initialRetrieval,
    losses,
    backend: backend.backendName,
    elapsedSec: (clock() - started) / 1000,
    trainPairs: train.texts.length,
    evalPairs: held,
  };
}

/**
 * Sets b so that every pair of a first batch starts at the loss's balance point: with mean
 * cosine c̄, logit = t·c̄ + b = −log(B − 1) gives σ = 1/B, where the pull of the B positives
 * equals the push of the B(B − 1) negatives. SigLIP's fixed b = −10 assumes near-orthogonal
 * initial embeddings (c̄ ≈ 0); small towers start with c̄ ≈ 0.8, the first steps then push every
 * pair apart at once, and the towers answer with one shared shift — collapse (measured).
 */
function balanceLogitBias(
  config: DualEncoderConfig,
  params: Map<string, tf.Variable>,
  batch: { patches: Float32Array; ids: Int32Array },
  b: number,
): void {
  const patchValues = config.patchSize ** 2 * 3;
  const bias = tf.tidy(() => {
    const x = l2NormalizeTf(
      encodeImagesTf(
        config,
        params,
        tf.tensor3d(batch.patches, [b, batch.patches.length / b / patchValues, patchValues]),
      ),
    );
    const y = l2NormalizeTf(encodeTextsTf(config, params, tf.tensor2d(batch.ids, [b, config.maxTextTokens], 'int32')));
    const meanCosine = tf.mean(matMulExplicit(x, swapLastAxes(y))); // c̄ over all B² pairs
    const t = tf.exp(params.get('logit_scale') as tf.Variable);
    return tf.reshape(tf.sub(tf.neg(tf.mul(t, meanCosine)), Math.log(b - 1)), [1]);
  });
  (params.get('logit_bias') as tf.Variable).assign(bias);
  bias.dispose();
}

// One optimizer step; returns the batch loss before the update.
function applyStep(
  config: DualEncoderConfig,
  params: Map<string, tf.Variable>,
  moments: Map<string, AdamMoments>,
  batch: { patches: Float32Array; ids: Int32Array; b: number },
  step: number,
  learningRate: number,
  options: TrainEncoderOptions,
): number {
  const { patches, ids, b } = batch;
  const { optimizer } = options;
  const patchValues = config.patchSize ** 2 * 3;
  const { value, grads } = tf.tidy(() => {
    const patchTensor = tf.tensor3d(patches, [b, patches.length / b / patchValues, patchValues]);
    const idTensor = tf.tensor2d(ids, [b, config.maxTextTokens], 'int32');
    return tf.variableGrads(
      () => batchLossTf(config, params, patchTensor, idTensor) as tf.Scalar,
      [...params.values()],
    );
  });
  const loss = value.dataSync()[0] ?? Number.NaN;
  const names = [...params.keys()];
  const gradOf = (name: string): tf.Tensor => grads[(params.get(name) as tf.Variable).name] as tf.Tensor;
  const gradList = names.map(gradOf);
  const { scale } = globalNormClipScale(gradList, optimizer.maxGradNorm);
  for (const name of names) {
    const param = params.get(name) as tf.Variable;
    const grad = gradOf(name);
    const clipped = scale === 1 ? grad : tf.mul(grad, scale);
    const old = moments.get(name) as AdamMoments;
    const rate = name.startsWith('logit_') ? learningRate * options.logitLearningRateScale : learningRate;
    const next = adamWStep(param, clipped, old, step, rate, isDecayedWeight(name), optimizer);
    param.assign(next.param);
    tf.dispose([next.param, old.m, old.v, ...(clipped === grad ? [] : [clipped])]);
    moments.set(name, next.moments);
  }
  tf.dispose([value, ...Object.values(grads)]);
  return loss;
}

function scalarOf(params: ReadonlyMap<string, tf.Variable>, name: string): number {
  return (params.get(name) as tf.Variable).dataSync()[0] ?? Number.NaN;
}

function groupByClip(pairs: FramePairs): number[][] {
  const byClip = new Map<string, number[]>();
  pairs.clipIds.forEach((clip, i) => byClip.set(clip, [...(byClip.get(clip) ?? []), i]));
  return [...byClip.values()];
}

// B distinct clips (partial Fisher–Yates), one random frame of each.
function sampleBatch(byClip: readonly number[][], size: number, uniform: () => number): number[] {
  const order = byClip.map((_, i) => i);
  const batch: number[] = [];
  for (let k = 0; k < size; k++) {
    const j = k + Math.floor(uniform() * (order.length - k));
    [order[k], order[j]] = [order[j] as number, order[k] as number];
    const frames = byClip[order[k] as number] as number[];
    batch.push(frames[Math.floor(uniform() * frames.length)] as number);
  }
  return batch;
}

function prepareBatch(
  config: DualEncoderConfig,
  pairs: FramePairs,
  batch: readonly number[],
  tokenizer: Tokenizer,
): { patches: Float32Array; ids: Int32Array } {
  const s = config.imageSize;
  const frameBytes = s * s * 3;
  const frames = new Uint8Array(batch.length * frameBytes);
  batch.forEach((index, k) =>
    frames.set(pairs.frames.subarray(index * frameBytes, (index + 1) * frameBytes), k * frameBytes),
  );
  const pixels = toPixelValues({ data: frames, shape: [batch.length, s, s, 3] }, config);
  const texts = batch.map((index) => pairs.texts[index] as string);
  return {
    patches: patchify(pixels, batch.length, s, config.patchSize),
    ids: tokenizeTexts(tokenizer, texts, config.maxTextTokens, config.padId).ids,
  };
}
