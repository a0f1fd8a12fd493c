import { RewardComponent, ZeroReason } from '@vrft/proto';
import { type ComponentScore, fullScore, zeroScore } from './component-score.js';
import { RewardInputError } from './errors.js';

/** Where the content of the first `<name>…</name>` block of a text is, or why there is none. */
export type TagContent =
  | { readonly ok: true; readonly content: string }
  | { readonly ok: false; readonly reason: ZeroReason; readonly detail: string };

/**
 * Content of the first `<name>` block: from the first `<name>` to the first
 * `</name>` after it (the lazy `<name>(.*?)</name>` of the method). Repeated
 * blocks: the first wins. Nested blocks (`<name>` again before the close) and
 * an unclosed block are malformed rather than guessed at.
 */
export function locateTag(text: string, name: string): TagContent {
  const open = `<${name}>`;
  const close = `</${name}>`;
  const start = text.indexOf(open);
  if (start < 0) return { ok: false, reason: ZeroReason.MISSING_TAGS, detail: `no ${open} tag` };
  const from = start + open.length;
  const end = text.indexOf(close, from);
  if (end < 0) return { ok: false, reason: ZeroReason.MALFORMED_TAGS, detail: `${open} is never closed` };
  const content = text.slice(from, end);
  if (content.includes(open)) {
    return { ok: false, reason: ZeroReason.MALFORMED_TAGS, detail: `nested ${open} tags` };
  }
  return { ok: true, content };
}

/** Trimmed text inside the first `<answer>…</answer>` of a completion; undefined when absent, unclosed or nested. */
export function extractAnswer(completion: string): string | undefined {
  const found = locateTag(completion, 'answer');
  return found.ok ? found.content.trim() : undefined;
}

/** Text inside the first `<think>…</think>` of a completion (untrimmed); undefined when absent, unclosed or nested. */
export function extractThink(completion: string): string | undefined {
  const found = locateTag(completion, 'think');
  return found.ok ? found.content : undefined;
}

/**
 * The reference answer, trimmed: the inside of its `<answer>` tags when it has
 * them (as in the dataset files), the whole string otherwise (as in `Problem`).
 * A solution with broken tags is bad data, not a wrong answer: it throws.
 */
export function extractSolution(solution: string, field = 'solution'): string {
  if (!solution.includes('<answer>') && !solution.includes('</answer>')) return solution.trim();
  const found = locateTag(solution, 'answer');
  if (!found.ok) throw new RewardInputError(field, `malformed <answer> tags (${found.detail})`);
  return found.content.trim();
}

const THINK_OPEN = '<think>';
const ANSWER_CLOSE = '</answer>';
// A `</think>` then optional whitespace then `<answer>`, the middle of the format pattern.
const THINK_TO_ANSWER = /<\/think>\s*<answer>/g;

/**
 * Whether the whole completion matches `<think>.*?</think>\s*<answer>.*?</answer>`
 * (full match, dot matches newlines). Decided in linear time: the lazy groups
 * can absorb anything, so a match exists iff the text starts with `<think>`,
 * ends with `</answer>`, and the earliest `</think>\s*<answer>` after the
 * opening tag ends before that final `</answer>` begins. The backtracking
 * regex would be quadratic on long adversarial completions.
 */
export function matchesFormat(completion: string): boolean {
  if (!completion.startsWith(THINK_OPEN) || !completion.endsWith(ANSWER_CLOSE)) return false;
  const pattern = new RegExp(THINK_TO_ANSWER.source, 'g');
  pattern.lastIndex = THINK_OPEN.length;
  const middle = pattern.exec(completion);
  if (middle === null) return false;
  return middle.index + middle[0].length <= completion.length - ANSWER_CLOSE.length;
}

/** R_f: 1 when the completion is exactly `<think>…</think>` then `<answer>…</answer>`, else 0 with the reason. */
export function checkFormat(completion: string): ComponentScore {
  if (matchesFormat(completion)) {
    return fullScore(RewardComponent.FORMAT);
  }
  const missing = ['<think>', '</think>', '<answer>', '</answer>'].filter((tag) => !completion.includes(tag));
  if (missing.length > 0) {
    return zeroScore(RewardComponent.FORMAT, ZeroReason.MISSING_TAGS, `missing ${missing.join(', ')}`);
  }
  return zeroScore(RewardComponent.FORMAT, ZeroReason.MALFORMED_TAGS, describeMalformed(completion));
}

// Says which part of the pattern failed, for the detail string only.
function describeMalformed(completion: string): string {
  if (!completion.startsWith(THINK_OPEN)) return 'text before <think>';
  if (!completion.endsWith(ANSWER_CLOSE)) return 'text after the last </answer>';
  return 'text between </think> and <answer>, or tags out of order';
}
