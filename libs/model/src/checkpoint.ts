/**
 * Checkpoint directories (docs/model.md): `config.json`, `tokenizer.json`, `model.safetensors`
 * (the ONNX graphs under `onnx/` are written by the inference engine's exporter).
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { loadTokenizer, type Tokenizer } from '@vrft/tokenizer';
import { parseModelConfig, type ModelConfig } from './config.js';
import { CheckpointError, WeightsMismatchError } from './errors.js';
import { pathKind, readTextFile, writeFileAtomic } from './files.js';
import { type NamedTensor } from './safetensors-codec.js';
import { readSafetensors, writeSafetensors } from './safetensors-file.js';
import { checkWeights, weightSpecs, type ModelWeights } from './weight-specs.js';

/** File names inside a checkpoint directory. */
export const CHECKPOINT_FILES = {
  config: 'config.json',
  tokenizer: 'tokenizer.json',
  weights: 'model.safetensors',
} as const;

/** What a checkpoint holds. */
export interface Checkpoint {
  readonly config: ModelConfig;
  readonly weights: ModelWeights;
  readonly tokenizer: Tokenizer;
  /** `__metadata__` of model.safetensors (empty when none). */
  readonly metadata?: Readonly<Record<string, string>>;
}

/** The weights as named tensors with their shapes, in the canonical order. */
export function toNamedTensors(
  config: ModelConfig,
  weights: ReadonlyMap<string, Float32Array>,
): Map<string, NamedTensor> {
  checkWeights(config, weights);
  const tensors = new Map<string, NamedTensor>();
  for (const spec of weightSpecs(config))
    tensors.set(spec.name, { shape: spec.shape, data: weights.get(spec.name) as Float32Array });
  return tensors;
}

/**
 * Weights from named tensors, checked against the config: names and full shapes must match.
 * Throws WeightsMismatchError naming the tensor.
 */
export function fromNamedTensors(config: ModelConfig, tensors: ReadonlyMap<string, NamedTensor>): ModelWeights {
  const weights: ModelWeights = new Map();
  for (const spec of weightSpecs(config)) {
    const tensor = tensors.get(spec.name);
    if (tensor === undefined) throw new WeightsMismatchError(spec.name, 'missing');
    if (tensor.shape.length !== spec.shape.length || tensor.shape.some((n, i) => n !== spec.shape[i])) {
      throw new WeightsMismatchError(
        spec.name,
        `shape [${tensor.shape.join(', ')}], expected [${spec.shape.join(', ')}]`,
      );
    }
    weights.set(spec.name, tensor.data);
  }
  for (const name of tensors.keys()) {
    if (!weights.has(name)) throw new WeightsMismatchError(name, 'is not a weight of this config');
  }
  return weights;
}

function checkTokenizer(config: ModelConfig, tokenizer: Tokenizer, where: string): void {
  if (tokenizer.vocabSize > config.vocabSize) {
    throw new CheckpointError(
      where,
      `tokenizer has ${tokenizer.vocabSize} ids, config.vocabSize is ${config.vocabSize}`,
    );
  }
  for (const role of ['pad', 'bos', 'eos', 'video'] as const) {
    const id = tokenizer.specialIds[role];
    if (id !== config.specialTokens[role]) {
      throw new CheckpointError(
        where,
        `tokenizer's ${role} id ${String(id)} differs from config.specialTokens.${role} ${config.specialTokens[role]}`,
      );
    }
  }
}

/**
 * Writes a checkpoint directory (created if needed). Every file is written atomically; the
 * weights are checked against the config and the tokenizer against the config's vocabulary first.
 */
export async function saveCheckpoint(dir: string, checkpoint: Checkpoint): Promise<void> {
  const config = parseModelConfig(checkpoint.config);
  const tensors = toNamedTensors(config, checkpoint.weights);
  checkTokenizer(config, checkpoint.tokenizer, dir);
  await mkdir(dir, { recursive: true });
  await writeFileAtomic(join(dir, CHECKPOINT_FILES.config), `${JSON.stringify(config, null, 2)}\n`);
  await checkpoint.tokenizer.save(join(dir, CHECKPOINT_FILES.tokenizer));
  await writeSafetensors(join(dir, CHECKPOINT_FILES.weights), tensors, { format: 'vrft', ...checkpoint.metadata });
}

async function requireFile(path: string): Promise<void> {
  const kind = await pathKind(path);
  if (kind !== 'file')
    throw new CheckpointError(path, kind === 'missing' ? 'file is missing' : 'is not a regular file');
}

/**
 * Reads and validates a checkpoint directory. Throws CheckpointError for an unknown path or a
 * missing file, ModelConfigError (field named) for a bad config.json, SafetensorsError for a
 * corrupt weights file and WeightsMismatchError when weights and config disagree.
 */
export async function loadCheckpoint(dir: string): Promise<Checkpoint> {
  const kind = await pathKind(dir);
  if (kind === 'missing') throw new CheckpointError(dir, 'no such directory');
  if (kind !== 'directory') throw new CheckpointError(dir, 'is not a directory');
  const configPath = join(dir, CHECKPOINT_FILES.config);
  const tokenizerPath = join(dir, CHECKPOINT_FILES.tokenizer);
  const weightsPath = join(dir, CHECKPOINT_FILES.weights);
  for (const path of [configPath, tokenizerPath, weightsPath]) await requireFile(path);

  let configJson: unknown;
  try {
    configJson = JSON.parse(await readTextFile(configPath));
  } catch (error) {
    throw new CheckpointError(configPath, 'is not valid JSON', { cause: error });
  }
  const config = parseModelConfig(configJson);
  let tokenizer: Tokenizer;
  try {
    tokenizer = await loadTokenizer(tokenizerPath);
  } catch (error) {
    throw new CheckpointError(tokenizerPath, `cannot load the tokenizer: ${(error as Error).message}`, {
      cause: error,
    });
  }
  checkTokenizer(config, tokenizer, dir);
  const content = await readSafetensors(weightsPath);
  const weights = fromNamedTensors(config, content.tensors);
  return { config, weights, tokenizer, metadata: content.metadata };
}
