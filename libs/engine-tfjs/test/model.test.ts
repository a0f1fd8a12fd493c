import * as tf from '@tensorflow/tfjs-core';
import {
  buildInputSequence,
  initWeights,
  parseModelConfig,
  unsampledTokenIds,
  visualTokensPerClip,
  type ModelConfig,
} from '@vrft/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBatch, sampledLogSoftmax, selectBackend, TfjsModel, tokenLogProbs } from '../src/index.js';
import { config, gqaConfig, makeBatch, makeFrames, makeSequence, tokenizer } from './fixtures.js';

function sequenceFor(c: ModelConfig): { tokenIds: number[]; videoStart: number; frames: Uint8Array } {
  const input = buildInputSequence(tokenizer, '<video> what?', visualTokensPerClip(c));
  return { tokenIds: input.tokenIds, videoStart: input.videoStart, frames: makeFrames(3) };
}

let model: TfjsModel;
beforeAll(async () => {
  await selectBackend({ order: ['wasm', 'cpu'] });
  model = TfjsModel.create(config, initWeights(config, 11));
});
afterAll(() => model.dispose());

function logitsOf(batch: ReturnType<typeof makeBatch>): Float32Array {
  return tf.tidy(() => model.forward(batch).dataSync() as Float32Array);
}

describe('TfjsModel.forward', () => {
  it('gives logits [B, T, V] and leaks no tensors', () => {
    const batch = makeBatch();
    const before = tf.memory().numTensors;
    const logits = tf.tidy(() => model.forward(batch));
    expect(logits.shape).toEqual([2, batch.seqLen, config.vocabSize]);
    expect([...(logits.dataSync() as Float32Array)].every(Number.isFinite)).toBe(true);
    logits.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('is causal: changing a later token leaves earlier logits unchanged', () => {
    const base = makeSequence('<video> how many objects?', '<answer>2</answer>', 1);
    const changed = { ...base, tokenIds: [...base.tokenIds] };
    const at = base.tokenIds.length - 3;
    changed.tokenIds[at] = (base.tokenIds[at]! + 5) % config.vocabSize;
    const a = logitsOf(createBatch(config, [base]));
    const b = logitsOf(createBatch(config, [changed]));
    const v = config.vocabSize;
    for (let i = 0; i < at * v; i++) expect(b[i]).toBeCloseTo(a[i]!, 5);
    let later = 0;
    for (let i = at * v; i < a.length; i++) later = Math.max(later, Math.abs(a[i]! - b[i]!));
    expect(later).toBeGreaterThan(1e-4);
  });

  it('splices the video: other frames change logits from the video on, not before it', () => {
    const base = makeSequence('look at this <video> how many objects?', '<answer>2</answer>', 1);
    const other = { ...base, frames: makeFrames(99) };
    const a = logitsOf(createBatch(config, [base]));
    const b = logitsOf(createBatch(config, [other]));
    const v = config.vocabSize;
    for (let i = 0; i < base.videoStart * v; i++) expect(b[i]).toBeCloseTo(a[i]!, 6);
    const afterVideo = (base.videoStart + visualTokensPerClip(config)) * v;
    let diff = 0;
    for (let i = afterVideo; i < a.length; i++) diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    expect(diff).toBeGreaterThan(1e-4);
  });

  it('with grouped-query attention equals multi-head attention whose K/V heads repeat per group', () => {
    // K/V head j serves query heads 2j and 2j+1: widening wk and wv that way gives a multi-head
    // model with the same logits; any other head order would not.
    const gqaWeights = initWeights(gqaConfig, 11);
    // 5× the init, so that attention is far from uniform and head order shows in the logits.
    for (const values of gqaWeights.values()) for (let i = 0; i < values.length; i++) values[i]! *= 5;
    const mhaConfig = parseModelConfig({ ...gqaConfig, numKvHeads: gqaConfig.numHeads });
    const d = gqaConfig.dModel;
    const dh = d / gqaConfig.numHeads;
    const kvWidth = gqaConfig.numKvHeads * dh;
    const widen = (data: Float32Array, order: (head: number) => number): Float32Array => {
      const out = new Float32Array(d * d);
      for (let row = 0; row < d; row++)
        for (let head = 0; head < gqaConfig.numHeads; head++)
          for (let c = 0; c < dh; c++) out[row * d + head * dh + c] = data[row * kvWidth + order(head) * dh + c]!;
      return out;
    };
    const logitsWith = (cfg: ModelConfig, weights: ReturnType<typeof initWeights>): Float32Array => {
      const m = TfjsModel.create(cfg, weights);
      try {
        return tf.tidy(() => m.forward(makeBatch(cfg)).dataSync() as Float32Array);
      } finally {
        m.dispose();
      }
    };
    const repeated = (order: (head: number) => number) => {
      const weights = new Map(gqaWeights);
      for (const name of [...weights.keys()].filter((n) => /^lm\..*\.attn\.w[kv]$/.test(n)))
        weights.set(name, widen(gqaWeights.get(name)!, order));
      return logitsWith(mhaConfig, weights);
    };
    const gqa = logitsWith(gqaConfig, gqaWeights);
    const grouped = repeated((head) => Math.floor(head / 2));
    const interleaved = repeated((head) => head % 2);
    const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
    expect(maxDiff(gqa, grouped)).toBeLessThan(1e-5);
    expect(maxDiff(gqa, interleaved)).toBeGreaterThan(1e-4);
  });

  it('runs without pooling (pool 1, as in `small`): every patch is a visual token', () => {
    const unpooled = parseModelConfig({ ...config, pool: 1 });
    const other = TfjsModel.create(unpooled, initWeights(unpooled, 2));
    const tokens = visualTokensPerClip(unpooled);
    expect(tokens).toBe(4 * config.frames);
    const visual = tf.tidy(() =>
      other.encodeVideo(createBatch(unpooled, [sequenceFor(unpooled)]).video!.patches, 1, config.frames),
    );
    expect(visual.shape).toEqual([tokens, unpooled.dModel]);
    visual.dispose();
    other.dispose();
  });

  it('gives the same log-probs with left and right padding', () => {
    const rows = [
      makeSequence('<video> how many objects?', '<answer>2</answer>', 1),
      makeSequence('watch <video> which way does the red ball move?', '<think>left</think><answer>A</answer>', 2),
    ];
    const right = createBatch(config, rows, { padSide: 'right' });
    const left = createBatch(config, rows, { padSide: 'left' });
    const r = tf.tidy(() => tokenLogProbs(model, right).arraySync());
    const l = tf.tidy(() => tokenLogProbs(model, left).arraySync());
    const length = rows[0]!.tokenIds.length;
    const pad = right.seqLen - length;
    for (let i = 1; i < length; i++) expect(l[0]![pad + i]).toBeCloseTo(r[0]![i]!, 4);
  });

  it('renormalises without <video>/<pad>/<bos> when sampledOnly, as onnxruntime samples', () => {
    const batch = createBatch(config, [makeSequence('<video> how many objects?', '<answer>2</answer>', 1)]);
    const full = tf.tidy(() => tokenLogProbs(model, batch).arraySync())[0]!;
    const sampled = tf.tidy(() => tokenLogProbs(model, batch, true).arraySync())[0]!;
    const logProbs = tf.tidy(() => tf.logSoftmax(model.forward(batch)).arraySync())[0]!;
    const masked = tf.tidy(() => sampledLogSoftmax(model, batch).arraySync())[0]!;
    const banned = unsampledTokenIds(config);
    let checked = 0;
    for (let t = 1; t < full.length; t++) {
      if (batch.lossMask[t] !== 1) continue; // completion tokens only: the prompt holds <video> positions
      checked += 1;
      // log p'(x) = log p(x) − log(1 − Σ_banned p(b)) for the prediction made at t − 1
      const bannedMass = banned.reduce((sum, id) => sum + Math.exp(logProbs[t - 1]![id]!), 0);
      expect(bannedMass).toBeGreaterThan(0);
      expect(sampled[t]).toBeCloseTo(full[t]! - Math.log(1 - bannedMass), 5);
    }
    expect(checked).toBeGreaterThan(1);
    for (const id of banned) expect(Math.exp(masked[0]![id]!)).toBe(0);
  });

  it('takes the log softmax at a temperature τ: log p_τ(v) = z_v/τ − log Σ_u exp(z_u/τ), masked alike', () => {
    const batch = createBatch(config, [makeSequence('<video> how many objects?', '<answer>2</answer>', 1)]);
    const tau = 0.7;
    const logits = tf.tidy(() => model.forward(batch).arraySync())[0]!;
    const cooled = tf.tidy(() => sampledLogSoftmax(model, batch, tau).arraySync())[0]!;
    const plain = tf.tidy(() => sampledLogSoftmax(model, batch).arraySync())[0]!;
    const banned = new Set(unsampledTokenIds(config));
    let largestChange = 0;
    for (const t of [1, batch.seqLen - 1]) {
      const z = logits[t]!;
      const kept = z.filter((_, v) => !banned.has(v)).map((x) => x / tau);
      const max = Math.max(...kept);
      const logSum = max + Math.log(kept.reduce((sum, x) => sum + Math.exp(x - max), 0));
      z.forEach((zv, v) => {
        if (banned.has(v)) expect(Math.exp(cooled[t]![v]!)).toBe(0);
        else {
          expect(cooled[t]![v]).toBeCloseTo(zv / tau - logSum, 4);
          largestChange = Math.max(largestChange, Math.abs(cooled[t]![v]! - plain[t]![v]!));
        }
      });
    }
    expect(largestChange).toBeGreaterThan(1e-3); // τ is applied, not ignored
    for (const bad of [0, -1, Number.NaN])
      expect(() => tf.tidy(() => sampledLogSoftmax(model, batch, bad))).toThrow(/^temperature: /);
  });
});
