import { create } from '@bufbuild/protobuf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bus, connectBus } from '@vrft/bus';
import { loadConfig } from '@vrft/config';
import { Code, RpcError, createClient } from '@vrft/grpc';
import { ClusterService, type Run, RunSchema, RunState } from '@vrft/proto';
import { type RunningApp, startApp } from '@vrft/runtime';
import { type NatsServer, startNatsServer } from '@vrft/testkit';
import { controllerApp } from '../src/app.js';

describe('controller over gRPC, with the run registry in NATS KV', () => {
  let nats: NatsServer;
  let bus: Bus;
  let app: RunningApp;
  let client: ReturnType<typeof createClient<typeof ClusterService>>;
  const putRun = async (runId: string, state: RunState, step = 0n) => {
    const registry = await bus.openRegistry(RunSchema, 'vrft_runs');
    await registry.put(runId, create(RunSchema, { runId, state, step }));
  };

  beforeAll(async () => {
    nats = await startNatsServer({ jetstream: true });
    bus = await connectBus({ servers: nats.url });
    const env = { VRFT_GRPC__PORT: '0', VRFT_TELEMETRY__LOG_LEVEL: 'error', VRFT_NATS__SERVERS: nats.url };
    app = await startApp(controllerApp, loadConfig(controllerApp.schema, { env }));
    client = createClient(ClusterService, { address: `127.0.0.1:${app.grpcPort}` });
    for (const id of ['run-a', 'run-b', 'run-c']) await putRun(id, RunState.RUNNING);
  });
  afterAll(async () => {
    client?.close();
    await app?.close();
    await bus?.close();
    await nats?.stop();
  });

  it('gets a run by id and answers NOT_FOUND for an unknown one', async () => {
    expect((await client.getRun({ runId: 'run-b' })).run?.state).toBe(RunState.RUNNING);
    const error = (await client.getRun({ runId: 'nope' }).catch((e: unknown) => e)) as RpcError;
    expect(error.code).toBe(Code.NOT_FOUND);
  });

  it('rejects an id that is not a valid registry key', async () => {
    const error = (await client.getRun({ runId: '../etc/passwd' }).catch((e: unknown) => e)) as RpcError;
    expect(error.code).toBe(Code.INVALID_ARGUMENT);
  });

  it('lists runs in pages', async () => {
    const first = await client.listRuns({ pageSize: 2 });
    expect(first.runs.map((r: Run) => r.runId)).toEqual(['run-a', 'run-b']);
    const second = await client.listRuns({ pageSize: 2, pageToken: first.nextPageToken });
    expect(second.runs.map((r: Run) => r.runId)).toEqual(['run-c']);
    expect(second.nextPageToken).toBe('');
    const bad = (await client.listRuns({ pageToken: 'garbage' }).catch((e: unknown) => e)) as RpcError;
    expect(bad.code).toBe(Code.INVALID_ARGUMENT);
  });

  it('streams a run until it reaches a terminal state', async () => {
    const seen: [RunState, bigint][] = [];
    const watching = (async () => {
      for await (const message of client.watchRun({ runId: 'run-a' })) {
        if (message.event.case === 'run') seen.push([message.event.value.state, message.event.value.step]);
        if (seen.length === 1) {
          await putRun('run-a', RunState.RUNNING, 5n);
          await putRun('run-a', RunState.SUCCEEDED, 10n);
        }
      }
    })();
    await watching;
    expect(seen).toEqual([
      [RunState.RUNNING, 0n],
      [RunState.RUNNING, 5n],
      [RunState.SUCCEEDED, 10n],
    ]);
  });

  it('says UNIMPLEMENTED for launching until the cluster exists', async () => {
    const error = (await client.launchRun({ config: { runId: 'x' } }).catch((e: unknown) => e)) as RpcError;
    expect(error.code).toBe(Code.UNIMPLEMENTED);
  });
});
