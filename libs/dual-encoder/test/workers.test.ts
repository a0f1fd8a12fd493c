import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EncoderCancelledError,
  EncoderLoadError,
  EncoderOptionsError,
  EncoderRunError,
  OnnxDualEncoder,
  initEncoderWeights,
  parseEncoderConfig,
  saveEncoderCheckpoint,
} from '@vrft/dual-encoder';
import { trainBpe } from '@vrft/tokenizer';
import { createTestConfig, createTestPairs, createTestTokenizer } from './fixtures.js';

const pairs = createTestPairs(6);
const tokenizer = createTestTokenizer(pairs);
const config = createTestConfig(tokenizer);
const n = pairs.texts.length;
const frames = { data: pairs.frames, shape: [n, 16, 16, 3] as const };
let root = '';
let small = '';
let large = '';

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'vrft-encoder-workers-'));
  small = join(root, 'small');
  const weights = initEncoderWeights(config, 3);
  for (const [name, data] of weights) if (!name.startsWith('logit')) data.forEach((v, i) => (data[i] = v * 8));
  await saveEncoderCheckpoint(small, { config, weights, tokenizer, metadata: {} });
  // The default size (ViT 64×64/8, 2 + 2 layers, width 64): one batch of 64 frames is a long run.
  const bpe = trainBpe(['A red circle at the top left moving right.'], { vocabSize: 300 });
  const big = parseEncoderConfig({ vocabSize: bpe.vocabSize, padId: bpe.specialId('pad') });
  large = join(root, 'large');
  await saveEncoderCheckpoint(large, {
    config: big,
    weights: initEncoderWeights(big, 1),
    tokenizer: bpe,
    metadata: {},
  });
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('encoder sessions in worker threads', () => {
  it('give the same embeddings as the sessions on the calling thread', async () => {
    const inThread = await OnnxDualEncoder.open({ dir: small, workers: 0, maxBatch: 5 });
    const oneWorker = await OnnxDualEncoder.open({ dir: small, maxBatch: 5 });
    // Three workers: the chunks of one call run side by side and still come back in order.
    const threeWorkers = await OnnxDualEncoder.open({ dir: small, workers: 3, maxBatch: 2 });
    try {
      expect(inThread.liveWorkers).toBe(0);
      expect(oneWorker.liveWorkers).toBe(1);
      expect(threeWorkers.liveWorkers).toBe(3);
      const expectedFrames = await inThread.encodeFrames(frames);
      const expectedTexts = await inThread.encodeTexts(pairs.texts);
      for (const encoder of [oneWorker, threeWorkers]) {
        // Bit for bit: the same onnxruntime code on the same inputs, one operator thread each.
        expect(await encoder.encodeFrames(frames)).toEqual(expectedFrames);
        expect(await encoder.encodeTexts(pairs.texts)).toEqual(expectedTexts);
      }
      // The rows are the inputs' own, in order (not one row repeated).
      expect(expectedTexts[0]).not.toEqual(expectedTexts[2]);
    } finally {
      await Promise.all([inThread.close(), oneWorker.close(), threeWorkers.close()]);
    }
  });

  it('keep the event loop turning while a long run is in a worker', async () => {
    const encoder = await OnnxDualEncoder.open({ dir: large });
    try {
      const batch = { data: new Uint8Array(64 * 64 * 64 * 3).fill(90), shape: [64, 64, 64, 3] as const };
      let settled = false;
      let turnsDuringRun = 0;
      const encoding = encoder.encodeFrames(batch).finally(() => (settled = true));
      await new Promise<void>((resolve) => {
        const turn = (): void => {
          if (encoder.running > 0) turnsDuringRun += 1;
          if (settled) resolve();
          else setImmediate(turn);
        };
        setImmediate(turn);
      });
      expect(await encoding).toHaveLength(64);
      // On the calling thread session.run holds the loop: at most the one callback queued before
      // onnxruntime's own setImmediate could see the run pending. In a worker the loop keeps turning.
      expect(turnsDuringRun).toBeGreaterThanOrEqual(3);
    } finally {
      await encoder.close();
    }
  });

  it('end their threads on close, and calls after close are refused', async () => {
    const encoder = await OnnxDualEncoder.open({ dir: small, workers: 2 });
    expect(encoder.liveWorkers).toBe(2);
    const running = encoder.encodeTexts(pairs.texts);
    await encoder.close(); // lets the call in progress finish first
    expect(await running).toHaveLength(n);
    expect(encoder.liveWorkers).toBe(0);
    await expect(encoder.encodeTexts(['a red circle'])).rejects.toThrow(EncoderCancelledError);
  });

  it('survive a run that fails in onnxruntime, answering it with a clear error', async () => {
    // Frames of 8×8 pass our checks for imageSize 8, but the graph takes 16×16: onnxruntime
    // refuses the run inside the worker.
    const encoder = await OnnxDualEncoder.open({ dir: small, imageSize: 8 });
    try {
      const wrong = { data: new Uint8Array(2 * 8 * 8 * 3), shape: [2, 8, 8, 3] as const };
      const failure = encoder.encodeFrames(wrong);
      await expect(failure).rejects.toThrow(EncoderRunError);
      await expect(failure).rejects.toThrow(/vision_model\.onnx: onnxruntime failed: .*pixel_values/);
      // The same worker answers the next calls.
      expect(await encoder.encodeTexts(pairs.texts.slice(0, 2))).toHaveLength(2);
      await expect(encoder.encodeFrames(wrong)).rejects.toThrow(EncoderRunError);
      expect(encoder.liveWorkers).toBe(1);
    } finally {
      await encoder.close();
    }
  });

  it('report errors raised in a worker as the library errors, and cancel queued runs', async () => {
    const broken = join(root, 'broken');
    await mkdir(broken);
    await writeFile(join(broken, 'vision_model.onnx'), 'not an onnx model');
    await writeFile(join(broken, 'text_model.onnx'), 'not an onnx model');
    await writeFile(join(broken, 'tokenizer.json'), tokenizer.toJSONString());
    const open = OnnxDualEncoder.open({ dir: broken, imageSize: 16, maxTextTokens: 24 });
    await expect(open).rejects.toThrow(EncoderLoadError);
    await expect(open).rejects.toThrow(/vision_model\.onnx: cannot create an onnxruntime session/);
    await expect(OnnxDualEncoder.open({ dir: small, workers: -1 })).rejects.toThrow(EncoderOptionsError);

    const encoder = await OnnxDualEncoder.open({ dir: small, maxBatch: 1 });
    try {
      const controller = new AbortController();
      const call = encoder.encodeTexts(pairs.texts, { signal: controller.signal });
      controller.abort();
      await expect(call).rejects.toThrow(EncoderCancelledError);
      expect(await encoder.encodeTexts(pairs.texts.slice(0, 1))).toHaveLength(1);
    } finally {
      await encoder.close();
    }
  });
});
