import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@vrft/config';
import { Code, RpcError, checkHealth, createClient, listServicesByReflection } from '@vrft/grpc';
import { ReasoningService } from '@vrft/proto';
import { type RunningApp, startApp } from '@vrft/runtime';
import { reasoningServerApp } from '../src/app.js';

describe('reasoning-server over gRPC', () => {
  let app: RunningApp;
  let address = '';

  beforeAll(async () => {
    const env = { VRFT_GRPC__PORT: '0', VRFT_TELEMETRY__LOG_LEVEL: 'error' };
    app = await startApp(reasoningServerApp, loadConfig(reasoningServerApp.schema, { env }));
    address = `127.0.0.1:${app.grpcPort}`;
  });
  afterAll(() => app.close());

  it('answers health and lists its service by reflection', async () => {
    expect(await checkHealth(address)).toBe('SERVING');
    expect(await listServicesByReflection(address)).toContain('vrft.serving.v1.ReasoningService');
  });

  it('says UNIMPLEMENTED, naming the issue, for what is not built yet', async () => {
    const client = createClient(ReasoningService, { address });
    const error = (await client.generate({ query: { question: 'q' } }).catch((e: unknown) => e)) as RpcError;
    expect(error).toBeInstanceOf(RpcError);
    expect(error.code).toBe(Code.UNIMPLEMENTED);
    expect(error.message).toContain('#7');
    client.close();
  });
});
