/** Messages between the engine (main thread) and its session workers. */
import { type ModelConfig } from '@vrft/model';
import { type WireError } from '../errors.js';
import { type RunnerSettings } from '../runtime/model-runner.js';
import { type SessionSettings, type SessionSource } from '../runtime/model-sessions.js';
import { type ClipFrames, type Completion, type ScoreRequest, type ScoreResult } from '../runtime/requests.js';
import { type SequenceDelta } from '../runtime/sequence.js';
import { type SamplingParams } from '../sampling/sampling-params.js';

/** Everything a worker needs to create its sessions and its scheduler. */
export interface WorkerInit {
  readonly source: SessionSource;
  readonly config: ModelConfig;
  /** tokenizer.json text: completions are decoded in the worker (stop sequences, deltas). */
  readonly tokenizerJson: string;
  readonly sessions: SessionSettings;
  readonly runner: RunnerSettings;
  /** KV-cache capacity grows and shrinks by this many slots. */
  readonly cacheBlock: number;
  /** Most sequences in the worker's running batch. */
  readonly maxBatchSize?: number;
  /** Least time between two deltas of a running sequence (EngineOptions.streamIntervalMs). */
  readonly streamIntervalMs?: number;
}

/** A prompt admitted to a worker's running batch, with one sequence per sample. */
export interface AdmitRequest {
  readonly promptIds: readonly number[];
  readonly video?: ClipFrames;
  readonly visualTokens?: Float32Array;
  readonly sampling: SamplingParams;
  /** Pool-wide sequence ids and their seeds; each takes one slot. */
  readonly sequences: readonly { readonly id: number; readonly seed: bigint }[];
  /** Report token deltas as they are sampled. */
  readonly stream: boolean;
}

/** A job that runs between decode steps. */
export type WorkerJob =
  | { readonly kind: 'score'; readonly requests: readonly ScoreRequest[] }
  | { readonly kind: 'encode'; readonly clips: readonly ClipFrames[] };

/** The result type of a job kind. */
export type JobResult<J extends WorkerJob> = J extends { kind: 'score' } ? ScoreResult[] : Float32Array[];

/** What happened to one sequence. */
export type SequenceEvent =
  | { readonly kind: 'delta'; readonly id: number; readonly delta: SequenceDelta }
  | { readonly kind: 'done'; readonly id: number; readonly completion: Completion; readonly delta?: SequenceDelta }
  | { readonly kind: 'failed'; readonly id: number; readonly error: WireError }
  /** A cancelled sequence left the batch: its slot is free. */
  | { readonly kind: 'released'; readonly id: number };

/** Figures of one scheduler iteration, for metrics. */
export interface StepStats {
  /** Rows in the decode step (0 when only prefill ran). */
  readonly batch: number;
  /** Tokens sampled (prefill first tokens and decode tokens). */
  readonly tokens: number;
  /** Seconds of the iteration's graph runs. */
  readonly seconds: number;
}

/** Main → worker. */
export type ToWorker =
  | { readonly type: 'init'; readonly id: number; readonly init: WorkerInit }
  | { readonly type: 'job'; readonly id: number; readonly job: WorkerJob }
  | { readonly type: 'admit'; readonly id: number; readonly request: AdmitRequest }
  | { readonly type: 'cancel'; readonly id: number; readonly ids: readonly number[] }
  /** Stop the job sent with message id `job`: dropped if it has not started, stopped between its chunks if it has. */
  | { readonly type: 'cancel-job'; readonly id: number; readonly job: number }
  | { readonly type: 'close'; readonly id: number }
  /** End the thread (how the pool stops a worker); it is read between onnxruntime calls. */
  | { readonly type: 'exit'; readonly id: number };

/** Worker → main. */
export type FromWorker =
  | { readonly type: 'done'; readonly id: number; readonly value: unknown }
  | { readonly type: 'failed'; readonly id: number; readonly error: WireError }
  | { readonly type: 'events'; readonly id: 0; readonly events: readonly SequenceEvent[]; readonly stats?: StepStats };
