/** Messages between the engine (main thread) and its session workers. */
import { type ModelConfig } from '@vrft/model';
import { type WireError } from '../errors.js';
import { type RunnerSettings } from '../runtime/model-runner.js';
import { type SessionSettings, type SessionSource } from '../runtime/model-sessions.js';
import {
  type GenerateResult,
  type PreparedGenerate,
  type ScoreRequest,
  type ScoreResult,
} from '../runtime/requests.js';

/** Everything a worker needs to create its sessions. */
export interface WorkerInit {
  readonly source: SessionSource;
  readonly config: ModelConfig;
  /** tokenizer.json text: completions are decoded in the worker (stop sequences). */
  readonly tokenizerJson: string;
  readonly sessions: SessionSettings;
  readonly runner: RunnerSettings;
}

/** A unit of work for a worker. */
export type WorkerJob =
  | { readonly kind: 'generate'; readonly requests: readonly PreparedGenerate[] }
  | { readonly kind: 'score'; readonly requests: readonly ScoreRequest[] };

/** The result type of a job kind. */
export type JobResult<J extends WorkerJob> = J extends { kind: 'generate' } ? GenerateResult[] : ScoreResult[];

/** Main → worker. */
export type ToWorker =
  | { readonly type: 'init'; readonly id: number; readonly init: WorkerInit }
  | { readonly type: 'job'; readonly id: number; readonly job: WorkerJob }
  | { readonly type: 'close'; readonly id: number };

/** Worker → main. */
export type FromWorker =
  | { readonly type: 'done'; readonly id: number; readonly value: unknown }
  | { readonly type: 'failed'; readonly id: number; readonly error: WireError };
