import { accessSync, constants } from 'node:fs';

/** Options of {@link startNatsServer}; every field has a documented default. */
export interface NatsServerOptions {
  /** Path of the nats-server binary. Default: /usr/sbin, /usr/local/bin or /usr/bin, else `nats-server` on PATH. */
  binary?: string;
  /** Address to bind. Default `127.0.0.1` (never all interfaces). */
  host?: string;
  /** Client port. Default: a free port chosen by the kernel. */
  port?: number;
  /** Enable JetStream with a fresh store directory. Default true. */
  jetstream?: boolean;
  /** Server max_payload in bytes. Default: unset (the server's 1 MiB). */
  maxPayload?: number;
  /** Require this user (with `pass`). Default: no authentication. */
  user?: string;
  /** Password for `user`. */
  pass?: string;
  /** Require this token. Default: none. Exclusive with user/pass. */
  token?: string;
  /** Extra command-line arguments appended last. Default none. */
  extraArgs?: string[];
  /** Bounded wait for the server to accept connections, in ms. Default 10 000. */
  startTimeoutMs?: number;
  /** Bounded wait for a graceful exit before SIGKILL, in ms. Default 5 000. */
  stopTimeoutMs?: number;
  /** Tries with a new free port when another process grabbed the chosen one. Default 3. */
  portAttempts?: number;
  /** How much of the server's stderr is kept for error messages, in bytes. Default 16 384. */
  logTailBytes?: number;
}

/** Options after defaults and validation. */
export interface ResolvedNatsServerOptions {
  binary: string;
  host: string;
  port: number | undefined;
  jetstream: boolean;
  maxPayload: number | undefined;
  user: string | undefined;
  pass: string | undefined;
  token: string | undefined;
  extraArgs: string[];
  startTimeoutMs: number;
  stopTimeoutMs: number;
  portAttempts: number;
  logTailBytes: number;
}

/** Thrown for an invalid {@link NatsServerOptions} field; the message names the field. */
export class NatsServerOptionsError extends Error {
  constructor(
    readonly field: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`invalid nats-server option "${field}": ${message}`, options);
    this.name = 'NatsServerOptionsError';
  }
}

const fallbackBinaries = ['/usr/sbin/nats-server', '/usr/local/bin/nats-server', '/usr/bin/nats-server'];

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

// A bare name is resolved by spawn() through PATH; a missing binary then
// surfaces as a start error that says so.
function findBinary(): string {
  return fallbackBinaries.find(isExecutable) ?? 'nats-server';
}

function positiveInt(field: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value <= 0) {
    throw new NatsServerOptionsError(field, `must be a positive integer, got ${String(value)}`);
  }
  return value;
}

/**
 * Applies defaults and validates; throws {@link NatsServerOptionsError} naming
 * the bad field.
 */
export function parseNatsServerOptions(options: NatsServerOptions): ResolvedNatsServerOptions {
  const binary = options.binary ?? findBinary();
  if (binary.includes('/') && !isExecutable(binary)) {
    throw new NatsServerOptionsError('binary', `${binary} is not an executable file`);
  }
  const port = options.port;
  if (port !== undefined && (!Number.isInteger(port) || port <= 0 || port > 65_535)) {
    throw new NatsServerOptionsError('port', `must be an integer in 1..65535, got ${String(port)}`);
  }
  const host = options.host ?? '127.0.0.1';
  if (host.trim() === '') throw new NatsServerOptionsError('host', 'must not be empty');
  if ((options.user === undefined) !== (options.pass === undefined)) {
    throw new NatsServerOptionsError(options.user === undefined ? 'user' : 'pass', 'user and pass go together');
  }
  if (options.token !== undefined && options.user !== undefined) {
    throw new NatsServerOptionsError('token', 'use either token or user/pass, not both');
  }
  return {
    binary,
    host,
    port,
    jetstream: options.jetstream ?? true,
    maxPayload: options.maxPayload === undefined ? undefined : positiveInt('maxPayload', options.maxPayload, 0),
    user: options.user,
    pass: options.pass,
    token: options.token,
    extraArgs: [...(options.extraArgs ?? [])],
    startTimeoutMs: positiveInt('startTimeoutMs', options.startTimeoutMs, 10_000),
    stopTimeoutMs: positiveInt('stopTimeoutMs', options.stopTimeoutMs, 5_000),
    portAttempts: positiveInt('portAttempts', options.portAttempts, 3),
    logTailBytes: positiveInt('logTailBytes', options.logTailBytes, 16_384),
  };
}
