import { describe, expect, it } from 'vitest';
import {
  DEFAULT_LOCAL_GRPO_OPTIONS,
  DEFAULT_PRETRAIN_OPTIONS,
  DEFAULT_SFT_OPTIONS,
  parseLocalGrpoOptions,
  parsePretrainOptions,
  parseSftOptions,
} from '../src/index.js';

describe('stage options', () => {
  it('override the optimizer field by field: --lr alone keeps the stage’s decay, warm-up and schedule', () => {
    const lr = { optimizer: { learningRate: 1.5e-3 } };
    const sft = parseSftOptions({ runDir: 'r', init: 'i', sftFile: 's', dataDir: 'd', ...lr });
    const pretrain = parsePretrainOptions({ runDir: 'r', tokenizerPath: 't', ...lr });
    const grpo = parseLocalGrpoOptions({ runDir: 'r', init: 'i', promptsFile: 'p', dataDir: 'd', steps: 1, ...lr });
    for (const [parsed, defaults] of [
      [sft.optimizer, DEFAULT_SFT_OPTIONS.optimizer],
      [pretrain.optimizer, DEFAULT_PRETRAIN_OPTIONS.optimizer],
      [grpo.optimizer, DEFAULT_LOCAL_GRPO_OPTIONS.optimizer],
    ] as const) {
      expect(parsed).toEqual({ ...defaults, learningRate: 1.5e-3 });
      expect(parsed.weightDecay).toBe(defaults.weightDecay);
    }
    // The defaults themselves are not changed by a parse.
    expect(DEFAULT_SFT_OPTIONS.optimizer.learningRate).not.toBe(1.5e-3);
  });
});
