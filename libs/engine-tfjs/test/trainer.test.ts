import * as tf from '@tensorflow/tfjs-core';
import { initWeights, weightSpecs } from '@vrft/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completionLoss, createBatch, selectBackend, TfjsModel, Trainer } from '../src/index.js';
import { config, gqaConfig, makeBatch, makeSequence } from './fixtures.js';

beforeAll(async () => {
  await selectBackend({ order: ['wasm', 'cpu'] });
});

function lossOf(model: TfjsModel, batch: ReturnType<typeof makeBatch>): number {
  return tf.tidy(() => completionLoss(model, batch).dataSync()[0]!);
}

/** A high learning rate over 30 steps: enough to overfit one micro batch. */
const OVERFIT_SCHEDULE = { learningRate: 3e-2, minLearningRate: 1e-2, warmupSteps: 3, totalSteps: 30, weightDecay: 0 };

describe('Trainer', () => {
  const models: TfjsModel[] = [];
  afterAll(() => models.forEach((m) => m.dispose()));

  it('overfits a tiny batch: the loss falls over 30 steps', () => {
    const model = TfjsModel.create(config, initWeights(config, 5));
    models.push(model);
    const trainer = new Trainer(model, OVERFIT_SCHEDULE);
    const batch = makeBatch();
    const losses: number[] = [];
    for (let step = 0; step < 30; step++) losses.push(trainer.trainStep([batch]).loss);
    expect(losses[0]).toBeGreaterThan(Math.log(config.vocabSize) - 1); // ≈ uniform at init
    expect(losses[29]!).toBeLessThan(losses[0]! * 0.15);
    expect(lossOf(model, batch)).toBeLessThan(losses[29]! + 0.05);
    trainer.dispose();
  });

  it('trains with grouped-query attention: the loss falls and the shared K/V weights move', () => {
    const model = TfjsModel.create(gqaConfig, initWeights(gqaConfig, 5));
    models.push(model);
    const before = Float32Array.from(model.variables.get('lm.blocks.0.attn.wk')!.dataSync());
    expect(before).toHaveLength(16 * 8); // [D, Hkv·Dh]
    const trainer = new Trainer(model, OVERFIT_SCHEDULE);
    const batch = makeBatch(gqaConfig);
    const losses: number[] = [];
    for (let step = 0; step < 30; step++) losses.push(trainer.trainStep([batch]).loss);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses[29]!).toBeLessThan(losses[0]! * 0.15);
    const after = model.variables.get('lm.blocks.0.attn.wk')!.dataSync();
    expect(after.some((v, i) => Math.abs(v - before[i]!) > 1e-3)).toBe(true);
    trainer.dispose();
  });

  it('accumulating two micro-batches equals one batch of both', () => {
    const rowA = makeSequence('<video> how many objects?', '<answer>2</answer>', 1);
    const rowB = makeSequence(
      'watch <video> which way does the red ball move?',
      '<think>left</think><answer>A</answer>',
      2,
    );
    const weights = initWeights(config, 9);
    const whole = TfjsModel.create(config, weights);
    const split = TfjsModel.create(config, weights);
    models.push(whole, split);
    const options = { learningRate: 1e-3, warmupSteps: 0, totalSteps: 10, maxGradNorm: 0 };
    const t1 = new Trainer(whole, options);
    const t2 = new Trainer(split, options);
    const s1 = t1.trainStep([createBatch(config, [rowA, rowB])]);
    const s2 = t2.trainStep([createBatch(config, [rowA]), createBatch(config, [rowB])]);
    expect(s2.microBatches).toBe(2);
    expect(s2.loss).toBeCloseTo(s1.loss, 5);
    expect(s2.gradNorm).toBeCloseTo(s1.gradNorm, 4);
    const a = whole.exportWeights();
    const b = split.exportWeights();
    for (const spec of weightSpecs(config)) {
      const x = a.get(spec.name)!;
      const y = b.get(spec.name)!;
      for (let i = 0; i < x.length; i++) expect(Math.abs(x[i]! - y[i]!)).toBeLessThan(1e-5);
    }
    t1.dispose();
    t2.dispose();
  });

  it('is deterministic: the same seed and data give the same weights', () => {
    const run = (): Float32Array => {
      const model = TfjsModel.create(config, initWeights(config, 3));
      const trainer = new Trainer(model, { learningRate: 1e-2, warmupSteps: 1, totalSteps: 5 });
      for (let i = 0; i < 3; i++) trainer.trainStep([makeBatch()]);
      const out = model.exportWeights().get('lm.blocks.1.mlp.w2')!;
      trainer.dispose();
      model.dispose();
      return out;
    };
    expect(run()).toEqual(run());
  });

  it('resumes from an exported optimizer state exactly', () => {
    const options = { learningRate: 1e-2, warmupSteps: 1, totalSteps: 6 };
    const straight = TfjsModel.create(config, initWeights(config, 6));
    const resumed = TfjsModel.create(config, initWeights(config, 6));
    models.push(straight, resumed);
    const t1 = new Trainer(straight, options);
    for (let i = 0; i < 4; i++) t1.trainStep([makeBatch()]);
    const t2 = new Trainer(resumed, options);
    for (let i = 0; i < 2; i++) t2.trainStep([makeBatch()]);
    const saved = { weights: resumed.exportWeights(), state: t2.exportState() };
    t2.dispose();
    const t3 = new Trainer(resumed, options);
    resumed.loadWeights(saved.weights);
    t3.importState(saved.state);
    expect(t3.step).toBe(2);
    for (let i = 0; i < 2; i++) t3.trainStep([makeBatch()]);
    expect(resumed.exportWeights().get('lm.embed.weight')).toEqual(straight.exportWeights().get('lm.embed.weight'));
    expect(() =>
      t3.importState({ step: 1, moments: new Map([['nope', { m: new Float32Array(1), v: new Float32Array(1) }]]) }),
    ).toThrow(/nope/);
    t1.dispose();
    t3.dispose();
  });

  it('clips the global gradient norm', () => {
    const model = TfjsModel.create(config, initWeights(config, 4));
    models.push(model);
    const trainer = new Trainer(model, { maxGradNorm: 1e-3 });
    const stats = trainer.trainStep([makeBatch()]);
    expect(stats.gradNorm).toBeGreaterThan(1e-3);
    expect(stats.clipScale).toBeCloseTo(1e-3 / (stats.gradNorm + 1e-6), 8);
    expect(stats.gradNorm * stats.clipScale).toBeLessThanOrEqual(1e-3 + 1e-9);
    trainer.dispose();
  });

  it('leaves frozen weights exactly as they were, trains the rest, and keeps no moments for them', () => {
    const model = TfjsModel.create(config, initWeights(config, 6));
    models.push(model);
    const snapshot = () => new Map([...model.variables].map(([name, v]) => [name, Float32Array.from(v.dataSync())]));
    const before = snapshot();
    const trainer = new Trainer(model, { ...OVERFIT_SCHEDULE, frozen: ['vision', 'lm.embed'] });
    for (let step = 0; step < 3; step++) trainer.trainStep([makeBatch()]);
    const after = snapshot();
    const moved = (name: string) => after.get(name)!.some((v, i) => v !== before.get(name)![i]);
    const frozen = [...before.keys()].filter((name) => name.startsWith('vision.') || name === 'lm.embed.weight');
    expect(frozen.length).toBeGreaterThan(3);
    for (const name of frozen) expect(moved(name), name).toBe(false);
    // The projector sits between the frozen vision tower and the LM: it still gets its gradient.
    expect(moved('projector.fc1.weight')).toBe(true);
    expect(moved('lm.blocks.0.attn.wq')).toBe(true);
    const state = trainer.exportState();
    expect([...state.moments.keys()].filter((name) => frozen.includes(name))).toEqual([]);
    expect(state.moments.has('projector.fc1.weight')).toBe(true);
    const total = [...model.variables.values()].reduce((sum, v) => sum + v.size, 0);
    const frozenSize = frozen.reduce((sum, name) => sum + before.get(name)!.length, 0);
    expect(trainer.trainableParameters).toBe(total - frozenSize);
    expect(trainer.frozenSummary()).toBe(
      `frozen vision, lm.embed: ${total - frozenSize} of ${total} parameters trained`,
    );
    trainer.dispose();
    expect(new Trainer(model, {}).frozenSummary()).toBeUndefined();
  });

  it('refuses a frozen name that matches no weight, or one that is not a dotted name', () => {
    const model = TfjsModel.create(config, initWeights(config, 6));
    models.push(model);
    // `visio` is a string prefix of `vision.*` but not a name up to a dot.
    expect(() => new Trainer(model, { frozen: ['visio'] })).toThrow(
      /frozen: "visio" names no weight of the model \(top-level groups: vision, projector, lm\)/,
    );
    expect(() => new Trainer(model, { frozen: ['vision.'] })).toThrow(/frozen: "vision\." is not a weight name/);
    expect(() => new Trainer(model, { frozen: 'vision' as unknown as string[] })).toThrow(/frozen: expected a list/);
  });

  it('exports and imports weights in the @vrft/model layout', () => {
    const weights = initWeights(config, 21);
    const model = TfjsModel.create(config, initWeights(config, 22));
    models.push(model);
    const batch = makeBatch();
    const before = lossOf(model, batch);
    model.loadWeights(weights);
    const exported = model.exportWeights();
    for (const spec of weightSpecs(config)) expect(exported.get(spec.name)).toEqual(weights.get(spec.name));
    const reference = TfjsModel.create(config, weights);
    models.push(reference);
    expect(lossOf(model, batch)).toBe(lossOf(reference, batch));
    expect(lossOf(model, batch)).not.toBe(before);
    const broken = new Map(weights);
    broken.delete('lm.norm.weight');
    expect(() => model.loadWeights(broken)).toThrow(/lm\.norm\.weight/);
  });
});
