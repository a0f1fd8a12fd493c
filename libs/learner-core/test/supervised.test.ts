import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCuration } from '@vrft/curation';
import { selectBackend, TfjsModel } from '@vrft/engine-tfjs';
import {
  buildCaptionProbe,
  buildPretrainExamples,
  findLatestTrainingCheckpoint,
  parsePretrainOptions,
  runPretrainStage,
  parseSftOptions,
  runSftStage,
  sftCompletion,
  validationLoss,
  visionReliance,
  withOtherClipsFrames,
} from '@vrft/learner-core';
import { createModelConfig, loadCheckpoint } from '@vrft/model';
import { loadTokenizer } from '@vrft/tokenizer';
import { createMicroSetup, MICRO_MODEL, type MicroSetup } from './fixtures.js';

const sink = () => {
  const lines: string[] = [];
  return { out: { write: (t: string) => lines.push(t) }, text: () => lines.join('') };
};

describe('pretraining and SFT on a micro model', () => {
  let setup: MicroSetup;
  beforeAll(async () => {
    await selectBackend({ order: ['wasm', 'cpu'] });
    setup = await createMicroSetup(4);
  });
  afterAll(async () => {
    await rm(setup.root, { recursive: true, force: true });
  });

  const pretrain = (runDir: string) => ({
    runDir,
    tokenizerPath: setup.tokenizerPath,
    modelOverrides: MICRO_MODEL,
    clips: 6,
    questionsPerClip: 2,
    steps: 4,
    batchRows: 6,
    checkpointEvery: 2,
    logEvery: 1,
    optimizer: { learningRate: 3e-3, warmupSteps: 1 },
  });

  it('restated examples quote the question after the caption, for as many questions per clip as asked', async () => {
    const tokenizer = await loadTokenizer(setup.tokenizerPath);
    const config = createModelConfig('tiny', tokenizer, MICRO_MODEL);
    const build = (restatedPerClip: number) =>
      buildPretrainExamples(parsePretrainOptions({ ...pretrain(setup.root), restatedPerClip }), tokenizer, config);
    const plain = build(0);
    const restated = build(1);
    expect(plain.examples).toHaveLength(6 * 3); // caption + 2 questions per clip
    expect(restated.examples).toHaveLength(6 * 4);
    const completion = (e: (typeof restated.examples)[number]) => tokenizer.decode(e.tokenIds.slice(e.promptLength));
    const prompt = (e: (typeof restated.examples)[number]) => tokenizer.decode(e.tokenIds.slice(0, e.promptLength));
    const quoted = restated.examples.filter((e) => completion(e).includes('The question: "'));
    expect(quoted).toHaveLength(6);
    for (const example of quoted) {
      const question = /The question: "([^"]+)"/.exec(completion(example))?.[1] ?? '';
      expect(question.length).toBeGreaterThan(5);
      expect(prompt(example)).toContain(question); // the quote is the prompt's own question
      expect(completion(example)).toMatch(/^.+\. The question: ".+" <answer>.+<\/answer>/s); // caption first
    }
    expect(() => parsePretrainOptions({ ...pretrain(setup.root), restatedPerClip: 3 })).toThrow(/restatedPerClip/);
  });

  it('pretraining lowers the loss, and a stopped run resumes to the same weights', async () => {
    const straight = sink();
    const full = await runPretrainStage(pretrain(join(setup.root, 'a')), straight.out);
    expect(full.step).toBe(4);
    const losses = (await readFile(join(setup.root, 'a', 'metrics.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { loss?: number })
      .flatMap((line) => (line.loss === undefined ? [] : [line.loss]));
    expect(losses).toHaveLength(4);
    expect(losses.at(-1)).toBeLessThan(losses[0] as number);
    expect(straight.text()).toMatch(/pretrain 4\/4 .*ETA/);

    const halted = await runPretrainStage(pretrain(join(setup.root, 'b')), sink().out, { haltAfterStep: 2 });
    expect(halted.step).toBe(2);
    expect((await findLatestTrainingCheckpoint(join(setup.root, 'b')))?.state.step).toBe(2);
    const resumedLog = sink();
    const resumed = await runPretrainStage(pretrain(join(setup.root, 'b')), resumedLog.out);
    expect(resumed.resumedFrom).toBe(2);
    expect(resumedLog.text()).toContain('resuming from');
    const a = await loadCheckpoint(full.finalDir);
    const b = await loadCheckpoint(resumed.finalDir);
    for (const [name, w] of a.weights) expect(b.weights.get(name)).toEqual(w);
  }, 60_000);

  it('pretraining evaluates held-out captions and the vision gap: their loss with other clips’ frames minus with their own', async () => {
    const log = sink();
    const runDir = join(setup.root, 'gap');
    await runPretrainStage({ ...pretrain(runDir), evalEvery: 2, evalClips: 3 }, log.out);
    const evals = (await readFile(join(runDir, 'metrics.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { step: number; eval?: Record<string, number> })
      .filter((line) => line.eval !== undefined);
    expect(evals.map((e) => e.step)).toEqual([2, 4]);
    for (const { eval: fields } of evals) {
      expect(fields?.['caption loss']).toBeGreaterThan(0);
      expect(Number.isFinite(fields?.['vision gap'])).toBe(true);
    }
    expect(log.text()).toMatch(/pretrain eval at step 4: caption loss \d+\.\d+, vision gap -?\d+\.\d+/);

    // The gap is exactly the loss difference of the same examples with swapped frames.
    const tokenizer = await loadTokenizer(setup.tokenizerPath);
    const config = createModelConfig('tiny', tokenizer, MICRO_MODEL);
    const probe = buildCaptionProbe(parsePretrainOptions({ ...pretrain(runDir), evalClips: 3 }), tokenizer, config);
    const swapped = withOtherClipsFrames(probe);
    expect(swapped).toHaveLength(3);
    swapped.forEach((example, i) => {
      expect(example.frames).not.toBe(probe[i]?.frames);
      expect(example.tokenIds).toEqual(probe[i]?.tokenIds);
    });
    expect(withOtherClipsFrames(probe.map((e) => ({ ...e, frames: probe[0]?.frames ?? e.frames })))).toEqual([]);
    const base = await loadCheckpoint(join(runDir, 'final'));
    const model = TfjsModel.create(base.config, base.weights);
    try {
      const reliance = visionReliance(model, probe, 3);
      expect(reliance.own).toBeCloseTo(validationLoss(model, probe, 3), 6);
      expect(reliance.gap).toBeCloseTo(validationLoss(model, swapped, 3) - reliance.own, 6);
      // Frames the model has never seen the like of move the loss: the video path is live.
      const noise = probe.map((e) => ({ ...e, frames: e.frames.map((_, j) => (j * 97) % 256) }));
      expect(Math.abs(validationLoss(model, noise, 3) - reliance.own)).toBeGreaterThan(1e-4);
    } finally {
      model.dispose();
    }
  }, 60_000);

  it('refuses to resume a run with other options', async () => {
    await expect(runPretrainStage({ ...pretrain(join(setup.root, 'a')), clips: 5 }, sink().out)).rejects.toThrow(
      /other training options/,
    );
  });

  it('SFT masks the prompt, evaluates held-out accuracy and keeps the best model', async () => {
    const curated = join(setup.root, 'curated');
    await runCuration({ dataDir: setup.dataDir, outDir: curated, frames: 'scene', writing: { browseMoments: 1 } });
    const log = sink();
    const result = await runSftStage(
      {
        runDir: join(setup.root, 'sft'),
        init: join(setup.root, 'a', 'final'),
        sftFile: join(curated, 'sft.jsonl'),
        dataDir: setup.dataDir,
        evalFile: join(setup.dataDir, 'train.jsonl'),
        evalSamples: 2,
        evalMaxNewTokens: 8,
        validationFraction: 0.25,
        steps: 3,
        evalEvery: 2,
        batchRows: 4,
        optimizer: { learningRate: 1e-3, warmupSteps: 1 },
        engine: { intraOpThreads: 1 },
      },
      log.out,
    );
    expect(result.step).toBe(3);
    expect(result.bestDir).toBeDefined();
    expect(log.text()).toMatch(/sft eval at step 2: val loss [\d.]+, accuracy [\d.]+, format [\d.]+/);
    expect(log.text()).toMatch(/sft eval at step 3/);
    await loadCheckpoint(result.bestDir as string);
    // A servable checkpoint carries the exported ONNX graphs (docs/model.md).
    for (const graph of ['vision.onnx', 'prefill.onnx', 'decode.onnx', 'weights.bin']) {
      expect(existsSync(join(result.bestDir as string, 'onnx', graph))).toBe(true);
    }
    expect(sftCompletion({ process: ' <think>a</think> ', solution: '<answer>B</answer>' })).toBe(
      '<think>a</think>\n<answer>B</answer>',
    );
  }, 60_000);

  it('SFT with replay mixes the base corpus’s direct answers into training, and a run is tied to its replay', async () => {
    const curated = join(setup.root, 'curated');
    const replay = { clips: 2, restatedPerClip: 1 };
    const sft = (clips: number) => ({
      runDir: join(setup.root, 'sft-replay'),
      init: join(setup.root, 'a', 'final'),
      sftFile: join(curated, 'sft.jsonl'),
      dataDir: setup.dataDir,
      validationFraction: 0.25,
      steps: 2,
      batchRows: 4,
      replay: { ...replay, clips },
      optimizer: { learningRate: 1e-3, warmupSteps: 1 },
    });
    const base = await loadCheckpoint(join(setup.root, 'a', 'final'));
    const expected = buildPretrainExamples(
      { ...parsePretrainOptions({ runDir: 'r', tokenizerPath: 't' }), ...replay },
      base.tokenizer,
      base.config,
    ).examples;
    // Per clip: a caption, three direct answers and one restated answer.
    expect(expected).toHaveLength(replay.clips * 5);
    const log = sink();
    const result = await runSftStage(sft(replay.clips), log.out);
    expect(result.step).toBe(2);
    expect(log.text()).toContain(`, ${expected.length} replayed from the base's corpus`);
    await expect(runSftStage(sft(3), sink().out)).rejects.toThrow(/other training options/);
    // The replayed examples are trained on: the same run without them ends with other weights.
    const plain = await runSftStage({ ...sft(0), runDir: join(setup.root, 'sft-no-replay') }, sink().out);
    const withReplay = await loadCheckpoint(result.finalDir);
    const without = await loadCheckpoint(plain.finalDir);
    const differs = [...withReplay.weights].some(([name, data]) => {
      const other = without.weights.get(name);
      return other === undefined || data.some((value, i) => value !== other[i]);
    });
    expect(differs).toBe(true);
    expect(() => parseSftOptions({ ...sft(1), replay: { clips: -1, restatedPerClip: 0 } })).toThrow(/replay\.clips/);
  }, 60_000);
});
