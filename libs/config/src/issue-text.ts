import type { z } from 'zod';

/**
 * Per-parse zod error map: phrases each problem as what was expected. Messages that a schema
 * sets itself (`{ error: '...' }`) take precedence over this map, so fragments can say
 * "expected a port number 0..65535".
 */
export function describeExpectation(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${issue.expected}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((value) => JSON.stringify(String(value))).join(', ')}`;
    case 'too_small':
      return `expected ${boundText(issue.origin, issue.inclusive ? '>=' : '>', issue.minimum)}`;
    case 'too_big':
      return `expected ${boundText(issue.origin, issue.inclusive ? '<=' : '<', issue.maximum)}`;
    case 'invalid_format':
      return `expected a valid ${issue.format}`;
    case 'not_multiple_of':
      return `expected a multiple of ${String(issue.divisor)}`;
    case 'unrecognized_keys':
      return `unknown field(s) ${issue.keys.join(', ')}`;
    case 'invalid_union':
      return 'expected a value matching one of the allowed forms';
    default:
      return undefined;
  }
}

function boundText(origin: string, op: string, bound: number | bigint | Date): string {
  const limit = bound instanceof Date ? bound.toISOString() : String(bound);
  switch (origin) {
    case 'string':
      return `a string of length ${op} ${limit}`;
    case 'array':
    case 'set':
      return `a list of length ${op} ${limit}`;
    default:
      return `a ${origin} ${op} ${limit}`;
  }
}

// Values of fields with these names never appear in error messages.
const SECRET_FIELD = /(pass|password|token|secret|credentials?)$/i;

/** True when a field path names a secret whose value must not be echoed. */
export function isSecretPath(path: readonly string[]): boolean {
  return path.some((segment) => SECRET_FIELD.test(segment));
}

/** Shows a value as JSON, cut to `maxChars`. */
export function previewValue(value: unknown, maxChars: number): string {
  let text: string;
  try {
    text = JSON.stringify(value, (_key, inner: unknown) => (typeof inner === 'bigint' ? inner.toString() : inner));
  } catch {
    text = String(value);
  }
  text ??= String(value);
  return text.length <= maxChars ? text : `${text.slice(0, maxChars)}…`;
}

/** The candidate closest to `name` by edit distance, if close enough to be a likely typo. */
export function suggestClosest(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const distance = editDistance(name, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  // A typo changes a few characters; allow about one edit per four characters, at least two.
  const tolerance = Math.max(2, Math.floor(name.length / 4));
  return bestDistance <= tolerance ? best : undefined;
}

/** Levenshtein distance: d[i][j] = min(d[i-1][j] + 1, d[i][j-1] + 1, d[i-1][j-1] + (a_i ≠ b_j)). */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
