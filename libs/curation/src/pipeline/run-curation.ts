/**
 * The curation runner: reads a dataset's samples and takes each through describe → draft →
 * revise → filter, `concurrency` samples at a time. Each stage's output is one fsync'd JSONL line
 * in OUT/stages/<stage>.jsonl (describe keyed by clip path — questions share a clip — the others
 * by problem id), so the run can be killed at any moment and restarted: finished samples are
 * skipped, a half-done sample resumes at its first missing stage, and nothing is written twice.
 * Failures (a remote call out of retries, an unusable answer, an unreadable clip) are recorded
 * against the sample and the stage, and reported. At the end the CoT-SFT and RL JSONL files and
 * the report are written from the stage files (so they also cover earlier, resumed runs).
 * OUT/run.json ties the work directory to its samples and settings (see run-manifest.ts).
 */
import { mkdir } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { readSamples, type VideoSample } from '@vrft/data';
import { CurationOptionsError, describeError } from '../errors.js';
import { DatasetFrameSource, type FrameSet, type FrameSource } from '../frame-source.js';
import { ChatClient } from '../remote/chat-client.js';
import { RemoteDescriber, RemoteReviser, RemoteWriter } from '../remote/remote-stages.js';
import { type ClipRepresentation } from '../representation.js';
import { type Revision } from '../revise/revise-draft.js';
import { type Draft } from '../writer/write-draft.js';
import { parseCurateOptions, type CurateOptions, type CurateSettings } from './curate-options.js';
import { filterSample, type FilterVerdict } from './filter.js';
import { curationPaths } from './curation-paths.js';
import { writeOutputs } from './outputs.js';
import { buildRunManifest, claimWorkDirectory } from './run-manifest.js';
import { type CurationReport } from './report.js';
import { StageStore, type StageRecord } from './stage-store.js';
import {
  BuiltinDescriber,
  BuiltinReviser,
  BuiltinWriter,
  type Describer,
  type Reviser,
  type Writer,
} from './stages.js';

/** Replacements for the default adapters (tests, other media sources). */
export interface CurationDependencies {
  frameSource?: FrameSource;
  describer?: Describer;
  writer?: Writer;
  reviser?: Reviser;
}

/** Stage files of a run. */
export interface CurationStores {
  describe: StageStore<ClipRepresentation>;
  draft: StageStore<Draft>;
  revise: StageStore<Revision>;
  filter: StageStore<FilterVerdict>;
}

/** Runs (or resumes) a curation; see the file header. Returns the report it wrote. */
export async function runCuration(options: CurateOptions, deps: CurationDependencies = {}): Promise<CurationReport> {
  const settings = parseCurateOptions(options);
  const clock = options.clock ?? (() => performance.now());
  const started = clock();
  const { samples, path: samplesPath } = await loadSamples(settings);
  const paths = curationPaths(settings.outDir);
  const client =
    settings.remote && [settings.describer, settings.writer, settings.reviser].includes('openai')
      ? new ChatClient(settings.remote)
      : undefined;
  const frameSource =
    deps.frameSource ??
    new DatasetFrameSource({
      dataDir: settings.dataDir,
      maxFrames: settings.maxFrames,
      prefer: settings.frames,
      ...(settings.ffmpegPath ? { ffmpegPath: settings.ffmpegPath } : {}),
      ...(settings.ffprobePath ? { ffprobePath: settings.ffprobePath } : {}),
    });
  const describer =
    deps.describer ??
    (settings.describer === 'openai' && client
      ? new RemoteDescriber(client, settings.remoteStages)
      : new BuiltinDescriber(settings.perception));
  const writer =
    deps.writer ??
    (settings.writer === 'openai' && client ? new RemoteWriter(client) : new BuiltinWriter(settings.writing));
  const reviser =
    deps.reviser ??
    (settings.reviser === 'openai' && client
      ? new RemoteReviser(client, settings.remoteStages)
      : new BuiltinReviser(settings.checking));

  await mkdir(settings.outDir, { recursive: true });
  const stageNames = { describer: describer.name, writer: writer.name, reviser: reviser.name };
  await claimWorkDirectory(paths.manifest, await buildRunManifest(samplesPath, settings, stageNames));
  const stores: CurationStores = {
    describe: await StageStore.open(paths.describe),
    draft: await StageStore.open(paths.draft),
    revise: await StageStore.open(paths.revise),
    filter: await StageStore.open(paths.filter),
  };
  const pending: VideoSample[] = [];
  let kept = 0;
  let failed = 0;
  for (const sample of samples) {
    const state = sampleState(sample, stores);
    if (state.finished && !(settings.retryFailed && state.failed)) {
      if (state.kept) kept += 1;
      if (state.failed) failed += 1;
    } else {
      pending.push(sample);
    }
  }
  const resumed = samples.length - pending.length;
  const describing = new Map<string, Promise<StageRecord<ClipRepresentation>>>();
  let next = 0;
  let doneHere = 0;
  const progress = (sample: VideoSample) => {
    const state = sampleState(sample, stores);
    if (state.kept) kept += 1;
    if (state.failed) failed += 1;
    if (!options.onProgress) return;
    const elapsedSec = (clock() - started) / 1000;
    const rate = elapsedSec > 0 ? doneHere / elapsedSec : 0;
    options.onProgress({
      done: resumed + doneHere,
      total: samples.length,
      resumed,
      kept,
      failed,
      elapsedSec,
      rate,
      etaSec: rate > 0 ? (pending.length - doneHere) / rate : undefined,
    });
  };
  const context = { settings, stores, frameSource, describer, writer, reviser, describing, signal: options.signal };
  const worker = async () => {
    while (next < pending.length) {
      options.signal?.throwIfAborted();
      const sample = pending[next];
      next += 1;
      if (!sample) continue;
      await processSample(sample, context);
      doneHere += 1;
      progress(sample);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(settings.concurrency, Math.max(1, pending.length)) }, worker));
  } finally {
    await Promise.all(Object.values(stores).map((s: StageStore<unknown>) => s.close()));
  }
  const report = await writeOutputs(samples, stores, settings, {
    resumed,
    elapsedSec: (clock() - started) / 1000,
    stageNames,
    remote: client ? { ...client.stats } : undefined,
  });
  return report;
}

