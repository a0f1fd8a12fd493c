import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOnnxModels } from '../src/export/export-onnx.js';
import { BatchScheduler } from '../src/runtime/batch-scheduler.js';
import { ModelRunner } from '../src/runtime/model-runner.js';
import { type ModelSessions } from '../src/runtime/model-sessions.js';
import { type Completion } from '../src/runtime/requests.js';
import { type SequenceDelta } from '../src/runtime/sequence.js';
import { DEFAULT_SAMPLING_PARAMS, type SamplingParams } from '../src/sampling/sampling-params.js';
import { type AdmitRequest, type SequenceEvent } from '../src/worker/protocol.js';
import { createTestConfig, createTestTokenizer, createTestWeights } from './fixtures.js';
import { createTestSessions, makeIds } from './ort-helpers.js';

const tokenizer = createTestTokenizer();
const config = createTestConfig(tokenizer);
const eos = config.specialTokens.eos;

/**
 * Weights whose greedy choice is always <eos>: the blocks add nothing (zero projections), the
 * final norm keeps only dimension 0, every embedding row has a small positive dimension 0 and
 * the <eos> row a large one, so logit_i ∝ E_i[0] peaks at <eos>.
 */
function eosWeights() {
  const weights = createTestWeights(config, 3);
  for (const [name, data] of weights) {
    if (name.startsWith('lm.blocks.') && !name.includes('norm')) data.fill(0);
  }
  const norm = weights.get('lm.norm.weight') as Float32Array;
  norm.fill(0);
  norm[0] = 1;
  const embed = weights.get('lm.embed.weight') as Float32Array;
  for (let v = 0; v < config.vocabSize; v++) embed[v * config.dModel] = v === eos ? 5 : 0.1;
  return weights;
}

let sessions: ModelSessions;
let runner: ModelRunner;
const decode = (ids: readonly number[]) => tokenizer.decode(ids);
beforeAll(async () => {
  sessions = await createTestSessions(buildOnnxModels(config, eosWeights()));
  runner = new ModelRunner(sessions, config, { maxPrefillTokens: 64, maxVisionClips: 1 });
});
afterAll(async () => {
  for (const s of Object.values(sessions)) await s.release();
});

/** A scheduler with the events it reported, and a way to wait for sequences to finish. */
function createScheduler(maxPrefillTokens = 64, model = runner) {
  const events: SequenceEvent[] = [];
  const batches: number[] = [];
  let notify = () => undefined as void;
  const scheduler = new BatchScheduler(model, config, decode, { maxPrefillTokens, cacheBlock: 4 }, (e, stats) => {
    events.push(...e);
    if (stats && stats.batch > 0) batches.push(stats.batch);
    notify();
  });
  const waitFor = async (condition: () => boolean): Promise<void> => {
    while (!condition()) await new Promise<void>((resolve) => (notify = resolve));
  };
  const finished = async (ids: readonly number[]): Promise<Map<number, Completion>> => {
    await waitFor(() => ids.every((id) => events.some((e) => e.id === id && e.kind !== 'delta')));
    const out = new Map<number, Completion>();
    for (const e of events) if (e.kind === 'done') out.set(e.id, e.completion);
    return out;
  };
  return { scheduler, events, batches, finished, waitFor };
}

function admitOf(promptIds: number[], sampling: Partial<SamplingParams>, ids: number[], stream = false): AdmitRequest {
  return {
    promptIds,
    sampling: { ...DEFAULT_SAMPLING_PARAMS, maxNewTokens: 8, ...sampling },
    sequences: ids.map((id) => ({ id, seed: BigInt(id) })),
    stream,
  };
}

describe('BatchScheduler', () => {
  it('ends a completion at <eos>, keeping the token and its log-prob but not its text', async () => {
    const { scheduler, finished } = createScheduler();
    scheduler.admit(admitOf(makeIds(4, 1), { temperature: 0 }, [1]));
    const completion = (await finished([1])).get(1);
    expect(completion?.finishReason).toBe('eos');
    expect(completion?.tokenIds).toEqual([eos]);
    expect(completion?.logprobs[0]).toBeLessThan(0);
    expect(completion?.text).toBe('');
  });

  it('admits prompts over several iterations when the token budget is small, with the same results', async () => {
    // 5 prompts of about 20 positions exceed a 24-position budget: one admission per iteration.
    const prompts = Array.from({ length: 5 }, (_, i) => makeIds(20 - i, 10 + i));
    const run = async (budget: number) => {
      const { scheduler, finished } = createScheduler(budget);
      prompts.forEach((p, i) => scheduler.admit(admitOf(p, { temperature: 1 }, [i + 1])));
      const done = await finished([1, 2, 3, 4, 5]);
      return [1, 2, 3, 4, 5].map((id) => done.get(id)?.tokenIds);
    };
    const narrow = await run(24);
    expect(narrow.every((ids) => (ids?.length ?? 0) > 0)).toBe(true);
    expect(narrow).toEqual(await run(4096));
  });

  it('streams deltas whose text adds up to the completion, and drops cancelled sequences', async () => {
    // Free-running weights (not the <eos> ones) so that sequences are long enough to cancel.
    const free = await createTestSessions(buildOnnxModels(config, createTestWeights(config, 5)));
    try {
      const model = new ModelRunner(free, config, { maxPrefillTokens: 64, maxVisionClips: 1 });
      const { scheduler, events, finished, waitFor } = createScheduler(64, model);
      scheduler.admit(admitOf(makeIds(5, 2), { temperature: 1, maxNewTokens: 12 }, [1, 2], true));
      scheduler.admit(admitOf(makeIds(3, 3), { temperature: 1, maxNewTokens: 40, stop: ['zzzz'] }, [3], true));
      // Cancel sequence 3 once it is running; the others go on.
      await waitFor(() => events.filter((e) => e.id === 3).length >= 2);
      scheduler.cancel([3]);
      const done = await finished([1, 2, 3]);
      for (const id of [1, 2]) {
        const deltas = events.flatMap((e) =>
          e.id === id && (e.kind === 'delta' || e.kind === 'done') && 'delta' in e && e.delta ? [e.delta] : [],
        ) as SequenceDelta[];
        const completion = done.get(id) as Completion;
        expect(deltas.flatMap((d) => d.tokenIds)).toEqual(completion.tokenIds);
        expect(deltas.flatMap((d) => d.logprobs)).toEqual(completion.logprobs);
        expect(deltas.map((d) => d.text).join('')).toBe(completion.text);
      }
      expect(events.filter((e) => e.id === 3).at(-1)?.kind).toBe('released');
      expect(done.has(3)).toBe(false);
    } finally {
      for (const s of Object.values(free)) await s.release();
    }
  });

  it('scores an empty completion as no log-probs', async () => {
    const results = await runner.score([{ promptIds: makeIds(3, 1), completionIds: [] }]);
    expect(results[0]?.logprobs).toEqual([]);
  });
});
