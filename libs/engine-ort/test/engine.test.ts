import { visualTokensPerFrame } from '@vrft/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrtEngine } from '../src/engine/ort-engine.js';
import { InvalidInputError, SamplingParamsError } from '../src/errors.js';
import { buildOnnxModels } from '../src/export/export-onnx.js';
import { type ModelSessions } from '../src/runtime/model-sessions.js';
import { type GenerateRequest } from '../src/runtime/requests.js';
import { createTestConfig, createTestTokenizer, createTestWeights } from './fixtures.js';
import { createTestSessions, makeFrames, makeIds, runPrefill } from './ort-helpers.js';

const tokenizer = createTestTokenizer();
const config = createTestConfig(tokenizer);
const weights = createTestWeights(config, 1);
const V = config.vocabSize;
let engine: OrtEngine;
let reference: ModelSessions;
let seedCounter = 0n;

beforeAll(async () => {
  engine = await OrtEngine.open(
    { kind: 'memory', config, weights, tokenizer, version: 'v1' },
    { workers: 1, intraOpThreads: 1 },
    () => ++seedCounter,
  );
  reference = await createTestSessions(buildOnnxModels(config, weights));
});

afterAll(async () => {
  await engine.close();
  for (const s of Object.values(reference)) await s.release();
});

/** Greedy continuation by recomputing the whole sequence each step: the slow obvious version. */
async function greedyByRecompute(prompt: readonly number[], steps: number, visual?: Float32Array): Promise<number[]> {
  const ids = [...prompt];
  const out: number[] = [];
  for (let t = 0; t < steps; t++) {
    const { logits } = await runPrefill(reference.prefill, config, [{ ids, visual }], [ids.length - 1]);
    let best = 0;
    for (let v = 1; v < V; v++) if ((logits[v] as number) > (logits[best] as number)) best = v;
    out.push(best);
    if (best === config.specialTokens.eos) break;
    ids.push(best);
  }
  return out;
}

const videoPositions = 2 * visualTokensPerFrame(config);
function videoPrompt(seed: number): GenerateRequest {
  return {
    promptIds: [
      1,
      ...makeIds(2, seed),
      ...new Array<number>(videoPositions).fill(config.specialTokens.video),
      ...makeIds(3, seed + 1),
    ],
    video: { frames: makeFrames(config, 2, seed), frameCount: 2 },
  };
}

describe('OrtEngine generation', () => {
  it('greedy decoding with the KV cache equals argmax by recomputation, in a mixed batch', async () => {
    const prompts = [makeIds(9, 1), makeIds(4, 2), makeIds(6, 3)];
    const lengths = [10, 3, 7]; // rows leave the batch at different steps
    const { results, version } = await engine.generate(
      prompts.map((promptIds, i) => ({ promptIds, sampling: { temperature: 0, maxNewTokens: lengths[i] } })),
    );
    expect(version).toBe('v1');
    for (let i = 0; i < prompts.length; i++) {
      const completion = results[i]?.completions[0];
      const expected = await greedyByRecompute(prompts[i] as number[], lengths[i] as number);
      expect(completion?.tokenIds).toEqual(expected);
      expect(completion?.logprobs).toHaveLength(expected.length);
      if (completion?.finishReason !== 'eos') expect(completion?.finishReason).toBe('length');
      expect(results[i]?.promptTokens).toBe((prompts[i] as number[]).length);
    }
  });

  it('greedy decoding with a video equals recomputation with the clip encoded once', async () => {
    const request = videoPrompt(4);
    const { results } = await engine.generate([{ ...request, sampling: { temperature: 0, maxNewTokens: 6 } }]);
    const frames = request.video?.frames as Uint8Array;
    const { Tensor } = await import('onnxruntime-node');
    const visual = (await reference.vision.run({ frames: new Tensor('uint8', frames, [1, 2, 8, 8, 3]) }))[
      'visual_tokens'
    ];
    const expected = await greedyByRecompute(request.promptIds, 6, visual?.data as Float32Array);
    expect(results[0]?.completions[0]?.tokenIds).toEqual(expected);
  });

  it('is deterministic for a seed, and samples of one request differ', async () => {
    const request: GenerateRequest = {
      promptIds: makeIds(5, 5),
      sampling: { temperature: 1.5, maxNewTokens: 12, seed: 99 },
      samples: 3,
    };
    const a = await engine.generate([request]);
    const b = await engine.generate([request, { promptIds: makeIds(8, 6), sampling: { maxNewTokens: 5 } }]);
    const first = a.results[0]?.completions ?? [];
    expect(first.map((c) => c.tokenIds)).toEqual(b.results[0]?.completions.map((c) => c.tokenIds));
    expect(new Set(first.map((c) => c.tokenIds.join(','))).size).toBeGreaterThan(1);
    expect(first[0]?.seed).toBe(99n);
    const other = await engine.generate([{ ...request, sampling: { ...request.sampling, seed: 100 } }]);
    expect(other.results[0]?.completions[0]?.tokenIds).not.toEqual(first[0]?.tokenIds);
  });

  it('returns sampling log-probs equal to the scoring mode on the same sequences (with video)', async () => {
    for (const temperature of [1, 0.7]) {
      const request = { ...videoPrompt(7), sampling: { temperature, maxNewTokens: 10, seed: 5 }, samples: 2 };
      const { results } = await engine.generate([
        request,
        { promptIds: makeIds(3, 8), sampling: { temperature, maxNewTokens: 4, seed: 1 } },
      ]);
      const completions = results[0]?.completions ?? [];
      const scored = await engine.score(
        completions.map((c) => ({
          promptIds: request.promptIds,
          video: request.video,
          completionIds: c.tokenIds,
          temperature,
        })),
      );
      completions.forEach((c, i) => {
        const logprobs = scored.results[i]?.logprobs ?? [];
        expect(logprobs).toHaveLength(c.logprobs.length);
        logprobs.forEach((lp, t) => expect(Math.abs(lp - (c.logprobs[t] as number))).toBeLessThan(1e-4));
      });
    }
  });

  it('stops at a stop sequence found in the decoded text', async () => {
    const promptIds = makeIds(6, 9);
    const free = await engine.generate([{ promptIds, sampling: { temperature: 0, maxNewTokens: 16 } }]);
    const full = free.results[0]?.completions[0];
    const text = full?.text ?? '';
    expect(text.length).toBeGreaterThan(6);
    const stop = text.slice(4, 7);
    const cut = await engine.generate([{ promptIds, sampling: { temperature: 0, maxNewTokens: 16, stop: [stop] } }]);
    const stopped = cut.results[0]?.completions[0];
    expect(stopped?.finishReason).toBe('stop');
    expect(stopped?.stop).toBe(stop);
    expect(stopped?.text).toBe(text.slice(0, text.indexOf(stop)));
    expect(stopped?.tokenIds).toEqual(full?.tokenIds.slice(0, stopped?.tokenIds.length));
    expect((stopped?.tokenIds.length ?? 0) < (full?.tokenIds.length ?? 0)).toBe(true);
  });

  it('stops at the context length', async () => {
    const promptIds = makeIds(config.contextLength - 3, 10);
    const { results } = await engine.generate([{ promptIds, sampling: { temperature: 0, maxNewTokens: 10 } }]);
    const completion = results[0]?.completions[0];
    if (completion?.finishReason !== 'eos') {
      expect(completion?.finishReason).toBe('length');
      expect(completion?.tokenIds).toHaveLength(3);
    }
  });
});

