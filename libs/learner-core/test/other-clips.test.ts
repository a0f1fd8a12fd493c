import { describe, expect, it } from 'vitest';
import { type VideoSample } from '@vrft/data';
import { withOtherClipsVideos } from '@vrft/learner-core';

const sample = (id: number, clip: number): VideoSample => ({
  problem_id: id,
  problem: `question ${id}`,
  data_type: 'video',
  problem_type: 'numerical',
  options: [],
  solution: '<answer>1</answer>',
  path: `./videos/clip-${clip}.mp4`,
  data_source: 'test',
});

describe('withOtherClipsVideos', () => {
  it('asks every question about the next sample’s clip that differs, and keeps the rest', () => {
    // Two questions per clip, as the synthetic splits have them.
    const samples = [sample(1, 0), sample(2, 0), sample(3, 1), sample(4, 1), sample(5, 2)];
    const swapped = withOtherClipsVideos(samples);
    expect(swapped.map((s) => s.path)).toEqual([
      './videos/clip-1.mp4',
      './videos/clip-1.mp4',
      './videos/clip-2.mp4',
      './videos/clip-2.mp4',
      './videos/clip-0.mp4', // wraps around
    ]);
    swapped.forEach((s, i) => expect({ ...s, path: samples[i]?.path }).toEqual(samples[i]));
    expect(samples[0]?.path).toBe('./videos/clip-0.mp4'); // the input is not changed
  });

  it('gives none when the samples hold a single clip', () => {
    expect(withOtherClipsVideos([sample(1, 0), sample(2, 0)])).toEqual([]);
    expect(withOtherClipsVideos([])).toEqual([]);
  });
});
