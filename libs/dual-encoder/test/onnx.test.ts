import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '@vrft/engine-tfjs';
import {
  EncoderCancelledError,
  EncoderLoadError,
  EncoderOptionsError,
  OnnxDualEncoder,
  embedFramesTf,
  embedTextsTf,
  encoderWeightSpecs,
  exportEncoderOnnx,
  initEncoderWeights,
  loadEncoderCheckpoint,
  measureRetrieval,
  saveEncoderCheckpoint,
  type EncoderWeights,
} from '@vrft/dual-encoder';
import { createTestConfig, createTestPairs, createTestTokenizer } from './fixtures.js';

const pairs = createTestPairs(6);
const tokenizer = createTestTokenizer(pairs);
const config = createTestConfig(tokenizer);
const n = pairs.texts.length;
let dir = '';

/** Seeded weights scaled up from the init, so embeddings differ visibly between inputs. */
function createWeights(): EncoderWeights {
  const weights = initEncoderWeights(config, 7);
  for (const [name, data] of weights) if (!name.startsWith('logit')) data.forEach((v, i) => (data[i] = v * 8));
  return weights;
}
const weights = createWeights();

beforeAll(async () => {
  await selectBackend({ order: ['cpu'] });
  dir = await mkdtemp(join(tmpdir(), 'vrft-encoder-'));
  await saveEncoderCheckpoint(join(dir, 'ours'), { config, weights, tokenizer, metadata: { seed: 7 } });
});
afterAll(() => rm(dir, { recursive: true, force: true }));

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

describe('ONNX export on onnxruntime', () => {
  it('gives the tfjs embeddings (relative error ≤ 1e-4) for frames and texts', async () => {
    const shapes = new Map(encoderWeightSpecs(config).map((spec) => [spec.name, spec.shape]));
    const tensors = new Map([...weights].map(([k, v]) => [k, tf.tensor(v, [...(shapes.get(k) ?? [])])]));
    const tfImages = embedFramesTf(config, tensors, pairs.frames, n);
    const tfTexts = embedTextsTf(config, tensors, tokenizer, pairs.texts);
    tf.dispose([...tensors.values()]);
    const encoder = await OnnxDualEncoder.open({ dir: join(dir, 'ours'), maxBatch: 5 });
    const ortImages = await encoder.encodeFrames({ data: pairs.frames, shape: [n, 16, 16, 3] });
    const ortTexts = await encoder.encodeTexts(pairs.texts);
    await encoder.close();
    expect(ortImages).toHaveLength(n);
    expect(ortImages[0]).toHaveLength(config.embedDim);
    expect(relativeError(tfImages, ortImages)).toBeLessThan(1e-4);
    expect(relativeError(tfTexts, ortTexts)).toBeLessThan(1e-4);
    // Different inputs give different embeddings (the check above would pass on constants too).
    expect(relativeError([ortImages[0] as Float32Array], [ortImages[2] as Float32Array])).toBeGreaterThan(1e-2);
    expect(measureRetrieval(ortImages, ortTexts).pairs).toBe(n);
  });

  it('round-trips the checkpoint', async () => {
    const loaded = await loadEncoderCheckpoint(join(dir, 'ours'));
    expect(loaded.config).toEqual(config);
    expect(loaded.weights.get('text.pos')).toEqual(weights.get('text.pos'));
    expect(loaded.tokenizer.encode(pairs.texts[0] as string)).toEqual(tokenizer.encode(pairs.texts[0] as string));
    expect(loaded.metadata).toEqual({ seed: 7 });
  });

  it('loads an external SigLIP-style export with its own names, an attention mask and no encoder.json', async () => {
    const external = join(dir, 'external');
    const io = {
      pixelValues: 'pixel_values',
      imageEmbeds: 'pooler_output',
      inputIds: 'input_ids',
      textEmbeds: 'pooler_output',
      attentionMask: 'attention_mask',
    };
    const onnx = exportEncoderOnnx(config, weights, io);
    const { mkdir } = await import('node:fs/promises');
    await mkdir(external);
    await writeFile(join(external, 'vision_model.onnx'), onnx.vision);
    await writeFile(join(external, 'text_model.onnx'), onnx.text);
    await writeFile(join(external, 'tokenizer.json'), tokenizer.toJSONString());
    const options = { dir: external, io: { imageEmbeds: 'pooler_output', textEmbeds: 'pooler_output' } };
    await expect(OnnxDualEncoder.open(options)).rejects.toThrow(/imageSize/);
    const encoder = await OnnxDualEncoder.open({
      ...options,
      io: { ...options.io, attentionMask: 'attention_mask' },
      imageSize: 16,
      maxTextTokens: 24,
    });
    const ours = await OnnxDualEncoder.open({ dir: join(dir, 'ours') });
    const text = [pairs.texts[1] as string];
    expect(relativeError(await encoder.encodeTexts(text), await ours.encodeTexts(text))).toBeLessThan(1e-6);
    // SigLIP's preprocessing (0.5 / 0.5) is the default without encoder.json.
    const frames = { data: pairs.frames.subarray(0, 16 * 16 * 3), shape: [1, 16, 16, 3] as const };
    expect(await encoder.encodeFrames({ ...frames, shape: [1, 16, 16, 3] })).toHaveLength(1);
    await encoder.close();
    await ours.close();
    await expect(OnnxDualEncoder.open({ dir: external, imageSize: 16, maxTextTokens: 24 })).rejects.toThrow(
      /has no output "image_embeds" \(io\.imageEmbeds\); it has pooler_output/,
    );
  });

  it('names bad options, missing files and cancelled calls', async () => {
    await expect(OnnxDualEncoder.open({ dir: '' })).rejects.toThrow(EncoderOptionsError);
    await expect(OnnxDualEncoder.open({ dir: join(dir, 'nowhere'), imageSize: 16, maxTextTokens: 8 })).rejects.toThrow(
      EncoderLoadError,
    );
    const encoder = await OnnxDualEncoder.open({ dir: join(dir, 'ours') });
    await expect(encoder.encodeFrames({ data: new Uint8Array(8 * 8 * 3), shape: [1, 8, 8, 3] })).rejects.toThrow(
      /8×8, the encoder takes 16×16/,
    );
    await expect(encoder.encodeTexts(['  '])).rejects.toThrow(/texts\[0\]: empty text/);
    await expect(encoder.encodeTexts(['a red circle'], { signal: AbortSignal.abort() })).rejects.toThrow(
      EncoderCancelledError,
    );
    expect(encoder.truncate(pairs.texts[0] as string, 3).length).toBeLessThan((pairs.texts[0] as string).length);
    await encoder.close();
  });
});
