import { ConfigError } from './config-error.js';

/** Exit status for a configuration error (sysexits.h EX_CONFIG). */
export const EX_CONFIG = 78;

/** Where {@link exitOnConfigError} writes and how it exits; the real process by default. */
export interface ExitIo {
  stderr: { write(text: string): unknown };
  exit(code: number): void;
}

const processIo: ExitIo = {
  stderr: process.stderr,
  exit: (code) => process.exit(code),
};

// Nest or a caller may wrap the error; look a few causes deep.
const MAX_CAUSE_DEPTH = 8;

/** The ConfigError in `error` or its `cause` chain, if any. */
export function findConfigError(error: unknown): ConfigError | undefined {
  let current = error;
  for (let depth = 0; depth < MAX_CAUSE_DEPTH && current instanceof Error; depth += 1) {
    if (current instanceof ConfigError) return current;
    current = current.cause;
  }
  return undefined;
}

/**
 * For mains: when `error` is (or wraps) a ConfigError, prints each issue as
 * `config error: ...` to stderr and exits with 78 (EX_CONFIG); any other error is rethrown.
 * Use as `bootstrap().catch(exitOnConfigError)` or `NestFactory.create(...).catch(exitOnConfigError)`
 * (with `abortOnError: false`, or Nest exits with 1 before the catch runs).
 */
export function exitOnConfigError(error: unknown, io: ExitIo = processIo): never {
  const configError = findConfigError(error);
  if (configError === undefined) throw error;
  const lines = configError.message.split('\n').map((line) => `config error: ${line}\n`);
  io.stderr.write(lines.join(''));
  io.exit(EX_CONFIG);
  // Only reached when `io.exit` returns (a test seam); the real exit never returns.
  throw configError;
}
