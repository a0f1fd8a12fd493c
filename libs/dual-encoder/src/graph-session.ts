/**
 * The two onnxruntime sessions of a dual encoder and one graph run, shared by the runner on the
 * calling thread and the worker threads (so both paths create and run sessions the same way).
 * Tensors cross the worker boundary as plain typed arrays with their dims.
 */
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { EncoderLoadError, EncoderRunError } from './errors.js';

/** The two graphs of an encoder. */
export type GraphName = 'vision' | 'text';

/** How the sessions are created. */
export interface SessionSettings {
  /** Graph files, resolved to paths. */
  readonly paths: Readonly<Record<GraphName, string>>;
  readonly executionProvider: 'cpu' | 'cuda';
  /** Operator threads per session (0 = onnxruntime's choice). */
  readonly intraOpThreads: number;
}

/** Input and output names of a graph. */
export interface GraphNames {
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
}

/** A feed: float32 pixels or int64 ids/mask, row-major, with its dims. */
export type FeedTensor =
  | { readonly type: 'float32'; readonly data: Float32Array; readonly dims: readonly number[] }
  | { readonly type: 'int64'; readonly data: BigInt64Array; readonly dims: readonly number[] };

/** One float output of a run. */
export interface GraphOutput {
  readonly data: Float32Array;
  readonly dims: readonly number[];
}

/** A graph run: its inputs and the one output wanted. */
export interface GraphRun {
  readonly graph: GraphName;
  readonly feeds: Readonly<Record<string, FeedTensor>>;
  readonly output: string;
}

/** The opened sessions. */
export type SessionPair = Readonly<Record<GraphName, InferenceSession>>;

/** Creates both sessions; a file that cannot be loaded is an EncoderLoadError naming it. */
export async function openSessions(settings: SessionSettings): Promise<SessionPair> {
  const options: InferenceSession.SessionOptions = {
    executionProviders: [settings.executionProvider],
    graphOptimizationLevel: 'all',
    interOpNumThreads: 1,
    ...(settings.intraOpThreads > 0 ? { intraOpNumThreads: settings.intraOpThreads } : {}),
    // Spinning threads fight over the cores of a shared machine (see @vrft/engine-ort).
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  };
  const vision = await createSession(settings.paths.vision, options);
  try {
    return { vision, text: await createSession(settings.paths.text, options) };
  } catch (error) {
    await vision.release();
    throw error;
  }
}

async function createSession(path: string, options: InferenceSession.SessionOptions): Promise<InferenceSession> {
  try {
    return await InferenceSession.create(path, options);
  } catch (cause) {
    throw new EncoderLoadError(path, `cannot create an onnxruntime session: ${(cause as Error).message}`, { cause });
  }
}

/** The input and output names of both sessions. */
export function namesOf(sessions: SessionPair): Record<GraphName, GraphNames> {
  const names = (session: InferenceSession): GraphNames => ({
    inputs: [...session.inputNames],
    outputs: [...session.outputNames],
  });
  return { vision: names(sessions.vision), text: names(sessions.text) };
}

/** Releases both sessions. */
export async function releaseSessions(sessions: SessionPair): Promise<void> {
  await sessions.vision.release();
  await sessions.text.release();
}

/** Runs one graph; an onnxruntime failure or a non-float output is an EncoderRunError naming the graph file. */
export async function runGraph(sessions: SessionPair, settings: SessionSettings, run: GraphRun): Promise<GraphOutput> {
  const path = settings.paths[run.graph];
  const feeds: Record<string, Tensor> = {};
  for (const [name, feed] of Object.entries(run.feeds)) feeds[name] = new Tensor(feed.type, feed.data, [...feed.dims]);
  let result: InferenceSession.ReturnType;
  try {
    result = await sessions[run.graph].run(feeds, [run.output]);
  } catch (cause) {
    throw new EncoderRunError(path, `onnxruntime failed: ${(cause as Error).message}`, { cause });
  }
  const output = result[run.output];
  if (output === undefined || !(output.data instanceof Float32Array)) {
    throw new EncoderRunError(path, `output ${JSON.stringify(run.output)} is not a float32 tensor`);
  }
  return { data: output.data, dims: [...output.dims] };
}
