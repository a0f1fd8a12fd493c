/**
 * Parity of the two engines: onnxruntime logits of the exported graphs against the TensorFlow.js
 * training forward (@vrft/engine-tfjs) on the same weights and inputs, rel. error ≤ 1e-4 (fp32),
 * with multi-head and grouped-query attention.
 */
import * as tf from '@tensorflow/tfjs-core';
import { createBatch, selectBackend, TfjsModel } from '@vrft/engine-tfjs';
import { createModelConfig, MICRO_MODEL_SIZES, visualTokensPerClip, type ModelConfig } from '@vrft/model';
import { Tensor } from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildOnnxModels } from '../src/export/export-onnx.js';
import { createTestConfig, createTestTokenizer, createTestWeights } from './fixtures.js';
import { createTestSessions, makeFrames, makeIds, runPrefill } from './ort-helpers.js';

const tokenizer = createTestTokenizer();

beforeAll(async () => {
  await selectBackend({ order: ['wasm', 'cpu'] });
});

interface Row {
  readonly ids: number[];
  readonly videoStart: number;
  readonly frames: Uint8Array;
}

function makeRow(config: ModelConfig, before: number, after: number, seed: number): Row {
  const n = visualTokensPerClip(config);
  const ids = [
    1,
    ...makeIds(before, seed),
    ...new Array<number>(n).fill(config.specialTokens.video),
    ...makeIds(after, seed + 1),
  ];
  return { ids, videoStart: 1 + before, frames: makeFrames(config, config.frames, seed) };
}

/** Max |ort − tfjs| over the real positions of every row, relative to max |tfjs|. */
async function compareEngines(config: ModelConfig, rows: readonly Row[], scale: number): Promise<number> {
  const weights = createTestWeights(config, 21, scale);
  const sessions = await createTestSessions(buildOnnxModels(config, weights));
  const model = TfjsModel.create(config, weights);
  try {
    const batch = createBatch(
      config,
      rows.map((r) => ({ tokenIds: r.ids, videoStart: r.videoStart, frames: r.frames })),
      { padSide: 'left' },
    );
    const expected = tf.tidy(() => model.forward(batch).dataSync() as Float32Array); // [B, T, V]
    const { imageHeight: h, imageWidth: w, frames: f } = config;
    const visual = await Promise.all(
      rows.map(async (r) => {
        const out = await sessions.vision.run({ frames: new Tensor('uint8', r.frames, [1, f, h, w, 3]) });
        return out['visual_tokens']?.data as Float32Array;
      }),
    );
    const { logits } = await runPrefill(
      sessions.prefill,
      config,
      rows.map((r, i) => ({ ids: r.ids, visual: visual[i] })),
    );
    const t = batch.seqLen;
    const v = config.vocabSize;
    expect(logits.length).toBe(expected.length);
    let diff = 0;
    let scaleMax = 0;
    rows.forEach((row, r) => {
      for (let pos = t - row.ids.length; pos < t; pos++) {
        for (let k = 0; k < v; k++) {
          const at = (r * t + pos) * v + k;
          diff = Math.max(diff, Math.abs((logits[at] as number) - (expected[at] as number)));
          scaleMax = Math.max(scaleMax, Math.abs(expected[at] as number));
        }
      }
    });
    return diff / scaleMax;
  } finally {
    model.dispose();
    for (const s of Object.values(sessions)) await s.release();
  }
}

describe('parity: onnxruntime vs TensorFlow.js logits', () => {
  it('agree within 1e-4 on a small config with spatial pooling, left-padded batch with video', async () => {
    const config = { ...createTestConfig(tokenizer), pool: 2 };
    const error = await compareEngines(config, [makeRow(config, 3, 5, 1), makeRow(config, 1, 2, 2)], 5);
    console.log(`parity rel. error: ${error.toExponential(2)}`);
    expect(error).toBeLessThan(1e-4);
  });

  it('agree within 1e-4 with grouped-query attention (2 and 1 K/V heads for 4 query heads)', async () => {
    for (const numKvHeads of [2, 1]) {
      const config = createModelConfig('tiny', tokenizer, { ...MICRO_MODEL_SIZES, numHeads: 4, numKvHeads, pool: 2 });
      const error = await compareEngines(config, [makeRow(config, 3, 5, 4), makeRow(config, 1, 2, 5)], 5);
      console.log(`parity rel. error (numKvHeads ${numKvHeads}): ${error.toExponential(2)}`);
      expect(error).toBeLessThan(1e-4);
    }
  });

  it('agree within 1e-4 with per-channel pixel normalisation, and the normalisation changes the logits', async () => {
    const legacy = createModelConfig('tiny', tokenizer, {
      ...MICRO_MODEL_SIZES,
      pool: 2,
      pixelMean: [0.5, 0.5, 0.5],
      pixelStd: [0.5, 0.5, 0.5],
    });
    const perChannel = { ...legacy, pixelMean: [0.1, 0.3, 0.6], pixelStd: [0.2, 0.3, 0.5] } as const;
    const rows = [makeRow(legacy, 3, 5, 6), makeRow(legacy, 1, 2, 7)];
    for (const config of [legacy, perChannel]) {
      const error = await compareEngines(config, rows, 5);
      console.log(`parity rel. error (pixelMean ${config.pixelMean.join('/')}): ${error.toExponential(2)}`);
      expect(error).toBeLessThan(1e-4);
    }
    // Both engines apply the config's values: the same weights and frames give other logits.
    const logits = (config: ModelConfig) => {
      const model = TfjsModel.create(config, createTestWeights(config, 21, 5));
      const batch = createBatch(config, [{ tokenIds: rows[0]?.ids ?? [], videoStart: 4, frames: rows[0]?.frames }]);
      const out = tf.tidy(() => model.forward(batch).dataSync() as Float32Array);
      model.dispose();
      return out;
    };
    const a = logits(legacy);
    const b = logits(perChannel);
    expect(Math.max(...a.map((x, i) => Math.abs(x - (b[i] as number))))).toBeGreaterThan(1e-3);
  });

  it('agree within 1e-4 on the tiny preset', async () => {
    const config = createModelConfig('tiny', tokenizer);
    const error = await compareEngines(config, [makeRow(config, 4, 12, 3)], 1);
    console.log(`parity rel. error: ${error.toExponential(2)}`);
    expect(error).toBeLessThan(1e-4);
  });

  it('agree within 1e-4 on the tiny preset with the K/V heads of `small` (4 query heads per K/V head)', async () => {
    const config = createModelConfig('tiny', tokenizer, { numHeads: 8, numKvHeads: 2 });
    const error = await compareEngines(config, [makeRow(config, 4, 12, 6)], 1);
    console.log(`parity rel. error (tiny, 8 heads, 2 K/V heads): ${error.toExponential(2)}`);
    expect(error).toBeLessThan(1e-4);
  });
});
