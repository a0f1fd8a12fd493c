/**
 * Grouped-query attention in the exported graphs and the engine: K/V with fewer heads than the
 * queries (4 query heads sharing 2 K/V heads here), a KV cache of the K/V heads only, and the
 * same logits from a decode step over that cache as from a prefill of the whole sequence.
 */
import { createModelConfig, headDim, MICRO_MODEL_SIZES, weightSpecs } from '@vrft/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrtEngine } from '../src/engine/ort-engine.js';
import { buildOnnxModels } from '../src/export/export-onnx.js';
import { buildDecodeGraph, buildPrefillGraph } from '../src/export/lm-graphs.js';
import { type ModelSessions } from '../src/runtime/model-sessions.js';
import { createTestTokenizer, createTestWeights } from './fixtures.js';
import { checkDecodeAgainstPrefill, createTestSessions, makeIds, relativeError, runPrefill } from './ort-helpers.js';

const tokenizer = createTestTokenizer();
const config = createModelConfig('tiny', tokenizer, { ...MICRO_MODEL_SIZES, numHeads: 4, numKvHeads: 2 });
const weights = createTestWeights(config);
const V = config.vocabSize;
const Hkv = config.numKvHeads;
const Dh = headDim(config);
const layers = Array.from({ length: config.numLayers }, (_, i) => i);
let sessions: ModelSessions;

beforeAll(async () => {
  sessions = await createTestSessions(buildOnnxModels(config, weights));
});

afterAll(async () => {
  for (const s of Object.values(sessions)) await s.release();
});

describe('grouped-query attention graphs', () => {
  it('sizes wk, wv and the KV cache by the K/V heads', async () => {
    const shapes = new Map(weightSpecs(config).map((spec) => [spec.name, spec.shape]));
    expect(shapes.get('lm.blocks.0.attn.wk')).toEqual([16, Hkv * Dh]);
    expect(shapes.get('lm.blocks.1.attn.wv')).toEqual([16, Hkv * Dh]);
    expect(shapes.get('lm.blocks.0.attn.wq')).toEqual([16, 16]);
    const out = await runPrefill(sessions.prefill, config, [
      { ids: makeIds(7, 1), visual: undefined },
      { ids: makeIds(4, 2), visual: undefined },
    ]);
    expect(out.outputs['present.0.key']?.dims).toEqual([2, Hkv, 7, Dh]);
    expect(out.outputs['present.1.value']?.dims).toEqual([2, Hkv, 7, Dh]);
    const decodeInputs = buildDecodeGraph(config, weights).toGraph().inputs;
    const past = decodeInputs.find((input) => input.name === 'past.0.key');
    expect(past?.dims).toEqual(['batch', Hkv, 'capacity', Dh]);
  });

  it('reads each K/V head once: no graph repeats keys or values per query head', () => {
    for (const graph of [buildPrefillGraph(config, weights), buildDecodeGraph(config, weights)]) {
      const ops = graph.toGraph().nodes.map((node) => node.opType);
      expect(ops).not.toContain('Tile');
      expect(ops).not.toContain('Expand');
    }
  });

  it('decode steps over the slot cache give the logits of a prefill of the whole sequence, as rows join and leave', async () => {
    await checkDecodeAgainstPrefill(config, sessions);
  });

  it('does so with a single K/V head for all 4 query heads (G = 4, as `small` has)', async () => {
    const single = createModelConfig('tiny', tokenizer, { ...MICRO_MODEL_SIZES, numHeads: 4, numKvHeads: 1 });
    const singleSessions = await createTestSessions(buildOnnxModels(single, createTestWeights(single)));
    try {
      await checkDecodeAgainstPrefill(single, singleSessions);
    } finally {
      for (const s of Object.values(singleSessions)) await s.release();
    }
  });

  it('differs from multi-head attention on the same query weights: the shared K/V heads matter', async () => {
    // The same config with each K/V head duplicated for its group is the multi-head model that
    // grouped-query attention computes; one whose copies differ is not.
    const mha = createModelConfig('tiny', tokenizer, { ...MICRO_MODEL_SIZES, numHeads: 4 });
    const group = config.numHeads / Hkv;
    const widen = (data: Float32Array, perturb: boolean): Float32Array => {
      const d = config.dModel;
      const out = new Float32Array(d * d);
      for (let row = 0; row < d; row++)
        for (let head = 0; head < config.numHeads; head++)
          for (let c = 0; c < Dh; c++) {
            const source = data[row * Hkv * Dh + Math.floor(head / group) * Dh + c] as number;
            out[row * d + head * Dh + c] = perturb && head % group === 1 ? -source : source;
          }
      return out;
    };
    const logitsOf = async (perturb: boolean): Promise<Float32Array> => {
      const mhaWeights = new Map(weights);
      for (const i of layers)
        for (const name of [`lm.blocks.${i}.attn.wk`, `lm.blocks.${i}.attn.wv`])
          mhaWeights.set(name, widen(weights.get(name) as Float32Array, perturb));
      const mhaSessions = await createTestSessions(buildOnnxModels(mha, mhaWeights));
      try {
        return (await runPrefill(mhaSessions.prefill, mha, [{ ids: makeIds(9, 3), visual: undefined }])).logits;
      } finally {
        for (const s of Object.values(mhaSessions)) await s.release();
      }
    };
    const gqa = (await runPrefill(sessions.prefill, config, [{ ids: makeIds(9, 3), visual: undefined }])).logits;
    expect(relativeError(await logitsOf(false), gqa)).toBeLessThan(1e-5);
    expect(relativeError(await logitsOf(true), gqa)).toBeGreaterThan(1e-3);
  });
});

