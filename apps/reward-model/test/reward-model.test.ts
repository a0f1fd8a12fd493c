import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@vrft/config';
import { Code, RpcError, checkHealth, createClient, listServicesByReflection } from '@vrft/grpc';
import { ProblemType, RewardComponent, RewardService, ZeroReason } from '@vrft/proto';
import { type RunningApp, startApp } from '@vrft/runtime';
import { rewardModelApp } from '../src/app.js';

const env = { VRFT_GRPC__PORT: '0', VRFT_TELEMETRY__LOG_LEVEL: 'error' };
const formatAndAccuracy = { semanticConsistency: false };

describe('reward-model over gRPC', () => {
  let app: RunningApp;
  let client: ReturnType<typeof createClient<typeof RewardService>>;
  let address = '';

  beforeAll(async () => {
    app = await startApp(rewardModelApp, loadConfig(rewardModelApp.schema, { env }));
    address = `127.0.0.1:${app.grpcPort}`;
    client = createClient(RewardService, { address });
  });
  afterAll(async () => {
    client.close();
    await app.close();
  });

  it('answers health and reflection', async () => {
    expect(await checkHealth(address)).toBe('SERVING');
    expect(await listServicesByReflection(address)).toEqual(['grpc.health.v1.Health', 'vrft.reward.v1.RewardService']);
  });

  it('scores format and accuracy of a group, with a reason for every zero', async () => {
    const response = await client.score({
      problemType: ProblemType.MULTIPLE_CHOICE,
      solution: '<answer>B</answer>',
      completions: [
        { text: '<think>The red cube moves left. So B.</think><answer>B</answer>' },
        { text: '<think>Looks like A.</think> <answer>A</answer>' },
        { text: 'B' },
      ],
      recipe: formatAndAccuracy,
    });
    const component = (i: number, kind: RewardComponent) =>
      response.rewards[i]?.components.find((c) => c.component === kind);
    expect(response.rewards.map((r) => r.total)).toEqual([2, 1, 0]);
    expect(component(1, RewardComponent.ACCURACY)?.zeroReason).toBe(ZeroReason.WRONG_ANSWER);
    expect(component(2, RewardComponent.FORMAT)?.zeroReason).not.toBe(ZeroReason.UNSPECIFIED);
  });

  it('refuses semantic consistency when no encoder is configured, instead of a silent zero', async () => {
    const error = (await client
      .score({ problemType: ProblemType.MULTIPLE_CHOICE, solution: 'A', completions: [{ text: 'x' }] })
      .catch((e: unknown) => e)) as RpcError;
    expect(error).toBeInstanceOf(RpcError);
    expect(error.code).toBe(Code.FAILED_PRECONDITION);
  });

  it('answers bad input with INVALID_ARGUMENT naming the field', async () => {
    const missingType = (await client
      .score({ solution: 'A', completions: [{ text: 'x' }], recipe: formatAndAccuracy })
      .catch((e: unknown) => e)) as RpcError;
    expect(missingType.code).toBe(Code.INVALID_ARGUMENT);
    const missingSolution = (await client
      .score({ problemType: ProblemType.NUMERICAL, completions: [{ text: 'x' }], recipe: formatAndAccuracy })
      .catch((e: unknown) => e)) as RpcError;
    expect(missingSolution.code).toBe(Code.INVALID_ARGUMENT);
    expect(missingSolution.message).toMatch(/solution/);
  });

  it('pipelines groups over the bidi stream', async () => {
    async function* requests() {
      for (const answer of ['3', '4']) {
        yield {
          request: {
            problemType: ProblemType.NUMERICAL,
            solution: '<answer>3</answer>',
            completions: [{ text: `<think>Count. Three.</think><answer>${answer}</answer>` }],
            recipe: formatAndAccuracy,
          },
        };
      }
    }
    const totals = [];
    for await (const message of client.scoreStream(requests())) totals.push(message.response?.rewards[0]?.total);
    expect(totals).toEqual([2, 1]);
  });
});
