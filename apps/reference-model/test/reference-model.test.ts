import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@vrft/config';
import { Code, RpcError, checkHealth, createClient } from '@vrft/grpc';
import { ReferenceService } from '@vrft/proto';
import { type RunningApp, startApp } from '@vrft/runtime';
import { referenceModelApp } from '../src/app.js';

describe('reference-model over gRPC', () => {
  let app: RunningApp;

  beforeAll(async () => {
    const env = { VRFT_GRPC__PORT: '0', VRFT_TELEMETRY__LOG_LEVEL: 'error' };
    app = await startApp(referenceModelApp, loadConfig(referenceModelApp.schema, { env }));
  });
  afterAll(() => app.close());

  it('answers health and says UNIMPLEMENTED for log-probs until the model exists', async () => {
    const address = `127.0.0.1:${app.grpcPort}`;
    expect(await checkHealth(address)).toBe('SERVING');
    const client = createClient(ReferenceService, { address });
    const error = (await client
      .computeLogprobs({ groups: [{ promptTokenIds: [1, 2], completions: [{ tokenIds: [3] }] }] })
      .catch((e: unknown) => e)) as RpcError;
    expect(error.code).toBe(Code.UNIMPLEMENTED);
    client.close();
  });
});