describe('grouped-query attention in the engine', () => {
  let engine: OrtEngine;

  beforeAll(async () => {
    engine = await OrtEngine.open(
      { kind: 'memory', config, weights, tokenizer, version: 'gqa' },
      { workers: 1, intraOpThreads: 1 },
    );
  });

  afterAll(async () => {
    await engine.close();
  });

  it('greedy decoding with the KV cache equals argmax by recomputation, in a mixed batch', async () => {
    const prompts = [makeIds(9, 1), makeIds(4, 2), makeIds(6, 3)];
    const lengths = [10, 3, 7];
    const { results } = await engine.generate(
      prompts.map((promptIds, i) => ({ promptIds, sampling: { temperature: 0, maxNewTokens: lengths[i] } })),
    );
    for (let i = 0; i < prompts.length; i++) {
      const ids = [...(prompts[i] as number[])];
      const expected: number[] = [];
      for (let t = 0; t < (lengths[i] as number); t++) {
        const { logits } = await runPrefill(sessions.prefill, config, [{ ids, visual: undefined }], [ids.length - 1]);
        let best = 0;
        for (let v = 1; v < V; v++) if ((logits[v] as number) > (logits[best] as number)) best = v;
        expected.push(best);
        if (best === config.specialTokens.eos) break;
        ids.push(best);
      }
      expect(results[i]?.completions[0]?.tokenIds).toEqual(expected);
    }
  });

  it('returns sampling log-probs equal to the scoring mode on the same sequences', async () => {
    for (const temperature of [1, 0.7]) {
      const promptIds = makeIds(6, 7);
      const { results } = await engine.generate([
        { promptIds, sampling: { temperature, maxNewTokens: 12, seed: 5 }, samples: 2 },
        { promptIds: makeIds(3, 8), sampling: { temperature, maxNewTokens: 4, seed: 1 } },
      ]);
      const completions = results[0]?.completions ?? [];
      expect(completions.length).toBe(2);
      const scored = await engine.score(
        completions.map((c) => ({ promptIds, completionIds: c.tokenIds, temperature })),
      );
      completions.forEach((c, i) => {
        const logprobs = scored.results[i]?.logprobs ?? [];
        expect(c.logprobs.length).toBeGreaterThan(0);
        expect(logprobs).toHaveLength(c.logprobs.length);
        logprobs.forEach((lp, t) => expect(Math.abs(lp - (c.logprobs[t] as number))).toBeLessThan(1e-4));
      });
    }
  });
});
