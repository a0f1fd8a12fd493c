/**
 * Learner step benchmark: time per training step (forward, backward, AdamW) of the `tiny` preset
 * (and one step of `small`), its achieved GFLOP/s, and the plain-matmul GFLOP/s ceiling of the
 * chosen backend measured in the same run; with the explicit-transpose matmul (default) and with
 * tf's transpose flags, and with per-matrix attention (the wasm default) and batched attention
 * products, to show what each workaround gains on wasm.
 *
 * Run: npm run build && node libs/engine-tfjs/dist/bench/train.js [--steps 3] [--batch 4] [--seq 192]
 *      [--small-frames 4] [--no-small]
 */
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import {
  createSeededRandom,
  initWeights,
  MODEL_PRESETS,
  parseModelConfig,
  patchesPerFrame,
  visualTokensPerClip,
  visualTokensPerFrame,
  type ModelConfig,
  type ModelPresetName,
} from '@vrft/model';
import { selectBackend } from '../backend.js';
import { createBatch, type BatchSequence, type ModelBatch } from '../batch.js';
import { type MatMulMode } from '../matmul.js';
import { TfjsModel, type AttentionProducts } from '../model.js';
import { Trainer } from '../trainer.js';

interface BenchOptions {
  steps: number;
  batch: number;
  seq: number;
  small: boolean;
  smallFrames: number;
}

function parseArgs(argv: readonly string[]): BenchOptions {
  const options: BenchOptions = { steps: 3, batch: 4, seq: 192, small: true, smallFrames: 4 };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === '--no-small') options.small = false;
    else if (flag === '--steps' || flag === '--batch' || flag === '--seq' || flag === '--small-frames') {
      const value = Number(argv[++i]);
      if (!Number.isInteger(value) || value < 1) throw new Error(`${flag} needs a positive integer`);
      if (flag === '--small-frames') options.smallFrames = value;
      else options[flag.slice(2) as 'steps' | 'batch' | 'seq'] = value;
    } else throw new Error(`unknown flag ${String(flag)} (known: --steps --batch --seq --small-frames, --no-small)`);
  }
  return options;
}

/**
 * Preset config with a 4096-token vocabulary and the tokenizer's special ids (0 pad … 3 video);
 * `frames` shortens the clip (same weights: pos_temporal keeps Fmax rows).
 */
function benchConfig(preset: ModelPresetName, frames?: number): ModelConfig {
  return parseModelConfig({
    ...MODEL_PRESETS[preset],
    frames: frames ?? MODEL_PRESETS[preset].frames,
    vocabSize: 4096,
    specialTokens: { pad: 0, bos: 1, eos: 2, video: 3 },
  });
}

/** B random sequences of length T: <bos>, a clip's visual tokens, text; loss on the second half. */
function benchBatch(config: ModelConfig, batchSize: number, seqLen: number, seed: number): ModelBatch {
  const random = createSeededRandom(seed);
  const nv = visualTokensPerClip(config);
  if (seqLen < nv + 4) throw new Error(`--seq ${seqLen} is too short for ${nv} visual tokens`);
  const frameBytes = config.frames * config.imageHeight * config.imageWidth * 3;
  const sequences: BatchSequence[] = [];
  for (let row = 0; row < batchSize; row++) {
    const tokenIds = [1, ...new Array<number>(nv).fill(3)];
    while (tokenIds.length < seqLen) tokenIds.push(8 + Math.floor(random.uniform() * (config.vocabSize - 8)));
    const frames = new Uint8Array(frameBytes);
    for (let i = 0; i < frames.length; i++) frames[i] = Math.floor(random.uniform() * 256);
    sequences.push({ tokenIds, videoStart: 1, lossMask: tokenIds.map((_, i) => (i >= seqLen / 2 ? 1 : 0)), frames });
  }
  return createBatch(config, sequences);
}

/** Matmul FLOPs (2·m·k·n each) of one forward of the model as implemented in model.ts. */
function forwardFlops(config: ModelConfig, batchSize: number, seqLen: number): number {
  const c = config;
  const b = batchSize;
  const np = patchesPerFrame(c);
  const clip = c.frames * np; // vision tokens per clip
  const rows = b * clip;
  const nv = visualTokensPerClip(c);
  let flops = 2 * rows * c.patchSize * c.patchSize * 3 * c.visionDim;
  const visionBlock =
    8 * rows * c.visionDim * c.visionDim + // q, k, v, o
    4 * b * clip * clip * c.visionDim + // scores and weights·v
    6 * rows * c.visionDim * c.visionMlpHidden; // SwiGLU
  flops += c.visionLayers * visionBlock;
  if (c.pool > 1) flops += 2 * b * c.frames * c.visionDim * np * visualTokensPerFrame(c);
  flops += 2 * b * nv * c.visionDim * c.dModel + 2 * b * nv * c.dModel * c.dModel;
  const n = b * seqLen;
  const dh = c.dModel / c.numHeads;
  const kv = c.numKvHeads * dh; // width of k and v (grouped-query attention: below D)
  const lmBlock =
    4 * n * c.dModel * (c.dModel + kv) + // q and o, k and v
    2 * n * (c.dModel + kv) * dh + // RoPE rotation of q and k
    4 * b * seqLen * seqLen * c.dModel + // scores and weights·v (full T×T, masked)
    6 * n * c.dModel * c.mlpHidden; // SwiGLU
  flops += c.numLayers * lmBlock + 2 * n * c.dModel * c.vocabSize; // tied head
  return flops;
}

