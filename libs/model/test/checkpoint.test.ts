import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CHECKPOINT_FILES,
  CheckpointError,
  createModelConfig,
  initWeights,
  MICRO_MODEL_SIZES,
  loadCheckpoint,
  ModelConfigError,
  readSafetensors,
  saveCheckpoint,
  SafetensorsError,
  weightSpecs,
  writeSafetensors,
  WeightsMismatchError,
  type NamedTensor,
} from '../src/index.js';
import { createTestConfig, createTestTokenizer } from './fixtures.js';

const tokenizer = createTestTokenizer();
const config = createTestConfig(tokenizer);

describe('checkpoint directory', () => {
  let root = '';
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'vrft-checkpoint-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('saves and loads config, tokenizer and weights', async () => {
    const dir = join(root, 'good', 'nested');
    const weights = initWeights(config, 3);
    await saveCheckpoint(dir, { config, weights, tokenizer, metadata: { step: '5' } });
    const loaded = await loadCheckpoint(dir);
    expect(loaded.config).toEqual(config);
    expect(loaded.tokenizer.toJSONString()).toBe(tokenizer.toJSONString());
    expect(loaded.metadata).toEqual({ format: 'vrft', step: '5' });
    for (const spec of weightSpecs(config)) expect(loaded.weights.get(spec.name)).toEqual(weights.get(spec.name));
    const configJson = JSON.parse(await readFile(join(dir, CHECKPOINT_FILES.config), 'utf8')) as { dModel: number };
    expect(configJson.dModel).toBe(16);
  });

  it('loads a checkpoint whose config.json predates numKvHeads as multi-head, and saves and loads a GQA one', async () => {
    const dir = join(root, 'old-config');
    const weights = initWeights(config, 4);
    await saveCheckpoint(dir, { config, weights, tokenizer });
    const configPath = join(dir, CHECKPOINT_FILES.config);
    const { numKvHeads, ...old } = JSON.parse(await readFile(configPath, 'utf8')) as Record<string, unknown>;
    expect(numKvHeads).toBe(config.numHeads);
    await writeFile(configPath, JSON.stringify(old));
    const loaded = await loadCheckpoint(dir);
    expect(loaded.config).toEqual(config);
    expect(loaded.weights.get('lm.blocks.0.attn.wk')).toEqual(weights.get('lm.blocks.0.attn.wk'));

    const gqa = createModelConfig('tiny', tokenizer, { ...MICRO_MODEL_SIZES, numHeads: 4, numKvHeads: 1 });
    const gqaDir = join(root, 'gqa');
    await saveCheckpoint(gqaDir, { config: gqa, weights: initWeights(gqa, 4), tokenizer });
    const reloaded = await loadCheckpoint(gqaDir);
    expect(reloaded.config.numKvHeads).toBe(1);
    expect(reloaded.weights.get('lm.blocks.1.attn.wv')).toHaveLength(16 * 4);
    // The multi-head weights do not fit a GQA config: the wk shape is named.
    await writeFile(join(dir, CHECKPOINT_FILES.config), JSON.stringify(gqa));
    await expect(loadCheckpoint(dir)).rejects.toThrow(/lm\.blocks\.0\.attn\.wk/);
  });

  it('gives a clear error for an unknown path and a missing file', async () => {
    await expect(loadCheckpoint(join(root, 'does-not-exist'))).rejects.toThrow(CheckpointError);
    await expect(loadCheckpoint(join(root, 'does-not-exist'))).rejects.toThrow(/no such directory/);
    const dir = join(root, 'partial');
    await saveCheckpoint(dir, { config, weights: initWeights(config, 1), tokenizer });
    await rm(join(dir, CHECKPOINT_FILES.weights));
    await expect(loadCheckpoint(dir)).rejects.toThrow(/model\.safetensors: file is missing/);
  });

  it('names the field of a bad config.json and the tensor of mismatched weights', async () => {
    const dir = join(root, 'mismatch');
    await saveCheckpoint(dir, { config, weights: initWeights(config, 1), tokenizer });
    const configPath = join(dir, CHECKPOINT_FILES.config);
    const original = await readFile(configPath, 'utf8');
    await writeFile(configPath, JSON.stringify({ ...config, numHeads: 3 }));
    await expect(loadCheckpoint(dir)).rejects.toThrow(ModelConfigError);
    await writeFile(configPath, '{ not json');
    await expect(loadCheckpoint(dir)).rejects.toThrow(/config\.json: is not valid JSON/);
    // Config says 3 LM layers, the weights hold 2.
    await writeFile(configPath, JSON.stringify({ ...config, numLayers: 3 }));
    await expect(loadCheckpoint(dir)).rejects.toThrow(/lm\.blocks\.2\.norm1\.weight.*missing/);
    await writeFile(configPath, original);

    const weightsPath = join(dir, CHECKPOINT_FILES.weights);
    const content = await readSafetensors(weightsPath);
    const reshaped = new Map<string, NamedTensor>(content.tensors);
    const embed = content.tensors.get('lm.embed.weight') as NamedTensor;
    reshaped.set('lm.embed.weight', { shape: [embed.shape[1] ?? 0, embed.shape[0] ?? 0], data: embed.data });
    await writeSafetensors(weightsPath, reshaped);
    await expect(loadCheckpoint(dir)).rejects.toThrow(WeightsMismatchError);
    await expect(loadCheckpoint(dir)).rejects.toThrow(/lm\.embed\.weight.*shape/);
    reshaped.set('lm.embed.weight', embed).set('extra.weight', { shape: [1], data: new Float32Array(1) });
    await writeSafetensors(weightsPath, reshaped);
    await expect(loadCheckpoint(dir)).rejects.toThrow(/extra\.weight.*not a weight/);

    const bytes = await readFile(weightsPath);
    await writeFile(weightsPath, bytes.subarray(0, bytes.length - 100));
    await expect(loadCheckpoint(dir)).rejects.toThrow(SafetensorsError);
  });

  it('refuses to save weights that do not match the config', async () => {
    const weights = initWeights(config, 1);
    weights.delete('vision.pos_temporal');
    await expect(saveCheckpoint(join(root, 'bad'), { config, weights, tokenizer })).rejects.toThrow(
      /vision\.pos_temporal/,
    );
  });
});
