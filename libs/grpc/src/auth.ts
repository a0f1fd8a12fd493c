import { createHash, timingSafeEqual } from 'node:crypto';
import type { Metadata } from '@grpc/grpc-js';
import { Code, RpcError } from './errors.js';

/** Checks `authorization: Bearer <token>` metadata against the configured tokens. */
export type Authenticator = (metadata: Metadata) => void;

const digest = (text: string) => createHash('sha256').update(text).digest();

/**
 * Builds the bearer-token check of a server. Tokens are compared by SHA-256
 * digest in constant time, so neither their length nor content leaks by timing.
 */
export function bearerTokenAuthenticator(tokens: readonly string[]): Authenticator {
  if (tokens.length === 0 || tokens.some((token) => token.trim() === '')) {
    throw new Error('bearer-token auth needs at least one non-empty token');
  }
  const accepted = tokens.map(digest);
  return (metadata) => {
    const header = metadata.get('authorization')[0];
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!match?.[1]) throw new RpcError(Code.UNAUTHENTICATED, 'missing "authorization: Bearer <token>" metadata');
    const presented = digest(match[1]);
    if (!accepted.some((token) => timingSafeEqual(token, presented))) {
      throw new RpcError(Code.UNAUTHENTICATED, 'invalid bearer token');
    }
  };
}
