/**
 * Learning BPE merges from word counts (the algorithm, no I/O).
 *
 * Pair counts are kept incrementally: merging (a, b) only rewrites the words that contain it
 * (found through a pair → words index) and adjusts the counts of their pairs, instead of
 * recounting the corpus after each merge. The best pair comes from a max-heap with lazy updates:
 * a popped entry whose count is out of date is pushed back with its current count. This is exact
 * because a merge only lowers the counts of existing pairs; the pairs whose counts can rise all
 * contain the new token and are pushed fresh once the merge is done.
 *
 * Tie rule (determinism): the pair with the highest count wins; among equal counts the one with
 * the smaller left id, then the smaller right id. Ids are assigned in merge order, so the same
 * word counts and options always give the same merges.
 */
import { pairKey, TOKEN_ID_LIMIT } from './bpe-model.js';
import { BYTE_LEVEL_ALPHABET, byteOfChar } from './byte-level.js';
import { MinHeap } from './min-heap.js';

/** Inputs of learnMerges. */
export interface LearnMergesOptions {
  readonly vocabSize: number;
  readonly minFrequency: number;
  /** Occupy ids 0..k-1; a merge whose result would equal one of them is never made. */
  readonly specialTokens: readonly string[];
}

/** The learned vocabulary (id → token) and merge rules in rank order. */
export interface LearnedBpe {
  readonly tokens: readonly string[];
  readonly merges: readonly (readonly [string, string])[];
}

interface PairEntry {
  readonly count: number;
  readonly key: number;
}

function compareEntries(a: PairEntry, b: PairEntry): number {
  return b.count - a.count || a.key - b.key; // count descending, then (left, right) ascending
}

function mergeWord(symbols: readonly number[], left: number, right: number, merged: number): number[] | undefined {
  let found = false;
  const out: number[] = [];
  for (let i = 0; i < symbols.length; i++) {
    if (i + 1 < symbols.length && symbols[i] === left && symbols[i + 1] === right) {
      out.push(merged);
      i++;
      found = true;
    } else {
      out.push(symbols[i] as number);
    }
  }
  return found ? out : undefined;
}

/**
 * Learns merges from byte-level words and their counts. Ids: special tokens, then the 256 byte
 * tokens by byte value, then merged tokens in the order learned.
 */
export function learnMerges(words: ReadonlyMap<string, number>, options: LearnMergesOptions): LearnedBpe {
  const tokens: string[] = [...options.specialTokens, ...BYTE_LEVEL_ALPHABET];
  const ids = new Map<string, number>(tokens.map((token, id) => [token, id]));
  const specials = new Set(options.specialTokens);
  const byteBase = options.specialTokens.length;

  const wordSymbols: number[][] = [];
  const wordCounts: number[] = [];
  for (const [word, count] of words) {
    wordSymbols.push(Array.from(word, (char) => byteBase + byteOfChar(char.charCodeAt(0))));
    wordCounts.push(count);
  }

  const pairCounts = new Map<number, number>();
  const pairWords = new Map<number, number[]>(); // may hold words that lost the pair since; checked on use
  // Adds (sign 1) or removes (sign -1) the pairs of word w. Added pairs are indexed under w when
  // they are new to it: all of them at the start, afterwards only those holding the new token
  // (the word's other pairs were there before and are indexed already).
  const countPairs = (w: number, symbols: readonly number[], sign: 1 | -1, newId = -1, grown?: Set<number>): void => {
    const delta = (wordCounts[w] as number) * sign;
    for (let i = 0; i + 1 < symbols.length; i++) {
      const a = symbols[i] as number;
      const b = symbols[i + 1] as number;
      const key = pairKey(a, b);
      const total = (pairCounts.get(key) ?? 0) + delta;
      if (total === 0) pairCounts.delete(key);
      else pairCounts.set(key, total);
      if (sign < 0 || (newId >= 0 && a !== newId && b !== newId)) continue;
      const list = pairWords.get(key);
      if (list === undefined) pairWords.set(key, [w]);
      else if (list[list.length - 1] !== w) list.push(w);
      grown?.add(key);
    }
  };
  wordSymbols.forEach((symbols, w) => countPairs(w, symbols, 1));

  const heap = new MinHeap<PairEntry>(compareEntries);
  for (const [key, count] of pairCounts) heap.push({ count, key });

  const merges: (readonly [string, string])[] = [];
  const learned = new Set<number>();
  const banned = new Set<number>();
  while (tokens.length < options.vocabSize) {
    const top = heap.pop();
    if (top === undefined) break;
    const count = pairCounts.get(top.key) ?? 0;
    if (count !== top.count) {
      if (count > 0) heap.push({ count, key: top.key });
      continue;
    }
    if (count < options.minFrequency) break; // top is exact and every other entry is an upper bound
    if (banned.has(top.key)) continue;
    const left = Math.floor(top.key / TOKEN_ID_LIMIT);
    const right = top.key % TOKEN_ID_LIMIT;
    const text = (tokens[left] as string) + (tokens[right] as string);
    if (specials.has(text)) {
      banned.add(top.key);
      continue;
    }
    // Two different pairs can spell the same token ("a"+"bc", "ab"+"c"): reuse its id.
    let merged = ids.get(text);
    if (merged === undefined) {
      merged = tokens.length;
      tokens.push(text);
      ids.set(text, merged);
    }
    if (!learned.has(top.key)) {
      learned.add(top.key);
      merges.push([tokens[left] as string, tokens[right] as string]);
    }

    const grown = new Set<number>();
    for (const w of pairWords.get(top.key) ?? []) {
      const before = wordSymbols[w] as number[];
      const after = mergeWord(before, left, right, merged);
      if (after === undefined) continue; // the word lost this pair to an earlier merge
      countPairs(w, before, -1);
      wordSymbols[w] = after;
      countPairs(w, after, 1, merged, grown);
    }
    pairWords.delete(top.key);
    for (const key of grown) {
      const current = pairCounts.get(key);
      if (current !== undefined) heap.push({ count: current, key });
    }
  }
  return { tokens, merges };
}
