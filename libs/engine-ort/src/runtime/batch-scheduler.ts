/**
 * Continuous batching inside a session worker. One loop owns the sessions; each iteration
 *   1. runs queued jobs (scoring, vision encoding),
 *   2. drops cancelled sequences (their slots are free from here),
 *   3. admits waiting prompts: vision, one prefill per prompt (its samples share it), the first
 *      token of each sample, and the KV copied into free rows of the slot cache,
 *   4. runs one decode step of every running row and samples the next tokens,
 * reporting events after the admission and after the step, then yields to the event loop so
 * that new admissions and cancellations arrive between steps. Finished rows leave at once.
 */
import { headDim, type ModelConfig } from '@vrft/model';
import { toWireError } from '../errors.js';
import { type DecodeText } from '../sampling/stop-matcher.js';
import { type AdmitRequest, type SequenceEvent, type StepStats } from '../worker/protocol.js';
import { type PrefillRow } from './batch-inputs.js';
import { type ModelRunner } from './model-runner.js';
import { Sequence } from './sequence.js';
import { SlotKvCache } from './slot-cache.js';

/** Limits of a scheduler. */
export interface SchedulerSettings {
  /** Most prompt positions prefilled in one iteration (at least one prompt is always admitted). */
  readonly maxPrefillTokens: number;
  /** KV-cache capacity grows and shrinks by this many slots. */
  readonly cacheBlock: number;
  /** Most sequences in the running batch (sizes the cache's buffers); unbounded when absent. */
  readonly maxBatchSize?: number;
  /** Least ms between two deltas of a running sequence (0 or absent: after every step). */
  readonly streamIntervalMs?: number;
}

/** Receives what the scheduler reports. */
export type EventSink = (events: SequenceEvent[], stats: StepStats | undefined) => void;

interface QueuedJob {
  readonly run: () => Promise<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** The running batch of one worker. */
export class BatchScheduler {
  private readonly waiting: AdmitRequest[] = [];
  private readonly rows: Sequence[] = []; // row i of the cache
  private readonly cancelled = new Set<number>();
  private readonly jobs: QueuedJob[] = [];
  private cache: SlotKvCache;
  private running = false;
  private readonly scratch: Float64Array;

  constructor(
    private readonly runner: ModelRunner,
    private readonly config: ModelConfig,
    private readonly decodeText: DecodeText,
    private readonly settings: SchedulerSettings,
    private readonly emit: EventSink,
  ) {
    this.cache = this.createCache();
    this.scratch = new Float64Array(2 * config.vocabSize); // sampler scratch
  }

  /** Sequences running or waiting to be prefilled. */
  get size(): number {
    return this.rows.length + this.waiting.reduce((n, request) => n + request.sequences.length, 0);
  }

  /** Queues a prompt; it joins the running batch at the next iteration. */
  admit(request: AdmitRequest): void {
    this.waiting.push(request);
    this.wake();
  }

  /** Marks sequences as cancelled; they leave before the next step. */
  cancel(ids: readonly number[]): void {
    for (const id of ids) this.cancelled.add(id);
    this.wake();
  }

