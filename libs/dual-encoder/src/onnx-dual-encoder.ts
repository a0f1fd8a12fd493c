/**
 * The dual encoder on onnxruntime-node: two sessions (vision and text) loaded from an encoder
 * directory — ours (encoder.json gives the preprocessing) or an external SigLIP-style export
 * (preprocessing and names from the options). This is the adapter that touches onnxruntime.
 *
 * Sessions run on the calling thread, in chunks of maxBatch with a yield to the event loop
 * between chunks, and the AbortSignal is checked before every chunk.
 */
import { join } from 'node:path';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { type RgbFrames } from '@vrft/video';
import { type OnnxEncoderOptions, type OnnxEncoderOptionsInput, parseOnnxEncoderOptions } from './encoder-options.js';
import { ENCODER_FILES, readEncoderManifest, readTokenizer } from './encoder-checkpoint.js';
import { EncoderCancelledError, EncoderInputError, EncoderLoadError, EncoderOptionsError } from './errors.js';
import {
  type PixelSettings,
  type TextTokenizer,
  toPixelValues,
  tokenizeTexts,
  truncateToTokens,
} from './preprocess.js';

/** Per-call options. */
export interface EncodeOptions {
  /** Stops the call before its next session run (a run in progress finishes). */
  readonly signal?: AbortSignal;
}

/** What the reward service needs of a dual encoder. */
export interface DualEncoder {
  /** Frames must be imageSize × imageSize. */
  readonly imageSize: number;
  /** M of the text graph: the most tokens a text keeps. */
  readonly maxTextTokens: number;
  /** One embedding per frame of RGB uint8 frames [F, S, S, 3]. */
  encodeFrames(frames: RgbFrames, options?: EncodeOptions): Promise<Float32Array[]>;
  /** One embedding per text, each cut to maxTextTokens tokens. */
  encodeTexts(texts: readonly string[], options?: EncodeOptions): Promise<Float32Array[]>;
  /** The text of the first `maxTokens` tokens of `text` under this encoder's tokenizer. */
  truncate(text: string, maxTokens: number): string;
  close(): Promise<void>;
}

/** A dual encoder on onnxruntime sessions. */
export class OnnxDualEncoder implements DualEncoder {
  private closed = false;

  private constructor(
    private readonly vision: InferenceSession,
    private readonly text: InferenceSession,
    private readonly tokenizer: TextTokenizer,
    private readonly pixels: PixelSettings,
    readonly maxTextTokens: number,
    private readonly padId: number,
    readonly options: OnnxEncoderOptions,
  ) {}

  /** Loads the tokenizer and both sessions; a missing file or graph name is an EncoderLoadError naming it. */
  static async open(input: OnnxEncoderOptionsInput): Promise<OnnxDualEncoder> {
    const options = parseOnnxEncoderOptions(input);
    const manifest = await readEncoderManifest(options.dir);
    const imageSize = options.imageSize ?? manifest?.config.imageSize;
    const maxTextTokens = options.maxTextTokens ?? manifest?.config.maxTextTokens;
    if (imageSize === undefined)
      throw new EncoderOptionsError('imageSize', `required: ${options.dir} has no ${ENCODER_FILES.config}`);
    if (maxTextTokens === undefined)
      throw new EncoderOptionsError('maxTextTokens', `required: ${options.dir} has no ${ENCODER_FILES.config}`);
    const tokenizer = await readTokenizer(join(options.dir, options.files.tokenizer));
    const padId = options.padId ?? manifest?.config.padId ?? tokenizer.tokenToId(options.padToken);
    if (padId === undefined)
      throw new EncoderOptionsError('padToken', `${options.padToken} is not in the tokenizer; set padId`);
    const sessionOptions: InferenceSession.SessionOptions = {
      executionProviders: [options.executionProvider],
      graphOptimizationLevel: 'all',
      interOpNumThreads: 1,
      ...(options.intraOpThreads > 0 ? { intraOpNumThreads: options.intraOpThreads } : {}),
      // Spinning threads fight over the cores of a shared machine (see @vrft/engine-ort).
      extra: { session: { intra_op: { allow_spinning: '0' } } },
    };
    const vision = await createSession(join(options.dir, options.files.vision), sessionOptions);
    let text: InferenceSession;
    try {
      text = await createSession(join(options.dir, options.files.text), sessionOptions);
    } catch (error) {
      await vision.release();
      throw error;
    }
    const encoder = new OnnxDualEncoder(
      vision,
      text,
      tokenizer,
      {
        imageSize,
        pixelMean: options.pixelMean ?? manifest?.config.pixelMean ?? [0.5, 0.5, 0.5],
        pixelStd: options.pixelStd ?? manifest?.config.pixelStd ?? [0.5, 0.5, 0.5],
      },
      maxTextTokens,
      padId,
      options,
    );
    try {
      encoder.checkNames();
    } catch (error) {
      await encoder.close();
      throw error;
    }
    return encoder;
  }

