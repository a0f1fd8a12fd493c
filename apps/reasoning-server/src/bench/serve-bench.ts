/**
 * Load generator of the reasoning-server (`npm run bench:serve`): it writes a random-weight
 * checkpoint of a preset (`tiny` by default), starts the built server as a child process and
 * drives N concurrent GenerateStream calls over real gRPC (a question with a video clip each,
 * sampled at the model's frame count or at `--frames`).
 *
 *   1. Throughput at N clients with continuous batching, and with batching off (max batch 1),
 *      in the same run; p50/p99 time to first token and total latency.
 *   2. The server's overhead against the in-process engine on the same prompts and N.
 *   3. Soak: M streams for S seconds against the batching server: status codes (only
 *      RESOURCE_EXHAUSTED sheds are acceptable) and the server's resident memory over time.
 *
 * Run after the build: `node apps/reasoning-server/dist/bench/serve-bench.js [--preset tiny|small]
 * [--frames F] [--clients 64] [--seconds 15] [--new-tokens 64] [--soak-clients 200]
 * [--soak-seconds 60] [--threads N]`. SERVE_BENCH_NODE_FLAGS adds Node flags to the server
 * process (e.g. `--cpu-prof --cpu-prof-dir=DIR` to profile its main thread under this load).
 * Prints tables; asserts nothing.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildPrompt } from '@vrft/data';
import { OrtEngine } from '@vrft/engine-ort';
import { Code, RpcError, createClient } from '@vrft/grpc';
import { loadConfig } from '@vrft/config';
import { buildInputSequence, loadCheckpoint, visualTokensPerFrame } from '@vrft/model';
import { ProblemType, ReasoningService } from '@vrft/proto';
import { encodeFramesToVideo, VideoReader } from '@vrft/video';
import { VIDEO_PREFIX } from '../generation/query-input.js';
import { reasoningServerConfigSchema } from '../reasoning-server.config.js';
import { writeRandomCheckpoint } from '@vrft/model';

/** Benchmark settings. */
export interface ServeBenchOptions {
  /** Size preset of the random checkpoint. */
  readonly preset: 'tiny' | 'small';
  /** Frames sampled per clip (0 = the model's default). */
  readonly frames: number;
  readonly clients: number;
  readonly seconds: number;
  readonly newTokens: number;
  readonly soakClients: number;
  readonly soakSeconds: number;
  readonly threads: number;
}

const DEFAULTS: ServeBenchOptions = {
  preset: 'tiny',
  frames: 0,
  clients: 64,
  seconds: 15,
  newTokens: 64,
  soakClients: 200,
  soakSeconds: 60,
  threads: availableParallelism(),
};

/** Reads the flags above; throws naming a bad flag. */
export function parseServeBenchOptions(argv: readonly string[]): ServeBenchOptions {
  const options: { -readonly [K in keyof ServeBenchOptions]: ServeBenchOptions[K] } = { ...DEFAULTS };
  const names: Record<string, Exclude<keyof ServeBenchOptions, 'preset'>> = {
    frames: 'frames',
    clients: 'clients',
    seconds: 'seconds',
    'new-tokens': 'newTokens',
    'soak-clients': 'soakClients',
    'soak-seconds': 'soakSeconds',
    threads: 'threads',
  };
  for (let i = 0; i < argv.length; i += 2) {
    const flag = (argv[i] ?? '').replace(/^--/, '');
    if (flag === 'preset') {
      const preset = argv[i + 1];
      if (preset !== 'tiny' && preset !== 'small') throw new Error(`--preset: expected tiny or small, got ${preset}`);
      options.preset = preset;
      continue;
    }
    const key = names[flag];
    const value = Number(argv[i + 1]);
    if (!key) throw new Error(`unknown flag --${flag}`);
    if (!Number.isInteger(value) || value < (key === 'soakSeconds' || key === 'frames' ? 0 : 1)) {
      throw new Error(`--${flag}: expected a positive integer, got ${String(argv[i + 1])}`);
    }
    options[key] = value;
  }
  return options;
}

