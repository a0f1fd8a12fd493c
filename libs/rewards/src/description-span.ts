import { ZeroReason } from '@vrft/proto';
import { locateTag } from './tags.js';

/**
 * Where the description span ends: 'sentence' (default) at the next full stop
 * (included) or the end of `<think>` when there is none; 'rest' at the end of
 * `<think>` (what the public code does before its token cut).
 */
export type DescriptionExtent = 'sentence' | 'rest';

/** Options of extractDescriptionSpan. */
export interface DescriptionSpanOptions {
  /** Where the span ends. Default 'sentence'. */
  readonly extent?: DescriptionExtent;
  /** Words that end with '.' without ending a sentence, lower-case, without the dot. Default DEFAULT_ABBREVIATIONS. */
  readonly abbreviations?: readonly string[];
  /** Cuts the span to the text encoder's first M tokens; applied last. Default: no cut. */
  readonly truncate?: (text: string) => string;
}

/** The description span of a completion, or why it has none. */
export type DescriptionSpan =
  | { readonly ok: true; readonly text: string }
  | { readonly ok: false; readonly reason: ZeroReason; readonly detail: string };

/** Abbreviations whose '.' is not a full stop (dotted letter runs like e.g., i.e., U.S. are recognised anyway). */
export const DEFAULT_ABBREVIATIONS: readonly string[] = [
  'etc',
  'vs',
  'cf',
  'approx',
  'eg',
  'ie',
  'al',
  'mr',
  'mrs',
  'ms',
  'dr',
  'prof',
  'st',
  'jr',
  'sr',
  'fig',
];

// Characters that may close a sentence after its full stop ('He said "go." Then').
const CLOSERS = new Set(['"', "'", '”', '’', ')', ']', '}', '»']);
// Characters that may open a word before it ('(approx.').
const OPENERS = new Set(['"', "'", '“', '‘', '(', '[', '{', '«']);
// e.g, i.e, U.S, a.m: single letters joined by dots.
const DOTTED_LETTERS = /^(?:\p{L}\.)+\p{L}$/u;
const DIGIT = /^\d$/u;
const WHITESPACE = /^\s$/u;
const IDEOGRAPHIC_FULL_STOP = '。';

/**
 * The sentence that describes the video: the text right after the first full
 * stop inside `<think>`, up to the next full stop (option `extent`), trimmed,
 * then cut by the optional `truncate` hook. A full stop is '。' or a '.' that
 * (1) is not part of an ellipsis ('..', '...'; '…' is another character),
 * (2) is not followed by a digit (3.14, .5), (3) is followed, after any
 * closing quotes or brackets, by whitespace or the end of `<think>` (so
 * 'video.mp4' and 'end.Next' do not count), and (4) does not end an
 * abbreviation: a listed word (etc., vs., …) or dotted letters (e.g., i.e., U.S.).
 * No full stop, or nothing after it, means no span (EMPTY_DESCRIPTION).
 */
export function extractDescriptionSpan(completion: string, options: DescriptionSpanOptions = {}): DescriptionSpan {
  const think = locateTag(completion, 'think');
  if (!think.ok) return think;
  const body = think.content;
  if (body.trim() === '') return empty('empty <think>');
  const abbreviations = new Set((options.abbreviations ?? DEFAULT_ABBREVIATIONS).map((a) => a.toLowerCase()));
  const start = findSentenceEnd(body, 0, abbreviations);
  if (start < 0) return empty('no full stop in <think>');
  let end = body.length;
  if ((options.extent ?? 'sentence') === 'sentence') {
    const next = findSentenceEnd(body, start, abbreviations);
    if (next >= 0) end = next;
  }
  const span = body.slice(start, end).trim();
  if (span === '') return empty('nothing after the first full stop in <think>');
  if (options.truncate === undefined) return { ok: true, text: span };
  const cut = options.truncate(span).trim();
  return cut === '' ? empty('the truncate hook left nothing') : { ok: true, text: cut };
}

function empty(detail: string): DescriptionSpan {
  return { ok: false, reason: ZeroReason.EMPTY_DESCRIPTION, detail };
}

/** Index just past the first full stop at or after `from` (and its closing quotes), or −1. */
function findSentenceEnd(text: string, from: number, abbreviations: ReadonlySet<string>): number {
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (c === IDEOGRAPHIC_FULL_STOP) return i + 1;
    if (c !== '.') continue;
    const end = fullStopEnd(text, i, abbreviations);
    if (end >= 0) return end;
  }
  return -1;
}

// For the '.' at index i: the index past it and its closers if it is a full stop, else −1.
function fullStopEnd(text: string, i: number, abbreviations: ReadonlySet<string>): number {
  const previous = text[i - 1];
  const next = text[i + 1];
  if (previous === '.' || next === '.') return -1; // ellipsis
  if (next !== undefined && DIGIT.test(next)) return -1; // decimal point
  let end = i + 1;
  while (end < text.length && CLOSERS.has(text[end] ?? '')) end++;
  const after = text[end];
  if (after !== undefined && !WHITESPACE.test(after)) return -1; // inside a token
  const word = wordBefore(text, i).toLowerCase();
  if (abbreviations.has(word) || DOTTED_LETTERS.test(word)) return -1;
  return end;
}

// The word that ends at index i (exclusive): back to whitespace or an opening quote/bracket.
function wordBefore(text: string, i: number): string {
  let start = i;
  while (start > 0) {
    const c = text[start - 1] ?? '';
    if (WHITESPACE.test(c) || OPENERS.has(c)) break;
    start--;
  }
  return text.slice(start, i);
}
