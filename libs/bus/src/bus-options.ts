import { type BlobBucketOptions, type ResolvedBlobBucketOptions, parseBlobBucketOptions } from './blob-options.js';
import { BusOptionsError } from './errors.js';
import { type BusLogger, stderrLogger } from './logger.js';
import { readInt, readToken } from './validate.js';

/** How the client authenticates; exactly one kind. */
export type BusCredentials =
  | { kind: 'userPass'; user: string; pass: string }
  | { kind: 'token'; token: string }
  /** A NATS `.creds` file (user JWT + nkey seed), read at connect time. */
  | { kind: 'credsFile'; path: string };

/** TLS material as file paths, read by the client at connect time. */
export interface BusTlsOptions {
  /** CA bundle that signed the server certificate. */
  caFile?: string;
  /** Client certificate (with keyFile) for mutual TLS. */
  certFile?: string;
  /** Client private key (with certFile). */
  keyFile?: string;
}

/** Reconnect policy. */
export interface BusReconnectOptions {
  /** Attempts per server before giving up; -1 (default) never gives up. */
  maxAttempts?: number;
  /** Wait between attempts, in ms. Default 2 000. */
  waitMs?: number;
  /** Random extra wait up to this many ms (spreads reconnect storms). Default 100. */
  jitterMs?: number;
}

/** Connection events reported to {@link BusOptions.onStatus}. */
export type BusStatusEvent =
  | { type: 'disconnect'; server: string }
  | { type: 'reconnecting' }
  | { type: 'reconnect'; server: string }
  | { type: 'lameDuck'; server: string }
  | { type: 'stale' }
  | { type: 'error'; error: Error }
  | { type: 'close' };

/** Options of {@link connectBus}. Only `servers` is required. */
export interface BusOptions {
  /** `nats://host:port`, `tls://host:port` or `host:port`; one or more. */
  servers: string | string[];
  /** Client name shown by the server's monitoring. Default `vrft`. */
  name?: string;
  /** Default: no authentication. */
  credentials?: BusCredentials;
  /** Default: plain TCP unless the URL says tls:// or the server requires TLS. */
  tls?: BusTlsOptions;
  reconnect?: BusReconnectOptions;
  /** Wait for the server handshake, in ms. Default 5 000. */
  connectTimeoutMs?: number;
  /** Keep retrying the first connect under the reconnect policy instead of failing. Default false. */
  waitForFirstConnect?: boolean;
  /** Client pings at this interval, in ms, to detect a dead server. Default 30 000. */
  pingIntervalMs?: number;
  /** Unanswered pings before the connection counts as stale. Default 2. */
  maxPingsOut?: number;
  /** Timeout of JetStream API calls and publish acknowledgements, in ms. Default 5 000. */
  requestTimeoutMs?: number;
  /** Defaults for Object Store buckets created on demand. */
  blobBuckets?: BlobBucketOptions;
  /** Default: JSON lines on stderr for warnings and errors. */
  logger?: BusLogger;
  /** Called on every connection event (disconnect, reconnect, ...). */
  onStatus?: (event: BusStatusEvent) => void;
}

/** Options after defaults and validation. */
export interface ResolvedBusOptions {
  servers: string[];
  name: string;
  credentials: BusCredentials | undefined;
  tls: BusTlsOptions | undefined;
  reconnect: Required<BusReconnectOptions>;
  connectTimeoutMs: number;
  waitForFirstConnect: boolean;
  pingIntervalMs: number;
  maxPingsOut: number;
  requestTimeoutMs: number;
  blobBuckets: ResolvedBlobBucketOptions;
  logger: BusLogger;
  onStatus: ((event: BusStatusEvent) => void) | undefined;
}

