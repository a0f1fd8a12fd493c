/**
 * The session workers of one model version and the admission of sequences into their running
 * batches. Each worker runs up to `maxBatchSize` sequences at once; a call's sequences are
 * handed to workers as slots free up (in arrival order), and calls that cannot start at once
 * wait in a bounded queue: one more is refused at once with QueueFullError. Cancelling a call
 * (its signal, its deadline, or a failure) drops its waiting sequences and asks the workers to
 * drop the running ones before their next step. Jobs (scoring, vision) wait here, one in flight
 * per worker, so a cancelled job that has not started is dropped without the worker seeing it.
 * A worker that dies fails what it was running with WorkerCrashError and is replaced (one that
 * dies before its sessions exist is not: it would likely die again). `workers` and
 * `terminateWorker` are the operator's view of the threads and the way to end one. Threads are
 * never stopped with Worker.terminate(): stopping one inside an onnxruntime call (a run, a
 * session being created) aborts the whole process, so a worker is told to exit and does so
 * between two calls.
 */
import { Worker } from 'node:worker_threads';
import { EngineClosedError, EngineError, fromWireError, QueueFullError, WorkerCrashError } from '../errors.js';
import { type Completion, type GenerateResult, type PreparedGenerate } from '../runtime/requests.js';
import { type SequenceDelta } from '../runtime/sequence.js';
import { locateWorkerScript, workerExecArgv } from './worker-script.js';
import {
  type FromWorker,
  type JobResult,
  type SequenceEvent,
  type StepStats,
  type ToWorker,
  type WorkerInit,
  type WorkerJob,
} from './protocol.js';

/** Size limits of a pool. */
export interface PoolSettings {
  /** Worker threads, each with its own sessions and running batch. */
  readonly workers: number;
  /** Calls that may wait for a slot (and jobs in flight); one more is refused with QueueFullError. */
  readonly maxQueue: number;
  /** Sequences running at once in one worker's batch. */
  readonly maxBatchSize: number;
  /** Told about every scheduler iteration (metrics). */
  readonly onStep?: (stats: StepStats) => void;
}

/** Tokens of one sample of one request of a call, as they are sampled. */
export interface CallDelta extends SequenceDelta {
  /** Index of the request in the call. */
  readonly request: number;
  /** Index of the sample within the request. */
  readonly sample: number;
}

/** How a call runs. */
export interface CallOptions {
  /** Called with token deltas as they are sampled; without it, only the results come back. */
  readonly onDelta?: (delta: CallDelta) => void;
  /** Aborting cancels the call: it rejects with the signal's reason and its slots are freed. */
  readonly signal?: AbortSignal;
}

interface WorkerSlot {
  readonly worker: Worker;
  /** Sequences admitted and not yet finished or released. */
  used: number;
  /** A job has been sent and not answered yet. */
  jobBusy: boolean;
  /** Its sessions are created: it may be sent work (a replacement worker is not, until then). */
  ready: boolean;
  /** Its thread has ended ('exit' was emitted). */
  exited: boolean;
  nextId: number;
  readonly pending: Map<number, { resolve(value: unknown): void; reject(error: unknown): void }>;
}

/** One session worker as an operator sees it. */
export interface WorkerInfo {
  /** Its thread's id (`threadId` of node:worker_threads). */
  readonly threadId: number;
  /** Sequences in its running batch. */
  readonly running: number;
  /** Whether its sessions are created; false while a replacement starts. */
  readonly ready: boolean;
}

