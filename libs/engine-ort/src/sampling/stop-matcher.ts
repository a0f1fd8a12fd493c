/**
 * Stop sequences, matched on the decoded text of a completion: after each token the text is
 * decoded again and searched where a new match could start (the tail since the previous check,
 * widened by the longest stop so a match spanning tokens is seen, and by a few characters more
 * because an unfinished UTF-8 sequence at the end decodes to U+FFFD that later changes).
 */

// Replacement characters an unfinished UTF-8 sequence can leave at the end of the text.
const UTF8_SLACK = 4;

/** Decodes token ids to text (the tokenizer). */
export type DecodeText = (ids: readonly number[]) => string;

/** Where a stop sequence matched. */
export interface StopMatch {
  /** The stop sequence that matched first in the text. */
  readonly stop: string;
  /** Text of the completion before the match. */
  readonly text: string;
}

/** Tracks one completion's text and reports the first stop sequence in it. */
export class StopMatcher {
  private readonly longest: number;
  private checkedLength = 0;

  constructor(
    private readonly stops: readonly string[],
    private readonly decode: DecodeText,
  ) {
    this.longest = stops.reduce((max, stop) => Math.max(max, stop.length), 0);
  }

  /** Whether there is anything to match. */
  get active(): boolean {
    return this.stops.length > 0;
  }

  /** Checks the completion so far; returns the earliest match or undefined. */
  check(ids: readonly number[]): StopMatch | undefined {
    if (this.stops.length === 0) return undefined;
    const text = this.decode(ids);
    const from = Math.max(0, this.checkedLength - this.longest - UTF8_SLACK);
    this.checkedLength = text.length;
    let best: StopMatch | undefined;
    let bestAt = Number.POSITIVE_INFINITY;
    for (const stop of this.stops) {
      const at = text.indexOf(stop, from);
      if (at >= 0 && at < bestAt) {
        bestAt = at;
        best = { stop, text: text.slice(0, at) };
      }
    }
    return best;
  }
}
