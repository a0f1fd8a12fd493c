import type { LoggerService, LogLevel as NestLogLevel } from '@nestjs/common';
import { isSpanContextValid, trace } from '@opentelemetry/api';
import { buildLogRecord, serializeLogRecord } from './log-record.js';
import { LOG_LEVEL_RANK, type LogLevel, fromNestLevel, parseLogLevel } from './log-levels.js';
import { TelemetryOptionsError } from './telemetry-errors.js';

/** Where log lines go: anything with `write(text)` (process.stdout, a test buffer). */
export interface LogStream {
  write(text: string): unknown;
}

/** Options of {@link JsonLogger}. */
export interface JsonLoggerOptions {
  /** Service name written on every line. Required. */
  service: string;
  /** Least severe level written. Default: `'info'`. */
  level?: LogLevel;
  /** Context used when a call names none. Default: none. */
  context?: string;
  /** Stream for verbose..warn lines. Default: `process.stdout`. */
  stdout?: LogStream;
  /** Stream for error and fatal lines. Default: `process.stderr`. */
  stderr?: LogStream;
  /** Clock for the `time` field. Default: `() => new Date()`. */
  now?: () => Date;
}

type ResolvedLoggerOptions = Required<Omit<JsonLoggerOptions, 'context'>> & { context: string | undefined };

/** Applies defaults to logger options; throws TelemetryOptionsError naming the bad field. */
export function parseJsonLoggerOptions(options: JsonLoggerOptions): ResolvedLoggerOptions {
  if (typeof options.service !== 'string' || options.service.trim() === '') {
    throw new TelemetryOptionsError('service', `expected a non-empty string, got ${JSON.stringify(options.service)}`);
  }
  return {
    service: options.service,
    level: parseLogLevel(options.level ?? 'info', 'level'),
    context: options.context,
    stdout: options.stdout ?? process.stdout,
    stderr: options.stderr ?? process.stderr,
    now: options.now ?? (() => new Date()),
  };
}

/**
 * NestJS LoggerService that writes one JSON object per line: `time`, `level`, `service`,
 * `context`, `msg`, extra fields, `stack`, and `trace_id`/`span_id` of the active span.
 * error and fatal go to stderr, the rest to stdout. Use it as the app logger
 * (`app.useLogger(app.get(JsonLogger))`) or directly via {@link createLogger}.
 */
export class JsonLogger implements LoggerService {
  private readonly options: ResolvedLoggerOptions;
  // Set by Nest's setLogLevels: an explicit set of levels replaces the threshold.
  private enabled: ReadonlySet<LogLevel> | undefined;

  constructor(options: JsonLoggerOptions) {
    this.options = parseJsonLoggerOptions(options);
  }

  /** A logger writing to the same streams with another default context. */
  child(context: string): JsonLogger {
    const child = new JsonLogger({ ...this.options, context });
    child.enabled = this.enabled;
    return child;
  }

  /** True when lines of `level` are written. */
  isLevelEnabled(level: LogLevel): boolean {
    if (this.enabled !== undefined) return this.enabled.has(level);
    return LOG_LEVEL_RANK[level] >= LOG_LEVEL_RANK[this.options.level];
  }

  /** Nest's `log` level, written as `info`. */
  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }

  /** Same as {@link log}, for code outside Nest. */
  info(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }

  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('verbose', message, params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  /** Called by Nest with the levels configured on the app; only those are written afterwards. */
  setLogLevels(levels: NestLogLevel[]): void {
    this.enabled = new Set(levels.map(fromNestLevel));
  }

  private write(level: LogLevel, message: unknown, params: readonly unknown[]): void {
    if (!this.isLevelEnabled(level)) return;
    const record = buildLogRecord({
      time: this.options.now(),
      level,
      service: this.options.service,
      context: this.options.context,
      message,
      params,
      span: activeSpanIds(),
    });
    const stream = LOG_LEVEL_RANK[level] >= LOG_LEVEL_RANK.error ? this.options.stderr : this.options.stdout;
    stream.write(serializeLogRecord(record));
  }
}

/** Ids of the span active in the current context, if any (needs a registered context manager). */
function activeSpanIds(): { traceId: string; spanId: string } | undefined {
  const span = trace.getActiveSpan();
  if (span === undefined) return undefined;
  const ids = span.spanContext();
  return isSpanContextValid(ids) ? { traceId: ids.traceId, spanId: ids.spanId } : undefined;
}

/** A JSON logger for code outside Nest (workers, scripts). */
export function createLogger(
  service: string,
  level: LogLevel = 'info',
  options: Omit<JsonLoggerOptions, 'service' | 'level'> = {},
): JsonLogger {
  return new JsonLogger({ ...options, service, level });
}
