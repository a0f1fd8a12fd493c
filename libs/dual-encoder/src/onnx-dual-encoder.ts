/**
 * The dual encoder on onnxruntime-node: two sessions (vision and text) loaded from an encoder
 * directory — ours (encoder.json gives the preprocessing) or an external SigLIP-style export (a
 * Unigram or BPE tokenizer.json; preprocessing from its side files or the options). This is the
 * adapter that touches onnxruntime.
 *
 * The sessions run in worker threads (options.workers, default 1) so a run never blocks the
 * caller's event loop; workers: 0 runs them on the calling thread. Inputs are cut into chunks of
 * maxBatch, one graph run each; the AbortSignal is checked before every run.
 */
import { setMaxListeners } from 'node:events';
import { join } from 'node:path';
import { type RgbFrames } from '@vrft/video';
import { type OnnxEncoderOptions, type OnnxEncoderOptionsInput, parseOnnxEncoderOptions } from './encoder-options.js';
import { ENCODER_FILES, readAnyTokenizer, readEncoderManifest } from './encoder-checkpoint.js';
import { EncoderCancelledError, EncoderInputError, EncoderLoadError, EncoderOptionsError } from './errors.js';
import { readExportDefaults, resolveGraphFile } from './external-layout.js';
import { type EncoderWorkerInfo, InThreadRunner, type GraphRunner } from './graph-runner.js';
import { type FeedTensor, type GraphName, type GraphOutput, type SessionSettings } from './graph-session.js';
import {
  type PixelSettings,
  type TextTokenizer,
  toPixelValues,
  tokenizeTexts,
  truncateToTokens,
} from './preprocess.js';
import { EncoderWorkerPool } from './worker/encoder-pool.js';

/** Per-call options. */
export interface EncodeOptions {
  /** Stops the call: runs not yet started are dropped and the call rejects at once. */
  readonly signal?: AbortSignal;
}

/** What the reward service needs of a dual encoder. */
export interface DualEncoder {
  /** Frames must be imageSize × imageSize. */
  readonly imageSize: number;
  /** M of the text graph: the ids a text is laid out in (template ids included). */
  readonly maxTextTokens: number;
  /** One embedding per frame of RGB uint8 frames [F, S, S, 3]. */
  encodeFrames(frames: RgbFrames, options?: EncodeOptions): Promise<Float32Array[]>;
  /** One embedding per text, each cut to the tokens that fit in maxTextTokens. */
  encodeTexts(texts: readonly string[], options?: EncodeOptions): Promise<Float32Array[]>;
  /** The text of the first `maxTokens` tokens of `text` under this encoder's tokenizer. */
  truncate(text: string, maxTokens: number): string;
  close(): Promise<void>;
}

/** A dual encoder on onnxruntime sessions. */
export class OnnxDualEncoder implements DualEncoder {
  private closed = false;

  private constructor(
    private readonly runner: GraphRunner,
    private readonly paths: Readonly<Record<GraphName, string>>,
    private readonly tokenizer: TextTokenizer,
    private readonly pixels: PixelSettings,
    readonly maxTextTokens: number,
    readonly padId: number,
    readonly options: OnnxEncoderOptions,
  ) {}

