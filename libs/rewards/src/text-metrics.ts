import { levenshtein, longestCommonSubsequence } from './edit-distance.js';
import { RewardInputError } from './errors.js';
import { splitOcrWords, tokenizeForRouge } from './text-tokens.js';

/** F-scores of ROUGE-1, ROUGE-2 and ROUGE-L, each in [0, 1]. */
export interface RougeScores {
  readonly rouge1: number;
  readonly rouge2: number;
  readonly rougeL: number;
}

/**
 * Word error rate of a hypothesis against a reference, on OCR words
 * (see splitOcrWords): WER = Levenshtein(hyp, ref) / |ref|. Can exceed 1.
 */
export function wordErrorRate(hypothesis: string, reference: string): number {
  return wordErrorRateOfWords(splitOcrWords(hypothesis), splitOcrWords(reference));
}

/** WER on already split words; the reference must have at least one word. */
export function wordErrorRateOfWords(hypothesis: readonly string[], reference: readonly string[]): number {
  if (reference.length === 0) throw new RewardInputError('reference', 'has no words');
  return levenshtein(hypothesis, reference) / reference.length; // WER = edits / |ref|
}

/** ROUGE-1/2/L F-scores of a candidate against a reference, on lower-cased, stemmed tokens (see tokenizeForRouge). */
export function rougeScores(candidate: string, reference: string): RougeScores {
  return rougeOfTokens(tokenizeForRouge(candidate), tokenizeForRouge(reference));
}

/** ROUGE-1/2/L F-scores on already tokenized text. */
export function rougeOfTokens(candidate: readonly string[], reference: readonly string[]): RougeScores {
  const lcs = longestCommonSubsequence(candidate, reference);
  return {
    rouge1: ngramFScore(candidate, reference, 1),
    rouge2: ngramFScore(candidate, reference, 2),
    rougeL: fScore(lcs, candidate.length, reference.length),
  };
}

// F = 2PR / (P + R) with P = overlap / |candidate units|, R = overlap / |reference units|; 0 when nothing overlaps.
function fScore(overlap: number, candidateCount: number, referenceCount: number): number {
  if (overlap === 0) return 0;
  const precision = overlap / candidateCount;
  const recall = overlap / referenceCount;
  return (2 * precision * recall) / (precision + recall);
}

// ROUGE-N: overlap = Σ_g min(count_cand(g), count_ref(g)) over n-grams g.
function ngramFScore(candidate: readonly string[], reference: readonly string[], n: number): number {
  const candidateGrams = countNgrams(candidate, n);
  const referenceGrams = countNgrams(reference, n);
  let overlap = 0;
  for (const [gram, count] of candidateGrams) overlap += Math.min(count, referenceGrams.get(gram) ?? 0);
  const candidateTotal = Math.max(0, candidate.length - n + 1);
  const referenceTotal = Math.max(0, reference.length - n + 1);
  return fScore(overlap, candidateTotal, referenceTotal);
}

// Tokens never contain spaces, so a space-joined key identifies an n-gram.
function countNgrams(tokens: readonly string[], n: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i + n <= tokens.length; i++) {
    const gram = tokens.slice(i, i + n).join(' ');
    counts.set(gram, (counts.get(gram) ?? 0) + 1);
  }
  return counts;
}
