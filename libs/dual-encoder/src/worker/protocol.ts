/** Messages between an encoder's worker pool (main thread) and its session workers. */
import { type WireError } from '../errors.js';
import {
  type GraphName,
  type GraphNames,
  type GraphOutput,
  type GraphRun,
  type SessionSettings,
} from '../graph-session.js';

/** Main → worker. */
export type ToWorker =
  | { readonly type: 'init'; readonly id: number; readonly settings: SessionSettings }
  | { readonly type: 'run'; readonly id: number; readonly run: GraphRun }
  | { readonly type: 'close'; readonly id: number }
  /** Ends the thread (never answered): read between two onnxruntime calls, so it cuts none off. */
  | { readonly type: 'exit'; readonly id: number };

/** The messages a worker answers. */
export type WorkerRequest = Exclude<ToWorker, { readonly type: 'exit' }>;

/** Worker → main: the answer to message `id`. */
export type FromWorker =
  | { readonly type: 'done'; readonly id: number; readonly value: GraphOutput | Record<GraphName, GraphNames> | null }
  | { readonly type: 'failed'; readonly id: number; readonly error: WireError };
