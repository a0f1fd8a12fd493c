/**
 * Decode benchmark of the onnxruntime engine.
 *
 * 1. Batched decode tokens/s at several batch sizes for each preset, through the engine (worker
 *    thread, KV cache, sampling at τ = 1), against two raw onnxruntime FLOP ceilings of the same
 *    matrix shapes measured in the same run (flop-ceiling.ts): the weight products alone, and
 *    the whole forward's products (attention over the rows' mean cache length included).
 * 2. Cost of the next token with the KV cache (one decode step over a cache of n positions)
 *    against recomputing the whole prefix (a prefill of n + 1 positions), for the tiny preset.
 *
 * Run after the build: `node libs/engine-ort/dist/bench/decode-bench.js [--presets tiny,small]
 * [--batches 1,8,64] [--prompt 32] [--new-tokens 32] [--vocab 4096] [--lengths 64,256,1024]
 * [--threads N] [--reps 5]` (prints tables, asserts nothing).
 */
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { createModelConfig, headDim, initWeights, type ModelConfig, type ModelPresetName } from '@vrft/model';
import { trainBpe } from '@vrft/tokenizer';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { OrtEngine } from '../engine/ort-engine.js';
import { buildOnnxModels } from '../export/export-onnx.js';
import { LM_IO } from '../export/lm-graphs.js';
import { buildPrefillFeeds, int64Tensor } from '../runtime/batch-inputs.js';
import { SlotKvCache } from '../runtime/slot-cache.js';
import { attentionFlopsPerToken, FlopCeilingProbe, matmulFlopsPerToken } from './flop-ceiling.js';

/** Benchmark settings. */
export interface DecodeBenchOptions {
  readonly presets: readonly ModelPresetName[];
  readonly batches: readonly number[];
  /** Prompt tokens per row. */
  readonly prompt: number;
  /** Tokens generated per row. */
  readonly newTokens: number;
  /** Vocabulary size V of the benchmark configs. */
  readonly vocab: number;
  /** Cache lengths of the cache-vs-recompute table. */
  readonly lengths: readonly number[];
  /** onnxruntime operator threads. */
  readonly threads: number;
  /** Timed repetitions. */
  readonly reps: number;
}

const DEFAULTS: DecodeBenchOptions = {
  presets: ['tiny', 'small'],
  batches: [1, 8, 64],
  prompt: 32,
  newTokens: 32,
  vocab: 4096,
  lengths: [64, 256, 1024],
  threads: availableParallelism(),
  reps: 5,
};

function parseList(flag: string, value: string | undefined): number[] {
  const items = (value ?? '').split(',').map(Number);
  if (items.length === 0 || items.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new Error(`--${flag}: expected a comma-separated list of positive integers, got ${String(value)}`);
  }
  return items;
}

/** Reads the flags above; throws naming a bad flag. */
export function parseDecodeBenchOptions(argv: readonly string[]): DecodeBenchOptions {
  const options: { -readonly [K in keyof DecodeBenchOptions]: DecodeBenchOptions[K] } = { ...DEFAULTS };
  for (let i = 0; i < argv.length; i += 2) {
    const flag = (argv[i] ?? '').replace(/^--/, '');
    const value = argv[i + 1];
    if (flag === 'presets') {
      const presets = (value ?? '').split(',');
      if (presets.some((p) => p !== 'tiny' && p !== 'small'))
        throw new Error(`--presets: expected tiny and/or small, got ${String(value)}`);
      options.presets = presets as ModelPresetName[];
    } else if (flag === 'batches') options.batches = parseList(flag, value);
    else if (flag === 'lengths') options.lengths = parseList(flag, value);
    else if (flag === 'prompt' || flag === 'new-tokens' || flag === 'vocab' || flag === 'threads' || flag === 'reps') {
      const n = parseList(flag, value)[0] as number;
      if (flag === 'new-tokens') options.newTokens = n;
      else options[flag] = n;
    } else throw new Error(`unknown flag --${flag}`);
  }
  return options;
}

