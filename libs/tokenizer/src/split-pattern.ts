/**
 * Regex splitting with the Hugging Face `Split` semantics (pattern, behaviour, invert), and the
 * pre-tokenisation patterns this package knows.
 */
import { TokenizerFormatError } from './errors.js';

/**
 * The project's pre-tokenisation pattern. Alternatives, tried left to right at each position:
 *
 * 1. `'(?:[sStTdDmM]|[rR][eE]|[vV][eE]|[lL][lL])(?![\p{L}\p{M}])` — an English contraction
 *    suffix ('s 't 'd 'm 're 've 'll in any case) that ends a word, so "it's" → "it", "'s" but
 *    "'sun" is not cut after "'s". Case is spelled out because Node 20 lacks `(?i:…)` groups.
 * 2. ` ?[\p{L}\p{M}]+` — a word: letters with their combining marks (a decomposed "é" stays one
 *    piece), with at most one leading space so " cat" is a single piece.
 * 3. ` ?\p{N}` — ONE digit (optionally after a space): numbers split digit by digit so every
 *    number tokenises the same way, which matters for numeric answers (42, 3.14).
 * 4. ` ?[^\p{White_Space}\p{L}\p{M}\p{N}]+` — a run of punctuation, symbols, emoji or control
 *    characters, with at most one leading space.
 * 5. `\p{White_Space}+(?!\P{White_Space})` — a whitespace run that is not followed by other text
 *    (the end of the text or more whitespace follows), i.e. a run minus its last space, so the
 *    last space can lead the next word.
 * 6. `\p{White_Space}+` — any remaining whitespace (e.g. a tab before a word).
 *
 * Every character is a letter, mark, number, whitespace or "other", so the alternatives cover all
 * text and no character is ever dropped. `\p{White_Space}` is written out instead of `\s` because
 * JavaScript's `\s` and Oniguruma's (used by Hugging Face `tokenizers`) differ at U+0085 and
 * U+FEFF; the property means the same in both engines.
 */
export const PRE_TOKENIZE_PATTERN =
  "'(?:[sStTdDmM]|[rR][eE]|[vV][eE]|[lL][lL])(?![\\p{L}\\p{M}])" +
  '| ?[\\p{L}\\p{M}]+' +
  '| ?\\p{N}' +
  '| ?[^\\p{White_Space}\\p{L}\\p{M}\\p{N}]+' +
  '|\\p{White_Space}+(?!\\P{White_Space})' +
  '|\\p{White_Space}+';

/**
 * The pattern GPT-2 published, which the Hugging Face ByteLevel pre-tokenizer applies when its
 * `use_regex` flag is true. Needed to read public GPT-2-style files; our own files do not use it.
 */
export const GPT2_PATTERN = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

/** How a `Split` step treats the matched delimiters (Hugging Face `SplitDelimiterBehavior`). */
export type SplitBehavior = 'Removed' | 'Isolated' | 'MergedWithPrevious' | 'MergedWithNext' | 'Contiguous';

/** The behaviours accepted in a `Split` step. */
export const SPLIT_BEHAVIORS: readonly SplitBehavior[] = [
  'Removed',
  'Isolated',
  'MergedWithPrevious',
  'MergedWithNext',
  'Contiguous',
];

/**
 * Translates an Oniguruma pattern into a JavaScript one: `\s`/`\S` become the White_Space
 * property (see PRE_TOKENIZE_PATTERN for why); everything else is passed through unchanged.
 */
export function translateOnigurumaPattern(pattern: string): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i] as string;
    if (char !== '\\' || i + 1 >= pattern.length) {
      out += char;
      continue;
    }
    const next = pattern[i + 1] as string;
    if (next === 's') out += '\\p{White_Space}';
    else if (next === 'S') out += '\\P{White_Space}';
    else out += char + next;
    i++;
  }
  return out;
}

/** Compiles an Oniguruma-style pattern as a global Unicode JavaScript regex. */
export function compilePattern(pattern: string, field: string): RegExp {
  try {
    return new RegExp(translateOnigurumaPattern(pattern), 'gu');
  } catch (cause) {
    throw new TokenizerFormatError(field, `pattern is not supported by this engine: ${String(cause)}`, { cause });
  }
}

/** Escapes a literal string for use inside a regex. */
export function escapeRegExp(literal: string): string {
  return literal.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

interface Span {
  text: string;
  isMatch: boolean;
}

function findSpans(text: string, regex: RegExp): Span[] {
  const spans: Span[] = [];
  let last = 0;
  regex.lastIndex = 0;
  for (let match = regex.exec(text); match !== null; match = regex.exec(text)) {
    const found = match[0];
    if (found.length === 0) {
      // An empty match splits nothing; step over one code point so the scan advances.
      const code = text.codePointAt(regex.lastIndex);
      regex.lastIndex += code !== undefined && code > 0xffff ? 2 : 1;
      continue;
    }
    if (match.index > last) spans.push({ text: text.slice(last, match.index), isMatch: false });
    spans.push({ text: found, isMatch: true });
    last = match.index + found.length;
  }
  if (last < text.length) spans.push({ text: text.slice(last), isMatch: false });
  return spans;
}

function mergeIntoNeighbour(spans: readonly Span[]): string[] {
  // Each match joins the piece before it, unless that piece was itself a match.
  const out: string[] = [];
  let previousMatch = false;
  for (const span of spans) {
    if (span.isMatch && !previousMatch && out.length > 0) out[out.length - 1] += span.text;
    else out.push(span.text);
    previousMatch = span.isMatch;
  }
  return out;
}

/**
 * Splits text by a regex. Unmatched stretches are kept as pieces (except for `Removed`), so with
 * `Isolated` the pieces always concatenate back to the input.
 */
export function splitByPattern(text: string, regex: RegExp, behavior: SplitBehavior, invert: boolean): string[] {
  const spans = findSpans(text, regex);
  if (invert) for (const span of spans) span.isMatch = !span.isMatch;
  switch (behavior) {
    case 'Isolated':
      return spans.map((span) => span.text);
    case 'Removed':
      return spans.filter((span) => !span.isMatch).map((span) => span.text);
    case 'MergedWithPrevious':
      return mergeIntoNeighbour(spans);
    case 'MergedWithNext': {
      // The mirror image: walk backwards so each match joins the piece after it.
      const out: string[] = [];
      let nextMatch = false;
      for (let i = spans.length - 1; i >= 0; i--) {
        const span = spans[i] as Span;
        if (span.isMatch && !nextMatch && out.length > 0) out[out.length - 1] = span.text + out[out.length - 1];
        else out.push(span.text);
        nextMatch = span.isMatch;
      }
      return out.reverse();
    }
    case 'Contiguous': {
      const out: string[] = [];
      let previousMatch = false;
      for (const span of spans) {
        if (span.isMatch && previousMatch && out.length > 0) out[out.length - 1] += span.text;
        else out.push(span.text);
        previousMatch = span.isMatch;
      }
      return out;
    }
  }
}
