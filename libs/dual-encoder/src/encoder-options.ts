/**
 * Options of the onnxruntime dual encoder: where the files are, the graphs' input and output
 * names (defaults: the public SigLIP ONNX export's), preprocessing for directories without an
 * encoder.json, and session settings. One parse function names the bad field.
 */
import { EncoderOptionsError } from './errors.js';

/** Graph input and output names. */
export interface EncoderIoNames {
  /** Vision input [B, 3, S, S] float. Default 'pixel_values'. */
  readonly pixelValues: string;
  /** Vision output [B, E] (or [B, 1, E]). Default 'image_embeds' (public exports also have 'pooler_output'). */
  readonly imageEmbeds: string;
  /** Text input [B, M] int64. Default 'input_ids'. */
  readonly inputIds: string;
  /** Text output [B, E]. Default 'text_embeds'. */
  readonly textEmbeds: string;
  /** Optional text input [B, M] int64 of 1 (token) / 0 (padding); '' = the graph has none. Default ''. */
  readonly attentionMask: string;
}

/** Options of OnnxDualEncoder.open. */
export interface OnnxEncoderOptions {
  /** The encoder directory. */
  readonly dir: string;
  /**
   * File names inside dir. Defaults: vision_model.onnx, text_model.onnx, tokenizer.json. A graph
   * given as a bare name is also looked for in dir/onnx/ (the public exports' layout).
   */
  readonly files: { readonly vision: string; readonly text: string; readonly tokenizer: string };
  readonly io: EncoderIoNames;
  /** Frame side S. Default: encoder.json's, else preprocessor_config.json's size, else config.json's. */
  readonly imageSize?: number;
  /** Per-channel mean and std of [0, 1] pixels; default encoder.json's, else preprocessor_config.json's, else 0.5 / 0.5 (SigLIP). */
  readonly pixelMean?: readonly number[];
  readonly pixelStd?: readonly number[];
  /**
   * M, the text graph's positions: every text is padded to exactly M ids. Default: encoder.json's,
   * else tokenizer.json's fixed padding length, else config.json's text max_position_embeddings.
   */
  readonly maxTextTokens?: number;
  /**
   * Padding id. Default: encoder.json's; else the id of padToken when given; else the pad id of
   * tokenizer.json's `padding`; else of tokenizer_config.json's pad_token; else of '<pad>'.
   */
  readonly padId?: number;
  /** Token whose id pads texts when padId is not given (see padId for the order). */
  readonly padToken?: string;
  /** onnxruntime execution provider. Default 'cpu'. */
  readonly executionProvider: 'cpu' | 'cuda';
  /** Operator threads per session (0 = onnxruntime's choice). Default 1. */
  readonly intraOpThreads: number;
  /** Most frames or texts per session run; larger inputs run in chunks. Default 64. */
  readonly maxBatch: number;
  /**
   * Worker threads running the sessions (each holds both graphs), so session.run never blocks
   * the caller's event loop; 0 runs them on the calling thread. Default 1.
   */
  readonly workers: number;
}

/** Most worker threads an encoder may start. */
export const MAX_ENCODER_WORKERS = 64;

/** Caller input: dir plus any subset. */
export type OnnxEncoderOptionsInput = Pick<OnnxEncoderOptions, 'dir'> &
  Partial<Omit<OnnxEncoderOptions, 'dir' | 'files' | 'io'>> & {
    readonly files?: Partial<OnnxEncoderOptions['files']>;
    readonly io?: Partial<EncoderIoNames>;
  };

/** Default graph names (public SigLIP exports). */
export const DEFAULT_IO_NAMES: EncoderIoNames = Object.freeze({
  pixelValues: 'pixel_values',
  imageEmbeds: 'image_embeds',
  inputIds: 'input_ids',
  textEmbeds: 'text_embeds',
  attentionMask: '',
});

/** Validates options over the defaults; throws EncoderOptionsError naming the field. */
export function parseOnnxEncoderOptions(input: OnnxEncoderOptionsInput): OnnxEncoderOptions {
  const known = [
    'dir',
    'files',
    'io',
    'imageSize',
    'pixelMean',
    'pixelStd',
    'maxTextTokens',
    'padId',
    'padToken',
    'executionProvider',
    'intraOpThreads',
    'maxBatch',
    'workers',
  ];
  for (const key of Object.keys(input)) if (!known.includes(key)) throw new EncoderOptionsError(key, 'unknown option');
  if (typeof input.dir !== 'string' || input.dir.trim() === '')
    throw new EncoderOptionsError('dir', 'a directory is required');
  const files = {
    vision: 'vision_model.onnx',
    text: 'text_model.onnx',
    tokenizer: 'tokenizer.json',
    ...defined(input.files),
  };
  const io = { ...DEFAULT_IO_NAMES, ...defined(input.io) };
  for (const [key, value] of Object.entries(files)) {
    if (typeof value !== 'string' || value === '') throw new EncoderOptionsError(`files.${key}`, 'must be a file name');
  }
  for (const [key, value] of Object.entries(io)) {
    if (typeof value !== 'string' || (value === '' && key !== 'attentionMask')) {
      throw new EncoderOptionsError(`io.${key}`, 'must be a graph input/output name');
    }
  }
  const optionalInt = (field: 'imageSize' | 'maxTextTokens' | 'padId', min: number): void => {
    const value = input[field];
    if (value !== undefined && (!Number.isInteger(value) || value < min)) {
      throw new EncoderOptionsError(field, `expected an integer ≥ ${min}, got ${String(value)}`);
    }
  };
  optionalInt('imageSize', 1);
  optionalInt('maxTextTokens', 1);
  optionalInt('padId', 0);
  for (const field of ['pixelMean', 'pixelStd'] as const) {
    const value = input[field];
    if (
      value !== undefined &&
      (value.length !== 3 || value.some((v) => !Number.isFinite(v) || (field === 'pixelStd' && v <= 0)))
    ) {
      throw new EncoderOptionsError(field, 'expected three finite numbers (R, G, B)');
    }
  }
  const executionProvider = input.executionProvider ?? 'cpu';
  if (executionProvider !== 'cpu' && executionProvider !== 'cuda') {
    throw new EncoderOptionsError('executionProvider', `expected cpu or cuda, got ${String(executionProvider)}`);
  }
  const intraOpThreads = input.intraOpThreads ?? 1;
  if (!Number.isInteger(intraOpThreads) || intraOpThreads < 0) {
    throw new EncoderOptionsError('intraOpThreads', `expected an integer ≥ 0, got ${String(intraOpThreads)}`);
  }
  const maxBatch = input.maxBatch ?? 64;
  if (!Number.isInteger(maxBatch) || maxBatch < 1)
    throw new EncoderOptionsError('maxBatch', `expected an integer ≥ 1, got ${String(maxBatch)}`);
  if (input.padToken !== undefined && (typeof input.padToken !== 'string' || input.padToken === '')) {
    throw new EncoderOptionsError('padToken', 'expected a non-empty token');
  }
  const workers = input.workers ?? 1;
  if (!Number.isInteger(workers) || workers < 0 || workers > MAX_ENCODER_WORKERS) {
    throw new EncoderOptionsError(
      'workers',
      `expected an integer in [0, ${MAX_ENCODER_WORKERS}], got ${String(workers)}`,
    );
  }
  return {
    ...input,
    files,
    io,
    executionProvider,
    intraOpThreads,
    maxBatch,
    workers,
  };
}

function defined<T extends object>(value: T | undefined): Partial<T> {
  if (value === undefined) return {};
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