function timeIt(run: () => void, repeats: number): number {
  run(); // warm-up: kernels compiled, buffers allocated
  const start = performance.now();
  for (let i = 0; i < repeats; i++) run();
  return (performance.now() - start) / 1000 / repeats;
}

/** GFLOP/s of tf.matMul on [m,k]·[k,n], plainly or with a transpose flag. */
function matmulGflops(m: number, k: number, n: number, flag: 'none' | 'transposeA' | 'transposeB'): number {
  const a = flag === 'transposeA' ? tf.randomNormal([k, m]) : tf.randomNormal([m, k]);
  const b = flag === 'transposeB' ? tf.randomNormal([n, k]) : tf.randomNormal([k, n]);
  const seconds = timeIt(
    () => {
      const y = tf.matMul(a, b, flag === 'transposeA', flag === 'transposeB');
      y.dataSync();
      y.dispose();
    },
    flag === 'none' ? 20 : 3,
  );
  a.dispose();
  b.dispose();
  return (2 * m * k * n) / seconds / 1e9;
}

interface Row {
  model: string;
  mode: MatMulMode;
  attention: AttentionProducts;
  shape: string;
  stepSeconds: number;
  tokensPerSecond: number;
  gflops: number;
}

function benchTraining(
  label: string,
  config: ModelConfig,
  mode: MatMulMode,
  attention: AttentionProducts,
  batchSize: number,
  seqLen: number,
  steps: number,
): Row {
  const model = TfjsModel.create(config, initWeights(config, 1), { matmul: mode, attention });
  const trainer = new Trainer(model, { learningRate: 1e-4, warmupSteps: 1, totalSteps: 100 });
  const batch = benchBatch(config, batchSize, seqLen, 7);
  const started = performance.now();
  let done = 0;
  const seconds = timeIt(() => {
    const stats = trainer.trainStep([batch]);
    done += 1;
    const elapsed = (performance.now() - started) / 1000;
    const eta = (elapsed / done) * (steps + 1 - done);
    console.log(
      `  ${label} ${mode} ${attention} step ${done}/${steps + 1}: loss ${stats.loss.toFixed(3)}, ${elapsed.toFixed(1)} s elapsed, ETA ${eta.toFixed(1)} s`,
    );
  }, steps);
  trainer.dispose();
  model.dispose();
  const flops = 3 * forwardFlops(config, batchSize, seqLen); // backward ≈ 2× forward
  return {
    model: label,
    mode,
    attention,
    shape: `B=${batchSize} T=${seqLen}`,
    stepSeconds: seconds,
    tokensPerSecond: (batchSize * seqLen) / seconds,
    gflops: flops / seconds / 1e9,
  };
}

/** Runs the benchmark and prints the table. */
export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  const options = parseArgs(argv);
  const selection = await selectBackend();
  console.log(`backend: ${selection.backendName}`);
  for (const attempt of selection.attempts)
    console.log(`  ${attempt.candidate}: ${attempt.ok ? 'ok' : `failed (${attempt.reason ?? ''})`}`);

  const ceiling = matmulGflops(512, 256, 1024, 'none');
  const flagB = matmulGflops(512, 256, 1024, 'transposeB');
  const flagA = matmulGflops(512, 256, 1024, 'transposeA');
  console.log(
    `matmul 512×256×1024: plain ${ceiling.toFixed(1)} GFLOP/s, transposeB ${flagB.toFixed(1)}, transposeA ${flagA.toFixed(1)}`,
  );

  const rows: Row[] = [];
  const variants: [MatMulMode, AttentionProducts][] = [
    ['explicit-transpose', 'per-matrix'],
    ['explicit-transpose', 'batched'],
    ['transpose-flags', 'batched'],
  ];
  for (const [mode, attention] of variants) {
    rows.push(benchTraining('tiny', benchConfig('tiny'), mode, attention, options.batch, options.seq, options.steps));
  }
  if (options.small) {
    // The 32-bit wasm heap cannot hold the activations of a full 16-frame clip (784 visual
    // tokens, abort seen); a shorter clip of the same model fits.
    const config = benchConfig('small', options.smallFrames);
    const label = `small, ${config.frames} frames`;
    rows.push(benchTraining(label, config, 'explicit-transpose', 'per-matrix', 1, visualTokensPerClip(config) + 64, 1));
  }

  console.log('\n| model | matmul | attention | batch | step (s) | tokens/s | GFLOP/s | % of plain matmul |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const row of rows) {
    const share = ((100 * row.gflops) / ceiling).toFixed(0);
    console.log(
      `| ${row.model} | ${row.mode} | ${row.attention} | ${row.shape} | ${row.stepSeconds.toFixed(3)} | ${row.tokensPerSecond.toFixed(0)} | ${row.gflops.toFixed(2)} | ${share} % |`,
    );
  }
  const [perMatrix, batched, flags] = rows;
  if (perMatrix !== undefined && batched !== undefined && flags !== undefined) {
    const gain = (slow: Row, fast: Row): string => (slow.stepSeconds / fast.stepSeconds).toFixed(1);
    console.log(`\ntiny step speed-up of the explicit-transpose matmul: ${gain(flags, batched)}×`);
    console.log(`tiny step speed-up of per-matrix attention: ${gain(batched, perMatrix)}×`);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await main();
}
