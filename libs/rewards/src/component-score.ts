import { type RewardComponent, ZeroReason } from '@vrft/proto';

/**
 * The value of one reward component for one completion. Invariant: `zeroReason`
 * is UNSPECIFIED exactly when `value` is not 0, so every zero is explained.
 */
export interface ComponentScore {
  readonly component: RewardComponent;
  readonly value: number;
  /** Why the value is 0; ZeroReason.UNSPECIFIED when it is not. */
  readonly zeroReason: ZeroReason;
  /** Human-readable explanation of the zero reason ('' when the value is not 0). */
  readonly detail: string;
}

/** A component at its full value of 1 (a correct answer, a well-formed completion). */
export function fullScore(component: RewardComponent): ComponentScore {
  return { component, value: 1, zeroReason: ZeroReason.UNSPECIFIED, detail: '' };
}

/** A component that scored 0 for a stated reason. */
export function zeroScore(component: RewardComponent, reason: ZeroReason, detail: string): ComponentScore {
  return { component, value: 0, zeroReason: reason, detail };
}

/**
 * A component with a computed value; `reasonIfZero` and `detailIfZero` explain
 * the value when the computation itself lands on 0 (e.g. 1 − WER clipped to 0).
 */
export function valueScore(
  component: RewardComponent,
  value: number,
  reasonIfZero: ZeroReason,
  detailIfZero: string,
): ComponentScore {
  if (value === 0) return zeroScore(component, reasonIfZero, detailIfZero);
  return { component, value, zeroReason: ZeroReason.UNSPECIFIED, detail: '' };
}

// Longest excerpt of model or dataset text quoted in a detail string.
const MAX_QUOTED_CHARS = 60;

/** `text` as a JSON string for a detail message, cut to a readable length. */
export function quoteForDetail(text: string): string {
  const chars = Array.from(text);
  const cut = chars.length > MAX_QUOTED_CHARS ? `${chars.slice(0, MAX_QUOTED_CHARS).join('')}…` : text;
  return JSON.stringify(cut);
}
