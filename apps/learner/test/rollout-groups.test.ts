/**
 * Bus RolloutGroups → learner groups: the reward components the reward model's zero reasons
 * describe (R_s gated / scored, bonuses on or off), and the bus-only step scalars.
 */
import { create } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { RewardComponent, RolloutGroupSchema, ZeroReason, type RolloutGroup } from '@vrft/proto';
import { parseGrpoConfig } from '@vrft/rl';
import { toLearnerGroup } from '../src/rollout-groups.js';
import { busStepScalars } from '../src/step-scalars.js';

const { FORMAT: F, ACCURACY: A, SEMANTIC_CONSISTENCY: S, LENGTH_BONUS: L, TEMPORAL_BONUS: T } = RewardComponent;
type Parts = [RewardComponent, number, ZeroReason?][];

function message(version: bigint, rewards: Parts[], stageSeconds: Record<string, number> = {}): RolloutGroup {
  return create(RolloutGroupSchema, {
    problemId: 'p',
    policyVersion: { version },
    prompt: { tokenIds: [1, 2] },
    completions: rewards.map((parts) => ({
      tokens: { tokenIds: [3], logprobs: [-1] },
      referenceLogprobs: [-1],
      reward: {
        total: parts.reduce((sum, [, value]) => sum + value, 0),
        components: parts.map(([component, value, zeroReason]) => ({ component, value, zeroReason })),
      },
    })),
    stageSeconds,
  });
}

const grpo = parseGrpoConfig({});
const frames = new Uint8Array(0);

describe('toLearnerGroup', () => {
  it('reads R_s as gated, scored or neither from its zero reason, and the bonuses that are on', () => {
    const group = toLearnerGroup(
      message(0n, [
        [
          [F, 1],
          [A, 1],
          [S, 0.7],
          [L, 0.2],
          [T, 0, ZeroReason.DISABLED],
        ],
        [
          [F, 1],
          [A, 0, ZeroReason.WRONG_ANSWER],
          [S, 0, ZeroReason.GATED_BY_ACCURACY],
          [L, 0, ZeroReason.CONDITION_NOT_MET],
          [T, 0, ZeroReason.DISABLED],
        ],
        [
          [F, 1],
          [A, 1],
          [S, 0, ZeroReason.NEGATIVE_SIMILARITY],
          [L, 0.2],
          [T, 0, ZeroReason.DISABLED],
        ],
        [
          [F, 1],
          [A, 1],
          [S, 0, ZeroReason.EMPTY_DESCRIPTION],
          [L, 0.2],
          [T, 0, ZeroReason.DISABLED],
        ],
      ]),
      frames,
      grpo,
    );
    expect(group.rewards.format).toEqual([1, 1, 1, 1]);
    expect(group.rewards.accuracy).toEqual([1, 0, 1, 1]);
    expect(group.rewards.semantic).toEqual({
      value: [0.7, 0, 0, 0],
      gated: [false, true, false, false],
      scored: [true, false, true, false],
    });
    expect(group.rewards.lengthBonus).toEqual([0.2, 0, 0.2, 0.2]);
    expect(group.rewards).not.toHaveProperty('temporalBonus');
  });

  it('has no R_s where the components are DISABLED or missing', () => {
    const disabled = toLearnerGroup(
      message(0n, [
        [
          [F, 1],
          [A, 1],
          [S, 0, ZeroReason.DISABLED],
        ],
        [
          [F, 0, ZeroReason.MISSING_TAGS],
          [A, 0, ZeroReason.MISSING_TAGS],
          [S, 0, ZeroReason.DISABLED],
        ],
      ]),
      frames,
      grpo,
    );
    expect(disabled.rewards).not.toHaveProperty('semantic');
    const missing = toLearnerGroup(
      message(0n, [
        [
          [F, 1],
          [A, 1],
        ],
        [[F, 1]],
      ]),
      frames,
      grpo,
    );
    expect(missing.rewards).not.toHaveProperty('semantic');
    expect(missing.rewards.accuracy).toEqual([1, 0]);
  });
});

describe('busStepScalars', () => {
  it('counts groups by their lag behind the updated weights and averages the actors’ stage times', () => {
    const groups = [
      message(3n, [[[F, 1]]], { generate: 1, reward: 0.25 }),
      message(1n, [[[F, 1]]], { generate: 3 }),
      message(3n, [[[F, 1]]], { generate: 2, reward: Number.NaN }),
    ].map((m) => toLearnerGroup(m, frames, grpo));
    expect(busStepScalars(groups, 3)).toEqual({
      'rollout/staleness_lag_0': 2,
      'rollout/staleness_lag_2': 1,
      'actor/generate_s_mean': 2,
      'actor/reward_s_mean': 0.25, // the NaN is not a time
    });
  });
});
