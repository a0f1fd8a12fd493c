/**
 * Exact fractions for timestamps and rates. ffprobe reports durations as integer ticks of a
 * time base; keeping them exact lets the sampling grid land where the arithmetic says.
 */

/** num / den with den > 0. */
export interface Rational {
  num: number;
  den: number;
}

function gcd(a: number, b: number): number {
  let x = Math.abs(a);
  let y = Math.abs(b);
  while (y !== 0) [x, y] = [y, x % y];
  return x;
}

/** Reduces a fraction to lowest terms with a positive denominator. */
export function reduceRational(value: Rational): Rational {
  const divisor = gcd(value.num, value.den) || 1;
  const sign = value.den < 0 ? -1 : 1;
  return { num: (sign * value.num) / divisor, den: (sign * value.den) / divisor };
}

/** The product a · b. */
export function multiplyRational(a: Rational, b: Rational): Rational {
  return reduceRational({ num: a.num * b.num, den: a.den * b.den });
}

/** The number num / den. */
export function toNumber(value: Rational): number {
  return value.num / value.den;
}

/** Parses "num/den" (ffprobe rates and time bases); undefined when malformed or den = 0. */
export function parseFraction(text: string | undefined): Rational | undefined {
  const match = /^(-?\d+)\/(\d+)$/.exec(text ?? '');
  if (!match) return undefined;
  const num = Number(match[1]);
  const den = Number(match[2]);
  if (den === 0 || !Number.isSafeInteger(num) || !Number.isSafeInteger(den)) return undefined;
  return reduceRational({ num, den });
}

/** Parses a decimal like "2.040000" exactly (as digits over a power of ten). */
export function parseDecimal(text: string | undefined): Rational | undefined {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(text ?? '');
  if (!match) return undefined;
  const fraction = (match[2] ?? '').slice(0, 9); // beyond nanoseconds is noise
  const den = 10 ** fraction.length;
  const num = Number(match[1]) * den + Number(fraction || '0');
  if (!Number.isSafeInteger(num)) return undefined;
  return reduceRational({ num, den });
}

/** Parses a Matroska DURATION tag "HH:MM:SS.nnnnnnnnn" exactly. */
export function parseClockDuration(text: string | undefined): Rational | undefined {
  const match = /^(\d+):(\d{2}):(\d{2}(?:\.\d+)?)$/.exec(text ?? '');
  if (!match) return undefined;
  const seconds = parseDecimal(match[3]);
  if (!seconds) return undefined;
  const whole = Number(match[1]) * 3600 + Number(match[2]) * 60; // h·3600 + m·60
  return reduceRational({ num: whole * seconds.den + seconds.num, den: seconds.den });
}
