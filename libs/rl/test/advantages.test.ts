import {
  computeBatchAdvantages,
  computeGroupAdvantages,
  computeGroupStats,
  GrpoInputError,
  parseGrpoConfig,
} from '@vrft/rl';
import { describe, expect, it } from 'vitest';

describe('computeGroupStats', () => {
  it('takes the unbiased (n − 1) std', () => {
    // r = [1, 0, 0, 1]: mean 0.5; Σ(r − mean)² = 4 · 0.25 = 1; std = sqrt(1 / 3) = 0.57735…
    const stats = computeGroupStats([1, 0, 0, 1]);
    expect(stats.mean).toBe(0.5);
    expect(stats.std).toBeCloseTo(Math.sqrt(1 / 3), 12);
  });

  it('gives std 0 for a group of one', () => {
    expect(computeGroupStats([0.7])).toEqual({ mean: 0.7, std: 0 });
  });

  it('rejects an empty group and non-finite rewards, naming the entry', () => {
    expect(() => computeGroupStats([])).toThrow(GrpoInputError);
    expect(() => computeGroupStats([1, Number.NaN])).toThrow(/rewards\[1\]/);
  });
});

describe('computeGroupAdvantages', () => {
  it('is (r − mean) / (std + 1e-4) on hand-worked groups', () => {
    // [1, 0, 0, 1]: ±0.5 / (0.5773503 + 0.0001) = ±0.8658754
    const a = computeGroupAdvantages([1, 0, 0, 1]);
    expect(Array.from(a).map((x) => Number(x.toFixed(6)))).toEqual([0.865875, -0.865875, -0.865875, 0.865875]);
    // [3, 1]: mean 2, std = sqrt((1 + 1) / 1) = 1.4142136; ±1 / 1.4143136 = ±0.7070568
    const b = computeGroupAdvantages([3, 1]);
    expect(b[0]).toBeCloseTo(0.7070568, 6);
    expect(b[1]).toBeCloseTo(-0.7070568, 6);
    // [2, 4, 9]: mean 5, std = sqrt((9 + 1 + 16) / 2) = 3.6055513; (−3, −1, 4) / 3.6056513
    const c = computeGroupAdvantages([2, 4, 9]);
    expect(Array.from(c).map((x) => Number(x.toFixed(6)))).toEqual([-0.832027, -0.277342, 1.10937]);
  });

  it('sums to zero within a group (the baseline is the group mean)', () => {
    const a = computeGroupAdvantages([0.1, 2.5, -1, 0.3, 0.3, 7, 0, 1]);
    expect(a.reduce((s, x) => s + x, 0)).toBeCloseTo(0, 12);
  });

  it('gives exactly 0 to a group of one and to a group of equal rewards', () => {
    expect(Array.from(computeGroupAdvantages([1.5]))).toEqual([0]);
    expect(Array.from(computeGroupAdvantages([2, 2, 2, 2]))).toEqual([0, 0, 0, 0]);
  });

  it('uses the configured epsilon', () => {
    // [1, 0]: std = sqrt(0.5) = 0.7071068; with ε = 0.5: 0.5 / 1.2071068 = 0.4142136
    const a = computeGroupAdvantages([1, 0], parseGrpoConfig({ advantageEpsilon: 0.5 }));
    expect(a[0]).toBeCloseTo(0.4142136, 6);
  });

  it('skips the std scaling when asked (Dr. GRPO): A = r − mean', () => {
    expect(Array.from(computeGroupAdvantages([3, 1, 2], { scaleAdvantagesByStd: false }))).toEqual([1, -1, 0]);
  });

  it('rejects a non-positive epsilon', () => {
    expect(() => computeGroupAdvantages([1, 0], { advantageEpsilon: 0 })).toThrow(/advantageEpsilon/);
  });
});

describe('computeBatchAdvantages', () => {
  it('normalises each consecutive group on its own statistics', () => {
    // groups [3, 1] and [5, 5]: the first as above, the second all equal → 0
    const a = computeBatchAdvantages([3, 1, 5, 5], 2);
    expect(a[0]).toBeCloseTo(0.7070568, 6);
    expect(a[1]).toBeCloseTo(-0.7070568, 6);
    expect(a[2]).toBe(0);
    expect(a[3]).toBe(0);
  });

  it('rejects a length that is not a multiple of the group size, and a bad group size', () => {
    expect(() => computeBatchAdvantages([1, 2, 3], 2)).toThrow(/multiple/);
    expect(() => computeBatchAdvantages([1, 2], 0)).toThrow(/groupSize/);
  });
});
