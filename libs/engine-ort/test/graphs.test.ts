import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { headDim, visualTokensPerFrame } from '@vrft/model';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOnnxModels, exportOnnx } from '../src/export/export-onnx.js';
import { buildDecodeGraph } from '../src/export/lm-graphs.js';
import { int64Tensor } from '../src/runtime/batch-inputs.js';
import { SlotKvCache } from '../src/runtime/slot-cache.js';
import { logSoftmax } from '../src/sampling/sampler.js';
import { type ModelSessions } from '../src/runtime/model-sessions.js';
import { createTestConfig, createTestWeights } from './fixtures.js';
import {
  checkDecodeAgainstPrefill,
  createTestSessions,
  makeFrames,
  makeIds,
  relativeError,
  runPrefill,
} from './ort-helpers.js';

const config = createTestConfig();
const weights = createTestWeights(config);
const V = config.vocabSize;
const H = config.numHeads;
const Dh = headDim(config);
let sessions: ModelSessions;

beforeAll(async () => {
  sessions = await createTestSessions(buildOnnxModels(config, weights));
});

async function encode(frameCount: number, seed: number, batch = 1): Promise<Tensor> {
  const clip = makeFrames(config, frameCount * batch, seed);
  const frames = new Tensor('uint8', clip, [batch, frameCount, config.imageHeight, config.imageWidth, 3]);
  return (await sessions.vision.run({ frames }))['visual_tokens'] as Tensor;
}

