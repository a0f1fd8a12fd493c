// A plain decimal literal: optional sign, digits with an optional fraction (or
// a bare fraction), optional exponent. No inf/nan, no underscores, no units.
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * The number written in `text` after trimming and removing every comma (the
 * method treats commas as thousands separators: "1,000" → 1000, "1,5" → 15);
 * undefined when it is not a finite decimal literal.
 */
export function parseDecimal(text: string): number | undefined {
  const stripped = text.trim().replaceAll(',', '');
  if (!DECIMAL.test(stripped)) return undefined;
  const value = Number(stripped);
  return Number.isFinite(value) ? value : undefined;
}

/** Whether a numeric answer is written with a '.' or a ',' (the numerical rule compares this first). */
export function hasSeparator(text: string): boolean {
  return text.includes('.') || text.includes(',');
}

/**
 * x rounded to 2 decimals, as an integer count of hundredths so that equal
 * roundings compare equal exactly: round(|x| · 100) · sign(x), ties away from 0.
 */
export function toHundredths(x: number): number {
  return Math.sign(x) * Math.round(Math.abs(x) * 100);
}
