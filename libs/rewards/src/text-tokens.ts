import { stemPorter } from './porter-stemmer.js';

// Scripts written without spaces between words: each character counts as a word,
// otherwise a whole Chinese or Japanese line would be one "word" and every
// word-level metric on it would be all-or-nothing.
const UNSPACED = String.raw`\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}`;
const UNSPACED_CHAR = new RegExp(`[${UNSPACED}]`, 'u');
const OCR_PIECES = new RegExp(`[${UNSPACED}]|[^${UNSPACED}]+`, 'gu');

// A ROUGE token: one unspaced-script character, one pictographic emoji, or a
// run of letters/digits (with their combining marks) starting with a letter or digit.
const ROUGE_TOKEN = new RegExp(
  String.raw`[${UNSPACED}]|\p{Extended_Pictographic}|(?:(?![${UNSPACED}])[\p{L}\p{N}])(?:(?![${UNSPACED}])[\p{L}\p{M}\p{N}])*`,
  'gu',
);

// Stemming is for English words; short ones are left alone because step 1a
// would mangle them ("was" → "wa"), which is also what the usual ROUGE scorer does.
const MIN_STEMMED_LENGTH = 4;

/**
 * Words for OCR's word error rate: the NFC-normalised text split on Unicode
 * whitespace, each Han/Hiragana/Katakana character its own word. Case,
 * accents and punctuation are kept (a transcription must reproduce them).
 */
export function splitOcrWords(text: string): string[] {
  const words: string[] = [];
  for (const chunk of text.normalize('NFC').split(/\s+/u)) {
    if (chunk === '') continue;
    if (!UNSPACED_CHAR.test(chunk)) words.push(chunk);
    else for (const piece of chunk.match(OCR_PIECES) ?? []) words.push(piece);
  }
  return words;
}

/**
 * Tokens for ROUGE: NFC-normalised, lower-cased, split into letter/digit runs
 * (punctuation dropped), Han/Hiragana/Katakana characters and emoji one token
 * each, and lower-case ASCII words of 4+ letters Porter-stemmed. Unlike the
 * common ASCII-only scorer, accented and CJK words are kept, not deleted.
 */
export function tokenizeForRouge(text: string): string[] {
  const tokens = text.normalize('NFC').toLowerCase().match(ROUGE_TOKEN) ?? [];
  return tokens.map((token) => (token.length >= MIN_STEMMED_LENGTH ? stemPorter(token) : token));
}
