import type { LogLevel as NestLogLevel } from '@nestjs/common';
import { TelemetryOptionsError } from './telemetry-errors.js';

/** Severity rank of each level written in the `level` field; higher is more severe. */
export const LOG_LEVEL_RANK = { verbose: 0, debug: 1, info: 2, warn: 3, error: 4, fatal: 5 } as const;

/** A level of the JSON logs (Nest's `log` is written as `info`). */
export type LogLevel = keyof typeof LOG_LEVEL_RANK;

/** True for a known level name. */
export function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === 'string' && Object.hasOwn(LOG_LEVEL_RANK, value);
}

/** Validates a threshold level; throws TelemetryOptionsError naming `field`. */
export function parseLogLevel(value: unknown, field: string): LogLevel {
  if (isLogLevel(value)) return value;
  const allowed = Object.keys(LOG_LEVEL_RANK).join(', ');
  throw new TelemetryOptionsError(field, `expected one of ${allowed}, got ${JSON.stringify(value)}`);
}

/** Maps Nest's level names to ours. */
export function fromNestLevel(level: NestLogLevel): LogLevel {
  return level === 'log' ? 'info' : level;
}
