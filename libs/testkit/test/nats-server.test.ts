import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type NatsServer,
  NatsServerOptionsError,
  NatsServerStartError,
  freePort,
  startNatsServer,
} from '../src/index.js';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('freePort', () => {
  it('returns a port that can be bound right away', async () => {
    const port = await freePort();
    expect(port).toBeGreaterThan(0);
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
});

describe('startNatsServer', () => {
  let server: NatsServer;

  beforeAll(async () => {
    server = await startNatsServer({ maxPayload: 256 * 1024 });
  });
  afterAll(async () => {
    await server.stop();
  });

  it('serves JetStream on a fresh port with the configured max_payload', async () => {
    expect(server.url).toBe(`nats://127.0.0.1:${server.port}`);
    expect(server.port).not.toBe(4222);
    const nc = await connect({ servers: server.url });
    try {
      expect(nc.info?.jetstream).toBe(true);
      expect(nc.info?.max_payload).toBe(256 * 1024);
    } finally {
      await nc.close();
    }
  });

  it('restarts on the same port and keeps the JetStream store', async () => {
    const nc = await connect({ servers: server.url });
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: 'KEEP', subjects: ['keep.>'] });
    await nc.close();
    const pidBefore = server.pid;

    await server.restart();

    expect(server.pid).toBeDefined();
    expect(server.pid).not.toBe(pidBefore);
    const again = await connect({ servers: server.url });
    try {
      const jsm2 = await jetstreamManager(again);
      const info = await jsm2.streams.info('KEEP');
      expect(info.config.subjects).toEqual(['keep.>']);
    } finally {
      await again.close();
    }
  });
});

describe('stop', () => {
  it('kills the process and removes the store', async () => {
    const server = await startNatsServer();
    const pid = server.pid;
    expect(pid).toBeDefined();
    expect(existsSync(server.storeDir)).toBe(true);
    await server.stop();
    expect(isAlive(pid ?? -1)).toBe(false);
    expect(server.pid).toBeUndefined();
    expect(existsSync(server.storeDir)).toBe(false);
    await expect(connect({ servers: server.url, reconnect: false, timeout: 1_000 })).rejects.toThrow();
    await expect(server.restart()).rejects.toThrow(/stopped/);
    await server.stop(); // idempotent
  });
});

describe('authentication', () => {
  it('requires the configured user and password', async () => {
    const server = await startNatsServer({ user: 'alice', pass: 's3cret', jetstream: false });
    try {
      await expect(connect({ servers: server.url, reconnect: false })).rejects.toThrow();
      const nc = await connect({ servers: server.url, user: 'alice', pass: 's3cret' });
      await nc.close();
    } finally {
      await server.stop();
    }
  });
});

describe('errors', () => {
  it('names the bad option', async () => {
    await expect(startNatsServer({ port: 70_000 })).rejects.toThrow(NatsServerOptionsError);
    await expect(startNatsServer({ port: 70_000 })).rejects.toThrow(/"port"/);
    await expect(startNatsServer({ binary: '/nonexistent/nats-server' })).rejects.toThrow(/"binary"/);
    await expect(startNatsServer({ startTimeoutMs: 0 })).rejects.toThrow(/"startTimeoutMs"/);
    await expect(startNatsServer({ user: 'a' })).rejects.toThrow(/"pass"/);
  });

  it('reports a server that exits during start with its stderr', async () => {
    const failure = startNatsServer({ extraArgs: ['--no-such-flag'] });
    await expect(failure).rejects.toThrow(NatsServerStartError);
    await expect(startNatsServer({ extraArgs: ['--no-such-flag'] })).rejects.toThrow(/no-such-flag/);
  });

  it('reports a port held by another process', async () => {
    const holder = createServer();
    const port = await freePort();
    await new Promise<void>((resolve) => holder.listen(port, '127.0.0.1', resolve));
    try {
      const failure = startNatsServer({ port, startTimeoutMs: 5_000 });
      await expect(failure).rejects.toThrow(NatsServerStartError);
    } finally {
      await new Promise<void>((resolve) => holder.close(() => resolve()));
    }
  });
});
