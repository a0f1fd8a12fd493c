/**
 * The per-request random stream of sampling: xoshiro128** seeded through splitmix32 from a
 * 64-bit seed. Same seed, same stream, on every platform (32-bit integer arithmetic only).
 */

/** A seeded random stream. */
export interface SamplingRng {
  /** Next 32-bit unsigned integer. */
  nextUint32(): number;
  /** Next double, uniform in [0, 1), with 53 random bits. */
  nextFloat(): number;
}

/** Largest seed accepted: proto seeds are uint64. */
export const MAX_SEED = (1n << 64n) - 1n;

function splitmix32(state: { s: number }): number {
  state.s = (state.s + 0x9e3779b9) | 0;
  let z = state.s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** A stream for a seed in [0, 2⁶⁴). Both halves of the seed feed the state. */
export function createSamplingRng(seed: bigint | number): SamplingRng {
  const value = BigInt(seed);
  if (value < 0n || value > MAX_SEED) throw new RangeError(`seed ${value} is outside [0, 2^64)`);
  const low = { s: Number(value & 0xffffffffn) | 0 };
  const high = { s: Number(value >> 32n) ^ 0x6a09e667 };
  const s: number[] = [splitmix32(low), splitmix32(high), splitmix32(low), splitmix32(high)];
  if (s.every((v): boolean => v === 0)) s[0] = 1; // the all-zero state is a fixed point of xoshiro
  let [s0, s1, s2, s3] = s as [number, number, number, number];
  const nextUint32 = (): number => {
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl(s3, 11);
    return result;
  };
  return {
    nextUint32,
    nextFloat: () => ((nextUint32() >>> 5) * 67108864 + (nextUint32() >>> 6)) / 9007199254740992, // (a·2²⁶ + b) / 2⁵³
  };
}

/**
 * The seed of sample `index` of a request with `seed`: distinct per sample, so n samples of one
 * prompt differ, and stable, so the same request gives the same samples.
 */
export function deriveSampleSeed(seed: bigint, index: number): bigint {
  // An odd 64-bit multiplier spreads consecutive indices over the whole seed space.
  return (seed + BigInt(index) * 0x9e3779b97f4a7c15n) & MAX_SEED;
}
