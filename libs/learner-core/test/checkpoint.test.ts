import { mkdtemp, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTrainingRng,
  findLatestTrainingCheckpoint,
  readTrainingCheckpoint,
  seedTrainingRng,
  TRAINING_STATE_FORMAT,
  TrainingCheckpointError,
  writeTrainingCheckpoint,
  type TrainingCheckpoint,
  type TrainingState,
} from '@vrft/learner-core';
import { createModelConfig, initWeights } from '@vrft/model';
import { loadTokenizer } from '@vrft/tokenizer';
import { createMicroSetup, MICRO_MODEL, type MicroSetup } from './fixtures.js';

describe('training checkpoints', () => {
  let setup: MicroSetup;
  let base: Omit<TrainingCheckpoint, 'state'>;
  beforeAll(async () => {
    setup = await createMicroSetup(1);
    const tokenizer = await loadTokenizer(setup.tokenizerPath);
    const config = createModelConfig('tiny', tokenizer, MICRO_MODEL);
    const weights = initWeights(config, 1);
    const moments = new Map(
      [...weights].map(([name, w]) => [name, { m: w.map((x) => x * 0.5), v: w.map((x) => x * x) }]),
    );
    base = { config, tokenizer, weights, optimizer: { step: 0, moments } };
  });
  afterAll(async () => {
    await rm(setup.root, { recursive: true, force: true });
  });

  const stateAt = (step: number): TrainingState => ({
    format: TRAINING_STATE_FORMAT,
    stage: 'test',
    step,
    seed: 3,
    optionsDigest: 'abc',
    rng: createTrainingRng(seedTrainingRng(step)).state(),
    cursor: { epoch: 1, index: step },
    counters: { seen: step * 10 },
    extra: { best: 0.5 },
  });

  it('round-trips weights, moments and state exactly and keeps only the newest', async () => {
    const runDir = await mkdtemp(join(tmpdir(), 'vrft-ckpt-'));
    for (const step of [1, 2, 3]) {
      await writeTrainingCheckpoint(
        runDir,
        { ...base, optimizer: { ...base.optimizer, step }, state: stateAt(step) },
        2,
      );
    }
    expect((await readdir(join(runDir, 'checkpoints'))).sort()).toEqual(['step-00000002', 'step-00000003']);
    const latest = await findLatestTrainingCheckpoint(runDir);
    expect(latest?.state).toEqual(stateAt(3));
    expect(latest?.optimizer.step).toBe(3);
    for (const [name, w] of base.weights) expect(latest?.weights.get(name)).toEqual(w);
    const moments = base.optimizer.moments.get('lm.embed.weight');
    expect(latest?.optimizer.moments.get('lm.embed.weight')?.v).toEqual(moments?.v);
    await rm(runDir, { recursive: true, force: true });
  });

  it('ignores and removes a half-written checkpoint left by a crash', async () => {
    const runDir = await mkdtemp(join(tmpdir(), 'vrft-ckpt-'));
    await writeTrainingCheckpoint(runDir, { ...base, optimizer: { ...base.optimizer, step: 4 }, state: stateAt(4) });
    const partial = join(runDir, 'checkpoints', '.tmp-step-00000005-999');
    await mkdir(partial, { recursive: true });
    await writeFile(join(partial, 'config.json'), '{"trunc');
    const latest = await findLatestTrainingCheckpoint(runDir);
    expect(latest?.state.step).toBe(4);
    expect(await readdir(join(runDir, 'checkpoints'))).toEqual(['step-00000004']);
    await rm(runDir, { recursive: true, force: true });
  });

  it('names a directory that is not a training checkpoint', async () => {
    await expect(readTrainingCheckpoint(setup.initDir)).rejects.toBeInstanceOf(TrainingCheckpointError);
    expect(await findLatestTrainingCheckpoint(join(setup.root, 'nothing-here'))).toBeUndefined();
  });

  it('continues the rng stream exactly from a saved state', () => {
    const rng = createTrainingRng(seedTrainingRng(42));
    for (let i = 0; i < 5; i++) rng.nextUint32();
    const saved = rng.state();
    const next = [rng.nextUint32(), rng.nextUint32(), Number(rng.nextSeed() % 1000n)];
    const resumed = createTrainingRng(saved);
    expect([resumed.nextUint32(), resumed.nextUint32(), Number(resumed.nextSeed() % 1000n)]).toEqual(next);
    expect(() => createTrainingRng([1, 2, 3] as unknown as [number, number, number, number])).toThrow(RangeError);
  });
});
