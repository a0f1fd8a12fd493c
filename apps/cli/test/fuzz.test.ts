import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Client, Metadata, credentials, status } from '@grpc/grpc-js';
import type { DescMethod, DescService } from '@bufbuild/protobuf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@vrft/config';
import { checkHealth } from '@vrft/grpc';
import { type RunningApp, startApp } from '@vrft/runtime';
import { type NatsServer, mutateBytes, randomMessageBytes, seededRandom, startNatsServer } from '@vrft/testkit';
import { allServices } from '@vrft/proto';
import { controllerApp } from '../../controller/src/app.js';
import { learnerApp } from '../../learner/src/app.js';
import { policyActorApp } from '../../policy-actor/src/app.js';
import { reasoningServerApp } from '../../reasoning-server/src/app.js';
import { TEST_MODEL_SIZES, writeRandomCheckpoint } from '@vrft/model';
import { referenceModelApp } from '../../reference-model/src/app.js';
import { rewardModelApp } from '../../reward-model/src/app.js';

// Statuses that mean the server failed rather than the request: never acceptable.
const serverFaults = new Set([status.INTERNAL, status.UNKNOWN, status.DEADLINE_EXCEEDED, status.DATA_LOSS]);
const identity = (bytes: Buffer) => bytes;

/** Sends one payload to any kind of method with raw bytes; resolves with the status code. */
function call(client: Client, method: DescMethod, payload: Buffer): Promise<number> {
  const path = `/${method.parent.typeName}/${method.name}`;
  const options = { deadline: Date.now() + 5_000 };
  return new Promise((resolve) => {
    const done = (error: { code?: number } | null) => resolve(error?.code ?? status.OK);
    switch (method.methodKind) {
      case 'unary':
        client.makeUnaryRequest(path, identity, identity, payload, new Metadata(), options, (e) => done(e));
        return;
      case 'server_streaming': {
        const stream = client.makeServerStreamRequest(path, identity, identity, payload, new Metadata(), options);
        // A stream that accepted the request may stay open (metrics, run watches): still open
        // after a while counts as accepted, and the client cancels it.
        const stillOpen = setTimeout(() => stream.cancel(), 500);
        stream.on('close', () => clearTimeout(stillOpen));
        stream.on('data', () => stream.cancel());
        stream.on('error', (e: { code?: number }) => done(e.code === status.CANCELLED ? null : e));
        stream.on('end', () => done(null));
        return;
      }
      case 'client_streaming': {
        const stream = client.makeClientStreamRequest(path, identity, identity, new Metadata(), options, (e) =>
          done(e),
        );
        stream.write(payload);
        stream.end();
        return;
      }
      case 'bidi_streaming': {
        const stream = client.makeBidiStreamRequest(path, identity, identity, new Metadata(), options);
        stream.on('data', () => undefined);
        stream.on('error', (e: { code?: number }) => done(e));
        stream.on('end', () => done(null));
        stream.write(payload);
        stream.end();
        return;
      }
    }
  });
}

function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

