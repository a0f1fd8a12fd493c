/**
 * Benchmark of the synthetic benchmark's generator: clips per minute for each stage (simulate and
 * write questions; + render frames in memory; the dataset writer without encoding; the writer with
 * h264 mp4 encoding at several concurrencies), on this machine's cores.
 *
 * Run after the build:
 *   node libs/data/dist/bench/world.js [--clips 400] [--encode-clips 120] [--concurrency 1,2,3] [--difficulty medium]
 * Prints figures, asserts nothing.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { generateDataset } from '../world/dataset-writer.js';
import { renderScene } from '../world/render.js';
import { generateClip } from '../world/world-clip.js';
import { DIFFICULTIES, parseSyntheticOptions, type Difficulty } from '../world/world-options.js';

/** What the benchmark measures. */
export interface WorldBenchOptions {
  /** Clips for the in-memory stages and the scenes-only writer. Default 400. */
  clips: number;
  /** Clips per encoding run. Default 120. */
  encodeClips: number;
  /** Concurrencies of the encoding runs. Default 1, 2, 3. */
  concurrency: number[];
  difficulty: Difficulty;
}

/** Parses `--clips`, `--encode-clips`, `--concurrency` and `--difficulty`; throws naming a bad flag. */
export function parseBenchArgs(args: string[]): WorldBenchOptions {
  const { values } = parseArgs({
    args,
    options: {
      clips: { type: 'string', default: '400' },
      'encode-clips': { type: 'string', default: '120' },
      concurrency: { type: 'string', default: '1,2,3' },
      difficulty: { type: 'string', default: 'medium' },
    },
  });
  const positive = (flag: string, text: string): number => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < 1) throw new Error(`--${flag}: expected a positive integer, got "${text}"`);
    return value;
  };
  if (!(DIFFICULTIES as readonly string[]).includes(values.difficulty)) {
    throw new Error(`--difficulty: expected one of ${DIFFICULTIES.join(', ')}`);
  }
  return {
    clips: positive('clips', values.clips),
    encodeClips: positive('encode-clips', values['encode-clips']),
    concurrency: values.concurrency.split(',').map((c) => positive('concurrency', c)),
    difficulty: values.difficulty as Difficulty,
  };
}

/**
 * CPU seconds used so far by this process and its finished children (ffmpeg), from
 * process.cpuUsage and /proc/self/stat fields 16–17 (cutime, cstime, in USER_HZ = 100 ticks/s on
 * Linux). Undefined where /proc is missing. Under a loaded machine wall time says little; CPU per
 * clip says what free cores would give.
 */
function cpuSeconds(): number | undefined {
  let stat: string;
  try {
    stat = readFileSync('/proc/self/stat', 'utf8');
  } catch {
    return undefined;
  }
  // Fields after the parenthesised command name, which may itself contain spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const childTicks = Number(fields[13]) + Number(fields[14]); // fields 16 and 17, 1-based, minus the first two
  const own = process.cpuUsage();
  return (own.user + own.system) / 1e6 + childTicks / 100;
}

/** Runs `work` and returns its wall milliseconds and CPU seconds (own + children). */
async function measure(work: () => unknown): Promise<{ ms: number; cpu: number | undefined }> {
  const cpu0 = cpuSeconds();
  const t0 = performance.now();
  await work();
  const ms = performance.now() - t0;
  const cpu1 = cpuSeconds();
  return { ms, cpu: cpu0 === undefined || cpu1 === undefined ? undefined : cpu1 - cpu0 };
}

function report(stage: string, clips: number, ms: number, extra = ''): void {
  const perMinute = (clips / ms) * 60_000;
  console.log(
    `${stage.padEnd(44)} ${String(clips).padStart(5)} clips  ${(ms / 1000).toFixed(2).padStart(7)} s  ` +
      `${perMinute.toFixed(0).padStart(8)} clips/min  ${(ms / clips).toFixed(2).padStart(7)} ms/clip${extra}`,
  );
}

/** Runs every stage and prints one line per stage. */
export async function main(args: string[] = process.argv.slice(2)): Promise<void> {
  const options = parseBenchArgs(args);
  const synthetic = parseSyntheticOptions({ difficulty: options.difficulty });
  const { world } = synthetic;
  console.log(
    `synthetic world benchmark: ${world.width}×${world.height} at ${world.fps} fps, ${world.minDurationSec}–${world.maxDurationSec} s, ` +
      `${options.difficulty}, ${synthetic.questions.questionsPerClip} questions/clip, ${availableParallelism()} cores`,
  );

  const cores = availableParallelism();
  const cpuNote = (cpu: number | undefined, clips: number): string =>
    cpu === undefined
      ? ''
      : `  cpu ${((cpu / clips) * 1000).toFixed(1)} ms/clip → ${((cores * 60) / (cpu / clips)).toFixed(0)} clips/min on ${cores} free cores`;
  let frames = 0;
  let run = await measure(() => {
    for (let i = 0; i < options.clips; i += 1) frames += generateClip('train', i, synthetic).scene.frameCount;
  });
  report('simulate + questions', options.clips, run.ms, `  (${(frames / options.clips).toFixed(1)} frames/clip)`);

  let bytes = 0;
  run = await measure(() => {
    for (let i = 0; i < options.clips; i += 1)
      bytes += renderScene(generateClip('train', i, synthetic).scene).data.length;
  });
  report('simulate + questions + render', options.clips, run.ms, `  (${(bytes / 2 ** 20).toFixed(0)} MiB of frames)`);

  const dir = await mkdtemp(join(tmpdir(), 'vrft-world-bench-'));
  try {
    run = await measure(() =>
      generateDataset({
        outDir: join(dir, 'scenes-only'),
        count: options.clips,
        encode: false,
        synthetic: { difficulty: options.difficulty },
      }),
    );
    report('dataset writer, no encoding (scenes + JSONL)', options.clips, run.ms, cpuNote(run.cpu, options.clips));
    for (const concurrency of options.concurrency) {
      run = await measure(() =>
        generateDataset({
          outDir: join(dir, `mp4-${concurrency}`),
          count: options.encodeClips,
          concurrency,
          synthetic: { difficulty: options.difficulty },
        }),
      );
      report(
        `dataset writer, h264 mp4, concurrency ${concurrency}`,
        options.encodeClips,
        run.ms,
        cpuNote(run.cpu, options.encodeClips),
      );
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  console.log('(clips/min columns are wall-clock on this machine as loaded now; cpu columns exclude other load)');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
