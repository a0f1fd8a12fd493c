/**
 * Retrieval accuracy of a dual encoder on N held-out pairs (pair i = image i, text i): for each
 * text, the rank of its own image among all N by cosine similarity (text→frame), and the same
 * from each image to the texts (frame→text). Top-k accuracy = share of queries ranked < k.
 */

/** Top-k accuracies in one direction. */
export interface DirectionAccuracy {
  readonly top1: number;
  readonly top5: number;
  /** Mean rank of the true match (1 = first). */
  readonly meanRank: number;
}

/** Retrieval accuracy both ways. */
export interface RetrievalAccuracy {
  readonly pairs: number;
  readonly textToFrame: DirectionAccuracy;
  readonly frameToText: DirectionAccuracy;
}

/**
 * Ranks by cosine similarity; a tie counts against the query (rank = 1 + the number of
 * candidates at least as similar as the true match, the true match excluded), so a collapsed
 * encoder that maps everything to one point scores chance or worse, never perfect.
 */
export function measureRetrieval(images: readonly Float32Array[], texts: readonly Float32Array[]): RetrievalAccuracy {
  const n = images.length;
  if (n === 0 || texts.length !== n)
    throw new RangeError(`need as many texts as images (> 0), got ${n} and ${texts.length}`);
  const x = images.map(unit);
  const y = texts.map(unit);
  const similarity = x.map((xi) => y.map((yj) => dot(xi, yj))); // [N images, N texts]
  const textRanks = y.map((_, j) => rankOf(n, j, (i) => similarity[i]?.[j] ?? 0));
  const frameRanks = x.map((_, i) => rankOf(n, i, (j) => similarity[i]?.[j] ?? 0));
  return { pairs: n, textToFrame: summarise(textRanks), frameToText: summarise(frameRanks) };
}

function rankOf(n: number, truth: number, score: (candidate: number) => number): number {
  const own = score(truth);
  let rank = 1;
  for (let c = 0; c < n; c++) if (c !== truth && score(c) >= own) rank++;
  return rank;
}

function summarise(ranks: readonly number[]): DirectionAccuracy {
  const share = (k: number): number => ranks.filter((r) => r <= k).length / ranks.length;
  return { top1: share(1), top5: share(5), meanRank: ranks.reduce((a, b) => a + b, 0) / ranks.length };
}

function unit(v: Float32Array): Float64Array {
  let sum = 0;
  for (const value of v) sum += value * value;
  const scale = sum > 0 ? 1 / Math.sqrt(sum) : 0;
  return Float64Array.from(v, (value) => value * scale);
}

function dot(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] as number) * (b[i] as number);
  return sum;
}
