/**
 * Resumable training checkpoints. Each is a directory `checkpoints/step-NNNNNNNN/` of a run
 * directory holding a servable model checkpoint (@vrft/model layout: config.json, tokenizer.json,
 * model.safetensors), the optimizer moments (optimizer.safetensors) and training-state.json (step,
 * data cursor, RNG state, counters). It is written under a temporary name, fsynced and renamed, so
 * a crash at any moment leaves either the previous checkpoint or the new one complete, never half.
 * Resume picks the highest complete step; temporary leftovers of a crash are removed.
 */
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  decodeSafetensors,
  encodeSafetensors,
  loadCheckpoint,
  saveCheckpoint,
  type Checkpoint,
  type ModelConfig,
  type ModelWeights,
  type NamedTensor,
} from '@vrft/model';
import { type OptimizerState } from '@vrft/engine-tfjs';
import { type Tokenizer } from '@vrft/tokenizer';
import { TrainingCheckpointError } from './errors.js';
import { publishDirectory, writeFileDurable } from './fs-durable.js';
import { type TrainingRngState } from './training-rng.js';

/** Version of training-state.json. */
export const TRAINING_STATE_FORMAT = 1;

/** Names inside a run directory and a checkpoint directory. */
export const RUN_LAYOUT = {
  checkpoints: 'checkpoints',
  optimizer: 'optimizer.safetensors',
  state: 'training-state.json',
} as const;

/** Everything besides weights and moments that a resumed run needs to continue exactly. */
export interface TrainingState {
  readonly format: typeof TRAINING_STATE_FORMAT;
  /** Which stage wrote it (`pretrain`, `sft`, `grpo`, `learner`). */
  readonly stage: string;
  /** Optimizer updates applied (equals the optimizer's step). */
  readonly step: number;
  /** The run's seed. */
  readonly seed: number;
  /** Digest of the options that shape the run; a resume with other options is refused. */
  readonly optionsDigest: string;
  /** The training RNG's state after the step. */
  readonly rng: TrainingRngState;
  /** Where the data order is: e.g. `{ epoch, index }` or the next clip seed. */
  readonly cursor: Readonly<Record<string, number>>;
  /** Running counters (examples seen, groups dropped, …). */
  readonly counters: Readonly<Record<string, number>>;
  /** Stage-specific values (best validation loss, patience left, …). */
  readonly extra: Readonly<Record<string, number | string>>;
}

/** A checkpoint to write: the model, the optimizer and the state. */
export interface TrainingCheckpoint {
  readonly config: ModelConfig;
  readonly tokenizer: Tokenizer;
  readonly weights: ModelWeights;
  readonly optimizer: OptimizerState;
  readonly state: TrainingState;
}

/** A checkpoint found on disk. */
export interface StoredTrainingCheckpoint extends TrainingCheckpoint {
  /** Its directory. */
  readonly dir: string;
}

/** Name of the directory of step `step`. */
export function checkpointDirName(step: number): string {
  return `step-${String(step).padStart(8, '0')}`;
}

const STEP_DIR = /^step-(\d{8,})$/;

/** Encodes Adam's moments as safetensors: `m/<weight>` and `v/<weight>`, the step in metadata. */
export function encodeOptimizerState(config: ModelConfig, state: OptimizerState): Uint8Array {
  const tensors = new Map<string, NamedTensor>();
  for (const [name, { m, v }] of state.moments) {
    tensors.set(`m/${name}`, { shape: [m.length], data: m });
    tensors.set(`v/${name}`, { shape: [v.length], data: v });
  }
  return encodeSafetensors(tensors, {
    format: 'vrft-optimizer',
    step: String(state.step),
    dModel: String(config.dModel),
  });
}

/** Decodes encodeOptimizerState's bytes. */
export function decodeOptimizerState(bytes: Uint8Array, source: string): OptimizerState {
  const { tensors, metadata } = decodeSafetensors(bytes, source);
  const step = Number(metadata['step']);
  if (!Number.isInteger(step) || step < 0) throw new TrainingCheckpointError(source, 'optimizer step is missing');
  const moments = new Map<string, { m: Float32Array; v: Float32Array }>();
  for (const [key, tensor] of tensors) {
    const [kind, ...rest] = key.split('/');
    const name = rest.join('/');
    const entry = moments.get(name) ?? { m: new Float32Array(0), v: new Float32Array(0) };
    if (kind === 'm') entry.m = tensor.data;
    else if (kind === 'v') entry.v = tensor.data;
    else throw new TrainingCheckpointError(source, `unexpected tensor ${key}`);
    moments.set(name, entry);
  }
  return { step, moments };
}

/**
 * Writes a checkpoint into `runDir/checkpoints/step-N` atomically and durably, then deletes all
 * but the newest `keepLast` checkpoints. Returns the directory.
 */
