import { describe, expect, it } from 'vitest';
import { RewardInputError } from '../src/errors.js';
import {
  type SimilarityAggregationMode,
  type Vector,
  cosineSimilarity,
  semanticConsistency,
} from '../src/semantic-consistency.js';

const SQRT_HALF = Math.SQRT1_2;

describe('cosineSimilarity', () => {
  it.each([
    [[1, 0], [1, 0], 1],
    [[1, 0], [0, 1], 0],
    [[1, 0], [-1, 0], -1],
    [[3, 4, 0], [6, 8, 0], 1], // parallel, different lengths
    [[1, 1], [1, 0], SQRT_HALF], // 1 / (√2 · 1)
    [new Float32Array([1, 2, 2]), [2, 0, 0], 1 / 3], // 2 / (3 · 2)
  ] as [Vector, Vector, number][])('cos(%j, %j) = %f', (a, b, expected) => {
    expect(cosineSimilarity(a, b)).toBeCloseTo(expected, 6);
  });
});

describe('semanticConsistency', () => {
  it.each<[string, Vector, Vector[], SimilarityAggregationMode, number, number, number]>([
    // t = (1,0); frames (1,0), (0,1). Paper: mean (0.5,0.5), cos = 0.5 / (1 · √0.5) = √½ ≈ 0.7071.
    [
      'paper, w = 1',
      [1, 0],
      [
        [1, 0],
        [0, 1],
      ],
      'mean-frame-embedding',
      1,
      SQRT_HALF,
      SQRT_HALF,
    ],
    // Same with w = 2: min(1, 2 · 0.7071) = 1.
    [
      'paper, w = 2 saturates',
      [1, 0],
      [
        [1, 0],
        [0, 1],
      ],
      'mean-frame-embedding',
      2,
      SQRT_HALF,
      1,
    ],
    // Public code: cosines 1 and 0 → clipped 1, 0 → mean 0.5.
    [
      'public, w = 1',
      [1, 0],
      [
        [1, 0],
        [0, 1],
      ],
      'mean-clipped-cosine',
      1,
      0.5,
      0.5,
    ],
    // Frames (1,0) and (−0.6,0.8). Paper: mean (0.2,0.4), |mean| = √0.2, cos = 0.2/√0.2 = √0.2 ≈ 0.4472.
    [
      'paper, opposing frame',
      [1, 0],
      [
        [1, 0],
        [-0.6, 0.8],
      ],
      'mean-frame-embedding',
      1,
      Math.sqrt(0.2),
      Math.sqrt(0.2),
    ],
    // Public: cosines 1 and −0.6 → clipped 1 and 0 → 0.5. The two modes differ.
    [
      'public, opposing frame',
      [1, 0],
      [
        [1, 0],
        [-0.6, 0.8],
      ],
      'mean-clipped-cosine',
      1,
      0.5,
      0.5,
    ],
    // Paper with w = 2: 2 · 0.4472 = 0.8944.
    [
      'paper, w = 2',
      [1, 0],
      [
        [1, 0],
        [-0.6, 0.8],
      ],
      'mean-frame-embedding',
      2,
      Math.sqrt(0.2),
      2 * Math.sqrt(0.2),
    ],
    // Negative similarity: mean (−0.5,0.5), cos = −√½ → R_s = 0.
    [
      'paper, negative',
      [1, 0],
      [
        [-1, 0],
        [0, 1],
      ],
      'mean-frame-embedding',
      2,
      -SQRT_HALF,
      0,
    ],
    // Public: cosines −1 and 0 → clipped 0 and 0 → 0.
    [
      'public, negative',
      [1, 0],
      [
        [-1, 0],
        [0, 1],
      ],
      'mean-clipped-cosine',
      2,
      0,
      0,
    ],
    // Frames cancel: mean is the zero vector → s = 0.
    [
      'paper, frames cancel',
      [1, 0],
      [
        [1, 0],
        [-1, 0],
      ],
      'mean-frame-embedding',
      2,
      0,
      0,
    ],
    // w = 0 switches R_s off whatever the similarity.
    ['w = 0', [1, 0], [[1, 0]], 'mean-frame-embedding', 0, 1, 0],
  ])('%s', (_name, text, frames, aggregation, weight, similarity, value) => {
    const score = semanticConsistency(text, frames, { weight, aggregation });
    expect(score.similarity).toBeCloseTo(similarity, 12);
    expect(score.value).toBeCloseTo(value, 12);
  });

  it('defaults to the paper aggregation and w = 2', () => {
    const frames = [
      [1, 0],
      [-0.6, 0.8],
    ];
    expect(semanticConsistency([1, 0], frames).value).toBeCloseTo(2 * Math.sqrt(0.2), 12);
  });

  it('accepts Float32Array embeddings', () => {
    const text = new Float32Array([0.6, 0.8]);
    const frames = [new Float32Array([0.6, 0.8]), new Float32Array([0.8, 0.6])];
    // mean (0.7,0.7): cos = (0.42 + 0.56) / (1 · 0.7√2) = 0.98 / 0.98995 ≈ 0.98995.
    expect(semanticConsistency(text, frames, { weight: 1 }).similarity).toBeCloseTo(0.98 / (0.7 * Math.SQRT2), 6);
  });

  it.each<[string, Vector, Vector[], RegExp]>([
    ['no frames', [1, 0], [], /^frameEmbeddings: no frame embeddings/],
    ['empty text vector', [], [[1, 0]], /^textEmbedding: empty vector/],
    ['text/frame dimension mismatch', [1, 0, 0], [[1, 0]], /^textEmbedding: dimension 3 does not match 2/],
    [
      'frame dimension mismatch',
      [1, 0],
      [
        [1, 0],
        [1, 0, 0],
      ],
      /^frameEmbeddings\[1\]: dimension 3/,
    ],
    ['zero text vector', [0, 0], [[1, 0]], /^textEmbedding: zero vector/],
    ['NaN in a frame', [1, 0], [[1, Number.NaN]], /^frameEmbeddings\[0\]: component 1 is not finite/],
  ])('rejects %s', (_name, text, frames, message) => {
    expect(() => semanticConsistency(text, frames)).toThrow(RewardInputError);
    expect(() => semanticConsistency(text, frames)).toThrow(message);
  });

  it('rejects a negative weight', () => {
    expect(() => semanticConsistency([1], [[1]], { weight: -1 })).toThrow(/^weight:/);
  });
});
