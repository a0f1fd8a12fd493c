/**
 * The graphs of one model version's sessions as the scheduler uses them (inside a worker
 * thread): vision encoding, prefill of newcomers (chunked by a token budget) into the slot
 * cache, one decode step of the running batch, and scoring.
 */
import { unsampledTokenIds, visualTokensPerFrame, type ModelConfig } from '@vrft/model';
import { Tensor } from 'onnxruntime-node';
import { LM_IO } from '../export/lm-graphs.js';
import { VISION_IO } from '../export/vision-graph.js';
import { logSoftmax, maskUnsampledTokens } from '../sampling/sampler.js';
import { buildPrefillFeeds, chunkRows, int64Tensor, type PrefillRow } from './batch-inputs.js';
import { type ModelSessions } from './model-sessions.js';
import { type ClipFrames, type ScoreRequest, type ScoreResult } from './requests.js';
import { type PrefillKv, type SlotKvCache } from './slot-cache.js';

/** Batch limits of a runner. */
export interface RunnerSettings {
  /** Most positions (rows × padded length) in one prefill run; larger batches run in chunks. */
  readonly maxPrefillTokens: number;
  /** Most clips in one vision run. */
  readonly maxVisionClips: number;
}

/** Runs generation and scoring on a set of sessions. */
export class ModelRunner {
  private readonly newNames: { readonly keys: string[]; readonly values: string[] };
  private readonly layers: number[];

  constructor(
    private readonly sessions: ModelSessions,
    readonly config: ModelConfig,
    private readonly settings: RunnerSettings,
  ) {
    this.layers = Array.from({ length: config.numLayers }, (_, i) => i);
    this.newNames = { keys: this.layers.map(LM_IO.newKey), values: this.layers.map(LM_IO.newValue) };
  }

  /**
   * Visual tokens [F·Nt·D] of each clip; a clip object given twice is encoded once. An aborted
   * `signal` stops before the next vision run with its reason.
   */
  async encodeClips(clips: readonly ClipFrames[], signal?: AbortSignal): Promise<Float32Array[]> {
    const unique = [...new Set(clips)];
    const encoded = new Map<ClipFrames, Float32Array>();
    const byFrames = new Map<number, ClipFrames[]>();
    for (const clip of unique) byFrames.set(clip.frameCount, [...(byFrames.get(clip.frameCount) ?? []), clip]);
    const { imageHeight: h, imageWidth: w, dModel: d } = this.config;
    for (const [frameCount, group] of byFrames) {
      for (let i = 0; i < group.length; i += this.settings.maxVisionClips) {
        const chunk = group.slice(i, i + this.settings.maxVisionClips);
        signal?.throwIfAborted();
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

  /**
   * Prefills rows (left-padded, chunked by the token budget) and hands each chunk's logits at
   * the last position [b, 1, V] and its present KV to `take`, which copies what it keeps.
   */
  async prefill(
    rows: readonly PrefillRow[],
    take: (chunkStart: number, logits: Float32Array, kv: PrefillKv) => void,
  ): Promise<void> {
    if (rows.length === 0) return;
    const length = Math.max(...rows.map((row) => row.ids.length));
    let chunkStart = 0;
    for (const chunk of chunkRows(rows, length, this.settings.maxPrefillTokens)) {
      const out = await this.sessions.prefill.run(buildPrefillFeeds(this.config, chunk, length, [length - 1]));
      const data = (name: string) => (out[name] as Tensor).data as Float32Array;
      take(chunkStart, data(LM_IO.logits), {
        keys: this.layers.map((i) => data(LM_IO.presentKey(i))),
        values: this.layers.map((i) => data(LM_IO.presentValue(i))),
        length,
      });
      chunkStart += chunk.length;
    }
  }

  /**
   * One decode step of every row of the cache: feeds each row's last token at its position,
   * writes the new key/value into the cache and returns the logits and probs = softmax(z/τ)
   * [n, 1, V] (τ = 0 rows: softmax(z)).
   */
  async decodeStep(
    cache: SlotKvCache,
    inputs: readonly { token: number; position: number; temperature: number }[],
  ): Promise<{ logits: Float32Array; probs: Float32Array }> {
    const n = inputs.length;
    const inverseTemperature = new Float32Array(n);
    inputs.forEach((input, i) => (inverseTemperature[i] = input.temperature > 0 ? 1 / input.temperature : 1));
    const out = await this.sessions.decode.run({
      ...cache.feeds(),
      [LM_IO.inputIds]: int64Tensor(
        inputs.map((input) => input.token),
        [n, 1],
      ),
      [LM_IO.positionIds]: int64Tensor(
        inputs.map((input) => input.position),
        [n, 1],
      ),
      [LM_IO.inverseTemperature]: new Tensor('float32', inverseTemperature, [n, 1]),
    });
    const data = (name: string) => (out[name] as Tensor).data as Float32Array;
    cache.append(this.newNames.keys.map(data), this.newNames.values.map(data));
    return { logits: data(LM_IO.logits), probs: data(LM_IO.probs) };
  }

  /**
   * Per-token log-probs of each request's completion under softmax(z/τ). An aborted `signal`
   * stops before the next graph run (vision or a prefill chunk) with its reason.
   */
  async score(requests: readonly ScoreRequest[], signal?: AbortSignal): Promise<ScoreResult[]> {
    signal?.throwIfAborted();
    if (requests.length === 0) return [];
    const visual = await this.visualTokensOf(requests, signal);
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
    const unsampled = unsampledTokenIds(this.config);
    for (const chunk of chunkRows(rows, length, this.settings.maxPrefillTokens)) {
      signal?.throwIfAborted(); // a cancel message is handled before each run (session.run starts on setImmediate)
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
          const offset = (r * longestCompletion + k) * vocab;
          maskUnsampledTokens(logits, offset, unsampled);
          logSoftmax(logits, offset, vocab, request.temperature ?? 1, scratch);
          logprobs.push(scratch[request.completionIds[j] as number] as number);
        }
      });
    }
    return results;
  }

  private async visualTokensOf(
    requests: readonly { video?: ClipFrames; visualTokens?: Float32Array }[],
    signal: AbortSignal | undefined,
  ): Promise<(Float32Array | undefined)[]> {
    const withVideo = requests.flatMap((r) => (r.video ? [r.video] : []));
    const encoded = withVideo.length > 0 ? await this.encodeClips(withVideo, signal) : [];
    let next = 0;
    return requests.map((r) => (r.video ? encoded[next++] : r.visualTokens));
  }
}
