/**
 * What the side files of a public SigLIP-style ONNX export say about preprocessing, for
 * directories without our encoder.json. The layout (as in the onnx-community / Xenova exports):
 *
 *   onnx/vision_model.onnx, onnx/text_model.onnx   the graphs (also looked for next to the files)
 *   tokenizer.json                                 Unigram for SigLIP (its `padding` may give M and the pad id)
 *   preprocessor_config.json                       size, image_mean, image_std, do_normalize
 *   config.json                                    vision_config.image_size, text_config.max_position_embeddings
 *   tokenizer_config.json                          pad_token (SigLIP pads with "</s>")
 *
 * Every file is optional; a file that is present but malformed is an EncoderLoadError naming the
 * file and the field.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { EncoderLoadError } from './errors.js';
import { readOptionalJsonObject, type JsonObject } from './json-file.js';

/** The side files' names. */
export const EXPORT_FILES = {
  preprocessor: 'preprocessor_config.json',
  config: 'config.json',
  tokenizerConfig: 'tokenizer_config.json',
} as const;

/** Defaults read from an export's side files (each undefined when no file says). */
export interface ExportDefaults {
  readonly imageSize?: number;
  readonly pixelMean?: readonly number[];
  readonly pixelStd?: readonly number[];
  readonly maxTextTokens?: number;
  readonly padToken?: string;
}

type Json = JsonObject;

function objectAt(json: Json, key: string): Json | undefined {
  const value = json[key];
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

function positiveInt(value: unknown, path: string, field: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new EncoderLoadError(path, `${field}: expected a positive integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

function channels(value: unknown, path: string, field: string, positive: boolean): number[] | undefined {
  if (value === undefined || value === null) return undefined;
  // A single number means the same value for R, G and B.
  const list = typeof value === 'number' ? [value, value, value] : value;
  if (
    !Array.isArray(list) ||
    list.length !== 3 ||
    list.some((v) => typeof v !== 'number' || !Number.isFinite(v) || (positive && v <= 0))
  ) {
    throw new EncoderLoadError(path, `${field}: expected three ${positive ? 'positive' : 'finite'} numbers (R, G, B)`);
  }
  return list as number[];
}

// size: {height, width} (square only: frames are S × S), {shortest_edge}, or a number.
function imageSizeOf(size: unknown, path: string): number | undefined {
  if (size === undefined || size === null) return undefined;
  if (typeof size === 'number') return positiveInt(size, path, 'size');
  if (typeof size !== 'object' || Array.isArray(size)) {
    throw new EncoderLoadError(path, 'size: expected a number or {height, width}');
  }
  const s = size as Json;
  if (s['height'] !== undefined || s['width'] !== undefined) {
    const height = positiveInt(s['height'], path, 'size.height');
    const width = positiveInt(s['width'], path, 'size.width');
    if (height !== width) {
      throw new EncoderLoadError(path, `size: ${width}×${height} is not square; the encoder takes S × S frames`);
    }
    return height;
  }
  return positiveInt(s['shortest_edge'], path, 'size.shortest_edge');
}

/** Reads what the export's side files in `dir` say; absent files add nothing. */
export async function readExportDefaults(dir: string): Promise<ExportDefaults> {
  const out: { -readonly [K in keyof ExportDefaults]: ExportDefaults[K] } = {};
  const configPath = join(dir, EXPORT_FILES.config);
  const config = await readOptionalJsonObject(configPath);
  if (config) {
    const vision = objectAt(config, 'vision_config');
    const text = objectAt(config, 'text_config');
    if (vision) out.imageSize = positiveInt(vision['image_size'], configPath, 'vision_config.image_size');
    if (text) {
      out.maxTextTokens = positiveInt(
        text['max_position_embeddings'],
        configPath,
        'text_config.max_position_embeddings',
      );
    }
  }
  const preprocessorPath = join(dir, EXPORT_FILES.preprocessor);
  const preprocessor = await readOptionalJsonObject(preprocessorPath);
  if (preprocessor) {
    out.imageSize = imageSizeOf(preprocessor['size'], preprocessorPath) ?? out.imageSize;
    if (preprocessor['do_normalize'] === false) {
      out.pixelMean = [0, 0, 0];
      out.pixelStd = [1, 1, 1];
    } else {
      out.pixelMean = channels(preprocessor['image_mean'], preprocessorPath, 'image_mean', false);
      out.pixelStd = channels(preprocessor['image_std'], preprocessorPath, 'image_std', true);
    }
  }
  const tokenizerConfigPath = join(dir, EXPORT_FILES.tokenizerConfig);
  const tokenizerConfig = await readOptionalJsonObject(tokenizerConfigPath);
  const pad = tokenizerConfig?.['pad_token'];
  if (typeof pad === 'string') out.padToken = pad;
  else if (typeof pad === 'object' && pad !== null && typeof (pad as Json)['content'] === 'string') {
    out.padToken = (pad as Json)['content'] as string;
  } else if (pad !== undefined && pad !== null) {
    throw new EncoderLoadError(tokenizerConfigPath, 'pad_token: expected a string or {"content": string}');
  }
  return out;
}

/**
 * The path of a graph file: `dir/name`, or `dir/onnx/name` when only that exists (the public
 * exports keep their graphs in onnx/). A name with a folder is taken as given.
 */
export function resolveGraphFile(dir: string, name: string): string {
  const direct = join(dir, name);
  if (existsSync(direct) || name.includes('/')) return direct;
  const nested = join(dir, 'onnx', name);
  return existsSync(nested) ? nested : direct;
}
