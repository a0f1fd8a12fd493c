/** Test helpers around raw onnxruntime sessions of the exported graphs. */
import { type ModelConfig } from '@vrft/model';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { buildPrefillFeeds, type PrefillRow } from '../src/runtime/batch-inputs.js';
import { type ModelSessions } from '../src/runtime/model-sessions.js';

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
