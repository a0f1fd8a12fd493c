/**
 * Length bucketing: examples are taken in a shuffled order and each window of that order is sorted
 * by length; the result is cut into micro-batches under a token budget (rows × longest row), so a
 * batch pads little, and the batches are visited in random order. Deterministic for a given rng.
 */
import { type TrainingRng, shuffledIndices } from './training-rng.js';

/** Options of bucketBatches. */
export interface BucketOptions {
  /** Most rows per micro-batch. */
  readonly maxRows: number;
  /** Most padded positions (rows × longest row) per micro-batch. */
  readonly maxTokens: number;
  /** Examples sorted together; 1 turns bucketing off (shuffled order only). */
  readonly window: number;
}

/**
 * One epoch of micro-batches: lists of example indices. Every example appears exactly once; an
 * example longer than maxTokens gets a batch of its own.
 */
export function bucketBatches(lengths: readonly number[], rng: TrainingRng, options: BucketOptions): number[][] {
  const order = shuffledIndices(lengths.length, rng);
  const sorted: number[] = [];
  for (let start = 0; start < order.length; start += options.window) {
    const window = order.slice(start, start + options.window);
    window.sort((a, b) => (lengths[a] as number) - (lengths[b] as number) || a - b);
    sorted.push(...window);
  }
  const batches: number[][] = [];
  let current: number[] = [];
  let longest = 0;
  for (const index of sorted) {
    const length = lengths[index] as number;
    const grown = Math.max(longest, length);
    if (
      current.length > 0 &&
      (current.length + 1 > options.maxRows || grown * (current.length + 1) > options.maxTokens)
    ) {
      batches.push(current);
      current = [];
    }
    current.push(index);
    longest = current.length === 1 ? length : grown;
  }
  if (current.length > 0) batches.push(current);
  // Batches of similar lengths, visited in random order.
  return shuffledIndices(batches.length, rng).map((i) => batches[i] as number[]);
}
