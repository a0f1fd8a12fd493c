import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@vrft/config';
import { Code, RpcError, createClient } from '@vrft/grpc';
import { PolicyService, WeightsState } from '@vrft/proto';
import { type RunningApp, startApp } from '@vrft/runtime';
import { policyActorApp } from '../src/app.js';

describe('policy-actor over gRPC', () => {
  let app: RunningApp;
  let client: ReturnType<typeof createClient<typeof PolicyService>>;

  beforeAll(async () => {
    const env = { VRFT_GRPC__PORT: '0', VRFT_TELEMETRY__LOG_LEVEL: 'error' };
    app = await startApp(policyActorApp, loadConfig(policyActorApp.schema, { env }));
    client = createClient(PolicyService, { address: `127.0.0.1:${app.grpcPort}` });
  });
  afterAll(async () => {
    client.close();
    await app.close();
  });

  it('reports that no weights are loaded', async () => {
    const status = await client.getWeightsStatus({});
    expect(status.$typeName).toBe('vrft.policy.v1.GetWeightsStatusResponse');
    expect(status.state).toBe(WeightsState.EMPTY);
  });

  it('refuses rollouts until the engine exists', async () => {
    const error = (await client.generateRollouts({ groupSize: 8 }).catch((e: unknown) => e)) as RpcError;
    expect(error.code).toBe(Code.UNIMPLEMENTED);
  });
});
