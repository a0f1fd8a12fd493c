/**
 * `vrft train`: usage errors, and the crash test of issue #6 — a GRPO learner (a child process
 * running `train grpo --local`) is SIGKILLed mid-run, restarted, and must end with the same
 * weights as an uninterrupted run with the same seed. Micro model, three clips.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDataset } from '@vrft/data';
import { writeSeededEncoder } from '@vrft/dual-encoder';
import { trainTokenizerStage } from '@vrft/learner-core';
import { MICRO_VIDEO_MODEL_SIZES, createModelConfig, initWeights, loadCheckpoint, saveCheckpoint } from '@vrft/model';
import { runTrainCommand } from '../src/commands/train.command.js';
import { grpoArgs, parseTrainArgs, sftArgs } from '../src/train/train-args.js';
import { captureIo as capture } from './capture-io.js';

const ENTRY = resolve(import.meta.dirname, '../dist/train/train-entry.js');
let root = '';
let dataDir = '';
let initDir = '';
let encoderDir = '';

interface Child {
  readonly done: Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }>;
  kill(): void;
}

function startGrpo(runDir: string): Child {
  const args = [
    ENTRY,
    'grpo',
    '--local',
    '--run',
    runDir,
    '--init',
    initDir,
    '--prompts',
    join(dataDir, 'train.jsonl'),
    '--data',
    dataDir,
    '--steps',
    '5',
    '--prompts-per-step',
    '2',
    '--group-size',
    '3',
    '--max-new-tokens',
    '10',
    '--lr',
    '0.01',
    '--warmup',
    '0',
    '--checkpoint-every',
    '1',
    '--seed',
    '7',
    '--threads',
    '1',
    '--encoder',
    encoderDir,
  ];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  return {
    done: new Promise((resolveDone) => child.on('exit', (code, signal) => resolveDone({ code, signal, output }))),
    kill: () => child.kill('SIGKILL'),
  };
}

async function checkpointSteps(runDir: string): Promise<string[]> {
  try {
    return (await readdir(join(runDir, 'checkpoints'))).filter((n) => n.startsWith('step-'));
  } catch {
    return [];
  }
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'vrft-train-cli-'));
  dataDir = join(root, 'data');
  await generateDataset({ outDir: dataDir, count: 3, seed: 0, split: 'train', encode: false });
  const { tokenizer } = await trainTokenizerStage({ outPath: join(root, 'tokenizer.json'), clips: 20, vocabSize: 400 });
  const config = createModelConfig('tiny', tokenizer, MICRO_VIDEO_MODEL_SIZES);
  initDir = join(root, 'init');
  await saveCheckpoint(initDir, { config, tokenizer, weights: initWeights(config, 5) });
  // A small dual encoder written by the project's exporter (seeded weights), for R_s.
  encoderDir = await writeSeededEncoder(join(root, 'encoder'), {
    seed: 3,
    maxTextTokens: 64,
    clips: 2,
    vocabSize: 300,
  });
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('vrft train', () => {
  it('prints usage and names bad options', async () => {
    const help = capture();
    expect(await runTrainCommand(['--help'], help.io)).toBe(0);
    expect(help.out()).toContain('vrft train grpo --local');
    expect(help.out()).toContain('--encoder DIR');
    const bad = capture();
    expect(await runTrainCommand(['grpo', '--run', 'x'], bad.io)).toBe(64);
    expect(bad.err()).toContain('--local is required');
    const nan = capture();
    expect(await runTrainCommand(['pretrain', '--run', 'x', '--tokenizer', 'y', '--steps', 'many'], nan.io)).toBe(64);
    expect(nan.err()).toContain('--steps: expected a number');
    const range = capture();
    expect(await runTrainCommand(['pretrain', '--run', 'x', '--tokenizer', 'y', '--steps', '0'], range.io)).toBe(64);
    expect(range.err()).toContain('steps');
  });

  it('maps the reward flags of train grpo onto the recipe and the encoder, and names bad ones', async () => {
    const required = [
      '--local',
      '--run',
      join(root, 'flags'),
      '--init',
      initDir,
      '--prompts',
      join(dataDir, 'train.jsonl'),
      '--steps',
      '1',
    ];
    const parsed = (...flags: string[]) => grpoArgs(parseTrainArgs([...required, '--data', dataDir, ...flags]));
    expect(parsed().evalSampling).toBeUndefined();
    expect(parsed('--eval-temperature', '0.7', '--eval-top-p', '0.95').evalSampling).toEqual({
      temperature: 0.7,
      topP: 0.95,
      seed: 0,
    });
    expect(() => parsed('--eval-seed', '3')).toThrow(/they need --eval-temperature above 0/);
    const options = parsed(
      '--encoder',
      encoderDir,
      '--semantic-aggregation',
      'mean-clipped-cosine',
      '--no-gate',
      '--description-tokens',
      '32',
      '--reward-frames',
      '8',
      '--semantic-weight',
      '1.5',
      '--threads',
      '1',
      '--rollout-log-every',
      '2',
    );
    expect(options.rolloutLogEvery).toBe(2);
    expect(options.reward).toEqual({
      aggregation: 'mean-clipped-cosine',
      gate: false,
      descriptionTokens: 32,
      numFrames: 8,
      semanticWeight: 1.5,
    });
    expect(options.encoder).toEqual({ dir: encoderDir, intraOpThreads: 1 });
    expect(parsed('--encoder', 'siglip', '--encoder-image-size', '224', '--encoder-text-tokens', '64').encoder).toEqual(
      {
        dir: 'siglip',
        imageSize: 224,
        maxTextTokens: 64,
      },
    );
    expect(parsed('--gate', '--semantic', 'off').reward).toEqual({ gate: true, semantic: false });
    expect(parsed()).not.toHaveProperty('reward');
    expect(parsed()).not.toHaveProperty('encoder');
    expect(parsed('--aggregation', 'token-mean').grpo).toEqual({ aggregation: 'token-mean' }); // the loss's, not R_s's
    expect(parsed('--advantage-scale', 'none').grpo).toEqual({ scaleAdvantagesByStd: false });
    expect(parsed('--advantage-scale', 'std').grpo).toEqual({ scaleAdvantagesByStd: true });
    expect(parsed('--freeze', 'vision, lm.embed', '--lr', '1e-5').optimizer).toEqual({
      learningRate: 1e-5,
      frozen: ['vision', 'lm.embed'],
    });
    expect(parsed().optimizer?.frozen).toBeUndefined();
    expect(parsed('--min-accuracy-spread', '0.5', '--max-generation-rounds', '3')).toMatchObject({
      minAccuracySpread: 0.5,
      maxGenerationRounds: 3,
    });

    const usage = async (flags: string[], named: string) => {
      const run = capture();
      expect(await runTrainCommand(['grpo', ...required, '--data', dataDir, ...flags], run.io), run.err()).toBe(64);
      expect(run.err()).toContain(named);
    };
    expect(parsed('--ptx', 'sft.jsonl', '--ptx-coef', '0.2', '--ptx-rows', '4').ptx).toEqual({
      file: 'sft.jsonl',
      coefficient: 0.2,
      rows: 4,
    });
    expect(parsed('--ptx', 'sft.jsonl').ptx).toEqual({ file: 'sft.jsonl', coefficient: 0.1, rows: 8 });
    expect(parsed()).not.toHaveProperty('ptx');
    expect(() => parsed('--ptx-coef', '0.2')).toThrow('--ptx-coef and --ptx-rows need --ptx FILE');
    await usage(['--ptx', 'sft.jsonl', '--ptx-rows', '0'], 'ptx.rows');
    await usage(['--freeze', 'vision,'], '--freeze "vision,": frozen: "" is not a weight name');
    await usage(['--semantic-aggregation', 'mean'], '--semantic-aggregation');
    await usage(['--advantage-scale', 'batch'], '--advantage-scale');
    await usage(['--min-accuracy-spread', '1.5'], 'minAccuracySpread');
    await usage(['--max-generation-rounds', '0'], 'maxGenerationRounds');
    await usage(['--description-tokens', '0'], '--description-tokens');
    await usage(['--reward-frames', '2.5'], '--reward-frames');
    await usage(['--encoder', encoderDir, '--encoder-image-size', '0'], '--encoder-image-size');
    await usage(['--encoder-text-tokens', '64'], '--encoder DIR');
    await usage(['--semantic-weight', '-1'], '--semantic-weight');
    await usage(['--semantic', 'maybe'], '--semantic');
    await usage(['--gate', '--no-gate'], '--no-gate');
    await usage(['--semantic', 'on'], 'encoder'); // R_s without an encoder
    await usage(['--encoder', join(root, 'no-such-encoder')], 'encoder.dir');
    await usage(['--encoder', encoderDir, '--description-tokens', '65'], 'reward.descriptionTokens');
  });

  it('maps --replay-clips and --replay-restated of train sft, and needs the first for the second', async () => {
    const required = ['--run', 'r', '--init', 'i', '--sft', 's', '--data', 'd'];
    const parsed = (...flags: string[]) => sftArgs(parseTrainArgs([...required, ...flags]));
    expect(parsed('--replay-clips', '300', '--replay-restated', '2').replay).toEqual({
      clips: 300,
      restatedPerClip: 2,
    });
    expect(parsed('--replay-clips', '300').replay).toEqual({ clips: 300, restatedPerClip: 0 });
    expect(parsed()).not.toHaveProperty('replay');
    expect(() => parsed('--replay-restated', '1')).toThrow('--replay-restated needs --replay-clips');
    const run = capture();
    expect(await runTrainCommand(['sft', ...required, '--replay-clips', '2.5'], run.io)).toBe(64);
    expect(run.err()).toContain('replay.clips');
  });

  it('trains a tokenizer and a micro base, then evaluates it', async () => {
    const tok = capture();
    const tokenizerPath = join(root, 'cli-tokenizer.json');
    expect(
      await runTrainCommand(['tokenizer', '--out', tokenizerPath, '--clips', '10', '--vocab', '350'], tok.io),
    ).toBe(0);
    expect(tok.out()).toMatch(/tokenizer: \d+ ids from \d+ texts/);
    const pre = capture();
    const model = JSON.stringify(MICRO_VIDEO_MODEL_SIZES);
    const run = join(root, 'cli-base');
    const code = await runTrainCommand(
      [
        'pretrain',
        '--run',
        run,
        '--tokenizer',
        tokenizerPath,
        '--model',
        model,
        '--clips',
        '3',
        '--steps',
        '2',
        '--batch-rows',
        '4',
        '--log-every',
        '1',
      ],
      pre.io,
    );
    expect(code, pre.err()).toBe(0);
    expect(pre.err()).toMatch(/pretrain 2\/2 .*loss/);
    expect(pre.out()).toContain(join(run, 'final'));
    // --freeze reaches the trainer: the run says what it trains, and a name of no weight is bad usage.
    const pretrainArgs = (dir: string, freeze: string) =>
      ['pretrain', '--run', join(root, dir), '--tokenizer', tokenizerPath, '--model', model, '--clips', '3'].concat([
        '--steps',
        '1',
        '--batch-rows',
        '4',
        '--freeze',
        freeze,
      ]);
    const frozen = capture();
    expect(await runTrainCommand(pretrainArgs('cli-base-frozen', 'vision'), frozen.io), frozen.err()).toBe(0);
    expect(frozen.err()).toMatch(/pretrain: frozen vision: \d+ of \d+ parameters trained/);
    const unknown = capture();
    expect(await runTrainCommand(pretrainArgs('cli-base-unknown', 'visual'), unknown.io)).toBe(64);
    expect(unknown.err()).toContain('frozen: "visual" names no weight of the model');
    // The run's own metrics.jsonl plots: its two updates on the training-loss panel.
    const plot = capture();
    const svgPath = join(root, 'base.svg');
    expect(await runTrainCommand(['plot', '--out', svgPath, run, '--smooth', '1'], plot.io), plot.err()).toBe(0);
    const svg = await readFile(svgPath, 'utf8');
    expect(svg).toContain('training loss');
    expect(svg.match(/<polyline data-series="cli-base" points="[\d.]+,[\d.]+ [\d.]+,[\d.]+"/g)).toHaveLength(1);
    const evaluation = capture();
    const evalCode = await runTrainCommand(
      [
        'eval',
        '--checkpoint',
        join(run, 'final'),
        '--samples',
        join(dataDir, 'train.jsonl'),
        '--data',
        dataDir,
        '--limit',
        '2',
        '--max-new-tokens',
        '4',
        '--threads',
        '1',
        '--completions',
        join(root, 'completions.jsonl'),
      ],
      evaluation.io,
    );
    expect(evalCode, evaluation.err()).toBe(0);
    expect(evaluation.out()).toMatch(/all\s+2\s+[\d.]+/);
    // One scored line per sample, and the table's overall accuracy is their mean.
    const lines = (await readFile(join(root, 'completions.jsonl'), 'utf8')).trim().split('\n');
    const records = lines.map((line) => JSON.parse(line) as { problemId: string; accuracy: number; output: string });
    expect(records.map((r) => r.problemId)).toHaveLength(2);
    const mean = records.reduce((sum, r) => sum + r.accuracy, 0) / records.length;
    expect(evaluation.out()).toMatch(new RegExp(`all\\s+2\\s+${mean.toFixed(4)}`));

    // Sampled evaluation: reproducible for a seed, different for another, and greedy without --temperature.
    const outputsOf = async (name: string, extra: readonly string[]): Promise<string[]> => {
      const io = capture();
      const file = join(root, `${name}.jsonl`);
      const args = ['eval', '--checkpoint', join(run, 'final'), '--samples', join(dataDir, 'train.jsonl')];
      args.push('--data', dataDir, '--limit', '2', '--max-new-tokens', '8', '--threads', '1', '--completions', file);
      expect(await runTrainCommand([...args, ...extra], io.io), io.err()).toBe(0);
      const text = await readFile(file, 'utf8');
      return text
        .trim()
        .split('\n')
        .map((line) => (JSON.parse(line) as { output: string }).output);
    };
    const greedy = await outputsOf('greedy', []);
    const sampled = await outputsOf('sampled-a', ['--temperature', '1', '--seed', '5']);
    expect(await outputsOf('sampled-b', ['--temperature', '1', '--seed', '5'])).toEqual(sampled);
    expect(await outputsOf('sampled-c', ['--temperature', '1', '--seed', '6'])).not.toEqual(sampled);
    expect(sampled).not.toEqual(greedy);
    expect(await outputsOf('greedy-again', ['--temperature', '0'])).toEqual(greedy);
    // --other-clip: every question about another clip. The multiple-choice prompts are too long for the
    // micro model's context, so the run uses the others (three clips); the first two samples are one
    // clip's two questions, so alone they have no other clip to ask about.
    const shortPrompts = (await readFile(join(dataDir, 'train.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .filter((line) => (JSON.parse(line) as { problem_type: string }).problem_type !== 'multiple choice');
    const otherClipSamples = join(root, 'short-prompts.jsonl');
    await writeFile(otherClipSamples, `${shortPrompts.join('\n')}\n`);
    const otherClip = capture();
    const otherClipArgs = ['eval', '--checkpoint', join(run, 'final'), '--samples', otherClipSamples, '--data'];
    otherClipArgs.push(dataDir, '--max-new-tokens', '4', '--threads', '1', '--other-clip');
    expect(await runTrainCommand(otherClipArgs, otherClip.io), otherClip.err()).toBe(0);
    expect(otherClip.out()).toMatch(new RegExp(`all\\s+${shortPrompts.length}\\s`));
    const single = capture();
    const singleArgs = ['eval', '--checkpoint', join(run, 'final'), '--samples', join(dataDir, 'train.jsonl')];
    expect(await runTrainCommand([...singleArgs, '--data', dataDir, '--limit', '2', '--other-clip'], single.io)).toBe(
      64,
    );
    expect(single.err()).toContain('--other-clip needs samples of at least two different clips');
    for (const [extra, message] of [
      [['--top-p', '0.9'], /need --temperature above 0/],
      [['--seed', '3'], /need --temperature above 0/],
      [['--temperature=-1'], /sampling\.temperature/],
      [['--temperature', '1', '--top-p', '1.5'], /sampling\.topP/],
      [['--temperature', '1', '--seed', '1.5'], /sampling\.seed/],
    ] as const) {
      const io = capture();
      const args = ['eval', '--checkpoint', join(run, 'final'), '--samples', join(dataDir, 'train.jsonl')];
      expect(await runTrainCommand([...args, '--data', dataDir, '--limit', '1', ...extra], io.io)).toBe(64);
      expect(io.err()).toMatch(message);
    }
  }, 90_000);

  it('a learner killed mid-run resumes from its last checkpoint and ends with the same weights', async () => {
    const straight = join(root, 'straight');
    const first = await startGrpo(straight).done;
    expect(first.code, first.output).toBe(0);

    const crashed = join(root, 'crashed');
    const victim = startGrpo(crashed);
    // Kill at a random moment after the first checkpoint is durable (so the restart must resume).
    const deadline = Date.now() + 60_000;
    while ((await checkpointSteps(crashed)).length === 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 25));
    await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 400)));
    victim.kill();
    const killed = await victim.done;
    expect(killed.signal === 'SIGKILL' || killed.code === 0, killed.output).toBe(true);

    const restart = await startGrpo(crashed).done;
    expect(restart.code, restart.output).toBe(0);
    if (killed.signal === 'SIGKILL') expect(restart.output).toMatch(/resuming from .*step-0000000\d/);

    const a = await loadCheckpoint(join(straight, 'final'));
    const b = await loadCheckpoint(join(crashed, 'final'));
    let maxDiff = 0;
    for (const [name, values] of a.weights) {
      const other = b.weights.get(name) as Float32Array;
      values.forEach((v, i) => (maxDiff = Math.max(maxDiff, Math.abs(v - (other[i] as number)))));
    }
    expect(maxDiff).toBeLessThanOrEqual(1e-6);
    const start = await loadCheckpoint(initDir);
    const moved = [...a.weights].some(([name, v]) =>
      v.some((x, i) => x !== (start.weights.get(name) as Float32Array)[i]),
    );
    expect(moved).toBe(true);
  }, 120_000);
});
