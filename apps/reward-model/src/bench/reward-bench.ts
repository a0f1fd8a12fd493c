// Benchmark of the RewardService's scoring path (npm run bench:reward):
//   node apps/reward-model/dist/bench/reward-bench.js [--encoder DIR] [--groups N] [--frames F] [--group-size G] [--workers W]
// Scores groups of G completions with F frames from real h264 clips of the synthetic world, the
// way the service does (decode once per group, one image-encoder batch, one text batch), then the
// same completions with the frames decoded and encoded once per completion; prints completions/s
// of both, the ratio, the share of time spent in each stage (from the service's own metrics) and
// how long the event loop was held (p99 and max of its delay).
// Without --encoder an untrained encoder of the default size is used (speed does not depend on training).
// --workers: encoder worker threads (default 1; 0 runs the sessions on the event-loop thread).
import 'reflect-metadata';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { create } from '@bufbuild/protobuf';
import { loadConfig } from '@vrft/config';
import { generateClip, parseSyntheticOptions, renderScene } from '@vrft/data';
import { initEncoderWeights, parseEncoderConfig, saveEncoderCheckpoint } from '@vrft/dual-encoder';
import { ProblemType, ScoreRequestSchema, type ScoreRequest } from '@vrft/proto';
import { trainBpe } from '@vrft/tokenizer';
import { encodeFramesToVideo } from '@vrft/video';
import { Registry } from 'prom-client';
import { rewardModelConfigSchema } from '../reward-model.config.js';
import { RewardScoringService } from '../reward-scoring.service.js';

const { values } = parseArgs({
  options: {
    encoder: { type: 'string' },
    groups: { type: 'string', default: '12' },
    frames: { type: 'string', default: '16' },
    'group-size': { type: 'string', default: '8' },
    workers: { type: 'string', default: '1' },
  },
});
const groups = Number(values.groups);
const F = Number(values.frames);
const G = Number(values['group-size']);

async function defaultEncoder(dir: string): Promise<string> {
  const tokenizer = trainBpe(['A red circle at the top left moving right. The sign reads EXIT 3.'], { vocabSize: 400 });
  const config = parseEncoderConfig({ vocabSize: tokenizer.vocabSize, padId: tokenizer.specialId('pad') });
  const path = join(dir, 'encoder');
  await saveEncoderCheckpoint(path, { config, weights: initEncoderWeights(config, 1), tokenizer, metadata: {} });
  return path;
}

function completionText(i: number): string {
  const colours = ['red', 'blue', 'green', 'yellow', 'purple', 'orange', 'cyan', 'white'];
  return (
    `<think>Let me watch the clip. A ${colours[i % 8]} circle at the top left moving right and a square in the centre ` +
    `standing still. The sign reads EXIT ${i}. So the answer is B.</think><answer>B</answer>`
  );
}

function request(video: Uint8Array, size: number, offset = 0): ScoreRequest {
  return create(ScoreRequestSchema, {
    problemType: ProblemType.MULTIPLE_CHOICE,
    solution: 'B',
    video: { source: { case: 'inlineBytes', value: video } },
    completions: Array.from({ length: size }, (_, i) => ({ text: completionText(i + offset) })),
  });
}

function stageSums(registry: Registry): Promise<Record<string, number>> {
  return registry
    .getSingleMetric('vrft_reward_stage_seconds')!
    .get()
    .then((metric) => {
      const sums: Record<string, number> = {};
      for (const v of metric.values) {
        if (String((v as { metricName?: string }).metricName).endsWith('_sum'))
          sums[String(v.labels['stage'])] = v.value;
      }
      return sums;
    });
}

async function measure(label: string, run: () => Promise<void>, registry: Registry, completions: number) {
  const before = await stageSums(registry);
  // How long the event loop was held: with the encoder on the event-loop thread every session.run
  // holds it for the whole run; in a worker only the main thread's own work does.
  const lag = monitorEventLoopDelay({ resolution: 1 });
  lag.enable();
  const started = performance.now();
  await run();
  const seconds = (performance.now() - started) / 1000;
  lag.disable();
  const after = await stageSums(registry);
  const stage = (name: string) => (after[name] ?? 0) - (before[name] ?? 0);
  const encoder = stage('encode_frames') + stage('encode_texts');
  const row = {
    label,
    completionsPerSec: completions / seconds,
    seconds,
    decodeShare: stage('decode') / seconds,
    encoderShare: encoder / seconds,
    encodeFramesSec: stage('encode_frames'),
    encodeTextsSec: stage('encode_texts'),
    // histogram figures are nanoseconds
    loopLagMaxMs: lag.max / 1e6,
    loopLagP99Ms: lag.percentile(99) / 1e6,
  };
  console.log(
    `${label.padEnd(34)} ${row.completionsPerSec.toFixed(1).padStart(7)} completions/s  ` +
      `decode ${(100 * row.decodeShare).toFixed(0)}%  encoder ${(100 * row.encoderShare).toFixed(0)}% ` +
      `(frames ${row.encodeFramesSec.toFixed(2)} s, texts ${row.encodeTextsSec.toFixed(2)} s)  wall ${seconds.toFixed(2)} s  ` +
      `event-loop lag p99 ${row.loopLagP99Ms.toFixed(1)} ms, max ${row.loopLagMaxMs.toFixed(1)} ms`,
  );
  return row;
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'vrft-reward-bench-'));
  try {
    const encoderDir = values.encoder ?? (await defaultEncoder(dir));
    // A fresh clip per group: the frame cache is off, so every group really decodes its video.
    const options = parseSyntheticOptions({});
    const clips: Uint8Array[] = [];
    for (let g = 0; g < groups; g++) {
      const clip = generateClip('test', 100 + g, options);
      clips.push(
        await encodeFramesToVideo(renderScene(clip.scene), { fps: clip.scene.fps, codec: 'h264', container: 'mp4' }),
      );
    }
    const env = {
      VRFT_REWARD__ENCODER__DIR: encoderDir,
      VRFT_REWARD__ENCODER__INTRA_OP_THREADS: '0',
      VRFT_REWARD__ENCODER__WORKERS: values.workers,
      VRFT_REWARD__VIDEO__CACHE_MAX_BYTES: '0',
      VRFT_REWARD__RECIPE: JSON.stringify({ numFrames: F }),
      VRFT_TELEMETRY__LOG_LEVEL: 'error',
    };
    const registry = new Registry();
    const service = new RewardScoringService(loadConfig(rewardModelConfigSchema, { env }), registry);
    await service.onModuleInit();
    console.log(
      `reward bench: ${groups} groups × ${G} completions, F = ${F} frames, encoder ${encoderDir}, ${values.workers} encoder worker(s)`,
    );
    await service.score(request(clips[0] as Uint8Array, G)); // warm-up: sessions, ffmpeg
    const grouped = await measure(
      'per group (decode + encode once)',
      async () => {
        for (const clip of clips) await service.score(request(clip, G));
      },
      registry,
      groups * G,
    );
    const single = await measure(
      'per completion (decode + encode ×G)',
      async () => {
        for (const clip of clips) for (let i = 0; i < G; i++) await service.score(request(clip, 1, i));
      },
      registry,
      groups * G,
    );
    console.log(
      `ratio: ${(grouped.completionsPerSec / single.completionsPerSec).toFixed(2)}× more completions/s when the video is decoded and encoded once per group`,
    );
    await service.onModuleDestroy();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
