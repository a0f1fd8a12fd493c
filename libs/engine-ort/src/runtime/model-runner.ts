/**
 * Generation and scoring on one model version's sessions (this runs inside a worker thread):
 * vision → prefill (chunked by a token budget) → KV-cache decode steps with batched sampling,
 * rows leaving the batch as they finish.
 */
import { headDim, visualTokensPerFrame, type ModelConfig } from '@vrft/model';
import { Tensor } from 'onnxruntime-node';
import { LM_IO } from '../export/lm-graphs.js';
import { VISION_IO } from '../export/vision-graph.js';
import { createSamplingRng, type SamplingRng } from '../sampling/rng.js';
import { logSoftmax, sampleToken } from '../sampling/sampler.js';
import { type SamplingParams } from '../sampling/sampling-params.js';
import { StopMatcher, type DecodeText } from '../sampling/stop-matcher.js';
import { buildPrefillFeeds, chunkRows, concatRows, int64Tensor, type PrefillRow } from './batch-inputs.js';
import { KvCache } from './kv-cache.js';
import { type ModelSessions } from './model-sessions.js';
import {
  type ClipFrames,
  type Completion,
  type FinishReason,
  type GenerateResult,
  type PreparedGenerate,
  type ScoreRequest,
  type ScoreResult,
} from './requests.js';

/** Batch limits of a runner. */
export interface RunnerSettings {
  /** Most positions (rows × padded length) in one prefill run; larger batches run in chunks. */
  readonly maxPrefillTokens: number;
  /** Most clips in one vision run. */
  readonly maxVisionClips: number;
}

interface RowState {
  readonly request: number;
  readonly promptLength: number;
  readonly pad: number;
  readonly sampling: SamplingParams;
  readonly rng: SamplingRng;
  readonly seed: bigint;
  readonly stopMatcher: StopMatcher;
  readonly tokens: number[];
  readonly logprobs: number[];
  finish?: { reason: FinishReason; stop?: string; text?: string };
}

/** Runs generation and scoring on a set of sessions. */
export class ModelRunner {
  private readonly newNames: { readonly keys: string[]; readonly values: string[] };

  constructor(
    private readonly sessions: ModelSessions,
    readonly config: ModelConfig,
    private readonly decodeText: DecodeText,
    private readonly settings: RunnerSettings,
  ) {
    const layers = Array.from({ length: config.numLayers }, (_, i) => i);
    this.newNames = { keys: layers.map(LM_IO.newKey), values: layers.map(LM_IO.newValue) };
  }

  /** Visual tokens [F·Nt·D] of each clip; a clip object given twice is encoded once. */
  async encodeClips(clips: readonly ClipFrames[]): Promise<Float32Array[]> {
    const unique = [...new Set(clips)];
    const encoded = new Map<ClipFrames, Float32Array>();
    const byFrames = new Map<number, ClipFrames[]>();
    for (const clip of unique) byFrames.set(clip.frameCount, [...(byFrames.get(clip.frameCount) ?? []), clip]);
    const { imageHeight: h, imageWidth: w, dModel: d } = this.config;
    for (const [frameCount, group] of byFrames) {
      for (let i = 0; i < group.length; i += this.settings.maxVisionClips) {
        const chunk = group.slice(i, i + this.settings.maxVisionClips);
        const frameBytes = frameCount * h * w * 3;
        const frames = new Uint8Array(chunk.length * frameBytes);
        chunk.forEach((clip, c) => frames.set(clip.frames, c * frameBytes));
        const out = await this.sessions.vision.run({
          [VISION_IO.frames]: new Tensor('uint8', frames, [chunk.length, frameCount, h, w, 3]),
        });
        const tokens = (out[VISION_IO.visualTokens] as Tensor).data as Float32Array; // [b, F·Nt, D]
        const perClip = frameCount * visualTokensPerFrame(this.config) * d;
        chunk.forEach((clip, c) => encoded.set(clip, tokens.slice(c * perClip, (c + 1) * perClip)));
      }
    }
    return clips.map((clip) => encoded.get(clip) as Float32Array);
  }

