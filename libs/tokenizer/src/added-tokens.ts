/**
 * Added tokens (special or not): strings recognised whole in the input before any other step, so
 * they are never split or merged. Matching is leftmost-longest, as in Hugging Face `tokenizers`.
 */
import { escapeRegExp } from './split-pattern.js';

/** One entry of `added_tokens` in tokenizer.json. */
export interface AddedToken {
  readonly id: number;
  readonly content: string;
  /** Match only where the token is not inside a word. */
  readonly single_word: boolean;
  /** The match also takes the whitespace on its left. */
  readonly lstrip: boolean;
  /** The match also takes the whitespace on its right. */
  readonly rstrip: boolean;
  /** Hugging Face matches it on normalised text; here all added tokens match the raw text. */
  readonly normalized: boolean;
  /** Special tokens are dropped by decode's skipSpecial. */
  readonly special: boolean;
}

/** A stretch of input: either plain text or one added token. */
export type Segment = { readonly text: string } | { readonly id: number };

const WHITESPACE = /\p{White_Space}/u;
const WORD_CHAR = /[\p{L}\p{M}\p{N}_]/u;

function charBefore(text: string, index: number): string {
  const code = text.codePointAt(index - 1);
  if (code !== undefined && code >= 0xdc00 && code <= 0xdfff && index >= 2) {
    return String.fromCodePoint(text.codePointAt(index - 2) as number);
  }
  return text[index - 1] ?? '';
}

function charAt(text: string, index: number): string {
  const code = text.codePointAt(index);
  return code === undefined ? '' : String.fromCodePoint(code);
}

/** Finds added tokens in text. */
export class AddedTokenMatcher {
  private readonly regex: RegExp | undefined;
  private readonly byContent: ReadonlyMap<string, AddedToken>;

  constructor(tokens: readonly AddedToken[]) {
    this.byContent = new Map(tokens.map((token) => [token.content, token]));
    // Longest first: at one position a regex alternation takes the first alternative that
    // matches, which makes the scan leftmost-longest.
    const contents = [...this.byContent.keys()].sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
    this.regex = contents.length > 0 ? new RegExp(contents.map(escapeRegExp).join('|'), 'gu') : undefined;
  }

  /** Cuts text into plain stretches and added tokens, in order; concatenation gives the input back (minus stripped whitespace). */
  split(text: string): Segment[] {
    const regex = this.regex;
    if (regex === undefined) return text.length > 0 ? [{ text }] : [];
    const segments: Segment[] = [];
    let last = 0;
    regex.lastIndex = 0;
    for (let match = regex.exec(text); match !== null; match = regex.exec(text)) {
      const token = this.byContent.get(match[0]) as AddedToken;
      let start = match.index;
      let end = start + match[0].length;
      if (token.single_word && (WORD_CHAR.test(charBefore(text, start)) || WORD_CHAR.test(charAt(text, end)))) {
        regex.lastIndex = start + charAt(text, start).length;
        continue;
      }
      if (token.lstrip)
        while (start > last && WHITESPACE.test(charBefore(text, start))) start -= charBefore(text, start).length;
      if (token.rstrip) while (end < text.length && WHITESPACE.test(charAt(text, end))) end += charAt(text, end).length;
      if (start > last) segments.push({ text: text.slice(last, start) });
      segments.push({ id: token.id });
      last = end;
      regex.lastIndex = end;
    }
    if (last < text.length) segments.push({ text: text.slice(last) });
    return segments;
  }
}
