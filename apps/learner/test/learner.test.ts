import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@vrft/config';
import { Code, RpcError, createClient } from '@vrft/grpc';
import { LearnerPhase, LearnerService } from '@vrft/proto';
import { type RunningApp, startApp } from '@vrft/runtime';
import { TelemetryLifecycle } from '@vrft/telemetry';
import { learnerApp } from '../src/app.js';

describe('learner over gRPC', () => {
  let app: RunningApp;
  let client: ReturnType<typeof createClient<typeof LearnerService>>;

  beforeAll(async () => {
    const env = { VRFT_GRPC__PORT: '0', VRFT_TELEMETRY__LOG_LEVEL: 'error', VRFT_TELEMETRY__METRICS_PORT: '0' };
    app = await startApp(learnerApp, loadConfig(learnerApp.schema, { env }));
    client = createClient(LearnerService, { address: `127.0.0.1:${app.grpcPort}` });
  });
  afterAll(async () => {
    client.close();
    await app.close();
  });

  it('reports an idle learner at step 0', async () => {
    const status = await client.getStatus({});
    expect(status.phase).toBe(LearnerPhase.IDLE);
    expect(status.step).toBe(0n);
  });

  it('refuses checkpoints and metrics while idle (no run configured)', async () => {
    const error = (await client.createCheckpoint({}).catch((e: unknown) => e)) as RpcError;
    expect(error.code).toBe(Code.FAILED_PRECONDITION);
    expect(error.message).toMatch(/idle/);
    const streamError = await (async () => {
      for await (const _ of client.streamMetrics({})) void _;
    })().catch((e: unknown) => e);
    expect((streamError as RpcError).code).toBe(Code.FAILED_PRECONDITION);
  });

  it('exports gRPC call metrics on its Prometheus endpoint', async () => {
    await client.getStatus({});
    const url = app.context.get(TelemetryLifecycle).metricsServer()?.url;
    expect(url).toBeDefined();
    const text = await (await fetch(url!)).text();
    expect(text).toMatch(
      /vrft_grpc_server_calls_total\{[^}]*method="vrft.learner.v1.LearnerService\/GetStatus"[^}]*code="OK"[^}]*\} [1-9]/,
    );
    expect(text).toMatch(/vrft_grpc_server_calls_total\{[^}]*code="FAILED_PRECONDITION"/);
    expect(text).toContain('vrft_grpc_server_call_seconds_bucket');
  });
});
