// How long the encoder holds the caller's event loop (node libs/dual-encoder/dist/bench/loop-lag.js,
// after node tools/build.mjs):
//   node libs/dual-encoder/dist/bench/loop-lag.js [--rounds N] [--frames F] [--texts G] [--encoder DIR]
// Encodes N rounds of one reward group (F frames and G description texts, side by side, as the
// reward-model does) with the sessions on the calling thread, then in one worker thread, and
// prints the event-loop delay (p99 and max, from perf_hooks) and encode throughput of each. The
// calling-thread figures are the ceiling: there every session.run holds the loop for its length.
// Without --encoder an untrained encoder of the default size is used (speed does not depend on training).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { trainBpe } from '@vrft/tokenizer';
import { parseEncoderConfig } from '../encoder-config.js';
import { initEncoderWeights } from '../encoder-weights.js';
import { saveEncoderCheckpoint } from '../encoder-checkpoint.js';
import { generateFramePairs } from '../frame-pairs.js';
import { OnnxDualEncoder } from '../onnx-dual-encoder.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '20' },
    frames: { type: 'string', default: '16' },
    texts: { type: 'string', default: '8' },
    encoder: { type: 'string' },
  },
});
const rounds = Number(values.rounds);
const F = Number(values.frames);
const G = Number(values.texts);

async function defaultEncoder(dir: string): Promise<string> {
  const tokenizer = trainBpe(['A red circle at the top left moving right. The sign reads EXIT 3.'], { vocabSize: 400 });
  const config = parseEncoderConfig({ vocabSize: tokenizer.vocabSize, padId: tokenizer.specialId('pad') });
  const path = join(dir, 'encoder');
  await saveEncoderCheckpoint(path, { config, weights: initEncoderWeights(config, 1), tokenizer, metadata: {} });
  return path;
}

interface Row {
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly groupsPerSec: number;
}

async function measure(dir: string, workers: number): Promise<Row> {
  const encoder = await OnnxDualEncoder.open({ dir, workers, intraOpThreads: 1 });
  try {
    const s = encoder.imageSize;
    const pairs = generateFramePairs({ split: 'validation', clips: F, framesPerClip: 1, imageSize: s });
    const frames = { data: pairs.frames, shape: [F, s, s, 3] as const };
    const texts = Array.from({ length: G }, (_, i) => pairs.texts[i % pairs.texts.length] as string);
    await Promise.all([encoder.encodeFrames(frames), encoder.encodeTexts(texts)]); // warm-up
    const lag = monitorEventLoopDelay({ resolution: 1 });
    lag.enable();
    const started = performance.now();
    for (let round = 0; round < rounds; round++) {
      await Promise.all([encoder.encodeFrames(frames), encoder.encodeTexts(texts)]);
    }
    const seconds = (performance.now() - started) / 1000;
    lag.disable();
    // The histogram is in nanoseconds.
    return { p99Ms: lag.percentile(99) / 1e6, maxMs: lag.max / 1e6, groupsPerSec: rounds / seconds };
  } finally {
    await encoder.close();
  }
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'vrft-loop-lag-'));
  try {
    const encoderDir = values.encoder ?? (await defaultEncoder(dir));
    console.log(`loop lag: ${rounds} rounds of ${F} frames + ${G} frame descriptions, encoder ${encoderDir}`);
    const inThread = await measure(encoderDir, 0);
    const worker = await measure(encoderDir, 1);
    for (const [label, row] of [
      ['calling thread (ceiling)', inThread],
      ['one worker thread', worker],
    ] as const) {
      console.log(
        `${label.padEnd(26)} event-loop lag p99 ${row.p99Ms.toFixed(1).padStart(6)} ms  max ${row.maxMs.toFixed(1).padStart(6)} ms  ` +
          `${row.groupsPerSec.toFixed(1)} groups/s`,
      );
    }
    console.log(
      `ratio: the worker path holds the loop ${(inThread.p99Ms / worker.p99Ms).toFixed(1)}× less at p99 ` +
        `(${(inThread.maxMs / worker.maxMs).toFixed(1)}× at max), at ${(worker.groupsPerSec / inThread.groupsPerSec).toFixed(2)}× the throughput`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