describe('exported graphs', () => {
  it('vision maps [B, F, H, W, 3] frames to [B, F·Nt, D] for any F up to Fmax', async () => {
    for (const frameCount of [1, 2, config.maxFrames]) {
      const tokens = await encode(frameCount, 3, 2);
      expect(tokens.dims).toEqual([2, frameCount * visualTokensPerFrame(config), config.dModel]);
      expect(Array.from(tokens.data as Float32Array).every(Number.isFinite)).toBe(true);
    }
  });

  it('vision output of a clip does not depend on the other clips of the batch', async () => {
    const both = await encode(2, 5, 2);
    const single = new Tensor('uint8', makeFrames(config, 4, 5).subarray(0, 2 * 8 * 8 * 3), [1, 2, 8, 8, 3]);
    const alone = (await sessions.vision.run({ frames: single }))['visual_tokens'] as Tensor;
    const first = (both.data as Float32Array).subarray(0, alone.data.length);
    expect(relativeError(alone.data as Float32Array, first)).toBeLessThan(1e-5);
  });

  it('prefill gives logits [B, K, V] at the asked positions and KV [B, H, S, Dh]', async () => {
    const rows = [
      { ids: makeIds(7, 1), visual: undefined },
      { ids: makeIds(5, 2), visual: undefined },
    ];
    const out = await runPrefill(sessions.prefill, config, rows, [6, 3]);
    expect(out.outputs['logits']?.dims).toEqual([2, 2, V]);
    expect(out.outputs['present.1.key']?.dims).toEqual([2, H, 7, Dh]);
    expect(out.outputs['present.0.value']?.dims).toEqual([2, H, 7, Dh]);
  });

  it('is causal: changing a token changes the logits at and after it only', async () => {
    const ids = makeIds(10, 4);
    const changed = [...ids];
    changed[6] = (((changed[6] as number) + 1) % 200) + 8;
    const a = (await runPrefill(sessions.prefill, config, [{ ids, visual: undefined }])).logits;
    const b = (await runPrefill(sessions.prefill, config, [{ ids: changed, visual: undefined }])).logits;
    for (let t = 0; t < 10; t++) {
      const err = relativeError(a.subarray(t * V, (t + 1) * V), b.subarray(t * V, (t + 1) * V));
      if (t < 6) expect(err).toBe(0);
      else expect(err).toBeGreaterThan(1e-3);
    }
  });

  it('left padding does not change a row: alone or beside a longer row, same logits', async () => {
    const short = makeIds(5, 6);
    const alone = (await runPrefill(sessions.prefill, config, [{ ids: short, visual: undefined }])).logits;
    const batch = await runPrefill(sessions.prefill, config, [
      { ids: makeIds(9, 7), visual: undefined },
      { ids: short, visual: undefined },
    ]);
    // Row 1 is padded by 4: its positions 4..8 hold the short row.
    const padded = batch.logits.subarray(9 * V + 4 * V, 18 * V);
    expect(relativeError(padded, alone)).toBeLessThan(1e-5);
  });

  it('splices visual tokens at the <video> positions: they change logits from there on only', async () => {
    const n = 2 * visualTokensPerFrame(config);
    const video = config.specialTokens.video;
    const ids = [...makeIds(3, 8), ...new Array<number>(n).fill(video), ...makeIds(4, 9)];
    const x = (await encode(2, 10)).data as Float32Array;
    const y = (await encode(2, 11)).data as Float32Array;
    const a = (await runPrefill(sessions.prefill, config, [{ ids, visual: x }])).logits;
    const b = (await runPrefill(sessions.prefill, config, [{ ids, visual: y }])).logits;
    expect(relativeError(a.subarray(0, 3 * V), b.subarray(0, 3 * V))).toBe(0);
    expect(relativeError(a.subarray((3 + n) * V), b.subarray((3 + n) * V))).toBeGreaterThan(1e-3);
    // Same tokens in reverse order are a different clip to the model.
    const reversed = new Float32Array(x.length);
    const d = config.dModel;
    for (let j = 0; j < n; j++) reversed.set(x.subarray(j * d, (j + 1) * d), (n - 1 - j) * d);
    const c = (await runPrefill(sessions.prefill, config, [{ ids, visual: reversed }])).logits;
    expect(relativeError(c.subarray((3 + n) * V), a.subarray((3 + n) * V))).toBeGreaterThan(1e-4);
  });

  it('KV-cache decode steps give the logits of a prefill of the full sequence (batched, left-padded)', async () => {
    const prompts = [makeIds(6, 12), makeIds(3, 13)];
    const next = [makeIds(5, 14), makeIds(5, 15)];
    const full = await Promise.all(
      prompts.map((p, r) =>
        runPrefill(sessions.prefill, config, [{ ids: [...p, ...(next[r] as number[])], visual: undefined }]),
      ),
    );
    const start = await runPrefill(
      sessions.prefill,
      config,
      prompts.map((ids) => ({ ids, visual: undefined })),
      [5],
    );
    // Row 1 is left-padded by 3 in the prefill; in the slot cache each row starts at slot 0.
    const cache = new SlotKvCache({ layers: config.numLayers, kvHeads: H, headSize: Dh, block: 4, maxCapacity: 64 });
    const layers = Array.from({ length: config.numLayers }, (_, i) => i);
    const kv = {
      keys: layers.map((i) => start.outputs[`present.${i}.key`]?.data as Float32Array),
      values: layers.map((i) => start.outputs[`present.${i}.value`]?.data as Float32Array),
      length: 6,
    };
    cache.addRow(kv, 0, 6);
    cache.addRow(kv, 1, 3);
    for (let step = 0; step < 5; step++) {
      const feeds: Record<string, Tensor> = {
        ...cache.feeds(),
        input_ids: int64Tensor([next[0]?.[step] as number, next[1]?.[step] as number], [2, 1]),
        position_ids: int64Tensor([6 + step, 3 + step], [2, 1]),
        inverse_temperature: new Tensor('float32', Float32Array.of(1, 1 / 0.7), [2, 1]),
      };
      const out = (await sessions.decode.run(feeds)) as Record<string, Tensor>;
      expect(out['logits']?.dims).toEqual([2, 1, V]);
      expect(out['probs']?.dims).toEqual([2, 1, V]);
      expect(out['new.0.key']?.dims).toEqual([2, H, 1, Dh]);
      const logits = out['logits']?.data as Float32Array;
      const probs = out['probs']?.data as Float32Array;
      for (let r = 0; r < 2; r++) {
        const at = (prompts[r] as number[]).length + step; // position of the fed token
        const expected = (full[r]?.logits as Float32Array).subarray(at * V, (at + 1) * V);
        expect(relativeError(logits.subarray(r * V, (r + 1) * V), expected)).toBeLessThan(1e-5);
        // probs = softmax(z/τ) of the same row, τ = 1 and 0.7.
        const softmax = Array.from(logSoftmax(logits, r * V, V, r === 0 ? 1 : 0.7), Math.exp);
        expect(relativeError(probs.subarray(r * V, (r + 1) * V), softmax)).toBeLessThan(1e-5);
      }
      cache.append(
        layers.map((i) => out[`new.${i}.key`]?.data as Float32Array),
        layers.map((i) => out[`new.${i}.value`]?.data as Float32Array),
      );
    }
    expect([cache.lengthOf(0), cache.lengthOf(1)]).toEqual([11, 8]);
  });

  it('slot cache: a row joining mid-stream and a row leaving leave the other rows exact', async () => {
    await checkDecodeAgainstPrefill(config, sessions);
  });

  it('names graph outputs without Identity copies', () => {
    const decode = buildDecodeGraph(config, weights).toGraph();
    expect(decode.nodes.some((node) => node.opType === 'Identity')).toBe(false);
    expect(
      decode.nodes.some((node) => node.opType === 'Concat' && node.outputs.some((o) => o.startsWith('new.'))),
    ).toBe(false);
  });

  it('writes onnx/ with shared external weights that load and give the same logits', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'engine-ort-export-'));
    try {
      const exported = await exportOnnx(config, weights, dir);
      const fromFile = await InferenceSession.create(exported.paths.prefill, { intraOpNumThreads: 1 });
      const rows = [{ ids: makeIds(6, 16), visual: undefined }];
      const a = await runPrefill(fromFile, config, rows);
      const b = await runPrefill(sessions.prefill, config, rows);
      expect(relativeError(a.logits, b.logits)).toBe(0);
      await fromFile.release();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

afterAll(async () => {
  for (const s of Object.values(sessions)) await s.release();
});
