/** Test helpers around raw onnxruntime sessions of the exported graphs. */
import { headDim, type ModelConfig } from '@vrft/model';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { expect } from 'vitest';
import { buildPrefillFeeds, int64Tensor, type PrefillRow } from '../src/runtime/batch-inputs.js';
import { type ModelSessions } from '../src/runtime/model-sessions.js';
import { SlotKvCache } from '../src/runtime/slot-cache.js';

/** Sessions from in-memory models, single-threaded (tests share 2 cores). */
export async function createTestSessions(
  models: Record<'vision' | 'prefill' | 'decode', Uint8Array>,
): Promise<ModelSessions> {
  const options: InferenceSession.SessionOptions = { intraOpNumThreads: 1, interOpNumThreads: 1 };
  return {
    vision: await InferenceSession.create(models.vision, options),
    prefill: await InferenceSession.create(models.prefill, options),
    decode: await InferenceSession.create(models.decode, options),
  };
}

/** Output of one prefill run. */
export interface PrefillOut {
  readonly logits: Float32Array; // [B, K, V]
  readonly outputs: Record<string, Tensor>;
}

/** Runs prefill for rows left-padded to their longest, with logits at `positions` (default: all). */
export async function runPrefill(
  session: InferenceSession,
  config: ModelConfig,
  rows: readonly PrefillRow[],
  positions?: readonly number[],
): Promise<PrefillOut> {
  const length = Math.max(...rows.map((row) => row.ids.length));
  const wanted = positions ?? Array.from({ length }, (_, i) => i);
  const outputs = (await session.run(buildPrefillFeeds(config, rows, length, wanted))) as Record<string, Tensor>;
  return { logits: outputs['logits']?.data as Float32Array, outputs };
}

/** Largest |a − b| relative to the largest |b|. */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs((a[i] as number) - (b[i] as number)));
    scale = Math.max(scale, Math.abs(b[i] as number));
  }
  return diff / scale;
}

/** Deterministic pseudo-random ids in [lo, hi) (not the special tokens). */
export function makeIds(count: number, seed: number, lo = 8, hi = 250): number[] {
  let state = seed >>> 0;
  return Array.from({ length: count }, () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return lo + (state % (hi - lo));
  });
}

/** Deterministic frames of a clip. */
export function makeFrames(config: ModelConfig, frameCount: number, seed: number): Uint8Array {
  const frames = new Uint8Array(frameCount * config.imageHeight * config.imageWidth * 3);
  let state = seed >>> 0;
  for (let i = 0; i < frames.length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    frames[i] = state >>> 24;
  }
  return frames;
}

/**
 * Three sequences through the slot cache (A from the start, B joins after two steps, A leaves
 * after three and C joins): every decode step's logits equal a prefill of that row's whole
 * sequence.
 */
export async function checkDecodeAgainstPrefill(model: ModelConfig, graphs: ModelSessions): Promise<void> {
  const prompts = [makeIds(7, 21), makeIds(2, 22), makeIds(4, 23)];
  const fed = [makeIds(6, 24), makeIds(6, 25), makeIds(6, 26)];
  const full = await Promise.all(
    prompts.map((p, r) =>
      runPrefill(graphs.prefill, model, [{ ids: [...p, ...(fed[r] as number[])], visual: undefined }]),
    ),
  );
  const { numLayers, numKvHeads, vocabSize } = model;
  const layerIds = Array.from({ length: numLayers }, (_, i) => i);
  const cache = new SlotKvCache({
    layers: numLayers,
    kvHeads: numKvHeads,
    headSize: headDim(model),
    block: 2,
    maxCapacity: 64,
  });
  const rows: number[] = []; // sequence of each cache row
  const steps = [0, 0, 0];
  const admit = async (r: number): Promise<void> => {
    // Joined from a left-padded pair, so the padding is dropped on the way in.
    const ids = prompts[r] as number[];
    const padded = [
      { ids: makeIds(ids.length + 3, 30 + r), visual: undefined },
      { ids, visual: undefined },
    ];
    const out = await runPrefill(graphs.prefill, model, padded, [ids.length + 2]);
    const tensor = (name: string) => out.outputs[name]?.data as Float32Array;
    const kv = {
      keys: layerIds.map((i) => tensor(`present.${i}.key`)),
      values: layerIds.map((i) => tensor(`present.${i}.value`)),
      length: ids.length + 3,
    };
    cache.addRow(kv, 1, ids.length);
    rows.push(r);
  };
  await admit(0);
  for (let step = 0; step < 7; step++) {
    if (step === 2) await admit(1);
    if (step === 3) {
      const i = rows.indexOf(0);
      cache.removeRow(i);
      const last = rows.pop() as number;
      if (i < rows.length) rows[i] = last;
      await admit(2);
    }
    const positions = rows.map((r) => (prompts[r] as number[]).length + (steps[r] as number));
    const out = (await graphs.decode.run({
      ...cache.feeds(),
      input_ids: int64Tensor(
        rows.map((r) => fed[r]?.[steps[r] as number] as number),
        [rows.length, 1],
      ),
      position_ids: int64Tensor(positions, [rows.length, 1]),
      inverse_temperature: new Tensor('float32', new Float32Array(rows.length).fill(1), [rows.length, 1]),
    })) as Record<string, Tensor>;
    expect(out['new.0.key']?.dims).toEqual([rows.length, numKvHeads, 1, headDim(model)]);
    const logits = out['logits']?.data as Float32Array;
    rows.forEach((r, i) => {
      const at = positions[i] as number;
      const expected = (full[r]?.logits as Float32Array).subarray(at * vocabSize, (at + 1) * vocabSize);
      expect(relativeError(logits.subarray(i * vocabSize, (i + 1) * vocabSize), expected)).toBeLessThan(1e-5);
    });
    cache.append(
      layerIds.map((i) => out[`new.${i}.key`]?.data as Float32Array),
      layerIds.map((i) => out[`new.${i}.value`]?.data as Float32Array),
    );
    for (const r of rows) steps[r] = (steps[r] as number) + 1;
    if (rows.some((r) => (steps[r] as number) >= 6)) break;
  }
  expect(steps).toEqual([3, 5, 4]);
}
