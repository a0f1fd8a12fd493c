import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '@vrft/engine-tfjs';
import { UnigramTokenizer } from '@vrft/tokenizer';
import {
  EncoderLoadError,
  OnnxDualEncoder,
  embedFramesTf,
  encodeTextsTf,
  encoderWeightSpecs,
  exportEncoderOnnx,
  initEncoderWeights,
  MICRO_ENCODER_SIZES,
  parseEncoderConfig,
  type DualEncoderConfig,
  type EncoderWeights,
} from '@vrft/dual-encoder';
import { createSiglipStyleTokenizerJson, createTestPairs } from './fixtures.js';

const M = 16;
const pairs = createTestPairs(6);
const tokenizerJson = createSiglipStyleTokenizerJson(pairs.texts, M);
const unigram = UnigramTokenizer.fromJSON(tokenizerJson);
// The graph's own pad id is <pad> (0), which the adapter never writes: like SigLIP's text
// tower, the graph then sees every position, the </s> padding included.
const config: DualEncoderConfig = parseEncoderConfig({
  ...MICRO_ENCODER_SIZES,
  maxTextTokens: M,
  vocabSize: unigram.vocabSize,
  padId: 0,
});
const weights: EncoderWeights = initEncoderWeights(config, 5);
for (const [name, data] of weights) if (!name.startsWith('logit')) data.forEach((v, i) => (data[i] = v * 8));
const IMAGE_MEAN = [0.48145466, 0.4578275, 0.40821073];
const IMAGE_STD = [0.26862954, 0.26130258, 0.27577711];
const POOLER = { imageEmbeds: 'pooler_output', textEmbeds: 'pooler_output' };

let root = '';

