import { create } from '@bufbuild/protobuf';
import { Kvm } from '@nats-io/kv';
import { connect } from '@nats-io/transport-node';
import { type Run, RunSchema, RunState } from '@vrft/proto';
import { type NatsServer, startNatsServer } from '@vrft/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Bus,
  InvalidKeyError,
  type KvChange,
  MessageDecodeError,
  type ProtoKv,
  RevisionConflictError,
  connectBus,
} from '../src/index.js';
import { collectingLogger, waitFor } from './helpers.js';

let server: NatsServer;
let bus: Bus;
let runs: ProtoKv<Run>;

function run(runId: string, state: RunState, step = 0n): Run {
  return create(RunSchema, { runId, state, step, config: { runId, numActors: 2, maxSteps: 100n } });
}

beforeAll(async () => {
  server = await startNatsServer();
  bus = await connectBus({ servers: server.url, logger: collectingLogger().logger });
  runs = await bus.openRegistry(RunSchema, 'runs', { history: 5 });
});

afterAll(async () => {
  await bus?.close();
  await server?.stop();
});

describe('typed KV registry', () => {
  it('creates once and reads back the typed value with its revision', async () => {
    const revision = await runs.create('run-a', run('run-a', RunState.PENDING));
    const got = await runs.get('run-a');
    expect(got?.revision).toBe(revision);
    expect(got?.value.state).toBe(RunState.PENDING);
    expect(got?.value.config?.maxSteps).toBe(100n);
    await expect(runs.create('run-a', run('run-a', RunState.RUNNING))).rejects.toThrow(RevisionConflictError);
    expect(await runs.get('run-missing')).toBeUndefined();
  });

  it('updates with compare-and-set and rejects a stale revision', async () => {
    const r1 = await runs.create('run-b', run('run-b', RunState.PENDING));
    const r2 = await runs.update('run-b', run('run-b', RunState.RUNNING), r1);
    expect(r2).toBeGreaterThan(r1);

    // A second writer still holding r1 loses.
    const stale = runs.update('run-b', run('run-b', RunState.FAILED), r1);
    await expect(stale).rejects.toThrow(RevisionConflictError);
    const err = await runs.update('run-b', run('run-b', RunState.FAILED), r1).catch((e: unknown) => e);
    expect((err as RevisionConflictError).expectedRevision).toBe(r1);
    expect((await runs.get('run-b'))?.value.state).toBe(RunState.RUNNING);

    await expect(runs.update('run-b', run('run-b', RunState.RUNNING), 0)).rejects.toThrow(/expectedRevision/);
  });

  it('deletes (optionally guarded) and lists live keys', async () => {
    await runs.put('run-c', run('run-c', RunState.RUNNING));
    const rev = await runs.put('run-d', run('run-d', RunState.RUNNING));
    await expect(runs.delete('run-d', { expectedRevision: rev - 1 })).rejects.toThrow(RevisionConflictError);
    await runs.delete('run-d', { expectedRevision: rev });
    await runs.delete('run-c');
    expect(await runs.get('run-c')).toBeUndefined();
    const keys = await runs.keys();
    expect(keys).toContain('run-a');
    expect(keys).not.toContain('run-c');
    expect(keys).not.toContain('run-d');
    // A deleted key can be created again.
    await runs.create('run-c', run('run-c', RunState.PENDING));
  });

  it('watches changes as typed entries', async () => {
    const watch = await runs.watch({ key: 'run-w', include: 'updates' });
    const seen: KvChange<Run>[] = [];
    const reading = (async () => {
      for await (const change of watch) {
        seen.push(change);
        if (seen.length === 3) break;
      }
    })();
    const rev = await runs.create('run-w', run('run-w', RunState.PENDING));
    await runs.update('run-w', run('run-w', RunState.RUNNING, 5n), rev);
    await runs.delete('run-w');
    await waitFor('three changes', () => seen.length === 3);
    await reading;

    expect(seen.map((c) => c.operation)).toEqual(['put', 'put', 'delete']);
    const second = seen[1];
    expect(second?.operation === 'put' && second.value.step).toBe(5n);
    expect(second?.revision).toBe(rev + 1);
    expect(seen.every((c) => c.isUpdate)).toBe(true);
  });

  it('replays the latest values before updates', async () => {
    await runs.put('hist.x', run('x', RunState.SUCCEEDED));
    const watch = await runs.watch({ key: 'hist.*' });
    const first = await watch[Symbol.asyncIterator]().next();
    watch.stop();
    expect(first.value?.operation).toBe('put');
    expect(first.value?.key).toBe('hist.x');
  });

  it('validates keys', async () => {
    await expect(runs.get('')).rejects.toThrow(InvalidKeyError);
    await expect(runs.put('has space', run('x', RunState.PENDING))).rejects.toThrow(InvalidKeyError);
    await expect(runs.create('.leading', run('x', RunState.PENDING))).rejects.toThrow(/dots/);
    await expect(runs.create('a..b', run('x', RunState.PENDING))).rejects.toThrow(/dots/);
    await expect(runs.keys('a.>.b')).rejects.toThrow(/last token/);
    await expect(runs.keys('a*')).rejects.toThrow(/whole token/);
    await expect(runs.get('ok/key=1_x-y.z')).resolves.toBeUndefined();
  });

  it('reports a stored value that is not the registry type', async () => {
    const nc = await connect({ servers: server.url });
    await (await new Kvm(nc).open('runs')).put('bad', Uint8Array.of(0x0f));
    await nc.close();
    await expect(runs.get('bad')).rejects.toThrow(MessageDecodeError);
  });
});