const QUESTIONS = [
  'How many objects are visible at the end of the video?',
  'Which way does the red ball move?',
  'What colour is the square that enters from the right?',
  'What number does the counter show?',
];

/** One finished or failed stream. */
interface StreamSample {
  readonly code: string;
  readonly ttftMs: number;
  readonly totalMs: number;
  readonly tokens: number;
}

function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
}

/** A short clip per question (different pixels, so the feature cache holds four clips). */
async function makeClips(): Promise<Uint8Array[]> {
  const size = 64;
  return Promise.all(
    QUESTIONS.map((_, seed) => {
      const frames = 8;
      const data = new Uint8Array(frames * size * size * 3);
      for (let i = 0; i < data.length; i++) data[i] = (i * (7 + seed) + Math.floor(i / 3000) * 31) & 255;
      return encodeFramesToVideo({ data, shape: [frames, size, size, 3] }, { fps: 8, codec: 'h264', container: 'mp4' });
    }),
  );
}

/** The server as a child process; resolves once it logged "ready" (model loaded). */
async function startServer(
  checkpointDir: string,
  env: Record<string, string>,
): Promise<{ child: ChildProcess; address: string }> {
  const main = fileURLToPath(new URL('../main.js', import.meta.url));
  const child = spawn(
    process.execPath,
    // eslint-disable-next-line no-restricted-syntax -- a profiling knob of this benchmark, not service config
    [...(process.env.SERVE_BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean), main],
    {
      env: {
        // eslint-disable-next-line no-restricted-syntax -- the child needs PATH (ffmpeg) like any process
        ...process.env,
        VRFT_GRPC__PORT: '0',
        VRFT_TELEMETRY__LOG_LEVEL: 'info', // the "ready" line is info
        VRFT_MODEL__CHECKPOINT_DIR: checkpointDir,
        VRFT_SHUTDOWN__GRACE_MS: '2000',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const port = await new Promise<number>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.on('line', (line) => {
      try {
        const parsed = JSON.parse(line) as { msg?: string; grpcPort?: number };
        if (parsed.msg === 'reasoning-server ready' && typeof parsed.grpcPort === 'number') resolve(parsed.grpcPort);
      } catch {
        // not a log line
      }
    });
    child.once('exit', (code) => reject(new Error(`the server exited with code ${code} before it was ready`)));
  });
  return { child, address: `127.0.0.1:${port}` };
}

async function stopServer(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** Resident memory of a process from /proc (Linux), in bytes. */
async function residentBytes(pid: number | undefined): Promise<number> {
  if (pid === undefined) return Number.NaN;
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kb = /VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1];
  return kb ? Number(kb) * 1024 : Number.NaN;
}

/** Drives `clients` concurrent stream loops for `seconds`; returns every stream's outcome. */
async function drive(
  address: string,
  clips: readonly Uint8Array[],
  clients: number,
  seconds: number,
  options: ServeBenchOptions,
  label: string,
): Promise<{ samples: StreamSample[]; wallSeconds: number }> {
  const { newTokens, frames } = options;
  const channels = Array.from({ length: Math.max(1, Math.ceil(clients / 50)) }, () =>
    createClient(ReasoningService, { address, defaultTimeoutMs: 120_000 }),
  );
  const samples: StreamSample[] = [];
  const started = performance.now();
  const end = started + seconds * 1000;
  const progress = setInterval(() => {
    const elapsed = (performance.now() - started) / 1000;
    const tokens = samples.reduce((n, s) => n + s.tokens, 0);
    process.stderr.write(
      `\r${label}: ${elapsed.toFixed(0)}/${seconds} s, ${samples.length} streams, ${(tokens / elapsed).toFixed(0)} tokens/s, ETA ${Math.max(0, seconds - elapsed).toFixed(0)} s   `,
    );
  }, 1000);
  let seed = 0;
  const loop = async (client: number): Promise<void> => {
    const channel = channels[client % channels.length] as (typeof channels)[number];
    while (performance.now() < end) {
      const which = seed % QUESTIONS.length;
      const request = {
        query: {
          question: QUESTIONS[which] as string,
          problemType: ProblemType.FREE_FORM,
          video: {
            source: { case: 'inlineBytes' as const, value: clips[which] as Uint8Array },
            ...(frames > 0 ? { sampling: { numFrames: frames } } : {}),
          },
          sampling: { temperature: 1, seed: BigInt(++seed), maxNewTokens: newTokens },
        },
      };
      const t0 = performance.now();
      let ttft = Number.NaN;
      let tokens = 0;
      try {
        for await (const message of channel.generateStream(request)) {
          if (message.event.case === 'delta') {
            if (Number.isNaN(ttft)) ttft = performance.now() - t0;
          } else if (message.event.case === 'final') {
            tokens = message.event.value.usage?.completionTokens ?? 0;
          }
        }
        samples.push({ code: 'OK', ttftMs: ttft, totalMs: performance.now() - t0, tokens });
      } catch (error) {
        const code = error instanceof RpcError ? error.codeName : 'CLIENT_ERROR';
        samples.push({ code, ttftMs: Number.NaN, totalMs: performance.now() - t0, tokens: 0 });
        // A shed call backs off a little before trying again, as a well-behaved client does.
        if (error instanceof RpcError && error.code === Code.RESOURCE_EXHAUSTED) {
          await new Promise((resolve) => setTimeout(resolve, 20 + Math.random() * 80));
        }
      }
    }
  };
  await Promise.all(Array.from({ length: clients }, (_, i) => loop(i)));
  clearInterval(progress);
  process.stderr.write('\n');
  for (const channel of channels) channel.close();
  return { samples, wallSeconds: (performance.now() - started) / 1000 };
}

interface Summary {
  readonly tokensPerSecond: number;
  readonly streams: number;
  readonly ttftP50: number;
  readonly ttftP99: number;
  readonly totalP50: number;
  readonly totalP99: number;
  readonly codes: Record<string, number>;
}

function summarise(samples: readonly StreamSample[], wallSeconds: number): Summary {
  const ok = samples.filter((s) => s.code === 'OK');
  const codes: Record<string, number> = {};
  for (const s of samples) codes[s.code] = (codes[s.code] ?? 0) + 1;
  return {
    tokensPerSecond: ok.reduce((n, s) => n + s.tokens, 0) / wallSeconds,
    streams: ok.length,
    ttftP50: percentile(
      ok.map((s) => s.ttftMs),
      50,
    ),
    ttftP99: percentile(
      ok.map((s) => s.ttftMs),
      99,
    ),
    totalP50: percentile(
      ok.map((s) => s.totalMs),
      50,
    ),
    totalP99: percentile(
      ok.map((s) => s.totalMs),
      99,
    ),
    codes,
  };
}

/** The same workload on the engine in this process: N concurrent streams of the same prompts. */
async function driveInProcess(
  checkpointDir: string,
  clips: readonly Uint8Array[],
  options: ServeBenchOptions,
): Promise<number> {
  // The server's own engine settings (its config defaults), so only the server's work differs.
  const served = loadConfig(reasoningServerConfigSchema, { env: {} }).model;
  const engine = await OrtEngine.open(
    { kind: 'checkpoint', dir: checkpointDir },
    {
      maxBatchSize: options.clients,
      maxQueue: options.clients,
      intraOpThreads: options.threads,
      maxPrefillTokens: served.maxPrefillTokens,
      cacheBlock: served.cacheBlock,
      streamIntervalMs: served.streamIntervalMs,
    },
  );
  try {
    const { config, tokenizer } = engine;
    const frames = options.frames > 0 ? options.frames : config.frames;
    // Visual tokens of each clip once (the server's feature cache does the same), at the model's size.
    const reader = new VideoReader();
    const visual = await Promise.all(
      clips.map(async (clip) => {
        const decoded = await reader.decodeFrames(clip, {
          numFrames: frames,
          width: config.imageWidth,
          height: config.imageHeight,
        });
        return (await engine.encodeClips([{ frames: decoded.data, frameCount: decoded.shape[0] }])).results[0];
      }),
    );
    const prompts = QUESTIONS.map(
      (question) =>
        buildInputSequence(
          tokenizer,
          `${VIDEO_PREFIX}${buildPrompt({ question, problemType: ProblemType.FREE_FORM, options: [] })}`,
          frames * visualTokensPerFrame(config),
        ).tokenIds,
    );
    let tokens = 0;
    let seed = 0;
    const started = performance.now();
    const end = started + options.seconds * 1000;
    const loop = async (): Promise<void> => {
      while (performance.now() < end) {
        const which = seed % QUESTIONS.length;
        const events = engine.generateStream({
          promptIds: prompts[which] as number[],
          visualTokens: visual[which] as Float32Array,
          sampling: { temperature: 1, seed: ++seed, maxNewTokens: options.newTokens },
        });
        for await (const event of events)
          if (event.type === 'done') tokens += event.result.completions[0]?.tokenIds.length ?? 0;
      }
    };
    await Promise.all(Array.from({ length: options.clients }, loop));
    return tokens / ((performance.now() - started) / 1000);
  } finally {
    await engine.close();
  }
}

function row(label: string, s: Summary): string {
  const f = (ms: number) => (Number.isNaN(ms) ? '–' : `${ms.toFixed(0)}`);
  return `${label} | ${s.tokensPerSecond.toFixed(0)} | ${s.streams} | ${f(s.ttftP50)} / ${f(s.ttftP99)} | ${f(s.totalP50)} / ${f(s.totalP99)} | ${JSON.stringify(s.codes)}`;
}

/** Runs the benchmark and prints its tables. */
export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  const options = parseServeBenchOptions(argv);
  const dir = await mkdtemp(join(tmpdir(), 'vrft-serve-bench-'));
  const started = performance.now();
  try {
    // The tokenizer learns the prompt template's and the questions' wording, as one trained on
    // the task's text does: a prompt's text is then ≈ 70 tokens instead of ≈ 200 near-byte ones.
    const template = `${VIDEO_PREFIX}${buildPrompt({ question: 'What happens in the video?', problemType: ProblemType.FREE_FORM, options: [] })}`;
    const checkpointDir = await writeRandomCheckpoint(join(dir, 'checkpoint'), {
      preset: options.preset,
      seed: 1,
      corpus: [template, ...QUESTIONS],
    });
    const { config, tokenizer } = await loadCheckpoint(checkpointDir);
    const clips = await makeClips();
    const threads = String(options.threads);
    const frames = options.frames > 0 ? options.frames : config.frames;
    const visualTokens = frames * visualTokensPerFrame(config);
    const promptLengths = QUESTIONS.map(
      (question) =>
        buildInputSequence(
          tokenizer,
          `${VIDEO_PREFIX}${buildPrompt({ question, problemType: ProblemType.FREE_FORM, options: [] })}`,
          visualTokens,
        ).tokenIds.length,
    );
    console.log(
      `\nServing benchmark: ${options.preset} preset (V = ${config.vocabSize}, context ${config.contextLength}), ${frames} frames = ${visualTokens} visual tokens per clip, ` +
        `prompts of ${promptLengths.join('/')} positions, ${options.newTokens} new tokens at τ = 1, ${options.clients} concurrent GenerateStream clients over gRPC, ` +
        `${options.seconds} s per row, ${threads} onnxruntime threads`,
    );
    // The in-process row runs right before the batching server's, so the overhead compares two
    // neighbouring measurements on a machine whose load drifts.
    const inProcess = await driveInProcess(checkpointDir, clips, options);
    const runs: [string, Summary][] = [];
    for (const [label, batch] of [
      ['continuous batching (max batch 64)', 64],
      ['batching off (max batch 1)', 1],
    ] as const) {
      const server = await startServer(checkpointDir, {
        VRFT_MODEL__MAX_BATCH_SIZE: String(batch),
        VRFT_MODEL__MAX_QUEUE: String(options.clients),
        VRFT_MODEL__INTRA_OP_THREADS: threads,
      });
      try {
        const { samples, wallSeconds } = await drive(
          server.address,
          clips,
          options.clients,
          options.seconds,
          options,
          label,
        );
        runs.push([label, summarise(samples, wallSeconds)]);
      } finally {
        await stopServer(server.child);
      }
    }
    console.log('\nmode | tokens/s | streams | TTFT p50 / p99 ms | latency p50 / p99 ms | statuses');
    console.log('--- | --- | --- | --- | --- | ---');
    for (const [label, summary] of runs) console.log(row(label, summary));
    console.log(
      `in-process engine (same prompts, ${options.clients} streams) | ${inProcess.toFixed(0)} | – | – | – | –`,
    );
    const batched = runs[0]?.[1].tokensPerSecond ?? 0;
    const unbatched = runs[1]?.[1].tokensPerSecond ?? Number.NaN;
    console.log(`\nbatching speed-up: ${(batched / unbatched).toFixed(1)}× (goal ≥ 5×)`);
    console.log(
      `server overhead vs in-process engine: ${((1 - batched / inProcess) * 100).toFixed(1)} % (goal ≤ 15 %)`,
    );

    if (options.soakSeconds > 0) {
      const server = await startServer(checkpointDir, {
        VRFT_MODEL__MAX_BATCH_SIZE: '64',
        VRFT_MODEL__MAX_QUEUE: '64',
        VRFT_MODEL__INTRA_OP_THREADS: threads,
      });
      const memory: number[] = [await residentBytes(server.child.pid)];
      const sampler = setInterval(() => {
        void residentBytes(server.child.pid).then((bytes) => memory.push(bytes));
      }, 1000);
      try {
        const { samples, wallSeconds } = await drive(
          server.address,
          clips,
          options.soakClients,
          options.soakSeconds,
          options,
          'soak',
        );
        clearInterval(sampler);
        memory.push(await residentBytes(server.child.pid));
        const summary = summarise(samples, wallSeconds);
        const others = Object.entries(summary.codes).filter(([code]) => code !== 'OK' && code !== 'RESOURCE_EXHAUSTED');
        const tenth = Math.max(1, Math.floor(memory.length / 10));
        console.log(`\nSoak: ${options.soakClients} streams for ${options.soakSeconds} s (max batch 64, queue 64)`);
        console.log('statuses | tokens/s | TTFT p50 / p99 ms | RSS start | RSS max | RSS mean of first / last 10 %');
        console.log('--- | --- | --- | --- | --- | ---');
        const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
        console.log(
          `${JSON.stringify(summary.codes)} | ${summary.tokensPerSecond.toFixed(0)} | ${summary.ttftP50.toFixed(0)} / ${summary.ttftP99.toFixed(0)} | ` +
            `${mib(memory[0] as number)} | ${mib(Math.max(...memory))} | ${mib(mean(memory.slice(0, tenth)))} / ${mib(mean(memory.slice(-tenth)))}`,
        );
        const timeline = memory.filter((_, i) => i % 10 === 0).map(mib);
        console.log(`RSS every 10 s: ${timeline.join(' → ')}`);
        console.log(
          others.length === 0
            ? 'no status other than OK and RESOURCE_EXHAUSTED'
            : `UNEXPECTED statuses: ${JSON.stringify(others)}`,
        );
      } finally {
        clearInterval(sampler);
        await stopServer(server.child);
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
    console.error(`\ndone in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
