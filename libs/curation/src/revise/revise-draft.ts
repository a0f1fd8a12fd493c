/**
 * The built-in cross-modal reviser (method.md §2 step 3): extracts the draft's visual claims,
 * checks each against the real frames and rewrites only the contradicted words — a wrong colour,
 * shape, direction, text or number is replaced by what the frames show; a claim about something
 * that is not there loses its sentence when it is a plain observation, or is softened to "an
 * object I cannot make out clearly" inside the reasoning. The logic and the final answer are kept
 * (so a revised CoT may now disagree with its answer; the filter decides).
 */
import { extractThink } from '@vrft/data';
import { type FrameSet } from '../frame-source.js';
import { extractClaims, joinSentences, splitSentences, type Claim } from './claims.js';
import {
  checkClaim,
  DEFAULT_CHECK_OPTIONS,
  FrameInspector,
  type ClaimCheckOptions,
  type Verdict,
} from './check-claims.js';

/** One checked claim. */
export interface ClaimReview {
  claim: string;
  verdict: Verdict['verdict'];
  why?: string;
  fix?: string;
}

/** A revised CoT and what the revision did. */
export interface Revision {
  text: string;
  claimsChecked: number;
  claimsContradicted: number;
  claimsRevised: number;
  reviews: ClaimReview[];
  reviser: string;
}

/** Readable form of a claim, for the review log. */
export function describeClaim(claim: Claim): string {
  const when = 'time' in claim && claim.time !== undefined ? ` at ${claim.time} s` : '';
  switch (claim.kind) {
    case 'present':
      return `${claim.colour} ${claim.shape} visible${when}`;
    case 'moving':
      return `${claim.colour} ${claim.shape} moving ${claim.direction}${when}`;
    case 'turns':
      return `${claim.colour} ${claim.shape} turns ${claim.to}${when}`;
    case 'sign':
      return `sign reads "${claim.text}"${when}`;
    case 'counter':
      return `counter shows ${claim.value}${when}`;
    case 'count':
      return `${claim.value} ${claim.shape}s`;
  }
}

/** Revises a draft completion against the clip's frames (see the file header). */
export function reviseDraft(
  draft: string,
  set: FrameSet,
  options: ClaimCheckOptions = DEFAULT_CHECK_OPTIONS,
): Revision {
  const think = extractThink(draft) ?? '';
  const answerPart = draft.slice(draft.indexOf('</think>') + '</think>'.length);
  const sentences = splitSentences(think);
  const claims = extractClaims(sentences);
  const inspector = new FrameInspector(set, options);
  const reviews: ClaimReview[] = [];
  const removed = new Set<string>();
  let contradicted = 0;
  let revised = 0;
  // Later claims of a sentence are rewritten first, so earlier word positions stay valid.
  const edits: { claim: Claim; verdict: Verdict }[] = claims.map((claim) => ({
    claim,
    verdict: checkClaim(claim, inspector, options),
  }));
  for (const { claim, verdict } of edits) {
    const review: ClaimReview = { claim: describeClaim(claim), verdict: verdict.verdict };
    if (verdict.verdict !== 'supported') review.why = verdict.why;
    if (verdict.verdict === 'contradicted') {
      contradicted += 1;
      const key = `${claim.at.paragraph}:${claim.at.sentence}`;
      const sentence = sentences[claim.at.paragraph]?.[claim.at.sentence];
      if (sentence !== undefined && !removed.has(key)) {
        const fixed = applyFix(sentence, claim, verdict, claim.at.paragraph === 0);
        const paragraph = sentences[claim.at.paragraph];
        if (paragraph && fixed !== sentence) {
          paragraph[claim.at.sentence] = fixed;
          if (fixed === '') removed.add(key);
          revised += 1;
          review.fix = fixed === '' ? '(sentence removed)' : fixed;
        }
      }
    }
    reviews.push(review);
  }
  return {
    text: `<think>${joinSentences(sentences)}</think>${answerPart}`,
    claimsChecked: claims.length,
    claimsContradicted: contradicted,
    claimsRevised: revised,
    reviews,
    reviser: 'builtin',
  };
}

function applyFix(
  sentence: string,
  claim: Claim,
  verdict: Extract<Verdict, { verdict: 'contradicted' }>,
  observation: boolean,
): string {
  const words = claim.at.words;
  if ('replace' in verdict.fix) {
    return sentence.includes(words) ? sentence.replace(words, verdict.fix.replace) : sentence;
  }
  if (observation) return '';
  const phrase =
    claim.kind === 'present' || claim.kind === 'turns' || claim.kind === 'moving'
      ? new RegExp(`\\b(?:the|a|an)\\s+${claim.colour}\\s+${claim.shape}\\b`, 'i')
      : undefined;
  if (phrase && phrase.test(sentence)) return sentence.replace(phrase, 'an object I cannot make out clearly');
  return '';
}