export async function writeTrainingCheckpoint(
  runDir: string,
  checkpoint: TrainingCheckpoint,
  keepLast = 2,
): Promise<string> {
  const parent = join(runDir, RUN_LAYOUT.checkpoints);
  await mkdir(parent, { recursive: true });
  const name = checkpointDirName(checkpoint.state.step);
  const temp = join(parent, `.tmp-${name}-${process.pid}`);
  await rm(temp, { recursive: true, force: true });
  try {
    const model: Checkpoint = {
      config: checkpoint.config,
      weights: checkpoint.weights,
      tokenizer: checkpoint.tokenizer,
      metadata: { step: String(checkpoint.state.step), stage: checkpoint.state.stage },
    };
    await saveCheckpoint(temp, model);
    await writeFileDurable(temp, RUN_LAYOUT.optimizer, encodeOptimizerState(checkpoint.config, checkpoint.optimizer));
    await writeFileDurable(temp, RUN_LAYOUT.state, `${JSON.stringify(checkpoint.state, null, 2)}\n`);
    const finalDir = join(parent, name);
    await publishDirectory(temp, finalDir, parent);
    await pruneCheckpoints(parent, keepLast);
    return finalDir;
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw new TrainingCheckpointError(temp, `cannot write the checkpoint: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

async function listSteps(parent: string): Promise<{ step: number; name: string }[]> {
  let names: string[];
  try {
    names = await readdir(parent);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return names
    .map((name) => ({ name, match: STEP_DIR.exec(name) }))
    .filter((entry) => entry.match !== null)
    .map(({ name, match }) => ({ name, step: Number(match?.[1]) }))
    .sort((a, b) => a.step - b.step);
}

async function pruneCheckpoints(parent: string, keepLast: number): Promise<void> {
  const steps = await listSteps(parent);
  for (const { name } of steps.slice(0, Math.max(0, steps.length - Math.max(1, keepLast)))) {
    await rm(join(parent, name), { recursive: true, force: true });
  }
}

/** Removes the temporary directories a crashed writer left behind. */
export async function removeCheckpointLeftovers(runDir: string): Promise<void> {
  const parent = join(runDir, RUN_LAYOUT.checkpoints);
  let names: string[] = [];
  try {
    names = await readdir(parent);
  } catch {
    return;
  }
  for (const name of names.filter((n) => n.startsWith('.tmp-')))
    await rm(join(parent, name), { recursive: true, force: true });
}

function parseState(text: string, path: string): TrainingState {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new TrainingCheckpointError(path, 'is not valid JSON', { cause: error });
  }
  const state = value as Partial<TrainingState>;
  if (state.format !== TRAINING_STATE_FORMAT) {
    throw new TrainingCheckpointError(path, `format ${String(state.format)}, expected ${TRAINING_STATE_FORMAT}`);
  }
  for (const field of ['stage', 'step', 'seed', 'optionsDigest', 'rng', 'cursor', 'counters', 'extra'] as const) {
    if (state[field] === undefined) throw new TrainingCheckpointError(path, `field ${field} is missing`);
  }
  return state as TrainingState;
}

/** Reads one checkpoint directory written by writeTrainingCheckpoint. */
export async function readTrainingCheckpoint(dir: string): Promise<StoredTrainingCheckpoint> {
  const model = await loadCheckpoint(dir);
  const statePath = join(dir, RUN_LAYOUT.state);
  const optimizerPath = join(dir, RUN_LAYOUT.optimizer);
  let stateText: string;
  let optimizerBytes: Uint8Array;
  try {
    stateText = await readFile(statePath, 'utf8');
    optimizerBytes = await readFile(optimizerPath);
  } catch (error) {
    throw new TrainingCheckpointError(dir, `is not a training checkpoint: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const state = parseState(stateText, statePath);
  const optimizer = decodeOptimizerState(optimizerBytes, optimizerPath);
  if (optimizer.step !== state.step) {
    throw new TrainingCheckpointError(dir, `optimizer step ${optimizer.step} differs from state step ${state.step}`);
  }
  return { dir, config: model.config, tokenizer: model.tokenizer, weights: model.weights, optimizer, state };
}

/** The newest complete checkpoint of a run, or undefined when it has none (after removing leftovers). */
export async function findLatestTrainingCheckpoint(runDir: string): Promise<StoredTrainingCheckpoint | undefined> {
  await removeCheckpointLeftovers(runDir);
  const steps = await listSteps(join(runDir, RUN_LAYOUT.checkpoints));
  const newest = steps.at(-1);
  if (newest === undefined) return undefined;
  return readTrainingCheckpoint(join(runDir, RUN_LAYOUT.checkpoints, newest.name));
}

/** Throws unless a stored state belongs to this run (same stage and options digest). */
export function checkResumable(state: TrainingState, stage: string, optionsDigest: string, dir: string): void {
  if (state.stage !== stage)
    throw new TrainingCheckpointError(dir, `was written by stage ${state.stage}, not ${stage}`);
  if (state.optionsDigest !== optionsDigest) {
    throw new TrainingCheckpointError(
      dir,
      'was written with other training options; resume with the same options or use a new run directory',
    );
  }
}