  /** Completes every prepared request (each with its samples) in one batch. */
  async generate(requests: readonly PreparedGenerate[]): Promise<GenerateResult[]> {
    if (requests.length === 0) return [];
    const visual = await this.visualTokensOf(requests);
    const rows: RowState[] = [];
    const prefillRows: PrefillRow[] = [];
    const length = Math.max(...requests.map((r) => r.promptIds.length));
    requests.forEach((request, index) => {
      for (const seed of request.seeds) {
        rows.push({
          request: index,
          promptLength: request.promptIds.length,
          pad: length - request.promptIds.length,
          sampling: request.sampling,
          rng: createSamplingRng(seed),
          seed,
          stopMatcher: new StopMatcher(request.sampling.stop, this.decodeText),
          tokens: [],
          logprobs: [],
        });
        prefillRows.push({ ids: request.promptIds, visual: visual[index] });
      }
    });

    // Capacity: the padded prompt plus every token but the last of the longest completion.
    const longestCompletion = Math.max(...requests.map((r) => r.sampling.maxNewTokens));
    let cache = KvCache.create(
      {
        layers: this.config.numLayers,
        heads: this.config.numHeads,
        headSize: headDim(this.config),
        capacity: length + longestCompletion - 1,
      },
      rows.map((row) => row.pad),
    );
    const logitChunks: Float32Array[] = [];
    let firstRow = 0;
    for (const chunk of chunkRows(prefillRows, length, this.settings.maxPrefillTokens)) {
      const out = await this.sessions.prefill.run(buildPrefillFeeds(this.config, chunk, length, [length - 1]));
      logitChunks.push((out[LM_IO.logits] as Tensor).data as Float32Array);
      for (let i = 0; i < this.config.numLayers; i++) {
        const key = (out[LM_IO.presentKey(i)] as Tensor).data as Float32Array;
        const value = (out[LM_IO.presentValue(i)] as Tensor).data as Float32Array;
        cache.writePrefill(i, key, value, firstRow, length);
      }
      firstRow += chunk.length;
    }
    cache.length = length;
    let logits = concatRows(logitChunks); // [B, 1, V]
    let batch = rows; // rows of the running batch, finished ones included until compaction
    const vocab = this.config.vocabSize;
    const scratch = new Float64Array(vocab);

    for (;;) {
      batch.forEach((row, i) => {
        if (!row.finish) this.advance(row, logits, i * vocab, scratch);
      });
      const keep = batch.flatMap((row, i) => (row.finish ? [] : [i]));
      if (keep.length === 0) break;
      // Finished rows leave once they are a quarter of the batch: compaction copies the cache.
      if ((batch.length - keep.length) * 4 >= batch.length) {
        cache = cache.selectRows(keep);
        batch = keep.map((i) => batch[i] as RowState);
      }
      const out = await this.sessions.decode.run(this.decodeFeeds(batch, cache));
      logits = (out[LM_IO.logits] as Tensor).data as Float32Array; // [b, 1, V]
      cache.append(
        this.newNames.keys.map((name) => (out[name] as Tensor).data as Float32Array),
        this.newNames.values.map((name) => (out[name] as Tensor).data as Float32Array),
      );
    }

    const results: GenerateResult[] = requests.map((request) => ({
      completions: [],
      promptTokens: request.promptIds.length,
    }));
    for (const row of rows) results[row.request]?.completions.push(this.toCompletion(row));
    return results;
  }