describe('OrtEngine bad input', () => {
  const cases: [string, GenerateRequest, string][] = [
    ['token id out of range', { promptIds: [1, V + 5] }, 'requests[0].promptIds[1]'],
    ['negative token id', { promptIds: [-1] }, 'requests[0].promptIds[0]'],
    ['empty prompt', { promptIds: [] }, 'requests[0].promptIds'],
    ['video positions without video', { promptIds: [1, config.specialTokens.video] }, 'requests[0].promptIds'],
    [
      'wrong frame bytes',
      { ...videoPrompt(1), video: { frames: new Uint8Array(10), frameCount: 2 } },
      'requests[0].video.frames',
    ],
    [
      'too many frames',
      { ...videoPrompt(1), video: { frames: new Uint8Array(0), frameCount: 9 } },
      'requests[0].video.frameCount',
    ],
    ['samples 0', { promptIds: [1, 2], samples: 0 }, 'requests[0].samples'],
  ];
  it.each(cases)('rejects %s with InvalidInputError naming the field', async (_, request, field) => {
    const error = await engine.generate([request]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).field).toBe(field);
    expect((error as InvalidInputError).code).toBe('INVALID_ARGUMENT');
  });

  it.each([
    [{ temperature: -1 }, 'temperature'],
    [{ topP: 0 }, 'topP'],
    [{ topK: -2 }, 'topK'],
    [{ maxNewTokens: 0 }, 'maxNewTokens'],
    [{ maxNewTokens: config.contextLength + 1 }, 'maxNewTokens'],
  ])('rejects sampling %o', async (sampling, field) => {
    const error = await engine.generate([{ promptIds: [1, 2], sampling }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SamplingParamsError);
    expect((error as SamplingParamsError).field).toBe(field);
  });

  it('rejects scoring past the context and out-of-range completion ids', async () => {
    const long = await engine
      .score([{ promptIds: makeIds(40, 1), completionIds: makeIds(30, 2) }])
      .catch((e: unknown) => e);
    expect(long).toBeInstanceOf(InvalidInputError);
    const bad = await engine.score([{ promptIds: [1], completionIds: [V] }]).catch((e: unknown) => e);
    expect((bad as InvalidInputError).field).toBe('requests[0].completionIds[0]');
    // A <video> in a completion has no frames to splice in: refused, not an onnxruntime crash.
    const video = engine.config.specialTokens.video;
    const special = await engine.score([{ promptIds: [1], completionIds: [9, video] }]).catch((e: unknown) => e);
    expect(special).toBeInstanceOf(InvalidInputError);
    expect((special as InvalidInputError).field).toBe('requests[0].completionIds[1]');
  });

  it('never samples <video>, <pad> or <bos>', async () => {
    const { video, pad, bos } = engine.config.specialTokens;
    const { results } = await engine.generate([
      { promptIds: makeIds(4, 5), sampling: { maxNewTokens: 24, seed: 3, temperature: 5 } },
      { promptIds: makeIds(4, 6), sampling: { maxNewTokens: 24, seed: 4, temperature: 5 } },
    ]);
    for (const result of results) {
      for (const completion of result?.completions ?? []) {
        expect(completion.tokenIds.filter((id) => id === video || id === pad || id === bos)).toEqual([]);
      }
    }
  });

  it('keeps serving after bad requests', async () => {
    const { results } = await engine.generate([{ promptIds: makeIds(3, 3), sampling: { maxNewTokens: 2, seed: 1 } }]);
    expect(results[0]?.completions[0]?.tokenIds).toHaveLength(2);
  });
});
