/**
 * The training run's random stream, whose whole state is four 32-bit words that a checkpoint
 * stores: a run resumed from a checkpoint draws exactly the numbers the uninterrupted run would
 * have drawn next (data order, sampling seeds). sfc32 seeded through splitmix32.
 */

/** The state of a TrainingRng: four unsigned 32-bit words. */
export type TrainingRngState = readonly [number, number, number, number];

/** A seeded random stream with an exportable state. */
export interface TrainingRng {
  /** Next unsigned 32-bit integer. */
  nextUint32(): number;
  /** Uniform in [0, 1) with 32 random bits. */
  uniform(): number;
  /** Uniform integer in [0, n). */
  below(n: number): number;
  /** A 64-bit seed for a sampling request (two draws). */
  nextSeed(): bigint;
  /** The state now (a copy). */
  state(): TrainingRngState;
}

function splitmix32(seed: { s: number }): number {
  seed.s = (seed.s + 0x9e3779b9) | 0;
  let z = seed.s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** The initial state of seed `seed` (any integer; only its low 32 bits matter). */
export function seedTrainingRng(seed: number): TrainingRngState {
  const mix = { s: seed | 0 };
  return [splitmix32(mix), splitmix32(mix), splitmix32(mix), splitmix32(mix)];
}

/** A stream that continues from `state` (from seedTrainingRng or a checkpoint). */
export function createTrainingRng(state: TrainingRngState): TrainingRng {
  if (state.length !== 4 || state.some((w) => !Number.isInteger(w) || w < 0 || w > 0xffffffff)) {
    throw new RangeError(`an rng state is four unsigned 32-bit integers, got ${JSON.stringify(state)}`);
  }
  let [a, b, c, d] = state;
  const nextUint32 = (): number => {
    // sfc32: t = a + b + d; a = b ^ (b >>> 9); b = c + (c << 3); c = rotl(c, 21) + t; d += 1
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  return {
    nextUint32,
    uniform: () => nextUint32() / 4294967296,
    below: (n) => {
      if (!Number.isInteger(n) || n < 1) throw new RangeError(`below(n) needs an integer n ≥ 1, got ${n}`);
      return Math.floor((nextUint32() / 4294967296) * n);
    },
    nextSeed: () => (BigInt(nextUint32()) << 32n) | BigInt(nextUint32()),
    state: () => [a >>> 0, b >>> 0, c >>> 0, d >>> 0],
  };
}

/** Fisher–Yates shuffle of 0..n−1 drawn from `rng`. */
export function shuffledIndices(n: number, rng: TrainingRng): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.below(i + 1);
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  return order;
}

/**
 * `count` items in the seeded epoch order of `items`, from `cursor` on (moved past them): epoch e
 * is a shuffle drawn from `seed` and e alone, so any position of the order can be recomputed.
 */
export function takeInEpochOrder<T>(
  items: readonly T[],
  cursor: { epoch: number; index: number },
  count: number,
  seed: number,
): T[] {
  const picked: T[] = [];
  let order = shuffledIndices(items.length, createTrainingRng(seedTrainingRng(seed * 7919 + cursor.epoch)));
  while (picked.length < count) {
    if (cursor.index >= order.length) {
      cursor.epoch += 1;
      cursor.index = 0;
      order = shuffledIndices(items.length, createTrainingRng(seedTrainingRng(seed * 7919 + cursor.epoch)));
    }
    picked.push(items[order[cursor.index] as number] as T);
    cursor.index += 1;
  }
  return picked;
}
