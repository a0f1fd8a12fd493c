import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOnnxModels } from '../src/export/export-onnx.js';
import { ModelRunner } from '../src/runtime/model-runner.js';
import { type ModelSessions } from '../src/runtime/model-sessions.js';
import { type PreparedGenerate } from '../src/runtime/requests.js';
import { DEFAULT_SAMPLING_PARAMS } from '../src/sampling/sampling-params.js';
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
beforeAll(async () => {
  sessions = await createTestSessions(buildOnnxModels(config, eosWeights()));
  runner = new ModelRunner(sessions, config, (ids) => tokenizer.decode(ids), {
    maxPrefillTokens: 64,
    maxVisionClips: 1,
  });
});
afterAll(async () => {
  for (const s of Object.values(sessions)) await s.release();
});

function request(promptIds: number[], temperature: number): PreparedGenerate {
  return { promptIds, sampling: { ...DEFAULT_SAMPLING_PARAMS, temperature, maxNewTokens: 8 }, seeds: [1n] };
}

describe('ModelRunner', () => {
  it('ends a completion at <eos>, keeping the token and its log-prob but not its text', async () => {
    const [result] = await runner.generate([request(makeIds(4, 1), 0)]);
    const completion = result?.completions[0];
    expect(completion?.finishReason).toBe('eos');
    expect(completion?.tokenIds).toEqual([eos]);
    expect(completion?.logprobs[0]).toBeLessThan(0);
    expect(completion?.text).toBe('');
  });

  it('runs prefill in chunks when the token budget is small, with the same results', async () => {
    // 5 rows × 20 positions exceed the 64-position budget: three prefill chunks.
    const rows = Array.from({ length: 5 }, (_, i) => ({
      ...request(makeIds(20 - i, 10 + i), 1),
      seeds: [BigInt(i + 1)],
    }));
    const chunked = await runner.generate(rows);
    const wide = new ModelRunner(sessions, config, (ids) => tokenizer.decode(ids), {
      maxPrefillTokens: 4096,
      maxVisionClips: 1,
    });
    const whole = await wide.generate(rows);
    expect(chunked.map((r) => r.completions[0]?.tokenIds)).toEqual(whole.map((r) => r.completions[0]?.tokenIds));
    const scoredChunked = await runner.score(
      rows.map((r, i) => ({ promptIds: r.promptIds, completionIds: makeIds(3 + i, 20) })),
    );
    const scoredWhole = await wide.score(
      rows.map((r, i) => ({ promptIds: r.promptIds, completionIds: makeIds(3 + i, 20) })),
    );
    scoredChunked.forEach((s, i) =>
      s.logprobs.forEach((lp, t) => expect(lp).toBeCloseTo(scoredWhole[i]?.logprobs[t] as number, 5)),
    );
  });

  it('scores an empty completion as no log-probs', async () => {
    const results = await runner.score([{ promptIds: makeIds(3, 1), completionIds: [] }]);
    expect(results[0]?.logprobs).toEqual([]);
  });
});