function benchConfig(preset: ModelPresetName, vocab: number, contextLength?: number): ModelConfig {
  const facts = {
    vocabSize: vocab,
    specialId: (role: 'pad' | 'bos' | 'eos' | 'video') => ['pad', 'bos', 'eos', 'video'].indexOf(role),
  };
  return createModelConfig(preset, facts, contextLength === undefined ? {} : { contextLength });
}

function promptIds(length: number, row: number, vocab: number): number[] {
  return Array.from({ length }, (_, i) => 8 + ((row * 7919 + i * 104729) % (vocab - 8)));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

async function timeGenerate(
  engine: OrtEngine,
  batch: number,
  options: DecodeBenchOptions,
  newTokens: number,
): Promise<{ seconds: number; tokens: number }> {
  const requests = Array.from({ length: batch }, (_, row) => ({
    promptIds: promptIds(options.prompt, row, engine.config.vocabSize),
    sampling: { temperature: 1, maxNewTokens: newTokens, seed: row + 1 },
  }));
  const start = performance.now();
  const { results } = await engine.generate(requests);
  const seconds = (performance.now() - start) / 1000;
  return { seconds, tokens: results.reduce((n, r) => n + (r.completions[0]?.tokenIds.length ?? 0), 0) };
}

/** Table 1: decode tokens/s per preset and batch, with the FLOP ceiling ratio. */
async function benchThroughput(options: DecodeBenchOptions): Promise<void> {
  const tokenizer = trainBpe(['a red ball moves left and bounces off the wall', 'the counter shows 42'], {
    vocabSize: 280,
  });
  console.log(
    `\nBatched decode (prompt ${options.prompt}, ${options.newTokens} new tokens, τ = 1, V = ${options.vocab}, ${options.threads} threads)`,
  );
  console.log(
    'preset | batch | decode tok/s | ms/step | achieved GFLOP/s | matmul ceiling GFLOP/s | ratio | forward ceiling GFLOP/s | ratio (medians of reps)',
  );
  console.log('--- | --- | --- | --- | --- | --- | --- | --- | ---');
  for (const preset of options.presets) {
    const config = benchConfig(preset, options.vocab);
    const started = performance.now();
    const engine = await OrtEngine.open(
      { kind: 'memory', config, weights: initWeights(config, 1), tokenizer, version: preset },
      { workers: 1, intraOpThreads: options.threads, maxSamples: 1 },
    );
    const probe = await FlopCeilingProbe.create(config, options.threads);
    console.error(`[${preset}] loaded in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    try {
      for (const batch of options.batches) {
        await timeGenerate(engine, batch, options, 2); // warm-up
        // Each repetition times the ceiling, the prefill (+ first token) and the full generation
        // back to back, so the ratio compares like with like on a machine whose load drifts.
        const rates: number[] = [];
        const ratios: number[] = [];
        const ceilings: number[] = [];
        const forwardRatios: number[] = [];
        const forwardCeilings: number[] = [];
        const steps: number[] = [];
        // A row's cache holds prompt + t positions at step t: P = prompt + newTokens/2 on average.
        const meanContext = Math.round(options.prompt + options.newTokens / 2);
        const flopsPerToken = matmulFlopsPerToken(config) + attentionFlopsPerToken(config, meanContext);
        for (let r = 0; r < options.reps; r++) {
          const ceiling = await probe.measure(batch, 5);
          const forwardCeiling = await probe.measure(batch, 5, meanContext);
          const first = await timeGenerate(engine, batch, options, 1);
          const full = await timeGenerate(engine, batch, options, options.newTokens);
          const decodeSeconds = full.seconds - first.seconds; // decode = full − (prefill + first token)
          const tokensPerSecond = (full.tokens - first.tokens) / decodeSeconds;
          rates.push(tokensPerSecond);
          ceilings.push(ceiling);
          ratios.push((tokensPerSecond * flopsPerToken) / ceiling);
          forwardCeilings.push(forwardCeiling);
          forwardRatios.push((tokensPerSecond * flopsPerToken) / forwardCeiling);
          steps.push(decodeSeconds / (options.newTokens - 1));
          console.error(
            `[${preset}] batch ${batch}: repetition ${r + 1}/${options.reps}, ${tokensPerSecond.toFixed(0)} tok/s`,
          );
        }
        const rate = median(rates);
        const gflops = (values: number[]) => (median(values) / 1e9).toFixed(1);
        const percent = (values: number[]) => `${(100 * median(values)).toFixed(0)} %`;
        console.log(
          `${preset} | ${batch} | ${rate.toFixed(0)} | ${(median(steps) * 1000).toFixed(2)} | ` +
            `${((rate * flopsPerToken) / 1e9).toFixed(1)} | ${gflops(ceilings)} | ${percent(ratios)} | ` +
            `${gflops(forwardCeilings)} | ${percent(forwardRatios)}`,
        );
      }
    } finally {
      await probe.release();
      await engine.close();
    }
  }
}

/** Table 2: next-token cost with the KV cache against recomputing the prefix (tiny, batch 1). */
async function benchCacheVsRecompute(options: DecodeBenchOptions): Promise<void> {
  const longest = Math.max(...options.lengths);
  const config = benchConfig('tiny', options.vocab, Math.max(512, longest + 1));
  const models = buildOnnxModels(config, initWeights(config, 1));
  const sessionOptions: InferenceSession.SessionOptions = {
    intraOpNumThreads: options.threads,
    interOpNumThreads: 1,
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  };
  const prefill = await InferenceSession.create(models.prefill, sessionOptions);
  const decode = await InferenceSession.create(models.decode, sessionOptions);
  console.log(`\nNext token with the KV cache vs recomputing the prefix (tiny, batch 1, ${options.threads} threads)`);
  console.log('length | cached ms/token | recompute ms/token | speed-up');
  console.log('--- | --- | --- | ---');
  try {
    for (const length of options.lengths) {
      const ids = promptIds(length, 0, config.vocabSize);
      // One row of `length` written slots; the step attends to them and to the new token.
      const shape = { layers: config.numLayers, kvHeads: config.numKvHeads, headSize: headDim(config) };
      const cache = new SlotKvCache({ ...shape, block: 1, maxCapacity: length + 1 });
      const zeros = (): Float32Array[] =>
        Array.from({ length: shape.layers }, () => new Float32Array(shape.kvHeads * length * shape.headSize));
      cache.addRow({ keys: zeros(), values: zeros(), length }, 0, length);
      const feeds: Record<string, Tensor> = {
        ...cache.feeds(),
        [LM_IO.inputIds]: int64Tensor([9], [1, 1]),
        [LM_IO.positionIds]: int64Tensor([length], [1, 1]),
        [LM_IO.inverseTemperature]: new Tensor('float32', Float32Array.of(1), [1, 1]),
      };
      const recomputeFeeds = buildPrefillFeeds(config, [{ ids: [...ids, 9], visual: undefined }], length + 1, [length]);
      const time = async (session: InferenceSession, input: Record<string, Tensor>, reps: number): Promise<number> => {
        await session.run(input);
        const times: number[] = [];
        for (let r = 0; r < reps; r++) {
          const start = performance.now();
          await session.run(input);
          times.push(performance.now() - start);
        }
        return median(times);
      };
      const cached = await time(decode, feeds, options.reps * 4);
      const recompute = await time(prefill, recomputeFeeds, options.reps);
      console.log(`${length} | ${cached.toFixed(3)} | ${recompute.toFixed(3)} | ${(recompute / cached).toFixed(1)}×`);
    }
  } finally {
    await prefill.release();
    await decode.release();
  }
}

/** Runs both tables. */
export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  const options = parseDecodeBenchOptions(argv);
  const started = performance.now();
  await benchThroughput(options);
  await benchCacheVsRecompute(options);
  console.error(`\ndone in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
