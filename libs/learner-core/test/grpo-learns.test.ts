/**
 * GRPO moves the policy toward what the reward pays for: on a micro model, rollouts sampled by
 * onnxruntime at τ, scored by a reward that pays for the tokens of one half of the vocabulary,
 * referenced by a frozen engine and trained by applyGrpoUpdate (weights swapped into the sampler
 * after each update) raise the rollouts' mean reward. A sign error in any stage makes it fall.
 */
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrtEngine } from '@vrft/engine-ort';
import { selectBackend, TfjsModel, Trainer } from '@vrft/engine-tfjs';
import {
  advantageGroups,
  applyGrpoUpdate,
  generateGroups,
  referenceGroups,
  type RewardedGroup,
  type RolloutTask,
} from '@vrft/learner-core';
import { buildInputSequence, loadCheckpoint, visualTokensPerClip } from '@vrft/model';
import { parseGrpoConfig } from '@vrft/rl';
import { createMicroSetup, type MicroSetup } from './fixtures.js';

describe('GRPO on a reward it can reach', () => {
  let setup: MicroSetup;
  beforeAll(async () => {
    await selectBackend({ order: ['wasm', 'cpu'] });
    setup = await createMicroSetup(1);
  });
  afterAll(async () => {
    await rm(setup.root, { recursive: true, force: true });
  });

  it('raises the share of rewarded tokens in sampled completions', async () => {
    const { config, tokenizer, weights } = await loadCheckpoint(setup.initDir);
    const frames = new Uint8Array(config.frames * config.imageHeight * config.imageWidth * 3).fill(40);
    const prompts: RolloutTask[] = ['how many?', 'which way?', 'what colour?', 'what sign?'].map((q, i) => ({
      problemId: `p${i}`,
      promptIds: buildInputSequence(tokenizer, `<video> ${q}`, visualTokensPerClip(config)).tokenIds,
      frames,
      problemType: 'numerical',
      solution: '<answer>1</answer>',
      clipPath: `clip-${i}`,
    }));
    const sampling = { temperature: 0.7, topP: 1, topK: 0, maxNewTokens: 8 };
    const rewarded = (id: number) => id % 2 === 0; // half of the ids: a random policy samples ~50 %
    const model = TfjsModel.create(config, weights);
    const trainer = new Trainer(model, { learningRate: 2e-2, minLearningRate: 2e-2, warmupSteps: 0, totalSteps: 1000 });
    const source = (version: number) => ({
      kind: 'memory' as const,
      config,
      tokenizer,
      weights: model.exportWeights(),
      version: String(version),
    });
    const policy = await OrtEngine.open(source(0), { workers: 1, intraOpThreads: 1 });
    const reference = await OrtEngine.open(source(0), { workers: 1, intraOpThreads: 1 });
    const grpo = parseGrpoConfig({ beta: 0.01 });
    const shares: number[] = [];
    try {
      for (let step = 0; step < 12; step++) {
        const seeds = prompts.map((_, i) => BigInt(1000 * step + i));
        const generated = await generateGroups(policy, prompts, 8, sampling, seeds, step);
        // R = share of the completion's tokens that are rewarded ones.
        const scored: RewardedGroup[] = generated.map((group) => {
          const total = group.completions.map(
            (c) => c.tokenIds.filter(rewarded).length / Math.max(1, c.tokenIds.length),
          );
          return { ...group, rewards: { format: total.map(() => 0), accuracy: total, total } };
        });
        shares.push(scored.flatMap((g) => g.rewards.total).reduce((a, b) => a + b, 0) / (prompts.length * 8));
        const referenced = await referenceGroups(reference, scored, sampling.temperature);
        await applyGrpoUpdate(model, trainer, advantageGroups(referenced, grpo), {
          grpo,
          microRows: 8,
          importanceCorrection: false,
          temperature: sampling.temperature,
        });
        await policy.swapWeights(source(step + 1));
      }
    } finally {
      model.dispose();
      await policy.close();
      await reference.close();
    }
    const first = (shares[0]! + shares[1]!) / 2;
    const last = (shares[10]! + shares[11]!) / 2;
    console.log(`rewarded-token share by step: ${shares.map((s) => s.toFixed(3)).join(' ')}`);
    expect(first).toBeLessThan(0.7);
    expect(last).toBeGreaterThan(first + 0.25);
  }, 120_000);
});