/** A job waiting for a worker or running in one. */
interface PendingJob {
  readonly job: WorkerJob;
  /** The worker and message id once sent. */
  sent?: { readonly slot: WorkerSlot; readonly id: number };
  settled: boolean;
  detach: () => void;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/** How a job runs. */
export interface JobOptions {
  /** Aborting rejects the job with the signal's reason: dropped if not started, stopped between chunks if running. */
  readonly signal?: AbortSignal;
}

interface Call {
  readonly requests: readonly PreparedGenerate[];
  readonly completions: (Completion | undefined)[][]; // [request][sample]
  /** Samples not yet handed to a worker, in order. */
  readonly waiting: { request: number; sample: number }[];
  remaining: number;
  settled: boolean;
  /** Removes the abort listener once the call is settled. */
  detach: () => void;
  readonly options: CallOptions;
  resolve(results: GenerateResult[]): void;
  reject(error: unknown): void;
}

interface SequenceRef {
  readonly call: Call;
  readonly request: number;
  readonly sample: number;
  readonly slot: WorkerSlot;
}

/** The built session-worker script; FAILED_PRECONDITION when the package was not built. */
export function resolveWorkerScript(): string {
  const path = locateWorkerScript(import.meta.url, 'session-worker.js');
  if (path === undefined) {
    throw new EngineError(
      'FAILED_PRECONDITION',
      'the session worker script is missing: build the package (npm run build)',
    );
  }
  return path;
}

/** Session workers of one model version with their running batches. */
export class WorkerPool {
  private readonly slots: WorkerSlot[] = [];
  private readonly queue: Call[] = [];
  private readonly sequences = new Map<number, SequenceRef>();
  private readonly jobQueue: PendingJob[] = [];
  private nextSequence = 1;
  /** Jobs queued or in flight (a cancelled job in flight counts until its worker answers). */
  private jobs = 0;
  private closing = false;
  private idleWaiters: (() => void)[] = [];

  private constructor(
    private readonly init: WorkerInit,
    private readonly settings: PoolSettings,
    private readonly script: string,
  ) {}

  /** Starts the workers and waits until each has created its sessions (or one failed). */
  static async start(init: WorkerInit, settings: PoolSettings): Promise<WorkerPool> {
    const pool = new WorkerPool(init, settings, resolveWorkerScript());
    try {
      await Promise.all(Array.from({ length: settings.workers }, () => pool.addWorker()));
    } catch (error) {
      await pool.terminate();
      throw error;
    }
    return pool;
  }

  /** Calls waiting for a slot. */
  get queued(): number {
    return this.queue.length;
  }

  /** Sequences in the workers' batches. */
  get running(): number {
    return this.slots.reduce((n, slot) => n + slot.used, 0);
  }

  /** Calls queued, sequences running and jobs in flight. */
  get load(): number {
    return this.queue.length + this.running + this.jobs;
  }

  /** The session workers, a replacement that is still creating its sessions included. */
  get workers(): WorkerInfo[] {
    return this.slots.map((slot) => ({ threadId: slot.worker.threadId, running: slot.used, ready: slot.ready }));
  }

  /**
   * Ends the ready session worker with this thread id, as an operator ends a misbehaving one:
   * its thread exits between two graph runs and the pool handles that as any crash, failing its
   * sequences and its job with WorkerCrashError and starting a replacement (listed in `workers`
   * when this resolves). Resolves false when no ready worker of this pool has that id.
   */
  async terminateWorker(threadId: number): Promise<boolean> {
    const slot = this.slots.find((candidate) => candidate.ready && candidate.worker.threadId === threadId);
    if (!slot) return false;
    await stopThread(slot); // after onWorkerDied, whose 'exit' listener came first
    return true;
  }

  /**
   * Generates every sample of every request; they join the running batches as slots free up.
   * Throws QueueFullError at once when the call would have to wait and the queue is full.
   */
  generate(requests: readonly PreparedGenerate[], options: CallOptions = {}): Promise<GenerateResult[]> {
    if (this.closing) return Promise.reject(new EngineClosedError());
    if (options.signal?.aborted) return Promise.reject(abortReason(options.signal));
    // Every worker gone (a replacement failed to start): waiting would never end.
    if (this.slots.length === 0) return Promise.reject(new WorkerCrashError('no session worker is running'));
    return new Promise<GenerateResult[]>((resolve, reject) => {
      const call: Call = {
        requests,
        completions: requests.map((r) => r.seeds.map(() => undefined)),
        waiting: requests.flatMap((r, request) => r.seeds.map((_, sample) => ({ request, sample }))),
        remaining: requests.reduce((n, r) => n + r.seeds.length, 0),
        settled: false,
        detach: () => undefined,
        options,
        resolve,
        reject,
      };
      if (call.remaining === 0) {
        resolve([]);
        return;
      }
      if (this.queue.length >= this.settings.maxQueue && call.remaining > this.freeSlots()) {
        reject(new QueueFullError(this.settings.maxQueue));
        return;
      }
      this.queue.push(call);
      const { signal } = options;
      if (signal) {
        const onAbort = (): void => this.cancel(call, abortReason(signal));
        signal.addEventListener('abort', onAbort, { once: true });
        call.detach = () => signal.removeEventListener('abort', onAbort);
      }
      this.dispatch();
    });
  }