  /**
   * Loads the tokenizer and both sessions (in the workers). A missing file, a graph name the
   * graph lacks or a malformed side file is an EncoderLoadError naming it; a setting no file and
   * no option gives is an EncoderOptionsError naming the option.
   */
  static async open(input: OnnxEncoderOptionsInput): Promise<OnnxDualEncoder> {
    const options = parseOnnxEncoderOptions(input);
    const manifest = await readEncoderManifest(options.dir);
    const side = manifest === undefined ? await readExportDefaults(options.dir) : {};
    const tokenizerPath = join(options.dir, options.files.tokenizer);
    const tokenizer = await readAnyTokenizer(tokenizerPath);
    if (tokenizer.template === undefined) {
      throw new EncoderLoadError(tokenizerPath, 'its post_processor is not supported (TemplateProcessing is)');
    }
    const imageSize = options.imageSize ?? manifest?.config.imageSize ?? side.imageSize;
    const maxTextTokens =
      options.maxTextTokens ?? manifest?.config.maxTextTokens ?? tokenizer.padding?.fixedLength ?? side.maxTextTokens;
    const missing = `${options.dir} has no ${ENCODER_FILES.config} and no export file gives it`;
    if (imageSize === undefined) throw new EncoderOptionsError('imageSize', `required: ${missing}`);
    if (maxTextTokens === undefined) throw new EncoderOptionsError('maxTextTokens', `required: ${missing}`);
    const templateIds = tokenizer.template.before.length + tokenizer.template.after.length;
    if (maxTextTokens <= templateIds) {
      throw new EncoderOptionsError(
        'maxTextTokens',
        `${maxTextTokens} leaves no room next to ${templateIds} template ids`,
      );
    }
    const padId = resolvePadId(options, manifest?.config.padId, tokenizer, side.padToken);
    const paths = {
      vision: resolveGraphFile(options.dir, options.files.vision),
      text: resolveGraphFile(options.dir, options.files.text),
    };
    const settings: SessionSettings = {
      paths,
      executionProvider: options.executionProvider,
      intraOpThreads: options.intraOpThreads,
    };
    const runner =
      options.workers === 0
        ? await InThreadRunner.open(settings)
        : await EncoderWorkerPool.start(settings, options.workers);
    const encoder = new OnnxDualEncoder(
      runner,
      paths,
      tokenizer,
      {
        imageSize,
        pixelMean: options.pixelMean ?? manifest?.config.pixelMean ?? side.pixelMean ?? [0.5, 0.5, 0.5],
        pixelStd: options.pixelStd ?? manifest?.config.pixelStd ?? side.pixelStd ?? [0.5, 0.5, 0.5],
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

  /** Worker threads alive (0 when the sessions run on the calling thread or after close). */
  get liveWorkers(): number {
    return this.runner.liveWorkers;
  }

  /** Graph runs handed to a thread and not yet answered. */
  get running(): number {
    return this.runner.running;
  }

  /** Operator diagnostics: the worker threads, a replacement still opening its sessions included. */
  get workers(): readonly EncoderWorkerInfo[] {
    return this.runner.workers;
  }

  /**
   * Operator action: ends the ready worker thread with this id (it exits between two graph runs).
   * The run it had fails with EncoderRunError, as when a worker crashes, and a replacement starts
   * (listed in `workers` when this resolves). False when no ready worker has that id.
   */
  terminateWorker(threadId: number): Promise<boolean> {
    return this.runner.terminateWorker(threadId);
  }

  async encodeFrames(frames: RgbFrames, options: EncodeOptions = {}): Promise<Float32Array[]> {
    this.checkOpen();
    const pixels = toPixelValues(frames, this.pixels);
    const count = frames.shape[0];
    const plane = 3 * this.imageSize * this.imageSize;
    const { io } = this.options;
    return this.runChunks(count, options.signal, (start, n) => ({
      graph: 'vision',
      output: io.imageEmbeds,
      // slice, not subarray: each run owns its buffer (it moves to the worker).
      feeds: {
        [io.pixelValues]: {
          type: 'float32',
          data: pixels.slice(start * plane, (start + n) * plane),
          dims: [n, 3, this.imageSize, this.imageSize],
        },
      },
    }));
  }

  async encodeTexts(texts: readonly string[], options: EncodeOptions = {}): Promise<Float32Array[]> {
    this.checkOpen();
    const m = this.maxTextTokens;
    const { ids, lengths } = tokenizeTexts(this.tokenizer, texts, m, this.padId);
    const { io } = this.options;
    return this.runChunks(texts.length, options.signal, (start, n) => {
      const chunk = ids.subarray(start * m, (start + n) * m);
      const feeds: Record<string, FeedTensor> = {
        [io.inputIds]: { type: 'int64', data: BigInt64Array.from(chunk, (id) => BigInt(id)), dims: [n, m] },
      };
      if (io.attentionMask !== '') {
        const mask = new BigInt64Array(n * m);
        for (let row = 0; row < n; row++) mask.fill(1n, row * m, row * m + (lengths[start + row] as number));
        feeds[io.attentionMask] = { type: 'int64', data: mask, dims: [n, m] };
      }
      return { graph: 'text', output: io.textEmbeds, feeds };
    });
  }

  /** The first `maxTokens` tokens of text (at most what fits in M next to the template's ids). */
  truncate(text: string, maxTokens: number): string {
    const template = this.tokenizer.template ?? { before: [], after: [] };
    const room = this.maxTextTokens - template.before.length - template.after.length;
    return truncateToTokens(this.tokenizer, text, Math.min(maxTokens, room));
  }

  /** Waits for runs in progress, then releases the sessions and ends the worker threads. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.runner.close();
  }

  /** Runs every chunk of `count` rows (they may run side by side in several workers); rows in order. */
  private async runChunks(
    count: number,
    signal: AbortSignal | undefined,
    chunk: (start: number, n: number) => Parameters<GraphRunner['run']>[0],
  ): Promise<Float32Array[]> {
    if (signal?.aborted) throw new EncoderCancelledError('encoding was cancelled', { cause: signal.reason });
    // One listener on the caller's signal per call; the runs listen to a signal of our own.
    const local = new AbortController();
    setMaxListeners(0, local.signal);
    const forward = (): void => local.abort(signal?.reason);
    signal?.addEventListener('abort', forward, { once: true });
    const batch = this.options.maxBatch;
    const runs: Promise<Float32Array[]>[] = [];
    for (let start = 0; start < count; start += batch) {
      const n = Math.min(batch, count - start);
      const run = chunk(start, n);
      runs.push(this.runner.run(run, local.signal).then((output) => this.rowsOf(output, run.graph, n)));
    }
    // Settle every run before answering, so none is left unobserved when one fails.
    const settled = await Promise.allSettled(runs);
    signal?.removeEventListener('abort', forward);
    const failed = settled.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
    return settled.flatMap((result) => (result.status === 'fulfilled' ? result.value : []));
  }

  // [n, E] (or [n, 1, E]) float output → n rows.
  private rowsOf(output: GraphOutput, graph: GraphName, n: number): Float32Array[] {
    const { data, dims } = output;
    const width = data.length / n;
    if (!Number.isInteger(width) || width < 1 || dims[0] !== n) {
      throw new EncoderInputError(
        `${graph} output`,
        `dims [${dims.join(', ')}] of ${this.paths[graph]} do not hold ${n} rows`,
      );
    }
    return Array.from({ length: n }, (_, i) => data.slice(i * width, (i + 1) * width));
  }

  private checkNames(): void {
    const { io } = this.options;
    const names = this.runner.names;
    const expect = (graph: GraphName, kind: 'input' | 'output', name: string, field: string): void => {
      const list = kind === 'input' ? names[graph].inputs : names[graph].outputs;
      if (!list.includes(name)) {
        throw new EncoderLoadError(
          this.paths[graph],
          `has no ${kind} ${JSON.stringify(name)} (io.${field}); it has ${list.join(', ')}`,
        );
      }
    };
    expect('vision', 'input', io.pixelValues, 'pixelValues');
    expect('vision', 'output', io.imageEmbeds, 'imageEmbeds');
    expect('text', 'input', io.inputIds, 'inputIds');
    expect('text', 'output', io.textEmbeds, 'textEmbeds');
    if (io.attentionMask !== '') expect('text', 'input', io.attentionMask, 'attentionMask');
  }

  private checkOpen(): void {
    if (this.closed) throw new EncoderCancelledError('the encoder is closed');
  }
}

/**
 * The padding id: the option; ours from encoder.json; an explicit padToken; tokenizer.json's
 * `padding`; tokenizer_config.json's pad_token; else '<pad>'.
 */
function resolvePadId(
  options: OnnxEncoderOptions,
  manifestPadId: number | undefined,
  tokenizer: TextTokenizer,
  sidePadToken: string | undefined,
): number {
  if (options.padId !== undefined) return options.padId;
  if (manifestPadId !== undefined) return manifestPadId;
  const byToken = (token: string, source: string): number => {
    const id = tokenizer.tokenToId(token);
    if (id === undefined) {
      throw new EncoderOptionsError(
        'padToken',
        `${JSON.stringify(token)} (${source}) is not in the tokenizer; set padId`,
      );
    }
    return id;
  };
  if (options.padToken !== undefined) return byToken(options.padToken, 'option padToken');
  if (tokenizer.padding !== undefined) return tokenizer.padding.padId;
  if (sidePadToken !== undefined) return byToken(sidePadToken, 'tokenizer_config.json pad_token');
  return byToken('<pad>', 'the default pad token');
}