async function loadSamples(settings: CurateSettings): Promise<{ samples: VideoSample[]; path: string }> {
  const path = isAbsolute(settings.samples) ? settings.samples : join(settings.dataDir, settings.samples);
  let samples: VideoSample[];
  try {
    samples = await readSamples(path, { kind: 'rl' });
  } catch (cause) {
    throw new CurationOptionsError(
      'samples',
      `cannot read ${path}: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
  }
  const seen = new Set<string>();
  for (const sample of samples) {
    const id = String(sample.problem_id);
    if (seen.has(id)) throw new CurationOptionsError('samples', `${path} holds problem id ${id} twice`);
    seen.add(id);
  }
  return { samples: settings.limit === undefined ? samples : samples.slice(0, settings.limit), path };
}

/** Where a sample stands in the stage files. */
export function sampleState(sample: VideoSample, stores: CurationStores) {
  const id = String(sample.problem_id);
  const records = [
    stores.describe.get(sample.path),
    stores.draft.get(id),
    stores.revise.get(id),
    stores.filter.get(id),
  ];
  const failed = records.some((r) => r !== undefined && !r.ok);
  const filter = stores.filter.get(id);
  const kept = filter?.ok === true && filter.value.kept;
  return { failed, kept, finished: failed || filter !== undefined };
}

interface RunContext {
  settings: CurateSettings;
  stores: CurationStores;
  frameSource: FrameSource;
  describer: Describer;
  writer: Writer;
  reviser: Reviser;
  describing: Map<string, Promise<StageRecord<ClipRepresentation>>>;
  signal: AbortSignal | undefined;
}

/** Runs `fn` and turns its outcome into a stage record (a failure never escapes). */
async function attempt<V>(id: string, fn: () => Promise<V>): Promise<StageRecord<V>> {
  const t0 = performance.now();
  try {
    const value = await fn();
    return { id, ok: true, value, ms: Math.round(performance.now() - t0) };
  } catch (error) {
    return { id, ok: false, error: describeError(error), ms: Math.round(performance.now() - t0) };
  }
}

function usable<V>(record: StageRecord<V> | undefined, retryFailed: boolean): record is StageRecord<V> {
  return record !== undefined && (record.ok || !retryFailed);
}

async function processSample(sample: VideoSample, ctx: RunContext): Promise<void> {
  const id = String(sample.problem_id);
  const { stores, settings } = ctx;
  let frames: Promise<FrameSet> | undefined;
  const loadFrames = () => (frames ??= ctx.frameSource.loadFrames(sample, ctx.signal));

  let described = stores.describe.get(sample.path);
  if (!usable(described, settings.retryFailed)) {
    let shared = ctx.describing.get(sample.path);
    if (!shared) {
      shared = attempt(sample.path, async () => ctx.describer.describe(sample, await loadFrames(), ctx.signal)).then(
        async (record) => {
          await stores.describe.append(record);
          return record;
        },
      );
      ctx.describing.set(sample.path, shared);
      void shared.finally(() => ctx.describing.delete(sample.path));
    }
    described = await shared;
  }
  if (!described.ok) return;
  const rep = described.value;

  let drafted = stores.draft.get(id);
  if (!usable(drafted, settings.retryFailed)) {
    drafted = await attempt(id, () => ctx.writer.write(sample, rep, ctx.signal));
    await stores.draft.append(drafted);
  }
  if (!drafted.ok) return;
  const draft = drafted.value;

  let revised = stores.revise.get(id);
  if (!usable(revised, settings.retryFailed)) {
    revised = await attempt(id, async () => ctx.reviser.revise(sample, draft, await loadFrames(), ctx.signal));
    await stores.revise.append(revised);
  }
  if (!revised.ok) return;
  const text = revised.value.text;
  if (!usable(stores.filter.get(id), settings.retryFailed)) {
    await stores.filter.append(await attempt(id, () => Promise.resolve(filterSample(sample, text, settings.filter))));
  }
}
