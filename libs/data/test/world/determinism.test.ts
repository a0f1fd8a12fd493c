/** Same seed → same clip (frames, scene, questions); different seeds and splits → different clips. */
import { describe, expect, it } from 'vitest';
import {
  SPLITS,
  SPLIT_SEED_RANGE,
  clipSeedOf,
  createRng,
  generateClip,
  parseSyntheticOptions,
  renderScene,
  splitOfSeed,
  toVideoSamples,
} from '../../src/index.js';

const options = parseSyntheticOptions();

describe('determinism', () => {
  it('gives byte-identical frames, scene and questions for the same seed', () => {
    for (const seed of [0, 7, 12345]) {
      const a = generateClip('train', seed, options);
      const b = generateClip('train', seed, options);
      expect(Buffer.from(renderScene(a.scene).data).equals(Buffer.from(renderScene(b.scene).data))).toBe(true);
      expect(JSON.stringify(a.scene)).toBe(JSON.stringify(b.scene));
      expect(toVideoSamples(a)).toEqual(toVideoSamples(b));
      expect(a.questions.length).toBe(options.questions.questionsPerClip);
    }
  });

  it('gives different clips for different seeds', () => {
    const frames = [0, 1, 2, 3].map((seed) =>
      Buffer.from(renderScene(generateClip('train', seed, options).scene).data),
    );
    for (let i = 0; i < frames.length; i += 1) {
      for (let j = i + 1; j < frames.length; j += 1) expect(frames[i]?.equals(frames[j] as Buffer)).toBe(false);
    }
    const problems = [0, 1, 2, 3].map((seed) => JSON.stringify(generateClip('train', seed, options).questions));
    expect(new Set(problems).size).toBe(4);
  });

  it('keeps the seeded generator reproducible, stream-separated and in range', () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng(42, 1);
    const xs = Array.from({ length: 1000 }, () => a.next());
    expect(Array.from({ length: 1000 }, () => b.next())).toEqual(xs);
    expect(Array.from({ length: 1000 }, () => c.next())).not.toEqual(xs);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    // Uniformity, loosely: the mean of 1000 draws lies near 0.5 and every int() value occurs.
    expect(Math.abs(xs.reduce((s, x) => s + x, 0) / xs.length - 0.5)).toBeLessThan(0.05);
    const r = createRng(1);
    expect(new Set(Array.from({ length: 200 }, () => r.int(1, 6)))).toEqual(new Set([1, 2, 3, 4, 5, 6]));
    expect(() => createRng(-1)).toThrow(RangeError);
  });
});

describe('splits', () => {
  it('use disjoint seed ranges, so no clip or problem id is shared', () => {
    const seedsBySplit = SPLITS.map((split) => [0, 1, SPLIT_SEED_RANGE - 1].map((local) => clipSeedOf(split, local)));
    const all = seedsBySplit.flat();
    expect(new Set(all).size).toBe(all.length);
    seedsBySplit.forEach((seeds, i) => seeds.forEach((seed) => expect(splitOfSeed(seed)).toBe(SPLITS[i])));
    expect(() => clipSeedOf('train', SPLIT_SEED_RANGE)).toThrow(/seed/);

    const train = generateClip('train', 3, options);
    const test = generateClip('test', 3, options);
    expect(train.clipId).toBe('train-00000003');
    expect(test.clipId).toBe('test-00000003');
    expect(JSON.stringify(train.scene.frames)).not.toBe(JSON.stringify(test.scene.frames));
    const ids = (clip: typeof train) => toVideoSamples(clip).map((s) => s.problem_id);
    expect(ids(train).some((id) => ids(test).includes(id))).toBe(false);
  });
});
