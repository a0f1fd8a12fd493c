import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create } from '@bufbuild/protobuf';
import { nkeys } from '@nats-io/nats-core';
import { PromptTaskSchema } from '@vrft/proto';
import { startNatsServer } from '@vrft/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BusOptions, BusOptionsError, connectBus, parseBusOptions } from '../src/index.js';
import { supportsTermReason } from '../src/server-features.js';
import { collectingLogger, deferred } from './helpers.js';

const quiet = collectingLogger().logger;

describe('parseBusOptions', () => {
  const ok: BusOptions = { servers: 'nats://127.0.0.1:4222' };

  it('applies documented defaults', () => {
    const opts = parseBusOptions(ok);
    expect(opts.servers).toEqual(['nats://127.0.0.1:4222']);
    expect(opts.name).toBe('vrft');
    expect(opts.reconnect).toEqual({ maxAttempts: -1, waitMs: 2_000, jitterMs: 100 });
    expect(opts.requestTimeoutMs).toBe(5_000);
    expect(opts.blobBuckets).toEqual({ storage: 'file', maxBucketBytes: -1, ttlMs: 0, chunkBytes: 128 * 1024 });
  });

  it.each([
    [{ servers: [] }, 'servers'],
    [{ servers: 'http://x:1' }, 'servers[0]'],
    [{ servers: ['nats://a:1', ''] }, 'servers[1]'],
    [{ ...ok, name: 'has space' }, 'name'],
    [{ ...ok, reconnect: { maxAttempts: 0 } }, 'reconnect.maxAttempts'],
    [{ ...ok, reconnect: { waitMs: -5 } }, 'reconnect.waitMs'],
    [{ ...ok, requestTimeoutMs: 1.5 }, 'requestTimeoutMs'],
    [{ ...ok, tls: { certFile: '/c.pem' } }, 'tls.keyFile'],
    [{ ...ok, credentials: { kind: 'token', token: '' } }, 'credentials.token'],
    [{ ...ok, credentials: { kind: 'userPass', user: 'u', pass: '' } }, 'credentials.pass'],
    [{ ...ok, blobBuckets: { storage: 'disk' } }, 'blobBuckets.storage'],
  ] as [BusOptions, string][])('names the bad field %#', (options, field) => {
    const err = (() => {
      try {
        parseBusOptions(options);
        return undefined;
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(BusOptionsError);
    expect((err as BusOptionsError).field).toBe(field);
  });
});

describe('supportsTermReason', () => {
  it('follows the server version that added +TERM reasons', () => {
    expect(supportsTermReason('2.9.10')).toBe(false);
    expect(supportsTermReason('2.10.3')).toBe(false);
    expect(supportsTermReason('2.10.4')).toBe(true);
    expect(supportsTermReason('2.11.0-beta.1')).toBe(true);
    expect(supportsTermReason(undefined)).toBe(false);
    expect(supportsTermReason('garbage')).toBe(false);
  });
});

describe('authentication', () => {
  it('connects with user and password, and fails with a wrong one', async () => {
    const server = await startNatsServer({ user: 'actor', pass: 'p4ss' });
    try {
      const bus = await connectBus({
        servers: server.url,
        logger: quiet,
        credentials: { kind: 'userPass', user: 'actor', pass: 'p4ss' },
      });
      await bus.ensureStream({ name: 'AUTH', subjects: ['auth.>'] });
      await bus.close();
      const wrong = connectBus({
        servers: server.url,
        logger: quiet,
        credentials: { kind: 'userPass', user: 'actor', pass: 'nope' },
        reconnect: { maxAttempts: 1 },
      });
      await expect(wrong).rejects.toThrow();
    } finally {
      await server.stop();
    }
  });

  it('connects with a token', async () => {
    const server = await startNatsServer({ token: 's3cr3t-token' });
    try {
      const bus = await connectBus({
        servers: server.url,
        logger: quiet,
        credentials: { kind: 'token', token: 's3cr3t-token' },
      });
      expect(bus.maxPayloadBytes()).toBe(1024 * 1024);
      await bus.close();
    } finally {
      await server.stop();
    }
  });

  it('names an unreadable creds or TLS file before connecting', async () => {
    const missing = join(tmpdir(), 'vrft-no-such-dir', 'user.creds');
    const creds = connectBus({ servers: 'nats://127.0.0.1:1', credentials: { kind: 'credsFile', path: missing } });
    await expect(creds).rejects.toThrow(/credentials\.path/);
    const tls = connectBus({ servers: 'nats://127.0.0.1:1', tls: { caFile: missing } });
    await expect(tls).rejects.toThrow(/tls\.caFile/);
  });

  it('reads a creds file and refuses a malformed one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vrft-creds-'));
    const server = await startNatsServer();
    try {
      // A well-formed creds file; this server runs without an operator, so it accepts the user.
      const seed = new TextDecoder().decode(nkeys.createUser().getSeed());
      const path = join(dir, 'user.creds');
      const jwt = 'eyJ0eXAiOiJKV1QiLCJhbGciOiJlZDI1NTE5LW5rZXkifQ.e30.c2ln';
      const body = (seedText: string): string =>
        [
          '-----BEGIN NATS USER JWT-----',
          jwt,
          '------END NATS USER JWT------',
          '',
          '-----BEGIN USER NKEY SEED-----',
          seedText,
          '------END USER NKEY SEED------',
          '',
        ].join('\n');
      await writeFile(path, body(seed));
      const bus = await connectBus({ servers: server.url, logger: quiet, credentials: { kind: 'credsFile', path } });
      await bus.close();

      const bad = join(dir, 'bad.creds');
      await writeFile(bad, 'not a creds file');
      const refused = connectBus({ servers: server.url, logger: quiet, credentials: { kind: 'credsFile', path: bad } });
      await expect(refused).rejects.toThrow(/credentials\.path.*not a NATS creds file/);
      await writeFile(bad, body('SUBADSEED'));
      const badSeed = connectBus({ servers: server.url, logger: quiet, credentials: { kind: 'credsFile', path: bad } });
      await expect(badSeed).rejects.toThrow(BusOptionsError);
    } finally {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('drain', () => {
  let server: Awaited<ReturnType<typeof startNatsServer>>;
  beforeAll(async () => {
    server = await startNatsServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('waits for handlers in flight and acks them before closing', async () => {
    const bus = await connectBus({ servers: server.url, logger: quiet });
    await bus.ensureStream({ name: 'DRAIN', subjects: ['drain.>'], retention: 'workqueue' });
    await bus.ensureConsumer('DRAIN', { durable: 'w', ackWaitMs: 5_000 });
    await bus.publish(PromptTaskSchema, 'drain.t', create(PromptTaskSchema, { taskId: 'slow' }));
    const started = deferred();
    let finished = false;
    const handle = await bus.consume(PromptTaskSchema, { stream: 'DRAIN', consumer: 'w' }, async () => {
      started.resolve();
      await new Promise((r) => setTimeout(r, 200));
      finished = true;
    });
    await started.promise;
    await bus.drain();
    expect(finished).toBe(true);
    expect(handle.stats().acked).toBe(1);
    expect(await bus.closed()).toBeUndefined();

    const check = await connectBus({ servers: server.url, logger: quiet });
    expect((await check.streamStats('DRAIN')).messages).toBe(0);
    await check.close();
  });
});
