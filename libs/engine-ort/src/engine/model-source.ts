/**
 * Where a model version comes from (a checkpoint directory or weights in memory) and turning it
 * into what the workers load. Checkpoint errors of @vrft/model become CheckpointLoadError.
 */
import { CheckpointError, checkWeights, loadCheckpoint, type ModelConfig, type ModelWeights } from '@vrft/model';
import { type Tokenizer } from '@vrft/tokenizer';
import { CheckpointLoadError, EngineError } from '../errors.js';
import { type SessionSource } from '../runtime/model-sessions.js';

/** A model version to serve. */
export type ModelSource =
  | { readonly kind: 'checkpoint'; readonly dir: string; readonly version?: string }
  | {
      readonly kind: 'memory';
      readonly config: ModelConfig;
      readonly weights: ModelWeights;
      readonly tokenizer: Tokenizer;
      readonly version?: string;
    };

/** A loaded model version, ready to hand to workers. */
export interface LoadedModel {
  readonly version: string;
  readonly config: ModelConfig;
  readonly tokenizer: Tokenizer;
  readonly sessions: SessionSource;
}

/**
 * Reads and checks a source. The workers export the ONNX graphs from these weights (so the
 * graphs always match the weights being served). Errors name the checkpoint and the problem.
 */
export async function loadModelSource(source: ModelSource): Promise<LoadedModel> {
  if (source.kind === 'memory') {
    checkWeights(source.config, source.weights);
    return {
      version: source.version ?? 'memory',
      config: source.config,
      tokenizer: source.tokenizer,
      sessions: { kind: 'weights', config: source.config, weights: source.weights },
    };
  }
  let checkpoint;
  try {
    checkpoint = await loadCheckpoint(source.dir);
    checkWeights(checkpoint.config, checkpoint.weights);
  } catch (error) {
    throw toCheckpointLoadError(source.dir, error);
  }
  return {
    version: source.version ?? checkpoint.metadata?.['version'] ?? source.dir,
    config: checkpoint.config,
    tokenizer: checkpoint.tokenizer,
    sessions: { kind: 'weights', config: checkpoint.config, weights: checkpoint.weights },
  };
}

function toCheckpointLoadError(dir: string, error: unknown): EngineError {
  if (error instanceof EngineError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const missing = error instanceof CheckpointError && /no such directory|file is missing/.test(message);
  return new CheckpointLoadError(missing ? 'NOT_FOUND' : 'FAILED_PRECONDITION', dir, message, { cause: error });
}