/** Writes an export in the public layout; `change` edits any file's JSON (or text) before it is written. */
async function writeExport(name: string, change: (files: Record<string, unknown>) => void = () => undefined) {
  const dir = join(root, name);
  await mkdir(join(dir, 'onnx'), { recursive: true });
  const onnx = exportEncoderOnnx(config, weights, {
    pixelValues: 'pixel_values',
    imageEmbeds: 'pooler_output',
    inputIds: 'input_ids',
    textEmbeds: 'pooler_output',
  });
  await writeFile(join(dir, 'onnx', 'vision_model.onnx'), onnx.vision);
  await writeFile(join(dir, 'onnx', 'text_model.onnx'), onnx.text);
  const files: Record<string, unknown> = {
    'tokenizer.json': structuredClone(tokenizerJson),
    'tokenizer_config.json': { pad_token: '</s>', eos_token: '</s>', model_max_length: M },
    'preprocessor_config.json': {
      do_normalize: true,
      do_rescale: true,
      do_resize: true,
      image_mean: IMAGE_MEAN,
      image_std: IMAGE_STD,
      rescale_factor: 1 / 255,
      size: { height: 16, width: 16 },
    },
    'config.json': {
      model_type: 'siglip',
      text_config: { max_position_embeddings: M, vocab_size: unigram.vocabSize },
      vision_config: { image_size: 16, patch_size: 4 },
    },
  };
  change(files);
  for (const [file, content] of Object.entries(files)) {
    await writeFile(join(dir, file), typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  }
  return dir;
}

/** Rows of [n, M] ids as laid out by hand: text ids cut to M − 1, then </s>, then </s> padding. */
function idsByHand(texts: readonly string[], withTemplate = true): Int32Array {
  const ids = new Int32Array(texts.length * M).fill(1);
  texts.forEach((text, i) => {
    const row = withTemplate ? [...unigram.encode(text).slice(0, M - 1), 1] : unigram.encode(text).slice(0, M);
    ids.set(row, i * M);
  });
  return ids;
}

function tfTexts(ids: Int32Array, n: number): Float32Array[] {
  const shapes = new Map(encoderWeightSpecs(config).map((spec) => [spec.name, spec.shape]));
  const tensors = new Map([...weights].map(([k, v]) => [k, tf.tensor(v, [...(shapes.get(k) ?? [])])]));
  const out = tf.tidy(() => encodeTextsTf(config, tensors, tf.tensor2d(ids, [n, M], 'int32')));
  const data = out.dataSync() as Float32Array;
  tf.dispose([out, ...tensors.values()]);
  const width = data.length / n;
  return Array.from({ length: n }, (_, i) => data.slice(i * width, (i + 1) * width));
}

function tfFrames(pixelMean: readonly number[], pixelStd: readonly number[], n: number): Float32Array[] {
  const shapes = new Map(encoderWeightSpecs(config).map((spec) => [spec.name, spec.shape]));
  const tensors = new Map([...weights].map(([k, v]) => [k, tf.tensor(v, [...(shapes.get(k) ?? [])])]));
  const stats = parseEncoderConfig({
    ...config,
    pixelMean: pixelMean as [number, number, number],
    pixelStd: pixelStd as [number, number, number],
  });
  const out = embedFramesTf(stats, tensors, pairs.frames, n);
  tf.dispose([...tensors.values()]);
  return out;
}

function relativeError(a: readonly Float32Array[], b: readonly Float32Array[]): number {
  let worst = 0;
  a.forEach((row, i) => {
    const other = b[i] as Float32Array;
    let diff = 0;
    let norm = 0;
    row.forEach((v, k) => {
      diff = Math.max(diff, Math.abs(v - (other[k] as number)));
      norm = Math.max(norm, Math.abs(v));
    });
    worst = Math.max(worst, diff / norm);
  });
  return worst;
}

beforeAll(async () => {
  await selectBackend({ order: ['cpu'] });
  root = await mkdtemp(join(tmpdir(), 'vrft-siglip-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('an external SigLIP-style export (public layout, Unigram tokenizer.json)', () => {
  it('loads with settings from its own files and embeds texts laid out as SigLIP wants them', async () => {
    const dir = await writeExport('public');
    const encoder = await OnnxDualEncoder.open({ dir, io: POOLER });
    try {
      // M from tokenizer.json's fixed padding, S from preprocessor_config.json, pad = </s>.
      expect(encoder.maxTextTokens).toBe(M);
      expect(encoder.imageSize).toBe(16);
      expect(encoder.padId).toBe(1);

      // A short text (padded) and a long one (three descriptions: more than M pieces).
      const short = 'A red circle at the top left moving right.';
      const long = pairs.texts.slice(0, 3).join(' ');
      expect(unigram.encode(short).length).toBeLessThan(M - 1);
      expect(unigram.encode(long).length).toBeGreaterThan(M);
      const texts = [short, long];
      const ours = await encoder.encodeTexts(texts);
      expect(relativeError(ours, tfTexts(idsByHand(texts), 2))).toBeLessThan(1e-4);
      // The layout matters: without </s> the long text's last position differs, and so does its embedding.
      expect(relativeError([ours[1] as Float32Array], tfTexts(idsByHand([long], false), 1))).toBeGreaterThan(1e-3);
      // Padding with <pad> instead of </s> would change the short text's embedding too.
      const padded = idsByHand([texts[0] as string]).map((id, k) =>
        k > unigram.encode(texts[0] as string).length ? 0 : id,
      );
      expect(relativeError([ours[0] as Float32Array], tfTexts(padded, 1))).toBeGreaterThan(1e-3);

      // Frames normalised with preprocessor_config.json's mean and std, not SigLIP's 0.5.
      const frames = await encoder.encodeFrames({
        data: pairs.frames.subarray(0, 2 * 16 * 16 * 3),
        shape: [2, 16, 16, 3],
      });
      expect(relativeError(frames, tfFrames(IMAGE_MEAN, IMAGE_STD, 2))).toBeLessThan(1e-4);
      expect(relativeError(frames, tfFrames([0.5, 0.5, 0.5], [0.5, 0.5, 0.5], 2))).toBeGreaterThan(1e-3);

      // Truncation keeps what fits next to </s>: M − 1 pieces, decoded (lowercased) text.
      const cut = encoder.truncate(long, 100);
      expect(unigram.encode(cut)).toEqual(unigram.encode(long).slice(0, M - 1));
    } finally {
      await encoder.close();
    }
  });

  it('options override the side files', async () => {
    const dir = await writeExport('override');
    const encoder = await OnnxDualEncoder.open({ dir, io: POOLER, padToken: '<pad>', pixelMean: [0.5, 0.5, 0.5] });
    try {
      expect(encoder.padId).toBe(0);
      const frames = await encoder.encodeFrames({ data: pairs.frames.subarray(0, 16 * 16 * 3), shape: [1, 16, 16, 3] });
      expect(relativeError(frames, tfFrames([0.5, 0.5, 0.5], IMAGE_STD, 1))).toBeLessThan(1e-4);
    } finally {
      await encoder.close();
    }
  });

  it.each<[string, (files: Record<string, unknown>) => void, RegExp]>([
    [
      'a malformed tokenizer.json',
      (files) => {
        const json = files['tokenizer.json'] as { model: { vocab: unknown[] } };
        json.model.vocab[5] = ['▁red', 'likely'];
      },
      /tokenizer\.json: cannot load the tokenizer: model\.vocab\[5\]\[1\]: expected a finite score/,
    ],
    [
      'a tokenizer.json that is not JSON',
      (files) => {
        files['tokenizer.json'] = '{"version": "1.0",';
      },
      /tokenizer\.json: cannot load the tokenizer: \(root\): not valid JSON/,
    ],
    [
      'an unsupported post-processor',
      (files) => {
        (files['tokenizer.json'] as Record<string, unknown>)['post_processor'] = { type: 'BertProcessing' };
      },
      /tokenizer\.json: its post_processor is not supported/,
    ],
    [
      'a zero image_std',
      (files) => {
        (files['preprocessor_config.json'] as Record<string, unknown>)['image_std'] = [0.5, 0, 0.5];
      },
      /preprocessor_config\.json: image_std: expected three positive numbers/,
    ],
    [
      'a non-square size',
      (files) => {
        (files['preprocessor_config.json'] as Record<string, unknown>)['size'] = { height: 16, width: 24 };
      },
      /preprocessor_config\.json: size: 24×16 is not square/,
    ],
    [
      'a config.json that is not JSON',
      (files) => {
        files['config.json'] = 'vision_config: 16';
      },
      /config\.json: is not valid JSON/,
    ],
  ])('names %s', async (name, change, message) => {
    const dir = await writeExport(name.replaceAll(' ', '-'), change);
    const attempt = OnnxDualEncoder.open({ dir, io: POOLER });
    await expect(attempt).rejects.toThrow(EncoderLoadError);
    await expect(attempt).rejects.toThrow(message);
  });

  it('asks for the settings no file gives', async () => {
    const dir = await writeExport('bare', (files) => {
      delete files['preprocessor_config.json'];
      delete files['config.json'];
      (files['tokenizer.json'] as Record<string, unknown>)['padding'] = null;
    });
    await expect(OnnxDualEncoder.open({ dir, io: POOLER })).rejects.toThrow(/imageSize: required/);
    await expect(OnnxDualEncoder.open({ dir, io: POOLER, imageSize: 16 })).rejects.toThrow(/maxTextTokens: required/);
    // Without tokenizer.json's padding, tokenizer_config.json's pad_token "</s>" decides.
    const encoder = await OnnxDualEncoder.open({ dir, io: POOLER, imageSize: 16, maxTextTokens: M });
    expect(encoder.padId).toBe(1);
    await encoder.close();
  });
});
