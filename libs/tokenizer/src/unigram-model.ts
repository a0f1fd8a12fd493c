/**
 * The Unigram model (SentencePiece's): a vocabulary of pieces, each with a score s(p) = log P(p).
 * A pre-tokenised piece x is cut into the segmentation with the highest total score,
 *
 *   best(x) = argmax over x = p₁ p₂ … pₖ (every pᵢ in the vocabulary) of Σᵢ s(pᵢ),
 *
 * found by Viterbi over character positions: B[0] = 0, B[e] = max over pieces x[s..e) of
 * B[s] + s(x[s..e)). A character that no one-character piece covers may still be taken as the
 * unknown token, at the score min_p s(p) − 10 (Hugging Face's and SentencePiece's penalty), so
 * every input has a segmentation. Ties go to the piece that starts first (as in Hugging Face).
 * Neighbouring unknown characters become one unknown token; with byte fallback an unknown span
 * becomes its UTF-8 bytes as `<0xXX>` tokens instead, when the vocabulary has all of them.
 */
import { BoundedCache } from './bounded-cache.js';
import { TokenEncodeError } from './errors.js';

/** Score penalty of the unknown token below the lowest piece score. */
export const UNKNOWN_PENALTY = 10;

interface TrieNode {
  readonly children: Map<number, TrieNode>;
  /** Id of the piece that ends here, or -1. */
  id: number;
}

/** How a UnigramModel treats pieces. */
export interface UnigramModelOptions {
  /** Id of the unknown token; without one, a character no piece covers is an error. */
  readonly unkId: number | undefined;
  /** Unknown spans become `<0xXX>` byte tokens when the vocabulary has them all. */
  readonly byteFallback: boolean;
  /** Pieces kept in the encode cache. */
  readonly cacheSize: number;
}

const utf8Encoder = new TextEncoder();

function byteToken(byte: number): string {
  return `<0x${byte.toString(16).toUpperCase().padStart(2, '0')}>`;
}

/** The Unigram model: text piece → token ids. */
export class UnigramModel {
  private readonly root: TrieNode = { children: new Map(), id: -1 };
  private readonly scores: Float64Array;
  private readonly ids: ReadonlyMap<string, number>;
  private readonly unkScore: number;
  private readonly cache: BoundedCache<string, readonly number[]>;

  /** @param vocab pieces in id order with their scores (log-probabilities) */
  constructor(
    vocab: readonly (readonly [string, number])[],
    private readonly options: UnigramModelOptions,
  ) {
    this.scores = Float64Array.from(vocab, ([, score]) => score);
    const ids = new Map<string, number>();
    vocab.forEach(([piece], id) => {
      ids.set(piece, id);
      let node = this.root;
      for (const char of piece) {
        const code = char.codePointAt(0) as number;
        let child = node.children.get(code);
        if (child === undefined) {
          child = { children: new Map(), id: -1 };
          node.children.set(code, child);
        }
        node = child;
      }
      node.id = id;
    });
    this.ids = ids;
    let minScore = Infinity;
    for (const score of this.scores) minScore = Math.min(minScore, score);
    this.unkScore = (vocab.length > 0 ? minScore : 0) - UNKNOWN_PENALTY;
    this.cache = new BoundedCache(options.cacheSize);
  }

  /** Token ids of one pre-tokenised piece (cached; do not mutate the result). */
  tokenize(piece: string): readonly number[] {
    const cached = this.cache.get(piece);
    if (cached !== undefined) return cached;
    const ids = this.toIds(this.segment(piece));
    this.cache.set(piece, ids);
    return ids;
  }

  /** The best segmentation of `piece` as strings; neighbouring unknown characters are joined. */
  segment(piece: string): string[] {
    const chars = Array.from(piece);
    const codes = chars.map((char) => char.codePointAt(0) as number);
    const n = chars.length;
    const score = new Float64Array(n + 1).fill(-Infinity);
    const start = new Int32Array(n + 1).fill(-1);
    const id = new Int32Array(n + 1).fill(-1);
    score[0] = 0;
    const unkId = this.options.unkId;
    for (let s = 0; s < n; s++) {
      const base = score[s] as number;
      let node: TrieNode | undefined = this.root;
      let single = false;
      for (let e = s; e < n; e++) {
        node = node.children.get(codes[e] as number);
        if (node === undefined) break;
        if (node.id < 0) continue;
        if (e === s) single = true;
        const candidate = base + (this.scores[node.id] as number);
        if (start[e + 1] === -1 || candidate > (score[e + 1] as number)) {
          score[e + 1] = candidate;
          start[e + 1] = s;
          id[e + 1] = node.id;
        }
      }
      if (single) continue;
      if (unkId === undefined) {
        const code = (codes[s] as number).toString(16).toUpperCase().padStart(4, '0');
        throw new TokenEncodeError(`no piece covers the character U+${code} and the model has no unk_id`);
      }
      const candidate = base + this.unkScore;
      if (start[s + 1] === -1 || candidate > (score[s + 1] as number)) {
        score[s + 1] = candidate;
        start[s + 1] = s;
        id[s + 1] = unkId;
      }
    }
    // Back from the end along the best path; runs of unknown tokens are joined into one.
    const pieces: string[] = [];
    let unknown = '';
    for (let e = n; e > 0; e = start[e] as number) {
      const text = chars.slice(start[e], e).join('');
      if (id[e] === unkId) {
        unknown = text + unknown;
        continue;
      }
      if (unknown !== '') pieces.push(unknown);
      unknown = '';
      pieces.push(text);
    }
    if (unknown !== '') pieces.push(unknown);
    return pieces.reverse();
  }

  private toIds(pieces: readonly string[]): number[] {
    const out: number[] = [];
    for (const piece of pieces) {
      const known = this.ids.get(piece);
      if (known !== undefined) {
        out.push(known);
        continue;
      }
      if (this.options.byteFallback) {
        const bytes = Array.from(utf8Encoder.encode(piece), (byte) => this.ids.get(byteToken(byte)));
        if (bytes.every((byte) => byte !== undefined)) {
          out.push(...(bytes as number[]));
          continue;
        }
      }
      // segment() only yields pieces outside the vocabulary for unknown spans, so unkId exists.
      out.push(this.options.unkId as number);
    }
    return out;
  }
}
