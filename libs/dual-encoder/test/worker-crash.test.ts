/**
 * Encoder workers that end while they have work: one ended while a call is encoding (the way an
 * operator ends a misbehaving one, OnnxDualEncoder.terminateWorker: its thread exits between two
 * graph runs), workers stopped while they create their sessions (a start that fails), and a close
 * while runs are in flight. Threads are never stopped with Worker.terminate(): inside an
 * onnxruntime call that aborts the whole test process, so these tests also pass only if the
 * process lives on.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EncoderLoadError,
  EncoderRunError,
  OnnxDualEncoder,
  initEncoderWeights,
  parseEncoderConfig,
  saveEncoderCheckpoint,
} from '@vrft/dual-encoder';
import { createTestConfig, createTestPairs, createTestTokenizer } from './fixtures.js';

const pairs = createTestPairs(6);
const tokenizer = createTestTokenizer(pairs);
const config = createTestConfig(tokenizer);
const n = pairs.texts.length;
const frames = { data: pairs.frames, shape: [n, 16, 16, 3] as const };
let root = '';
let dir = '';

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'vrft-encoder-crash-'));
  dir = join(root, 'encoder');
  await saveEncoderCheckpoint(dir, { config, weights: initEncoderWeights(config, 5), tokenizer, metadata: {} });
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('an encoder worker that dies while encoding', () => {
  it('fails the call it was running, is replaced, and the replacement gives the same embeddings', async () => {
    // maxBatch 1: a call is one graph run per row, one after the other on the one worker.
    const encoder = await OnnxDualEncoder.open({ dir, workers: 1, maxBatch: 1 });
    try {
      const textsBefore = await encoder.encodeTexts(pairs.texts);
      const framesBefore = await encoder.encodeFrames(frames);
      const [old] = encoder.workers;
      expect(old).toEqual({ threadId: expect.any(Number) as number, busy: false, ready: true });
      const threadId = old?.threadId as number;

      const victim = encoder.encodeTexts(pairs.texts);
      const waiting = encoder.encodeFrames(frames); // queued behind the victim's runs
      expect(encoder.workers).toEqual([{ threadId, busy: true, ready: true }]);
      // The thread reads the request between two runs: the victim has runs left then.
      const ended = encoder.terminateWorker(threadId);

      const error = await victim.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(EncoderRunError);
      expect((error as Error).message).toMatch(/text_model\.onnx: the encoder worker died: .*exited with code 1/);
      expect(await ended).toBe(true);
      // The call that waited runs on the replacement.
      expect(await waiting).toEqual(framesBefore);
      const [replacement] = encoder.workers;
      expect(encoder.workers).toHaveLength(1);
      expect(replacement?.threadId).not.toBe(threadId);
      expect(encoder.liveWorkers).toBe(1);

      // Bit for bit what the first worker gave.
      expect(await encoder.encodeTexts(pairs.texts)).toEqual(textsBefore);
      expect(await encoder.encodeFrames(frames)).toEqual(framesBefore);
      expect(encoder.workers).toEqual([{ threadId: replacement?.threadId, busy: false, ready: true }]);
      // The old thread is gone: there is nothing of that id left to end.
      expect(await encoder.terminateWorker(threadId)).toBe(false);
    } finally {
      await encoder.close();
    }
  });

  it('is replaced for the runs a closing encoder accepted, and then the encoder closes', async () => {
    const encoder = await OnnxDualEncoder.open({ dir, workers: 1, maxBatch: 1 });
    const before = await encoder.encodeFrames(frames);
    const threadId = encoder.workers[0]?.threadId as number;
    const victim = encoder.encodeTexts(pairs.texts);
    const waiting = encoder.encodeFrames(frames);
    const ended = encoder.terminateWorker(threadId);
    const closed = encoder.close(); // waits for both calls
    await expect(victim).rejects.toThrow(EncoderRunError);
    expect(await ended).toBe(true);
    expect(await waiting).toEqual(before);
    await closed;
    expect(encoder.liveWorkers).toBe(0);
    expect(encoder.workers).toEqual([]);
  });
});

describe('stopping encoder workers', () => {
  it('fails a start whose sessions cannot be created cleanly, again and again', async () => {
    // A deep vision graph (its session takes a while to create) and a text graph onnxruntime
    // cannot parse: every worker creates its vision session, then fails on the text one, each at
    // its own time, and the first failure stops the others, which are likely inside a native
    // session creation then.
    const broken = join(root, 'broken');
    const deep = parseEncoderConfig({ ...config, visionLayers: 16 });
    await saveEncoderCheckpoint(broken, {
      config: deep,
      weights: initEncoderWeights(deep, 1),
      tokenizer,
      metadata: {},
    });
    await writeFile(join(broken, 'text_model.onnx'), new Uint8Array(64).fill(7));
    for (let round = 0; round < 3; round++) {
      const error = await OnnxDualEncoder.open({ dir: broken, workers: 4 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(EncoderLoadError);
      expect((error as Error).message).toMatch(/text_model\.onnx: cannot create an onnxruntime session/);
    }
    // The process lives on and starts good workers.
    const encoder = await OnnxDualEncoder.open({ dir, workers: 4, maxBatch: 2 });
    try {
      expect(encoder.workers.map((w) => w.ready)).toEqual([true, true, true, true]);
      expect(await encoder.encodeTexts(pairs.texts)).toHaveLength(n);
    } finally {
      await encoder.close();
    }
  });

  it('lets close wait for the runs in flight, which give the same embeddings', async () => {
    const encoder = await OnnxDualEncoder.open({ dir, workers: 2, maxBatch: 1 });
    // The same chunks on the calling thread: a run's batch size can change the last bits.
    const reference = await OnnxDualEncoder.open({ dir, workers: 0, maxBatch: 1 });
    try {
      const texts = encoder.encodeTexts(pairs.texts);
      const framed = encoder.encodeFrames(frames);
      expect(encoder.running).toBe(2); // both workers have a run; the rest wait
      await encoder.close();
      expect(encoder.liveWorkers).toBe(0);
      expect(encoder.workers).toEqual([]);
      expect(await texts).toEqual(await reference.encodeTexts(pairs.texts));
      expect(await framed).toEqual(await reference.encodeFrames(frames));
    } finally {
      await reference.close();
    }
  });
});