  /** Per-token log-probs of each request's completion under softmax(z/τ). */
  async score(requests: readonly ScoreRequest[]): Promise<ScoreResult[]> {
    if (requests.length === 0) return [];
    const visual = await this.visualTokensOf(requests);
    const results: ScoreResult[] = requests.map(() => ({ logprobs: [] }));
    const longestCompletion = Math.max(...requests.map((r) => r.completionIds.length));
    if (longestCompletion === 0) return results;
    const rows = requests.map((request, index) => ({
      index,
      row: { ids: [...request.promptIds, ...request.completionIds], visual: visual[index] },
    }));
    const length = Math.max(...rows.map((r) => r.row.ids.length));
    // Rows end at the last position; completion token j of a row with C tokens sits at
    // length − C + j and is predicted by the logits one position earlier.
    const first = length - longestCompletion - 1;
    const positions = Array.from({ length: longestCompletion }, (_, k) => first + k);
    const vocab = this.config.vocabSize;
    const scratch = new Float64Array(vocab);
    for (const chunk of chunkRows(rows, length, this.settings.maxPrefillTokens)) {
      const feeds = buildPrefillFeeds(
        this.config,
        chunk.map((c) => c.row),
        length,
        positions,
      );
      const out = await this.sessions.prefill.run(feeds);
      const logits = (out[LM_IO.logits] as Tensor).data as Float32Array; // [b, K, V]
      chunk.forEach(({ index }, r) => {
        const request = requests[index] as ScoreRequest;
        const count = request.completionIds.length;
        const logprobs = results[index]?.logprobs as number[];
        for (let j = 0; j < count; j++) {
          const k = longestCompletion - count + j;
          logSoftmax(logits, (r * longestCompletion + k) * vocab, vocab, request.temperature ?? 1, scratch);
          logprobs.push(scratch[request.completionIds[j] as number] as number);
        }
      });
    }
    return results;
  }

  private async visualTokensOf(
    requests: readonly { video?: ClipFrames; visualTokens?: Float32Array }[],
  ): Promise<(Float32Array | undefined)[]> {
    const withVideo = requests.flatMap((r) => (r.video ? [r.video] : []));
    const encoded = withVideo.length > 0 ? await this.encodeClips(withVideo) : [];
    let next = 0;
    return requests.map((r) => (r.video ? encoded[next++] : r.visualTokens));
  }

  /** Samples a row's next token from its logits and decides whether the row is finished. */
  private advance(row: RowState, logits: Float32Array, offset: number, scratch: Float64Array): void {
    const { token, logprob } = sampleToken(logits, offset, this.config.vocabSize, row.sampling, row.rng, scratch);
    row.tokens.push(token);
    row.logprobs.push(logprob);
    if (token === this.config.specialTokens.eos) {
      row.finish = { reason: 'eos' };
      return;
    }
    const match = row.stopMatcher.check(row.tokens);
    if (match) {
      row.finish = { reason: 'stop', stop: match.stop, text: match.text };
      return;
    }
    // The last token must still have a position inside the context to be fed back.
    if (
      row.tokens.length >= row.sampling.maxNewTokens ||
      row.promptLength + row.tokens.length >= this.config.contextLength
    ) {
      row.finish = { reason: 'length' };
    }
  }

  /** Feeds of a decode step; finished rows still in the batch get a harmless pad at position 0. */
  private decodeFeeds(batch: readonly RowState[], cache: KvCache): Record<string, Tensor> {
    const b = batch.length;
    const pad = this.config.specialTokens.pad;
    return {
      ...cache.feeds(),
      [LM_IO.inputIds]: int64Tensor(
        batch.map((row) => (row.finish ? pad : (row.tokens[row.tokens.length - 1] as number))),
        [b, 1],
      ),
      [LM_IO.positionIds]: int64Tensor(
        batch.map((row) => (row.finish ? 0 : row.promptLength + row.tokens.length - 1)),
        [b, 1],
      ),
    };
  }

  private toCompletion(row: RowState): Completion {
    const finish = row.finish ?? { reason: 'length' as const };
    const textIds = finish.reason === 'eos' ? row.tokens.slice(0, -1) : row.tokens;
    return {
      tokenIds: row.tokens,
      logprobs: row.logprobs,
      text: finish.text ?? this.decodeText(textIds),
      finishReason: finish.reason,
      ...(finish.stop === undefined ? {} : { stop: finish.stop }),
      seed: row.seed,
    };
  }
}
