import { describe, expect, it } from 'vitest';
import { bucketBatches, createTrainingRng, seedTrainingRng } from '@vrft/learner-core';

describe('length bucketing', () => {
  const lengths = Array.from({ length: 200 }, (_, i) => 20 + ((i * 37) % 180));
  const batchesOf = (window: number) =>
    bucketBatches(lengths, createTrainingRng(seedTrainingRng(9)), { maxRows: 8, maxTokens: 800, window });

  it('uses every example once and respects the row and token budgets', () => {
    const batches = batchesOf(64);
    expect(batches.flat().sort((a, b) => a - b)).toEqual(lengths.map((_, i) => i));
    for (const batch of batches) {
      expect(batch.length).toBeLessThanOrEqual(8);
      const longest = Math.max(...batch.map((i) => lengths[i] as number));
      if (batch.length > 1) expect(longest * batch.length).toBeLessThanOrEqual(800);
    }
  });

  it('pads less than unbucketed batches and is deterministic per seed', () => {
    const padding = (batches: number[][]) =>
      batches.reduce((sum, b) => {
        const longest = Math.max(...b.map((i) => lengths[i] as number));
        return sum + b.reduce((s, i) => s + longest - (lengths[i] as number), 0);
      }, 0);
    expect(padding(batchesOf(64))).toBeLessThan(padding(batchesOf(1)));
    expect(batchesOf(64)).toEqual(batchesOf(64));
  });
});
