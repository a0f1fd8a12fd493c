import { BusOptionsError } from './errors.js';

// Small field checks shared by the option parsers; each names the field it rejects.

/** Returns `value ?? fallback`, requiring an integer >= `min`. */
export function readInt(field: string, value: number | undefined, fallback: number, min: number): number {
  const v = value ?? fallback;
  if (!Number.isSafeInteger(v) || v < min) {
    throw new BusOptionsError(field, `must be an integer >= ${min}, got ${String(value)}`);
  }
  return v;
}

/** Requires a non-empty string without whitespace. */
export function readToken(field: string, value: string | undefined): string {
  if (typeof value !== 'string' || value === '' || /\s/.test(value)) {
    throw new BusOptionsError(field, `must be a non-empty string without spaces, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Returns `value ?? fallback`, requiring one of `allowed`. */
export function readChoice<T extends string>(
  field: string,
  value: T | undefined,
  fallback: T,
  allowed: readonly T[],
): T {
  const v = value ?? fallback;
  if (!allowed.includes(v)) {
    throw new BusOptionsError(field, `must be one of ${allowed.join(', ')}, got ${String(value)}`);
  }
  return v;
}

// Stream, consumer and bucket names become subject tokens and file names.
const namePattern = /^[A-Za-z0-9_-]+$/;

/** Requires a JetStream name: letters, digits, `_` and `-` only. */
export function readName(field: string, value: string | undefined): string {
  if (typeof value !== 'string' || !namePattern.test(value)) {
    throw new BusOptionsError(field, `must match ${String(namePattern)}, got ${JSON.stringify(value)}`);
  }
  return value;
}

// A token is bad if it is empty, holds a space, mixes a wildcard with text,
// or is a wildcard where none is allowed (`>` only as the last token).
function isBadToken(token: string, last: boolean, allowWildcards: boolean): boolean {
  if (token === '' || /\s/.test(token)) return true;
  if (token === '*') return !allowWildcards;
  if (token === '>') return !allowWildcards || !last;
  return /[*>]/.test(token);
}

/** Requires a subject (`allowWildcards` false) or a subject filter (true); no empty tokens. */
export function readSubject(field: string, value: string, allowWildcards: boolean): string {
  const tokens = typeof value === 'string' ? value.split('.') : [''];
  if (tokens.some((t, i) => isBadToken(t, i === tokens.length - 1, allowWildcards))) {
    const kind = allowWildcards ? 'a subject filter' : 'a subject without wildcards';
    throw new BusOptionsError(field, `must be ${kind}, got ${JSON.stringify(value)}`);
  }
  return value;
}