function parseServer(field: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') throw new BusOptionsError(field, 'must be a non-empty URL');
  const withScheme = /^[a-z]+:\/\//i.test(value) ? value : `nats://${value}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch (err) {
    throw new BusOptionsError(field, `is not a URL: ${value}`, { cause: err });
  }
  if (!['nats:', 'tls:'].includes(url.protocol)) {
    throw new BusOptionsError(field, `scheme must be nats:// or tls://, got ${url.protocol}//`);
  }
  if (url.hostname === '') throw new BusOptionsError(field, `has no host: ${value}`);
  return value;
}

function parseCredentials(value: BusCredentials | undefined): BusCredentials | undefined {
  if (value === undefined) return undefined;
  switch (value.kind) {
    case 'userPass':
      readToken('credentials.user', value.user);
      if (typeof value.pass !== 'string' || value.pass === '') {
        throw new BusOptionsError('credentials.pass', 'must be a non-empty string');
      }
      return { kind: 'userPass', user: value.user, pass: value.pass };
    case 'token':
      return { kind: 'token', token: readToken('credentials.token', value.token) };
    case 'credsFile':
      if (typeof value.path !== 'string' || value.path === '') {
        throw new BusOptionsError('credentials.path', 'must be a file path');
      }
      return { kind: 'credsFile', path: value.path };
    default:
      throw new BusOptionsError('credentials.kind', 'must be userPass, token or credsFile');
  }
}

function parseTls(value: BusTlsOptions | undefined): BusTlsOptions | undefined {
  if (value === undefined) return undefined;
  for (const key of ['caFile', 'certFile', 'keyFile'] as const) {
    const v = value[key];
    if (v !== undefined && (typeof v !== 'string' || v === '')) {
      throw new BusOptionsError(`tls.${key}`, 'must be a file path');
    }
  }
  if ((value.certFile === undefined) !== (value.keyFile === undefined)) {
    throw new BusOptionsError(
      value.certFile === undefined ? 'tls.certFile' : 'tls.keyFile',
      'certFile and keyFile go together',
    );
  }
  return { ...value };
}

/**
 * Applies defaults and validates {@link BusOptions}; throws
 * {@link BusOptionsError} naming the first bad field.
 */
export function parseBusOptions(options: BusOptions): ResolvedBusOptions {
  const list = Array.isArray(options.servers) ? options.servers : [options.servers];
  if (list.length === 0) throw new BusOptionsError('servers', 'must name at least one server');
  const servers = list.map((s, i) => parseServer(`servers[${i}]`, s));
  const maxAttempts = readInt('reconnect.maxAttempts', options.reconnect?.maxAttempts, -1, -1);
  if (maxAttempts === 0) throw new BusOptionsError('reconnect.maxAttempts', 'must be -1 (forever) or > 0');
  if (options.onStatus !== undefined && typeof options.onStatus !== 'function') {
    throw new BusOptionsError('onStatus', 'must be a function');
  }
  return {
    servers,
    name: readToken('name', options.name ?? 'vrft'),
    credentials: parseCredentials(options.credentials),
    tls: parseTls(options.tls),
    reconnect: {
      maxAttempts,
      waitMs: readInt('reconnect.waitMs', options.reconnect?.waitMs, 2_000, 0),
      jitterMs: readInt('reconnect.jitterMs', options.reconnect?.jitterMs, 100, 0),
    },
    connectTimeoutMs: readInt('connectTimeoutMs', options.connectTimeoutMs, 5_000, 1),
    waitForFirstConnect: options.waitForFirstConnect ?? false,
    pingIntervalMs: readInt('pingIntervalMs', options.pingIntervalMs, 30_000, 1),
    maxPingsOut: readInt('maxPingsOut', options.maxPingsOut, 2, 1),
    requestTimeoutMs: readInt('requestTimeoutMs', options.requestTimeoutMs, 5_000, 1),
    blobBuckets: parseBlobBucketOptions(options.blobBuckets, 'blobBuckets'),
    logger: options.logger ?? stderrLogger,
    onStatus: options.onStatus,
  };
}
