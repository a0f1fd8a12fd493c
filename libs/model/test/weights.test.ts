import { describe, expect, it } from 'vitest';
import { checkWeights, initWeights, weightSpecs, WeightsMismatchError, INIT_STD } from '../src/index.js';
import { createTestConfig } from './fixtures.js';

const config = createTestConfig();

describe('initWeights', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    const a = initWeights(config, 7);
    const b = initWeights(config, 7);
    const c = initWeights(config, 8);
    for (const spec of weightSpecs(config)) {
      expect(a.get(spec.name)).toEqual(b.get(spec.name));
    }
    expect(a.get('lm.embed.weight')).not.toEqual(c.get('lm.embed.weight'));
    checkWeights(config, a);
  });

  it('follows the documented init: N(0, 0.02²), zeros for biases, ones for norms', () => {
    const weights = initWeights(config, 1);
    expect([...(weights.get('projector.fc1.bias') as Float32Array)].every((v) => v === 0)).toBe(true);
    expect([...(weights.get('lm.norm.weight') as Float32Array)].every((v) => v === 1)).toBe(true);
    const embed = weights.get('lm.embed.weight') as Float32Array;
    const mean = embed.reduce((s, v) => s + v, 0) / embed.length;
    const std = Math.sqrt(embed.reduce((s, v) => s + (v - mean) ** 2, 0) / embed.length);
    expect(Math.abs(mean)).toBeLessThan(0.002);
    expect(std).toBeGreaterThan(INIT_STD * 0.95);
    expect(std).toBeLessThan(INIT_STD * 1.05);
    const wo = weights.get('lm.blocks.0.attn.wo') as Float32Array;
    const woStd = Math.sqrt(wo.reduce((s, v) => s + v * v, 0) / wo.length);
    expect(woStd).toBeLessThan(INIT_STD * 0.75); // scaled by 1/√(2L) = 1/2
  });
});

describe('checkWeights', () => {
  it('names a missing, an extra and a wrongly sized tensor', () => {
    const weights = initWeights(config, 1);
    const missing = new Map(weights);
    missing.delete('lm.blocks.1.mlp.w1');
    expect(() => checkWeights(config, missing)).toThrow(/lm\.blocks\.1\.mlp\.w1.*missing/);
    const extra = new Map(weights).set('lm.blocks.9.attn.wq', new Float32Array(4));
    expect(() => checkWeights(config, extra)).toThrow(WeightsMismatchError);
    expect(() => checkWeights(config, extra)).toThrow(/lm\.blocks\.9\.attn\.wq/);
    const wrong = new Map(weights).set('vision.norm.weight', new Float32Array(3));
    expect(() => checkWeights(config, wrong)).toThrow(/vision\.norm\.weight.*3 values/);
  });
});
