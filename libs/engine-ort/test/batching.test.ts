import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrtEngine, type GenerationEvent } from '../src/engine/ort-engine.js';
import { DeadlineExceededError, QueueFullError, RequestCancelledError } from '../src/errors.js';
import { type EngineStepStats } from '../src/index.js';
import { createTestConfig, createTestTokenizer, createTestWeights } from './fixtures.js';
import { makeFrames, makeIds } from './ort-helpers.js';

const tokenizer = createTestTokenizer();
const config = createTestConfig(tokenizer, 128);
const weights = createTestWeights(config, 7);
let engine: OrtEngine;
const steps: EngineStepStats[] = [];

beforeAll(async () => {
  engine = await OrtEngine.open(
    { kind: 'memory', config, weights, tokenizer, version: 'b1' },
    { workers: 1, intraOpThreads: 1, maxBatchSize: 4, maxQueue: 2, cacheBlock: 8 },
  );
  engine.onStep((stats) => steps.push(stats));
});
afterAll(async () => {
  await engine.close();
});

const request = (seed: number, maxNewTokens = 24) => ({
  promptIds: makeIds(3 + (seed % 5), seed),
  sampling: { temperature: 1, maxNewTokens, seed, stop: [] },
});

async function collect(events: AsyncIterable<GenerationEvent>): Promise<GenerationEvent[]> {
  const out: GenerationEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}

describe('continuous batching', () => {
  it('gives a seeded request the same completion alone and when it joins a running batch', async () => {
    const alone = (await engine.generate([request(11)])).results[0]?.completions[0];
    // Sequences with other lengths run first; request 11 joins between their decode steps.
    const others = [request(12, 40), request(13, 30)].map((r) => engine.generate([r]));
    await new Promise((resolve) => setTimeout(resolve, 20));
    const joined = (await engine.generate([request(11)])).results[0]?.completions[0];
    await Promise.all(others);
    expect(joined?.tokenIds).toEqual(alone?.tokenIds);
    joined?.logprobs.forEach((lp, i) => expect(lp).toBeCloseTo(alone?.logprobs[i] as number, 4));
    expect(Math.max(...steps.map((s) => s.batch))).toBeGreaterThan(1);
  });

  it('streams deltas that add up to the result, then the result with the version', async () => {
    const events = await collect(engine.generateStream({ ...request(21), samples: 2 }));
    const done = events.at(-1);
    expect(done?.type).toBe('done');
    if (done?.type !== 'done') return;
    expect(done.version).toBe('b1');
    done.result.completions.forEach((completion, sample) => {
      const deltas = events.flatMap((e) => (e.type === 'delta' && e.sample === sample ? [e] : []));
      expect(deltas.length).toBeGreaterThan(1);
      expect(deltas.flatMap((d) => d.tokenIds)).toEqual(completion.tokenIds);
      expect(deltas.map((d) => d.text).join('')).toBe(completion.text);
    });
  });

  it('with a stream interval, sends the first token at once and coalesces the rest into fewer deltas', async () => {
    const coalescing = await OrtEngine.open(
      { kind: 'memory', config, weights, tokenizer, version: 'b1' },
      { workers: 1, intraOpThreads: 1, streamIntervalMs: 60_000 },
    );
    try {
      const events = await collect(coalescing.generateStream(request(21, 24)));
      const done = events.at(-1);
      if (done?.type !== 'done') throw new Error('no result');
      const completion = done.result.completions[0];
      const deltas = events.flatMap((e) => (e.type === 'delta' ? [e] : []));
      // Within one interval: the first token alone, then everything else with the end.
      expect(deltas.map((d) => d.tokenIds.length)).toEqual([1, (completion?.tokenIds.length ?? 0) - 1]);
      expect(deltas.flatMap((d) => d.tokenIds)).toEqual(completion?.tokenIds);
      expect(deltas.map((d) => d.text).join('')).toBe(completion?.text);
      // The same tokens as a stream that sends every step.
      const everyStep = (await engine.generate([request(21, 24)])).results[0]?.completions[0];
      expect(completion?.tokenIds).toEqual(everyStep?.tokenIds);
    } finally {
      await coalescing.close();
    }
  });

  it('refuses a call at once when every slot is busy and the queue is full', async () => {
    const controller = new AbortController();
    const busy = Array.from({ length: 6 }, (_, i) =>
      engine.generate([request(30 + i, 120)], { signal: controller.signal }).catch((e: unknown) => e),
    );
    expect(engine.occupancy).toEqual({ queued: 2, running: 4 });
    await expect(engine.generate([request(40)])).rejects.toBeInstanceOf(QueueFullError);
    controller.abort();
    for (const outcome of await Promise.all(busy)) expect(outcome).toBeInstanceOf(RequestCancelledError);
    await waitUntil(() => engine.load === 0);
  });

  it('frees the slot when a stream is abandoned or its deadline passes', async () => {
    for await (const event of engine.generateStream(request(50, 120))) {
      expect(event.type).toBe('delta');
      break; // the consumer stops: the generation is cancelled
    }
    await waitUntil(() => engine.load === 0);
    const late = engine.generate([request(51, 120)], { deadline: Date.now() + 5 });
    await expect(late).rejects.toBeInstanceOf(DeadlineExceededError);
    await waitUntil(() => engine.load === 0);
  });

  it('encodes clips to visual tokens that generation accepts in place of the frames', async () => {
    const frames = makeFrames(config, 2, 3);
    const { results } = await engine.encodeClips([{ frames, frameCount: 2 }]);
    const visual = results[0] as Float32Array;
    const positions = visual.length / config.dModel;
    const promptIds = [1, ...new Array<number>(positions).fill(config.specialTokens.video), ...makeIds(3, 4)];
    const sampling = { temperature: 0, maxNewTokens: 6 };
    const [byFrames, byTokens] = await Promise.all([
      engine.generate([{ promptIds, video: { frames, frameCount: 2 }, sampling }]),
      engine.generate([{ promptIds, visualTokens: visual, sampling }]),
    ]);
    expect(byTokens.results[0]?.completions[0]?.tokenIds).toEqual(byFrames.results[0]?.completions[0]?.tokenIds);
  });
});

async function waitUntil(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
