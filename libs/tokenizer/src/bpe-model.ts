/**
 * Applying BPE merges to one byte-level piece. Follows Hugging Face `tokenizers`: merges are
 * applied one at a time, always the pair with the lowest rank, the leftmost one among equals.
 * A heap over a linked list of symbols makes this O(n log n) per piece, so long runs (a line of
 * 10,000 dashes) stay cheap; results are cached per piece.
 */
import { byteOfChar } from './byte-level.js';
import { TokenEncodeError } from './errors.js';
import { BoundedCache } from './bounded-cache.js';
import { MinHeap } from './min-heap.js';

/** Token ids are kept below 2^24 so that a pair of ids packs into one exact float64 key. */
export const TOKEN_ID_LIMIT = 2 ** 24;

/** Packs an ordered pair of ids into one number: key = left · 2^24 + right. */
export function pairKey(left: number, right: number): number {
  return left * TOKEN_ID_LIMIT + right;
}

/** One merge rule with its ids resolved: left + right → merged, at priority `rank` (0 first). */
export interface ResolvedMerge {
  readonly left: number;
  readonly right: number;
  readonly merged: number;
}

/** Merge table: pair key → rank and merged id. */
export type MergeTable = ReadonlyMap<number, { readonly rank: number; readonly merged: number }>;

/** Builds the merge table; when a pair is listed twice its first (lowest) rank wins. */
export function buildMergeTable(merges: readonly ResolvedMerge[]): MergeTable {
  const table = new Map<number, { rank: number; merged: number }>();
  merges.forEach(({ left, right, merged }, rank) => {
    const key = pairKey(left, right);
    if (!table.has(key)) table.set(key, { rank, merged });
  });
  return table;
}

interface Candidate {
  rank: number;
  pos: number; // position of the left symbol
  rightPos: number;
  left: number;
  right: number;
  merged: number;
}

function compareCandidates(a: Candidate, b: Candidate): number {
  return a.rank - b.rank || a.pos - b.pos;
}

/** Applies the merge table to a sequence of symbol ids and returns the merged ids. */
export function applyMerges(ids: readonly number[], table: MergeTable): number[] {
  const n = ids.length;
  if (n < 2) return [...ids];
  const symbol = Int32Array.from(ids); // -1 once a symbol has been merged into its left neighbour
  const next = new Int32Array(n);
  const prev = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    next[i] = i + 1 < n ? i + 1 : -1;
    prev[i] = i - 1;
  }
  const heap = new MinHeap<Candidate>(compareCandidates);
  const consider = (pos: number, rightPos: number): void => {
    const left = symbol[pos] as number;
    const right = symbol[rightPos] as number;
    const rule = table.get(pairKey(left, right));
    if (rule) heap.push({ rank: rule.rank, pos, rightPos, left, right, merged: rule.merged });
  };
  for (let i = 0; i + 1 < n; i++) consider(i, i + 1);

  for (let candidate = heap.pop(); candidate !== undefined; candidate = heap.pop()) {
    const { pos, rightPos } = candidate;
    // Stale if either symbol changed or they are no longer neighbours since it was queued.
    if (symbol[pos] !== candidate.left || symbol[rightPos] !== candidate.right || next[pos] !== rightPos) continue;
    symbol[pos] = candidate.merged;
    symbol[rightPos] = -1;
    const after = next[rightPos] as number;
    next[pos] = after;
    if (after !== -1) prev[after] = pos;
    const before = prev[pos] as number;
    if (before !== -1) consider(before, pos);
    if (after !== -1) consider(pos, after);
  }

  const out: number[] = [];
  for (let pos = 0; pos !== -1; pos = next[pos] as number) out.push(symbol[pos] as number);
  return out;
}

/** How a BpeModel treats pieces. */
export interface BpeModelOptions {
  /** id for symbols missing from the vocabulary; without one such a symbol is an error */
  readonly unkId: number | undefined;
  /** merge runs of unknown symbols into one unk */
  readonly fuseUnk: boolean;
  /** take a piece that is itself in the vocabulary whole, without merging */
  readonly ignoreMerges: boolean;
  /** pieces kept in the encode cache */
  readonly cacheSize: number;
}

/** The BPE model: byte-level piece → token ids. */
export class BpeModel {
  private readonly charIds: Int32Array;
  private readonly cache: BoundedCache<string, readonly number[]>;

  constructor(
    private readonly vocab: ReadonlyMap<string, number>,
    private readonly table: MergeTable,
    private readonly options: BpeModelOptions,
  ) {
    // Pieces are always byte-level strings, so symbol lookup is a dense table by char code.
    this.charIds = new Int32Array(0x200).fill(-1);
    for (const [token, id] of vocab) {
      if (token.length === 1 && byteOfChar(token.charCodeAt(0)) >= 0) this.charIds[token.charCodeAt(0)] = id;
    }
    this.cache = new BoundedCache(options.cacheSize);
  }

  /** Token ids of one byte-level piece (cached; do not mutate the result). */
  tokenize(piece: string): readonly number[] {
    const cached = this.cache.get(piece);
    if (cached !== undefined) return cached;
    const whole = this.options.ignoreMerges ? this.vocab.get(piece) : undefined;
    const ids = whole !== undefined ? [whole] : applyMerges(this.symbolsOf(piece), this.table);
    this.cache.set(piece, ids);
    return ids;
  }

  private symbolsOf(piece: string): number[] {
    const ids: number[] = [];
    let previousUnknown = false;
    for (let i = 0; i < piece.length; i++) {
      const code = piece.charCodeAt(i);
      const id = code < this.charIds.length ? (this.charIds[code] as number) : -1;
      if (id >= 0) {
        ids.push(id);
        previousUnknown = false;
        continue;
      }
      const { unkId, fuseUnk } = this.options;
      if (unkId === undefined) {
        const byte = byteOfChar(code);
        const what = byte >= 0 ? `byte 0x${byte.toString(16).padStart(2, '0')}` : `character U+${code.toString(16)}`;
        throw new TokenEncodeError(`no token for ${what} and the model has no unk_token`);
      }
      if (!(fuseUnk && previousUnknown)) ids.push(unkId);
      previousUnknown = true;
    }
    return ids;
  }
}
