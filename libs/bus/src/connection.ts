import { access, constants, readFile } from 'node:fs/promises';
import { type NatsConnection, type Status, credsAuthenticator } from '@nats-io/nats-core';
import { type NodeConnectionOptions, connect } from '@nats-io/transport-node';
import { type BusStatusEvent, type ResolvedBusOptions } from './bus-options.js';
import { BusOptionsError } from './errors.js';

async function requireReadable(field: string, path: string): Promise<void> {
  try {
    await access(path, constants.R_OK);
  } catch (err) {
    throw new BusOptionsError(field, `cannot read ${path}`, { cause: err });
  }
}

/** Translates resolved options into the client's connection options (reads the creds file). */
async function buildConnectionOptions(opts: ResolvedBusOptions): Promise<NodeConnectionOptions> {
  const base: NodeConnectionOptions = {
    servers: opts.servers,
    name: opts.name,
    maxReconnectAttempts: opts.reconnect.maxAttempts,
    reconnectTimeWait: opts.reconnect.waitMs,
    reconnectJitter: opts.reconnect.jitterMs,
    reconnectJitterTLS: opts.reconnect.jitterMs,
    timeout: opts.connectTimeoutMs,
    waitOnFirstConnect: opts.waitForFirstConnect,
    pingInterval: opts.pingIntervalMs,
    maxPingOut: opts.maxPingsOut,
  };
  const creds = opts.credentials;
  if (creds?.kind === 'userPass') Object.assign(base, { user: creds.user, pass: creds.pass });
  if (creds?.kind === 'token') base.token = creds.token;
  if (creds?.kind === 'credsFile') {
    await requireReadable('credentials.path', creds.path);
    const authenticator = credsAuthenticator(new Uint8Array(await readFile(creds.path)));
    try {
      // Signing a throwaway nonce parses the JWT and the seed now, not mid-handshake.
      authenticator('validate');
    } catch (err) {
      throw new BusOptionsError('credentials.path', `${creds.path} is not a NATS creds file`, { cause: err });
    }
    base.authenticator = authenticator;
  }
  if (opts.tls !== undefined) {
    const { caFile, certFile, keyFile } = opts.tls;
    if (caFile !== undefined) await requireReadable('tls.caFile', caFile);
    if (certFile !== undefined) await requireReadable('tls.certFile', certFile);
    if (keyFile !== undefined) await requireReadable('tls.keyFile', keyFile);
    base.tls = { caFile, certFile, keyFile };
  }
  return base;
}

/** Maps a client status to a bus event; undefined for the chatter we do not surface. */
export function toBusStatusEvent(status: Status): BusStatusEvent | undefined {
  switch (status.type) {
    case 'disconnect':
      return { type: 'disconnect', server: status.server };
    case 'reconnecting':
      return { type: 'reconnecting' };
    case 'reconnect':
      return { type: 'reconnect', server: status.server };
    case 'ldm':
      return { type: 'lameDuck', server: status.server };
    case 'staleConnection':
      return { type: 'stale' };
    case 'error':
      return { type: 'error', error: status.error };
    case 'close':
      return { type: 'close' };
    default:
      return undefined;
  }
}

function reportStatus(opts: ResolvedBusOptions, event: BusStatusEvent): void {
  const { logger } = opts;
  if (event.type === 'error') logger.error('nats connection error', { error: event.error });
  else if (event.type === 'reconnect') logger.info('nats reconnected', { server: event.server });
  else if (event.type === 'disconnect') logger.warn('nats disconnected', { server: event.server });
  else if (event.type === 'stale' || event.type === 'lameDuck') logger.warn(`nats ${event.type}`, { ...event });
  try {
    opts.onStatus?.(event);
  } catch (err) {
    // A faulty hook must not end the status loop.
    logger.error('bus onStatus hook threw', { error: err });
  }
}

/** Opens the connection and forwards its status events until it closes. */
export async function openConnection(opts: ResolvedBusOptions): Promise<NatsConnection> {
  const nc = await connect(await buildConnectionOptions(opts));
  void (async () => {
    for await (const status of nc.status()) {
      const event = toBusStatusEvent(status);
      if (event !== undefined) reportStatus(opts, event);
    }
  })();
  return nc;
}
