/**
 * An encoder directory: the layout of a public SigLIP ONNX export plus our own files.
 *   vision_model.onnx, text_model.onnx  the two graphs (what the runtime loads)
 *   tokenizer.json                      Hugging Face tokenizer file
 *   encoder.json                        config and preprocessing (ours; external dirs lack it)
 *   weights.safetensors                 the trained weights (ours; for parity and re-export)
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readSafetensors, writeSafetensors } from '@vrft/model';
import { type AnyTokenizer, parseAnyTokenizer, Tokenizer } from '@vrft/tokenizer';
import { type DualEncoderConfig, type DualEncoderConfigInput, parseEncoderConfig } from './encoder-config.js';
import { type EncoderWeights, checkEncoderWeights, encoderWeightSpecs } from './encoder-weights.js';
import { EncoderLoadError } from './errors.js';
import { readOptionalJsonObject } from './json-file.js';
import { exportEncoderOnnx } from './onnx-export.js';

/** File names inside an encoder directory. */
export const ENCODER_FILES = {
  vision: 'vision_model.onnx',
  text: 'text_model.onnx',
  tokenizer: 'tokenizer.json',
  config: 'encoder.json',
  weights: 'weights.safetensors',
} as const;

/** What encoder.json holds. */
export interface EncoderManifest {
  readonly format: 'vrft-dual-encoder';
  readonly version: 1;
  readonly config: DualEncoderConfig;
  /** Free-form facts about the run (seed, steps, retrieval accuracy). */
  readonly metadata: Record<string, unknown>;
}

/** A loaded encoder checkpoint. */
export interface EncoderCheckpoint {
  readonly config: DualEncoderConfig;
  readonly weights: EncoderWeights;
  readonly tokenizer: Tokenizer;
  readonly metadata: Record<string, unknown>;
}

/** Writes every file of an encoder directory (each atomically: a temporary file, then rename). */
export async function saveEncoderCheckpoint(dir: string, checkpoint: EncoderCheckpoint): Promise<void> {
  const { config, weights, tokenizer, metadata } = checkpoint;
  checkEncoderWeights(config, weights, dir);
  await mkdir(dir, { recursive: true });
  const onnx = exportEncoderOnnx(config, weights);
  const manifest: EncoderManifest = { format: 'vrft-dual-encoder', version: 1, config, metadata };
  const tensors = new Map(
    encoderWeightSpecs(config).map((spec) => [
      spec.name,
      { shape: spec.shape, data: weights.get(spec.name) as Float32Array },
    ]),
  );
  await writeSafetensors(join(dir, ENCODER_FILES.weights), tensors);
  await writeAtomic(join(dir, ENCODER_FILES.vision), onnx.vision);
  await writeAtomic(join(dir, ENCODER_FILES.text), onnx.text);
  await writeAtomic(join(dir, ENCODER_FILES.tokenizer), tokenizer.toJSONString());
  await writeAtomic(join(dir, ENCODER_FILES.config), `${JSON.stringify(manifest, null, 2)}\n`);
}

/** Reads encoder.json of a directory, or undefined when the directory has none (an external export). */
export async function readEncoderManifest(dir: string): Promise<EncoderManifest | undefined> {
  const path = join(dir, ENCODER_FILES.config);
  const parsed = await readOptionalJsonObject(path);
  if (parsed === undefined) return undefined;
  const manifest = parsed as Partial<EncoderManifest>;
  if (manifest.format !== 'vrft-dual-encoder' || manifest.version !== 1 || typeof manifest.config !== 'object') {
    throw new EncoderLoadError(path, 'is not a vrft-dual-encoder manifest of version 1');
  }
  try {
    const config = parseEncoderConfig(manifest.config as DualEncoderConfigInput);
    return { format: 'vrft-dual-encoder', version: 1, config, metadata: manifest.metadata ?? {} };
  } catch (cause) {
    throw new EncoderLoadError(path, `bad config: ${(cause as Error).message}`, { cause });
  }
}

/** Loads config, weights and tokenizer of one of our encoder directories (not of an external export). */
export async function loadEncoderCheckpoint(dir: string): Promise<EncoderCheckpoint> {
  const manifest = await readEncoderManifest(dir);
  if (manifest === undefined)
    throw new EncoderLoadError(dir, `has no ${ENCODER_FILES.config}: not a vrft encoder directory`);
  let tensors;
  try {
    tensors = (await readSafetensors(join(dir, ENCODER_FILES.weights))).tensors;
  } catch (cause) {
    throw new EncoderLoadError(join(dir, ENCODER_FILES.weights), (cause as Error).message, { cause });
  }
  const weights: EncoderWeights = new Map([...tensors].map(([name, t]) => [name, t.data]));
  checkEncoderWeights(manifest.config, weights, join(dir, ENCODER_FILES.weights));
  const tokenizer = await readTokenizer(join(dir, ENCODER_FILES.tokenizer));
  return { config: manifest.config, weights, tokenizer, metadata: manifest.metadata };
}

/** Reads our byte-level BPE tokenizer.json, as an EncoderLoadError naming the file when it cannot. */
export async function readTokenizer(path: string): Promise<Tokenizer> {
  try {
    return Tokenizer.fromJSON(await readFile(path, 'utf8'));
  } catch (cause) {
    throw new EncoderLoadError(path, `cannot load the tokenizer: ${(cause as Error).message}`, { cause });
  }
}

/** Reads a tokenizer.json of either model (BPE, or the Unigram of public SigLIP exports). */
export async function readAnyTokenizer(path: string): Promise<AnyTokenizer> {
  try {
    return parseAnyTokenizer(await readFile(path, 'utf8'));
  } catch (cause) {
    throw new EncoderLoadError(path, `cannot load the tokenizer: ${(cause as Error).message}`, { cause });
  }
}

async function writeAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const temporary = `${path}.tmp-${process.pid}`;
  await writeFile(temporary, data);
  await rename(temporary, path);
}
