import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCuration } from '@vrft/curation';
import { selectBackend } from '@vrft/engine-tfjs';
import {
  BONUS_STEP_METRICS,
  DYNAMIC_SAMPLING_STEP_METRICS,
  type LocalGrpoOptions,
  readTrainingCheckpoint,
  runLocalGrpo,
  PTX_STEP_METRICS,
  SEMANTIC_STEP_METRICS,
  STEP_METRIC_GLOSSARY,
  TrainingOptionsError,
  type RolloutLogRecord,
} from '@vrft/learner-core';
import { loadCheckpoint } from '@vrft/model';
import { createMicroSetup, type MicroSetup } from './fixtures.js';

describe('local GRPO loop on a micro model', () => {
  let setup: MicroSetup;
  const lines: string[] = [];
  const out = { write: (text: string) => lines.push(text) };

  beforeAll(async () => {
    await selectBackend({ order: ['wasm', 'cpu'] });
    setup = await createMicroSetup(3);
  });
  afterAll(async () => {
    await rm(setup.root, { recursive: true, force: true });
  });
  /** A short run on the micro model: 2 prompts × 3 completions of 12 tokens per step, a checkpoint every step. */
  const microRun = (runDir: string, extra: Partial<LocalGrpoOptions>): Partial<LocalGrpoOptions> => ({
    runDir,
    init: setup.initDir,
    promptsFile: join(setup.dataDir, 'train.jsonl'),
    dataDir: setup.dataDir,
    promptsPerStep: 2,
    groupSize: 3,
    sampling: { temperature: 1, topP: 1, topK: 0, maxNewTokens: 12 },
    optimizer: { learningRate: 1e-2, warmupSteps: 0 },
    checkpointEvery: 1,
    engine: { intraOpThreads: 1 },
    ...extra,
  });

  /** Runs to the end, removes the last step's checkpoint and results (a kill before it) and runs again. */
  const killedAndRestarted = async (options: Partial<LocalGrpoOptions>, lastStep: number) => {
    const quiet = { write: () => undefined };
    await runLocalGrpo(options, quiet);
    const runDir = options.runDir as string;
    for (const later of [`checkpoints/step-${String(lastStep).padStart(8, '0')}`, 'final'])
      await rm(join(runDir, later), { recursive: true, force: true });
    return runLocalGrpo(options, quiet);
  };

  it('runs named stages, changes the weights, checkpoints and reports every metric', async () => {
    const runDir = join(setup.root, 'grpo');
    const result = await runLocalGrpo(microRun(runDir, { steps: 2 }), out);
    expect(result.step).toBe(2);
    // Without an encoder the reward is R_f + R_a: no R_s metrics and no encode stage (bonuses are off).
    for (const name of Object.keys(STEP_METRIC_GLOSSARY))
      if (
        SEMANTIC_STEP_METRICS.includes(name) ||
        BONUS_STEP_METRICS.includes(name) ||
        DYNAMIC_SAMPLING_STEP_METRICS.includes(name) ||
        PTX_STEP_METRICS.includes(name)
      )
        expect(result.lastMetrics).not.toHaveProperty(name);
      else expect(result.lastMetrics).toHaveProperty(name);
    expect(result.lastMetrics).not.toHaveProperty('time/encode_s');
    for (const stage of ['generate', 'reward', 'reference', 'advantages', 'update', 'publish'])
      expect(result.lastMetrics[`time/${stage}_s`]).toBeGreaterThanOrEqual(0);
    expect(result.lastMetrics['rollout/completions']).toBe(6);
    const start = await loadCheckpoint(setup.initDir);
    const end = await loadCheckpoint(result.finalDir);
    const name = 'lm.blocks.0.attn.wq';
    const changed = (end.weights.get(name) as Float32Array).some(
      (v, i) => v !== (start.weights.get(name) as Float32Array)[i],
    );
    expect(changed).toBe(true);
    const stored = await readTrainingCheckpoint(join(runDir, 'checkpoints', 'step-00000002'));
    expect(stored.state.stage).toBe('grpo');
    expect(stored.state.extra['policyVersion']).toBe(2);
    expect(stored.optimizer.step).toBe(2);
    expect(lines.join('')).toMatch(/grpo 2\/2 .*ETA/);
  });

  it('takes log π_θ and log π_ref at the sampling temperature: fresh rollouts match their behaviour log-probs', async () => {
    const sampling = { temperature: 0.6, topP: 1, topK: 0, maxNewTokens: 12 };
    const result = await runLocalGrpo(microRun(join(setup.root, 'grpo-cool'), { steps: 1, sampling }), out);
    // Step 1's rollouts come from the weights being updated: the learner's log softmax(z/τ) is the
    // sampler's up to float error (at τ = 1 instead the gap is ~0.07 nats per token here).
    const gap = result.lastMetrics['policy/behaviour_logp_gap'] as number;
    expect(gap).toBeGreaterThanOrEqual(0);
    expect(gap).toBeLessThan(1e-3);
    // The policy is still the reference, and both are taken at τ: the k3 KL is 0.
    expect(Math.abs(result.lastMetrics['policy/kl'] as number)).toBeLessThan(1e-5);
  });

  it('keeps the best evaluation after an update in RUN/best, never the start model, and checkpoints it', async () => {
    const runDir = join(setup.root, 'grpo-best');
    const result = await runLocalGrpo(
      microRun(runDir, {
        steps: 3,
        evalFile: join(setup.dataDir, 'train.jsonl'),
        evalSamples: 4,
        evalEvery: 1,
        evalMaxNewTokens: 12,
      }),
      out,
    );
    const evals = (await readFile(join(runDir, 'metrics.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { step: number; eval?: { accuracy: number } })
      .filter((line) => line.eval !== undefined)
      .map((line) => ({ step: line.step, accuracy: line.eval?.accuracy ?? Number.NaN }));
    expect(evals.map((e) => e.step)).toEqual([0, 1, 2, 3]);
    // The first of the highest accuracies after an update; step 0 (the start model) never counts.
    const top = Math.max(...evals.slice(1).map((e) => e.accuracy));
    const expected = evals.slice(1).find((e) => e.accuracy === top);
    expect(result.best).toEqual({ dir: join(runDir, 'best'), step: expected?.step, accuracy: top });
    const best = await loadCheckpoint(join(runDir, 'best'));
    expect(best.metadata?.['step']).toBe(String(expected?.step));
    // Each checkpoint carries the best so far, so a resumed run keeps choosing against it.
    const last = await readTrainingCheckpoint(join(runDir, 'checkpoints', 'step-00000003'));
    expect(last.state.extra['bestStep']).toBe(expected?.step);
    expect(last.state.extra['bestAccuracy']).toBe(top);
  });

  it('evaluates sampled completions with --eval-temperature, the same seeds at every evaluation', async () => {
    const sampledRun = (name: string, seed: number) =>
      microRun(join(setup.root, name), {
        steps: 1,
        evalFile: join(setup.dataDir, 'train.jsonl'),
        evalSamples: 4,
        evalEvery: 1,
        evalMaxNewTokens: 12,
        evalSampling: { temperature: 1, topP: 1, seed },
      });
    const evalsOf = async (name: string) =>
      (await readFile(join(setup.root, name, 'metrics.jsonl'), 'utf8'))
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { eval?: { accuracy: number; temperature?: number } })
        .flatMap((line) => (line.eval === undefined ? [] : [line.eval]));
    const lines: string[] = [];
    const sampled = await runLocalGrpo(sampledRun('grpo-sampled-a', 7), { write: (text) => lines.push(text) });
    expect(lines.join('')).toMatch(/grpo eval \(start, step 0\): .* on 4 samples, sampled τ 1 top-p 1/);
    const first = await evalsOf('grpo-sampled-a');
    expect(first.map((e) => e.temperature)).toEqual([1, 1]);
    // The start model's completions: the same seed samples the same ones, greedy decoding others.
    const startOutputs = (result: { startAccuracy?: { examples: readonly { output: string }[] } }) =>
      result.startAccuracy?.examples.map((example) => example.output);
    const again = await runLocalGrpo(sampledRun('grpo-sampled-b', 7), out);
    expect(startOutputs(again)).toEqual(startOutputs(sampled));
    expect(await evalsOf('grpo-sampled-b')).toEqual(first);
    const { evalSampling: _sampled, ...greedyRun } = sampledRun('grpo-greedy', 7);
    const greedy = await runLocalGrpo(greedyRun, out);
    expect(startOutputs(greedy)).toHaveLength(4);
    expect(startOutputs(greedy)).not.toEqual(startOutputs(sampled));
    await expect(
      runLocalGrpo({ ...sampledRun('grpo-sampled-bad', 7), evalSampling: { temperature: 0, topP: 1, seed: 7 } }, out),
    ).rejects.toThrow(/evalSampling\.temperature/);
  });

  it('dynamic sampling: trains on groups with an accuracy spread, samples more rounds, and resumes to the same weights', async () => {
    const filtered = (runDir: string) =>
      microRun(runDir, { steps: 3, minAccuracySpread: 1e-6, maxGenerationRounds: 3, rolloutLogEvery: 1 });
    const runDir = join(setup.root, 'grpo-dynamic');
    const result = await runLocalGrpo(filtered(runDir), out);
    for (const name of DYNAMIC_SAMPLING_STEP_METRICS) expect(result.lastMetrics).toHaveProperty(name);
    expect(result.lastMetrics['time/filter_s']).toBeGreaterThanOrEqual(0);
    const steps = (await readFile(join(runDir, 'metrics.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, number>);
    const logged = (await readFile(join(runDir, 'rollouts.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as RolloutLogRecord);
    let rounds = 0;
    for (const metrics of steps) {
      const stepRounds = metrics['rollout/generation_rounds'] as number;
      expect(stepRounds).toBeGreaterThanOrEqual(1);
      expect(stepRounds).toBeLessThanOrEqual(3);
      rounds += stepRounds;
      expect(metrics['rollout/generated_groups']).toBe(2 * stepRounds);
      const groups = logged.filter((g) => g.step === metrics['step']);
      expect(groups).toHaveLength(metrics['rollout/groups'] as number);
      expect(metrics['rollout/filtered_groups']).toBe(2 * stepRounds - groups.length);
      const spreads = groups.map((g) => {
        const accuracy = g.completions.map((c) => c.accuracy);
        return Math.max(...accuracy) - Math.min(...accuracy);
      });
      // A step that stopped early kept a full batch of groups with a spread; one that used up its
      // rounds trains on what it kept, or (none kept) on its last round as it came.
      if (stepRounds < 3) expect(groups).toHaveLength(2);
      if (spreads.some((s) => s === 0)) {
        expect(stepRounds).toBe(3);
        expect(spreads.every((s) => s === 0)).toBe(true);
      }
    }
    // Every round drew promptsPerStep prompts from the epoch order, and the checkpoint says so.
    const sampleCount = (await readFile(join(setup.dataDir, 'train.jsonl'), 'utf8')).trim().split('\n').length;
    const stored = await readTrainingCheckpoint(join(runDir, 'checkpoints', 'step-00000003'));
    const { epoch = 0, index = 0 } = stored.state.cursor;
    expect(epoch * sampleCount + index).toBe(2 * rounds);
    expect(rounds).toBeGreaterThan(3); // some step needed more than one round

    // Stopped after step 2 (its later checkpoint and results removed) and restarted: the same weights.
    const resumed = await killedAndRestarted(filtered(join(setup.root, 'grpo-dynamic-resumed')), 3);
    expect(resumed.resumedFrom).toBe(2);
    const [a, b] = await Promise.all([loadCheckpoint(result.finalDir), loadCheckpoint(resumed.finalDir)]);
    for (const [name, tensor] of a.weights) expect(b.weights.get(name), name).toEqual(tensor);
  });

  it('PPO-ptx: adds the NLL of CoT-SFT examples to every update, lowers it, and resumes to the same weights', async () => {
    const curated = join(setup.root, 'curated');
    await runCuration({ dataDir: setup.dataDir, outDir: curated, frames: 'scene', writing: { browseMoments: 1 } });
    const sftFile = join(curated, 'sft.jsonl');
    const withPtx = (runDir: string, coefficient = 10) =>
      microRun(runDir, { steps: 4, ptx: { file: sftFile, coefficient, rows: 16 } });
    const log: string[] = [];
    const runDir = join(setup.root, 'grpo-ptx');
    const result = await runLocalGrpo(withPtx(runDir), { write: (text) => log.push(text) });
    expect(log.join('')).toMatch(/ptx: \d+ SFT examples/);
    const ptxLoss = (await readFile(join(runDir, 'metrics.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, number>)
      .filter((m) => m['step'] !== undefined && m['eval'] === undefined)
      .map((m) => m['policy/ptx_loss'] as number);
    expect(ptxLoss).toHaveLength(4);
    for (const loss of ptxLoss) expect(loss).toBeGreaterThan(0);
    // γ = 10 makes the supervised term dominate: its NLL falls from the first update to the last.
    expect(ptxLoss[3] as number).toBeLessThan((ptxLoss[0] as number) * 0.9);

    // Without the term, the same seed ends elsewhere.
    const plain = await runLocalGrpo(microRun(join(setup.root, 'grpo-no-ptx'), { steps: 4 }), {
      write: () => undefined,
    });
    const [a, b] = await Promise.all([loadCheckpoint(result.finalDir), loadCheckpoint(plain.finalDir)]);
    const name = 'lm.blocks.0.attn.wq';
    expect(a.weights.get(name)).not.toEqual(b.weights.get(name));

    // Stopped after step 3 and restarted: the same ptx examples, so the same weights.
    const resumedDir = join(setup.root, 'grpo-ptx-resumed');
    const resumed = await killedAndRestarted(withPtx(resumedDir), 4);
    expect(resumed.resumedFrom).toBe(3);
    const c = await loadCheckpoint(resumed.finalDir);
    for (const [weight, tensor] of a.weights) expect(c.weights.get(weight), weight).toEqual(tensor);

    // The term is part of the run's options: another γ does not resume it; bad values name the field.
    await expect(runLocalGrpo(withPtx(resumedDir, 1), { write: () => undefined })).rejects.toThrow(
      /other training options/,
    );
    await expect(
      runLocalGrpo(
        { ...withPtx(join(setup.root, 'grpo-ptx-bad')), ptx: { file: sftFile, coefficient: 1, rows: 0 } },
        out,
      ),
    ).rejects.toThrow(TrainingOptionsError);
    await expect(
      runLocalGrpo(
        { ...withPtx(join(setup.root, 'grpo-ptx-bad')), ptx: { file: sftFile, coefficient: -1, rows: 2 } },
        out,
      ),
    ).rejects.toThrow(/ptx\.coefficient/);
  }, 120_000);
});
