import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@vrft/config';
import { Code, RpcError, createClient } from '@vrft/grpc';
import { LearnerPhase, LearnerService } from '@vrft/proto';
import { type RunningApp, startApp } from '@vrft/runtime';
import { learnerApp } from '../src/app.js';

describe('learner over gRPC', () => {
  let app: RunningApp;
  let client: ReturnType<typeof createClient<typeof LearnerService>>;

  beforeAll(async () => {
    const env = { VRFT_GRPC__PORT: '0', VRFT_TELEMETRY__LOG_LEVEL: 'error' };
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

  it('says UNIMPLEMENTED for checkpoints and metrics until the loop exists', async () => {
    expect(((await client.createCheckpoint({}).catch((e: unknown) => e)) as RpcError).code).toBe(Code.UNIMPLEMENTED);
    const streamError = await (async () => {
      for await (const _ of client.streamMetrics({})) void _;
    })().catch((e: unknown) => e);
    expect((streamError as RpcError).code).toBe(Code.UNIMPLEMENTED);
  });
});