  get imageSize(): number {
    return this.pixels.imageSize;
  }

  async encodeFrames(frames: RgbFrames, options: EncodeOptions = {}): Promise<Float32Array[]> {
    this.checkOpen();
    const pixels = toPixelValues(frames, this.pixels);
    const count = frames.shape[0];
    const s = this.imageSize;
    const out: Float32Array[] = [];
    for (let start = 0; start < count; start += this.options.maxBatch) {
      await this.beforeRun(options.signal);
      const n = Math.min(this.options.maxBatch, count - start);
      const input = new Tensor('float32', pixels.subarray(start * 3 * s * s, (start + n) * 3 * s * s), [n, 3, s, s]);
      const result = await this.vision.run({ [this.options.io.pixelValues]: input });
      out.push(...rowsOf(result, this.options.io.imageEmbeds, n));
    }
    return out;
  }

  async encodeTexts(texts: readonly string[], options: EncodeOptions = {}): Promise<Float32Array[]> {
    this.checkOpen();
    const m = this.maxTextTokens;
    const { ids } = tokenizeTexts(this.tokenizer, texts, m, this.padId);
    const out: Float32Array[] = [];
    for (let start = 0; start < texts.length; start += this.options.maxBatch) {
      await this.beforeRun(options.signal);
      const n = Math.min(this.options.maxBatch, texts.length - start);
      const chunk = ids.subarray(start * m, (start + n) * m);
      const feeds: Record<string, Tensor> = {
        [this.options.io.inputIds]: new Tensor(
          'int64',
          BigInt64Array.from(chunk, (id) => BigInt(id)),
          [n, m],
        ),
      };
      if (this.options.io.attentionMask !== '') {
        const mask = BigInt64Array.from(chunk, (id) => (id === this.padId ? 0n : 1n));
        feeds[this.options.io.attentionMask] = new Tensor('int64', mask, [n, m]);
      }
      const result = await this.text.run(feeds);
      out.push(...rowsOf(result, this.options.io.textEmbeds, n));
    }
    return out;
  }

  truncate(text: string, maxTokens: number): string {
    return truncateToTokens(this.tokenizer, text, Math.min(maxTokens, this.maxTextTokens));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.vision.release();
    await this.text.release();
  }

  private checkNames(): void {
    const { io } = this.options;
    const expect = (
      session: InferenceSession,
      kind: 'input' | 'output',
      name: string,
      field: string,
      graph: string,
    ): void => {
      const names = kind === 'input' ? session.inputNames : session.outputNames;
      if (!names.includes(name)) {
        throw new EncoderLoadError(
          join(this.options.dir, graph),
          `has no ${kind} ${JSON.stringify(name)} (io.${field}); it has ${names.join(', ')}`,
        );
      }
    };
    expect(this.vision, 'input', io.pixelValues, 'pixelValues', this.options.files.vision);
    expect(this.vision, 'output', io.imageEmbeds, 'imageEmbeds', this.options.files.vision);
    expect(this.text, 'input', io.inputIds, 'inputIds', this.options.files.text);
    expect(this.text, 'output', io.textEmbeds, 'textEmbeds', this.options.files.text);
    if (io.attentionMask !== '') expect(this.text, 'input', io.attentionMask, 'attentionMask', this.options.files.text);
  }

  private checkOpen(): void {
    if (this.closed) throw new EncoderCancelledError('the encoder is closed');
  }

  private async beforeRun(signal: AbortSignal | undefined): Promise<void> {
    // Yield between runs so a long batch does not hold the event loop (gRPC, health) for its whole length.
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (signal?.aborted) throw new EncoderCancelledError('encoding was cancelled', { cause: signal.reason });
    this.checkOpen();
  }
}

async function createSession(path: string, options: InferenceSession.SessionOptions): Promise<InferenceSession> {
  try {
    return await InferenceSession.create(path, options);
  } catch (cause) {
    throw new EncoderLoadError(path, `cannot create an onnxruntime session: ${(cause as Error).message}`, { cause });
  }
}

// [n, E] (or [n, 1, E]) float output → n rows.
function rowsOf(result: InferenceSession.ReturnType, name: string, n: number): Float32Array[] {
  const output = result[name];
  if (output === undefined || !(output.data instanceof Float32Array)) {
    throw new EncoderInputError(name, 'the graph did not return a float32 tensor');
  }
  const data = output.data;
  const width = data.length / n;
  if (!Number.isInteger(width) || width < 1 || output.dims[0] !== n) {
    throw new EncoderInputError(name, `output dims [${output.dims.join(', ')}] do not hold ${n} rows`);
  }
  return Array.from({ length: n }, (_, i) => data.slice(i * width, (i + 1) * width));
}