  /** Runs `run` between decode steps, with the sessions to itself. */
  runJob<T>(run: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.jobs.push({ run, resolve: resolve as (value: unknown) => void, reject });
      this.wake();
    });
  }

  private wake(): void {
    if (this.running) return;
    this.running = true;
    void this.loop();
  }

  private async loop(): Promise<void> {
    for (;;) {
      await yieldToEventLoop();
      for (let job = this.jobs.shift(); job; job = this.jobs.shift()) {
        await job.run().then(job.resolve, job.reject);
      }
      const events: SequenceEvent[] = [];
      this.dropCancelled(events);
      const started = performance.now();
      const admitted = await this.admitWaiting(events);
      if (events.length > 0 || admitted > 0) {
        this.emit(events.splice(0), { batch: 0, tokens: admitted, seconds: (performance.now() - started) / 1000 });
      }
      if (this.rows.length > 0) {
        const stepStarted = performance.now();
        const batch = this.rows.length;
        await this.step(events);
        this.emit(events, { batch, tokens: batch, seconds: (performance.now() - stepStarted) / 1000 });
      }
      if (this.rows.length === 0 && this.waiting.length === 0 && this.jobs.length === 0) break;
    }
    this.cancelled.clear();
    this.running = false;
  }

  private dropCancelled(events: SequenceEvent[]): void {
    if (this.cancelled.size === 0) return;
    for (let i = this.rows.length - 1; i >= 0; i--) {
      const id = (this.rows[i] as Sequence).spec.id;
      if (this.cancelled.has(id)) {
        this.removeRow(i);
        events.push({ kind: 'released', id });
      }
    }
    for (let r = this.waiting.length - 1; r >= 0; r--) {
      const request = this.waiting[r] as AdmitRequest;
      const kept = request.sequences.filter((s) => !this.cancelled.has(s.id));
      for (const s of request.sequences) if (this.cancelled.has(s.id)) events.push({ kind: 'released', id: s.id });
      if (kept.length === 0) this.waiting.splice(r, 1);
      else if (kept.length < request.sequences.length) this.waiting[r] = { ...request, sequences: kept };
    }
    this.cancelled.clear();
  }

  /** Prefills waiting prompts within the token budget; returns the first tokens sampled. */
  private async admitWaiting(events: SequenceEvent[]): Promise<number> {
    if (this.waiting.length === 0) return 0;
    const batch: AdmitRequest[] = [];
    let tokens = 0;
    while (this.waiting.length > 0) {
      const next = this.waiting[0] as AdmitRequest;
      if (batch.length > 0 && tokens + next.promptIds.length > this.settings.maxPrefillTokens) break;
      batch.push(next);
      tokens += next.promptIds.length;
      this.waiting.shift();
    }
    let sampled = 0;
    try {
      const clips = batch.flatMap((r) => (r.video ? [r.video] : []));
      const encoded = clips.length > 0 ? await this.runner.encodeClips(clips) : [];
      let clip = 0;
      const prefillRows: PrefillRow[] = batch.map((r) => ({
        ids: r.promptIds,
        visual: r.video ? encoded[clip++] : r.visualTokens,
      }));
      const vocab = this.config.vocabSize;
      await this.runner.prefill(prefillRows, (chunkStart, logits, kv) => {
        for (let b = 0; b * vocab < logits.length; b++) {
          const request = batch[chunkStart + b] as AdmitRequest;
          for (const { id, seed } of request.sequences) {
            const sequence = this.createSequence(request, id, seed);
            sequence.advance(logits, b * vocab, this.scratch);
            sampled += 1;
            if (sequence.finish) {
              events.push(this.doneEvent(sequence));
              continue;
            }
            this.cache.addRow(kv, b, request.promptIds.length);
            this.rows.push(sequence);
            const delta = request.stream ? sequence.takeDelta(performance.now()) : undefined;
            if (delta) events.push({ kind: 'delta', id, delta });
          }
        }
      });
    } catch (error) {
      // A prompt that the sessions refuse fails its own sequences; the batch goes on.
      const wire = toWireError(error);
      const known = new Set(this.rows.map((row) => row.spec.id));
      for (const request of batch) {
        for (const { id } of request.sequences) {
          if (!known.has(id) && !events.some((e) => e.id === id)) events.push({ kind: 'failed', id, error: wire });
        }
      }
    }
    return sampled;
  }

  private async step(events: SequenceEvent[]): Promise<void> {
    const vocab = this.config.vocabSize;
    let out: { logits: Float32Array; probs: Float32Array };
    try {
      out = await this.runner.decodeStep(
        this.cache,
        this.rows.map((row) => row.nextInput),
      );
    } catch (error) {
      const wire = toWireError(error);
      for (const row of this.rows) events.push({ kind: 'failed', id: row.spec.id, error: wire });
      this.rows.length = 0;
      this.cache = this.createCache();
      return;
    }
    const now = performance.now();
    this.rows.forEach((row, i) => row.advance(out.logits, i * vocab, this.scratch, out.probs));
    for (let i = this.rows.length - 1; i >= 0; i--) {
      const row = this.rows[i] as Sequence;
      if (row.finish) {
        events.push(this.doneEvent(row));
        this.removeRow(i);
      } else if (row.spec.stream && now - row.deltaAt >= (this.settings.streamIntervalMs ?? 0)) {
        const delta = row.takeDelta(now);
        if (delta) events.push({ kind: 'delta', id: row.spec.id, delta });
      }
    }
  }

  private doneEvent(sequence: Sequence): SequenceEvent {
    const delta = sequence.spec.stream ? sequence.takeDelta() : undefined;
    return { kind: 'done', id: sequence.spec.id, completion: sequence.toCompletion(), ...(delta ? { delta } : {}) };
  }

  /** Removes row i from the cache and the row list alike (the last row moves into its place). */
  private removeRow(i: number): void {
    this.cache.removeRow(i);
    const last = this.rows.pop() as Sequence;
    if (i < this.rows.length) this.rows[i] = last;
  }

  private createSequence(request: AdmitRequest, id: number, seed: bigint): Sequence {
    return new Sequence(
      { id, seed, promptLength: request.promptIds.length, sampling: request.sampling, stream: request.stream },
      this.config,
      this.decodeText,
    );
  }

  private createCache(): SlotKvCache {
    return new SlotKvCache({
      layers: this.config.numLayers,
      kvHeads: this.config.numKvHeads,
      headSize: headDim(this.config),
      block: this.settings.cacheBlock,
      ...(this.settings.maxBatchSize === undefined ? {} : { maxRows: this.settings.maxBatchSize }),
      maxCapacity: this.config.contextLength,
    });
  }
}