describe('every RPC of every app under random and malformed messages', () => {
  let nats: NatsServer;
  const apps = new Map<string, RunningApp>();
  const env = { VRFT_GRPC__PORT: '0', VRFT_TELEMETRY__LOG_LEVEL: 'error' };

  let modelDir = '';

  beforeAll(async () => {
    nats = await startNatsServer({ jetstream: true });
    // The reasoning-server serves a tiny random-weight model, so well-formed queries generate.
    // The reference-model freezes the same checkpoint.
    modelDir = await mkdtemp(join(tmpdir(), 'vrft-fuzz-model-'));
    const checkpoint = await writeRandomCheckpoint(join(modelDir, 'checkpoint'), { sizes: TEST_MODEL_SIZES });
    const servingEnv = {
      ...env,
      VRFT_MODEL__CHECKPOINT_DIR: checkpoint,
      VRFT_MODEL__INTRA_OP_THREADS: '1',
      VRFT_UPLOADS__DIR: join(modelDir, 'uploads'),
      VRFT_LIMITS__DEFAULT_MAX_NEW_TOKENS: '16',
    };
    apps.set(
      'vrft.serving.v1.ReasoningService',
      await startApp(reasoningServerApp, loadConfig(reasoningServerApp.schema, { env: servingEnv })),
    );
    apps.set(
      'vrft.policy.v1.PolicyService',
      await startApp(policyActorApp, loadConfig(policyActorApp.schema, { env })),
    );
    apps.set(
      'vrft.reference.v1.ReferenceService',
      await startApp(
        referenceModelApp,
        loadConfig(referenceModelApp.schema, { env: { ...env, VRFT_REFERENCE__CHECKPOINT: checkpoint } }),
      ),
    );
    apps.set(
      'vrft.reward.v1.RewardService',
      await startApp(rewardModelApp, loadConfig(rewardModelApp.schema, { env })),
    );
    apps.set('vrft.learner.v1.LearnerService', await startApp(learnerApp, loadConfig(learnerApp.schema, { env })));
    const controllerEnv = { ...env, VRFT_NATS__SERVERS: nats.url };
    apps.set(
      'vrft.cluster.v1.ClusterService',
      await startApp(controllerApp, loadConfig(controllerApp.schema, { env: controllerEnv })),
    );
  }, 60_000);
  afterAll(async () => {
    for (const app of apps.values()) await app.close();
    await nats?.stop();
    if (modelDir) await rm(modelDir, { recursive: true, force: true });
  });

  /** Fuzzes every method of every service once with `cases` payloads each; returns the faults seen. */
  async function fuzzRound(seed: number, cases: number): Promise<{ faults: string[]; tally: Map<string, number> }> {
    const faults: string[] = [];
    const tally = new Map<string, number>();
    for (const service of allServices as DescService[]) {
      const app = apps.get(service.typeName);
      if (!app) throw new Error(`no app serves ${service.typeName}`);
      const client = new Client(`127.0.0.1:${app.grpcPort}`, credentials.createInsecure());
      for (const method of service.methods) {
        const random = seededRandom(seed ^ method.name.length);
        for (let i = 0; i < cases; i++) {
          const valid = randomMessageBytes(method.input, random);
          const payload = Buffer.from(i % 2 === 0 ? valid : mutateBytes(valid, random));
          const code = await call(client, method, payload);
          if (serverFaults.has(code)) faults.push(`${service.typeName}/${method.name} case ${i}: ${status[code]}`);
          tally.set(status[code] ?? String(code), (tally.get(status[code] ?? String(code)) ?? 0) + 1);
        }
      }
      client.close();
    }
    return { faults, tally };
  }

  it('answers with a client-side status every time and keeps serving', async () => {
    const { faults, tally } = await fuzzRound(1, 30);
    console.log('statuses over one round:', Object.fromEntries(tally));
    expect(faults).toEqual([]);
    // Both paths were exercised: malformed payloads refused, well-formed ones reaching the handlers.
    expect(tally.get('INVALID_ARGUMENT') ?? 0).toBeGreaterThan(0);
    expect((tally.get('OK') ?? 0) + (tally.get('UNIMPLEMENTED') ?? 0) + (tally.get('NOT_FOUND') ?? 0)).toBeGreaterThan(
      0,
    );
    for (const app of apps.values()) expect(await checkHealth(`127.0.0.1:${app.grpcPort}`)).toBe('SERVING');
  }, 120_000);

  it('does not grow its heap from one round to the next', async () => {
    await fuzzRound(2, 20);
    collectGarbage();
    const before = process.memoryUsage().heapUsed;
    for (let round = 3; round < 6; round++) await fuzzRound(round, 20);
    collectGarbage();
    const growth = process.memoryUsage().heapUsed - before;
    console.log(`heap growth over 3 fuzz rounds: ${(growth / 1024 / 1024).toFixed(1)} MiB`);
    expect(growth).toBeLessThan(16 * 1024 * 1024);
  }, 120_000);
});
