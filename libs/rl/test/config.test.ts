import { DEFAULT_GRPO_CONFIG, GrpoConfigError, parseGrpoConfig } from '@vrft/rl';
import { describe, expect, it } from 'vitest';

describe('parseGrpoConfig', () => {
  it('fills every default of method.md §5', () => {
    expect(parseGrpoConfig()).toEqual({
      beta: 0.04,
      clipEpsilon: 0.2,
      clipEpsilonHigh: 0.2,
      innerUpdates: 1,
      objective: 'clipped',
      aggregation: 'sequence-mean',
      advantageEpsilon: 1e-4,
      scaleAdvantagesByStd: true,
      klClamp: 10,
      importanceCap: 2,
    });
    expect(parseGrpoConfig({})).toEqual(DEFAULT_GRPO_CONFIG);
  });

  it('overrides given fields and keeps the rest', () => {
    const config = parseGrpoConfig({ beta: 0, innerUpdates: 4, aggregation: 'token-mean', importanceCap: 5 });
    expect(config.beta).toBe(0);
    expect(config.innerUpdates).toBe(4);
    expect(config.aggregation).toBe('token-mean');
    expect(config.importanceCap).toBe(5);
    expect(config.clipEpsilon).toBe(0.2);
  });

  it('makes the upper clip follow ε unless it is given (symmetric by default)', () => {
    expect(parseGrpoConfig({ clipEpsilon: 0.1 }).clipEpsilonHigh).toBe(0.1);
    expect(parseGrpoConfig({ clipEpsilon: 0.2, clipEpsilonHigh: 0.28 }).clipEpsilonHigh).toBe(0.28);
    const asymmetric = parseGrpoConfig({ clipEpsilonHigh: 0.28 });
    // An asymmetric base keeps its own ε_high when only ε changes.
    expect(parseGrpoConfig({ clipEpsilon: 0.1 }, asymmetric).clipEpsilonHigh).toBe(0.28);
  });

  it.each([
    [{ beta: -0.1 }, 'beta'],
    [{ clipEpsilon: 1 }, 'clipEpsilon'],
    [{ clipEpsilon: 0 }, 'clipEpsilon'],
    [{ clipEpsilonHigh: -1 }, 'clipEpsilonHigh'],
    [{ innerUpdates: 0 }, 'innerUpdates'],
    [{ innerUpdates: 1.5 }, 'innerUpdates'],
    [{ objective: 'ppo' }, 'objective'],
    [{ aggregation: 'sum' }, 'aggregation'],
    [{ advantageEpsilon: 0 }, 'advantageEpsilon'],
    [{ scaleAdvantagesByStd: 'yes' }, 'scaleAdvantagesByStd'],
    [{ klClamp: Number.NaN }, 'klClamp'],
    [{ importanceCap: 0.5 }, 'importanceCap'],
    [{ betta: 0.1 }, 'betta'],
  ])('rejects %o naming the field %s', (input, field) => {
    try {
      parseGrpoConfig(input);
      expect.unreachable('parseGrpoConfig accepted a bad config');
    } catch (error) {
      expect(error).toBeInstanceOf(GrpoConfigError);
      expect((error as GrpoConfigError).field).toBe(field);
      expect((error as GrpoConfigError).message).toMatch(new RegExp(`^${field}: `));
    }
  });
});