  /**
   * Runs a job (scoring, vision) between decode steps of a worker with no other job in flight,
   * the least busy first; jobs wait here in arrival order until one is free.
   */
  run<J extends WorkerJob>(job: J, options: JobOptions = {}): Promise<JobResult<J>> {
    if (this.closing) return Promise.reject(new EngineClosedError());
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    if (this.jobs >= this.settings.maxQueue) return Promise.reject(new QueueFullError(this.settings.maxQueue));
    if (this.slots.length === 0) return Promise.reject(new WorkerCrashError('no session worker is running'));
    this.jobs += 1;
    return new Promise<JobResult<J>>((resolve, reject) => {
      const pending: PendingJob = {
        job,
        settled: false,
        detach: () => undefined,
        resolve: resolve as (value: unknown) => void,
        reject,
      };
      if (signal) {
        const onAbort = (): void => this.cancelJob(pending, abortReason(signal));
        signal.addEventListener('abort', onAbort, { once: true });
        pending.detach = () => signal.removeEventListener('abort', onAbort);
      }
      this.jobQueue.push(pending);
      this.dispatchJobs();
    });
  }

  /** Stops taking calls, lets queued and running ones finish, then releases the sessions and workers. */
  async close(): Promise<void> {
    this.closing = true;
    if (this.load > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    await Promise.all(this.slots.map((slot) => this.send(slot, { type: 'close', id: 0 }).catch(() => undefined)));
    await this.terminate();
  }

  /** Sends waiting jobs to workers without a job in flight. */
  private dispatchJobs(): void {
    while (this.jobQueue.length > 0) {
      let slot: WorkerSlot | undefined;
      for (const candidate of this.slots) {
        if (candidate.ready && !candidate.jobBusy && (!slot || candidate.used < slot.used)) slot = candidate;
      }
      if (!slot) return;
      const pending = this.jobQueue.shift() as PendingJob;
      const target = slot;
      target.jobBusy = true;
      const { id, reply } = this.request(target, { type: 'job', id: 0, job: pending.job });
      pending.sent = { slot: target, id };
      // The worker's place is free before the caller hears back, so `load` is already down then.
      const answered = (settle: () => void): void => {
        target.jobBusy = false;
        this.jobs -= 1;
        this.settleJob(pending, settle);
        this.dispatchJobs();
        this.notifyIdle();
      };
      reply.then(
        (value) => answered(() => pending.resolve(value)),
        (error: unknown) => answered(() => pending.reject(error)),
      );
    }
  }

  private settleJob(pending: PendingJob, settle: () => void): void {
    if (pending.settled) return;
    pending.settled = true;
    pending.detach();
    settle();
  }

  /** Rejects a job now; one not sent yet leaves the queue, one running is told to stop. */
  private cancelJob(pending: PendingJob, error: unknown): void {
    if (pending.settled) return;
    this.settleJob(pending, () => pending.reject(error));
    if (pending.sent) {
      pending.sent.slot.worker.postMessage({ type: 'cancel-job', id: 0, job: pending.sent.id } satisfies ToWorker);
      return;
    }
    const index = this.jobQueue.indexOf(pending);
    if (index >= 0) this.jobQueue.splice(index, 1);
    this.jobs -= 1;
    this.notifyIdle();
  }

  private freeSlots(): number {
    return this.slots.reduce((n, slot) => n + Math.max(0, this.settings.maxBatchSize - slot.used), 0);
  }

  private leastBusy(): WorkerSlot | undefined {
    let best: WorkerSlot | undefined;
    for (const slot of this.slots) if (slot.ready && (!best || slot.used < best.used)) best = slot;
    return best;
  }

  /** Hands waiting samples to workers with free slots, oldest call first. */
  private dispatch(): void {
    while (this.queue.length > 0) {
      const call = this.queue[0] as Call;
      while (call.waiting.length > 0) {
        const slot = this.leastBusy();
        if (!slot || slot.used >= this.settings.maxBatchSize) return;
        // The samples of one request that fit go together: they share one prefill.
        const room = this.settings.maxBatchSize - slot.used;
        const first = call.waiting[0] as { request: number; sample: number };
        let count = 0;
        while (count < room && call.waiting[count]?.request === first.request) count += 1;
        const taken = call.waiting.splice(0, count);
        const request = call.requests[first.request] as PreparedGenerate;
        const sequences = taken.map(({ sample }) => {
          const id = this.nextSequence++;
          this.sequences.set(id, { call, request: first.request, sample, slot });
          return { id, seed: request.seeds[sample] as bigint };
        });
        slot.used += sequences.length;
        slot.worker.postMessage({
          type: 'admit',
          id: 0,
          request: {
            promptIds: request.promptIds,
            sampling: request.sampling,
            sequences,
            stream: call.options.onDelta !== undefined,
            ...(request.video ? { video: request.video } : {}),
            ...(request.visualTokens ? { visualTokens: request.visualTokens } : {}),
          },
        } satisfies ToWorker);
      }
      this.queue.shift();
    }
  }

  private onEvents(events: readonly SequenceEvent[], stats: StepStats | undefined): void {
    for (const event of events) {
      const ref = this.sequences.get(event.id);
      if (!ref) continue;
      const { call } = ref;
      if (event.kind === 'delta') {
        if (!call.settled) call.options.onDelta?.({ ...event.delta, request: ref.request, sample: ref.sample });
        continue;
      }
      this.sequences.delete(event.id);
      ref.slot.used -= 1;
      if (call.settled) continue;
      if (event.kind === 'done') {
        if (event.delta) call.options.onDelta?.({ ...event.delta, request: ref.request, sample: ref.sample });
        (call.completions[ref.request] as (Completion | undefined)[])[ref.sample] = event.completion;
        call.remaining -= 1;
        if (call.remaining === 0) {
          call.settled = true;
          call.detach();
          call.resolve(
            call.requests.map((request, i) => ({
              completions: call.completions[i] as Completion[],
              promptTokens: request.promptIds.length,
            })),
          );
        }
      } else if (event.kind === 'failed') {
        this.cancel(call, fromWireError(event.error));
      }
    }
    if (stats) this.settings.onStep?.(stats);
    this.dispatch();
    this.notifyIdle();
  }

  /** Settles a call with `error`, drops its waiting samples and asks workers to drop the running ones. */
  private cancel(call: Call, error: unknown): void {
    if (call.settled) return;
    call.settled = true;
    call.detach();
    call.waiting.length = 0;
    const index = this.queue.indexOf(call);
    if (index >= 0) this.queue.splice(index, 1);
    const bySlot = new Map<WorkerSlot, number[]>();
    for (const [id, ref] of this.sequences) {
      if (ref.call === call) bySlot.set(ref.slot, [...(bySlot.get(ref.slot) ?? []), id]);
    }
    for (const [slot, ids] of bySlot) slot.worker.postMessage({ type: 'cancel', id: 0, ids } satisfies ToWorker);
    call.reject(error);
    this.dispatch();
    this.notifyIdle();
  }

  private notifyIdle(): void {
    if (this.load === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  /** Ends every worker thread (dropped from the list first, so their exits are expected). */
  private async terminate(): Promise<void> {
    const slots = this.slots.splice(0);
    await Promise.all(slots.map(stopThread));
  }

  private async addWorker(): Promise<void> {
    const slot: WorkerSlot = {
      worker: new Worker(this.script, { execArgv: workerExecArgv() }),
      used: 0,
      jobBusy: false,
      ready: false,
      exited: false,
      nextId: 1,
      pending: new Map(),
    };
    slot.worker.on('message', (message: FromWorker) => {
      if (message.type === 'events') {
        this.onEvents(message.events, message.stats);
        return;
      }
      const waiter = slot.pending.get(message.id);
      if (!waiter) return;
      slot.pending.delete(message.id);
      if (message.type === 'done') waiter.resolve(message.value);
      else waiter.reject(fromWireError(message.error));
    });
    slot.worker.on('error', (error) => this.onWorkerDied(slot, error));
    slot.worker.on('exit', (code) => {
      slot.exited = true;
      this.onWorkerDied(slot, new Error(`worker exited with code ${code}`));
    });
    this.slots.push(slot);
    try {
      await this.send(slot, { type: 'init', id: 0, init: this.init });
    } catch (error) {
      // A worker that cannot create its sessions is never used: drop it (the exit is expected).
      // One that died starting is gone from the list already.
      const index = this.slots.indexOf(slot);
      if (index >= 0) this.slots.splice(index, 1);
      await stopThread(slot);
      throw error;
    }
    slot.ready = true;
    this.dispatch();
    this.dispatchJobs();
  }

  private send(slot: WorkerSlot, message: ToWorker): Promise<unknown> {
    return this.request(slot, message).reply;
  }

  /** Posts a message that the worker answers; `id` names it (to cancel a job). */
  private request(slot: WorkerSlot, message: ToWorker): { id: number; reply: Promise<unknown> } {
    const id = slot.nextId++;
    const reply = new Promise((resolve, reject) => {
      slot.pending.set(id, { resolve, reject });
      slot.worker.postMessage({ ...message, id });
    });
    return { id, reply };
  }

  private onWorkerDied(slot: WorkerSlot, cause: Error): void {
    const index = this.slots.indexOf(slot);
    if (index < 0) return; // terminated on purpose, or already handled
    this.slots.splice(index, 1);
    const crash = new WorkerCrashError(`a session worker died: ${cause.message}`, { cause });
    for (const waiter of slot.pending.values()) waiter.reject(crash);
    slot.pending.clear();
    const calls = new Set<Call>();
    for (const [id, ref] of this.sequences) {
      if (ref.slot !== slot) continue;
      this.sequences.delete(id);
      calls.add(ref.call);
    }
    slot.used = 0;
    for (const call of calls) this.cancel(call, crash);
    // A worker that died before its sessions existed is not replaced (its starter hears of it):
    // a replacement would likely die the same way, again and again. A closing pool replaces one
    // only for the calls and jobs it accepted before closing, which still have to finish.
    if (!slot.ready || (this.closing && this.load === 0)) {
      this.notifyIdle();
      return;
    }
    // Replace it so the pool keeps its size; calls wait in the queue meanwhile.
    this.addWorker().then(
      () => this.dispatch(),
      (error: unknown) => {
        // Another worker (ready or starting) takes what waits; with none left, it fails now.
        if (this.slots.length > 0) return;
        for (const call of [...this.queue]) this.cancel(call, error);
        for (const pending of [...this.jobQueue]) this.cancelJob(pending, error);
      },
    );
  }
}

/**
 * Ends a worker's thread: it is told to exit, which it does between two onnxruntime calls.
 * Resolves once it has exited.
 */
function stopThread(slot: WorkerSlot): Promise<void> {
  if (slot.exited) return Promise.resolve();
  return new Promise((resolve) => {
    slot.worker.once('exit', () => resolve());
    slot.worker.postMessage({ type: 'exit', id: 0 } satisfies ToWorker);
  });
}

function abortReason(signal: AbortSignal | undefined): unknown {
  return signal?.reason ?? new DOMException('the call was cancelled', 'AbortError');
}
