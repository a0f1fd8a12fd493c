import { describe, expect, it } from 'vitest';
import { applyMerges, BpeModel, buildMergeTable, pairKey, type MergeTable } from '../src/bpe-model.js';
import { TokenEncodeError } from '../src/errors.js';
import { BoundedCache } from '../src/bounded-cache.js';
import { createRandom, randomInt } from './random-text.js';

/** The slow obvious version: scan for the lowest-rank pair (leftmost among equals), merge it, repeat. */
function applyMergesNaive(ids: readonly number[], table: MergeTable): number[] {
  const symbols = [...ids];
  for (;;) {
    let best = -1;
    let bestRank = Infinity;
    for (let i = 0; i + 1 < symbols.length; i++) {
      const rule = table.get(pairKey(symbols[i] as number, symbols[i + 1] as number));
      if (rule && rule.rank < bestRank) {
        best = i;
        bestRank = rule.rank;
      }
    }
    if (best < 0) return symbols;
    const rule = table.get(pairKey(symbols[best] as number, symbols[best + 1] as number));
    symbols.splice(best, 2, rule?.merged as number);
  }
}

describe('applyMerges', () => {
  // Symbols: a=0 b=1 c=2, ab=3, bc=4, abc=5
  it('applies merges in rank order, not left to right', () => {
    const bcFirst = buildMergeTable([
      { left: 1, right: 2, merged: 4 }, // rank 0: b c
      { left: 0, right: 1, merged: 3 }, // rank 1: a b
    ]);
    expect(applyMerges([0, 1, 2], bcFirst)).toEqual([0, 4]); // a bc: "a b" never gets its chance
    const abFirst = buildMergeTable([
      { left: 0, right: 1, merged: 3 },
      { left: 1, right: 2, merged: 4 },
      { left: 3, right: 2, merged: 5 }, // rank 2: ab c
    ]);
    expect(applyMerges([0, 1, 2], abFirst)).toEqual([5]);
    expect(applyMerges([2, 0, 1, 2, 1], abFirst)).toEqual([2, 5, 1]);
  });

  it('merges equal-rank pairs leftmost first (a a a → aa a)', () => {
    const table = buildMergeTable([{ left: 0, right: 0, merged: 6 }]);
    expect(applyMerges([0, 0, 0], table)).toEqual([6, 0]);
    expect(applyMerges([0, 0, 0, 0], table)).toEqual([6, 6]);
  });

  it('keeps the first rank when a pair is listed twice', () => {
    const table = buildMergeTable([
      { left: 0, right: 1, merged: 3 },
      { left: 1, right: 2, merged: 4 },
      { left: 0, right: 1, merged: 3 },
    ]);
    expect(table.get(pairKey(0, 1))?.rank).toBe(0);
  });

  it('agrees with the naive version on random merge tables and words', () => {
    const random = createRandom(11);
    for (let trial = 0; trial < 200; trial++) {
      const alphabet = randomInt(random, 2, 6);
      const merges = [];
      let next = alphabet;
      for (let m = 0; m < randomInt(random, 1, 15); m++) {
        merges.push({ left: randomInt(random, 0, next - 1), right: randomInt(random, 0, next - 1), merged: next++ });
      }
      const table = buildMergeTable(merges);
      const word = Array.from({ length: randomInt(random, 0, 40) }, () => randomInt(random, 0, alphabet - 1));
      expect(applyMerges(word, table)).toEqual(applyMergesNaive(word, table));
    }
  });
});

describe('BpeModel', () => {
  const vocab = new Map([
    ['a', 0],
    ['b', 1],
    ['ab', 2],
    ['<unk>', 3],
  ]);
  const table = buildMergeTable([{ left: 0, right: 1, merged: 2 }]);

  it('tokenizes pieces and gives the same ids with or without the cache', () => {
    const cached = new BpeModel(vocab, table, { unkId: undefined, fuseUnk: false, ignoreMerges: false, cacheSize: 2 });
    const uncached = new BpeModel(vocab, table, {
      unkId: undefined,
      fuseUnk: false,
      ignoreMerges: false,
      cacheSize: 0,
    });
    for (const piece of ['abab', 'ba', 'abab', 'a', 'bab', 'abab']) {
      expect(cached.tokenize(piece)).toEqual(uncached.tokenize(piece));
    }
    expect(cached.tokenize('abab')).toEqual([2, 2]);
  });

  it('throws a clear error for a byte without a token, or uses unk', () => {
    const strict = new BpeModel(vocab, table, { unkId: undefined, fuseUnk: false, ignoreMerges: false, cacheSize: 0 });
    expect(() => strict.tokenize('aĠb')).toThrow(
      new TokenEncodeError('no token for byte 0x20 and the model has no unk_token'),
    );
    const fused = new BpeModel(vocab, table, { unkId: 3, fuseUnk: true, ignoreMerges: false, cacheSize: 0 });
    expect(fused.tokenize('aĠĠb')).toEqual([0, 3, 1]);
    const unfused = new BpeModel(vocab, table, { unkId: 3, fuseUnk: false, ignoreMerges: false, cacheSize: 0 });
    expect(unfused.tokenize('aĠĠb')).toEqual([0, 3, 3, 1]);
  });
});

describe('BoundedCache', () => {
  it('never holds more than capacity entries and keeps recently used ones', () => {
    const cache = new BoundedCache<number, number>(4);
    for (let i = 0; i < 100; i++) {
      cache.set(i, i * i);
      expect(cache.get(0)).toBe(0); // used after every insert: always kept
      expect(cache.size).toBeLessThanOrEqual(4);
    }
    expect(cache.get(99)).toBe(99 * 99);
    expect(cache.get(50)).toBeUndefined();
  });

  it('stores nothing with capacity 0', () => {
    const cache = new BoundedCache<string, number>(0);
    cache.set('x', 1);
    expect(cache.size).toBe(0);
    expect(cache.get('x')).toBeUndefined();
  });
});
