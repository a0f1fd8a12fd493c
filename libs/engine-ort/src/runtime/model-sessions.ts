/**
 * onnxruntime sessions of the three graphs, created from files or from bytes, on the configured
 * execution provider. This is the adapter that touches onnxruntime-node's session API.
 */
import { InferenceSession, listSupportedBackends } from 'onnxruntime-node';
import { ExecutionProviderError } from '../errors.js';
import { type ModelConfig, type ModelWeights } from '@vrft/model';
import { buildOnnxModels, GRAPH_NAMES, type GraphName } from '../export/export-onnx.js';

/** Execution providers the engine knows. */
export type ExecutionProvider = 'cpu' | 'cuda';

/**
 * Where the graphs come from: exported files, ONNX bytes, or weights to export right here (in the
 * worker, so the main thread never spends the export's second on the `small` preset).
 */
export type SessionSource =
  | { readonly kind: 'files'; readonly paths: Readonly<Record<GraphName, string>> }
  | { readonly kind: 'bytes'; readonly models: Readonly<Record<GraphName, Uint8Array>> }
  | { readonly kind: 'weights'; readonly config: ModelConfig; readonly weights: ModelWeights };

/** Session settings of a worker. */
export interface SessionSettings {
  readonly executionProvider: ExecutionProvider;
  /** Threads of one session's operators (0 = onnxruntime's choice). */
  readonly intraOpThreads: number;
  readonly graphOptimization: 'disabled' | 'basic' | 'extended' | 'all';
  /** Let idle operator threads spin-wait (lower latency on a dedicated machine). */
  readonly allowSpinning: boolean;
}

/** The three sessions of one model version. */
export interface ModelSessions {
  readonly vision: InferenceSession;
  readonly prefill: InferenceSession;
  readonly decode: InferenceSession;
}

/** Throws ExecutionProviderError when this onnxruntime build cannot use the provider. */
export function checkExecutionProvider(provider: ExecutionProvider): void {
  const backends = listSupportedBackends();
  if (!backends.some((backend) => backend.name === provider)) {
    const known = backends.map((backend) => backend.name).join(', ');
    throw new ExecutionProviderError(provider, `not supported by this onnxruntime-node build (supported: ${known})`);
  }
}

/** Creates the sessions; a provider that fails to load is an ExecutionProviderError. */
export async function createModelSessions(source: SessionSource, settings: SessionSettings): Promise<ModelSessions> {
  checkExecutionProvider(settings.executionProvider);
  const options: InferenceSession.SessionOptions = {
    executionProviders: [settings.executionProvider],
    graphOptimizationLevel: settings.graphOptimization,
    ...(settings.intraOpThreads > 0 ? { intraOpNumThreads: settings.intraOpThreads } : {}),
    interOpNumThreads: 1,
    // Spinning threads fight over cores when the machine is shared (measured: 3–5× slower
    // decode steps on a loaded 2-core machine), so it is off unless asked for.
    extra: { session: { intra_op: { allow_spinning: settings.allowSpinning ? '1' : '0' } } },
  };
  const sessions: Partial<Record<GraphName, InferenceSession>> = {};
  const graphs: Readonly<Record<GraphName, string | Uint8Array>> =
    source.kind === 'files'
      ? source.paths
      : source.kind === 'bytes'
        ? source.models
        : buildOnnxModels(source.config, source.weights);
  try {
    for (const name of GRAPH_NAMES) {
      const graph = graphs[name];
      sessions[name] =
        typeof graph === 'string'
          ? await InferenceSession.create(graph, options)
          : await InferenceSession.create(graph, options);
    }
  } catch (error) {
    await releaseSessions(sessions);
    if (settings.executionProvider !== 'cpu') {
      throw new ExecutionProviderError(
        settings.executionProvider,
        `cannot create sessions (is the provider installed? onnxruntime-node needs ONNXRUNTIME_NODE_INSTALL=cuda12 at install): ${(error as Error).message}`,
        { cause: error },
      );
    }
    throw error;
  }
  return sessions as ModelSessions;
}

/** Releases whatever sessions exist. */
export async function releaseSessions(sessions: Partial<Record<GraphName, InferenceSession>>): Promise<void> {
  for (const session of Object.values(sessions)) await session?.release();
}
