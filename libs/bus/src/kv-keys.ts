import { InvalidKeyError } from './errors.js';

// NATS KV keys are subject tokens joined by dots: letters, digits and - / _ =
// only, no empty token. Filters may also use the * and > wildcards.
const keyChars = /^[-/=.\w]+$/;
const filterChars = /^[-/=.\w*>]+$/;

function checkTokens(key: string, tokens: string[]): void {
  if (tokens.some((t) => t === '')) {
    throw new InvalidKeyError(key, 'dots may not start or end a key or follow each other');
  }
}

/** Throws {@link InvalidKeyError} unless `key` is a valid NATS KV key. */
export function validateKey(key: string): string {
  if (typeof key !== 'string' || key === '') throw new InvalidKeyError(String(key), 'must not be empty');
  if (!keyChars.test(key))
    throw new InvalidKeyError(key, 'only letters, digits, "-", "/", "_", "=" and "." are allowed');
  checkTokens(key, key.split('.'));
  return key;
}

/** Throws {@link InvalidKeyError} unless `filter` is a valid key filter (`*` per token, `>` at the end). */
export function validateKeyFilter(filter: string): string {
  if (typeof filter !== 'string' || filter === '') throw new InvalidKeyError(String(filter), 'must not be empty');
  if (!filterChars.test(filter)) {
    throw new InvalidKeyError(filter, 'only letters, digits, "-", "/", "_", "=", ".", "*" and ">" are allowed');
  }
  const tokens = filter.split('.');
  checkTokens(filter, tokens);
  tokens.forEach((t, i) => {
    if (/[*>]/.test(t) && t !== '*' && t !== '>') throw new InvalidKeyError(filter, 'a wildcard must be a whole token');
    if (t === '>' && i !== tokens.length - 1) throw new InvalidKeyError(filter, '">" must be the last token');
  });
  return filter;
}
