/**
 * The encoder's session workers: `size` worker threads, each with its own vision and text
 * sessions, running one graph at a time. Runs wait in arrival order and go to the first idle
 * worker, so the chunks of one call (and the frame and text batches of one group) run side by
 * side when there are several workers. A call whose signal aborts leaves the queue at once; a run
 * already in a worker finishes there and its result is dropped. A worker that dies fails its run
 * with EncoderRunError and is replaced (one that dies before its sessions exist is not: it would
 * likely die again). `workers` and `terminateWorker` are the operator's view of the threads and
 * the way to end one. Threads are never stopped with Worker.terminate(): stopping one inside an
 * onnxruntime call (a run, a session being created) aborts the whole process, so a worker is
 * told to exit and does so between two calls. Same pattern as @vrft/engine-ort's WorkerPool
 * (built worker script, the parent's flags without the `source` condition).
 */
import { Worker } from 'node:worker_threads';
import { locateWorkerScript, workerExecArgv } from '@vrft/engine-ort';
import { EncoderCancelledError, EncoderLoadError, EncoderRunError, fromWireError } from '../errors.js';
import { cancelled, type EncoderWorkerInfo, type GraphRunner } from '../graph-runner.js';
import {
  type GraphName,
  type GraphNames,
  type GraphOutput,
  type GraphRun,
  type SessionSettings,
} from '../graph-session.js';
import { type FromWorker, type ToWorker, type WorkerRequest } from './protocol.js';

/** The built encoder-worker script; EncoderLoadError when the package was not built. */
export function resolveWorkerScript(): string {
  const path = locateWorkerScript(import.meta.url, 'encoder-worker.js');
  if (path === undefined) {
    throw new EncoderLoadError(
      'dist/worker/encoder-worker.js',
      'the encoder worker script is missing: build the package (node tools/build.mjs)',
    );
  }
  return path;
}

interface Job {
  readonly run: GraphRun;
  readonly signal: AbortSignal | undefined;
  settled: boolean;
  detach: () => void;
  resolve(output: GraphOutput): void;
  reject(error: unknown): void;
}

interface Slot {
  readonly worker: Worker;
  /** The job it is running. */
  job: Job | undefined;
  /** Its sessions are open: it may be sent runs (a replacement is not, until then). */
  ready: boolean;
  /** Its thread has ended ('exit' was emitted). */
  exited: boolean;
  nextId: number;
  readonly pending: Map<number, { resolve(value: unknown): void; reject(error: unknown): void }>;
}

/** The transferable buffers of a run's feeds (each feed owns its buffer: see OnnxDualEncoder). */
function transferOf(run: GraphRun): ArrayBuffer[] {
  return Object.values(run.feeds).map((feed) => feed.data.buffer as ArrayBuffer);
}

/** Worker threads with encoder sessions. */
export class EncoderWorkerPool implements GraphRunner {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private alive = 0;
  private closing = false;
  private idleWaiters: (() => void)[] = [];
  private workerNames: Readonly<Record<GraphName, GraphNames>> | undefined;

  private constructor(
    private readonly settings: SessionSettings,
    private readonly script: string,
  ) {}

  /** Starts `size` workers and waits until each has opened its sessions (or one failed, which is thrown). */
  static async start(settings: SessionSettings, size: number): Promise<EncoderWorkerPool> {
    const pool = new EncoderWorkerPool(settings, resolveWorkerScript());
    try {
      await Promise.all(Array.from({ length: size }, () => pool.addWorker()));
    } catch (error) {
      await pool.stopAll();
      throw error;
    }
    return pool;
  }

  get names(): Readonly<Record<GraphName, GraphNames>> {
    return this.workerNames as Readonly<Record<GraphName, GraphNames>>;
  }

  get liveWorkers(): number {
    return this.alive;
  }

  get running(): number {
    return this.slots.filter((slot) => slot.job !== undefined).length;
  }

  /** The workers, a replacement that is still opening its sessions included. */
  get workers(): EncoderWorkerInfo[] {
    return this.slots.map((slot) => ({
      threadId: slot.worker.threadId,
      busy: slot.job !== undefined,
      ready: slot.ready,
    }));
  }

  /**
   * Ends the ready worker with this thread id, as an operator ends a misbehaving one: its thread
   * exits between two graph runs and the pool handles that as any crash, failing the run it had
   * with EncoderRunError and starting a replacement (listed in `workers` when this resolves).
   * Resolves false when no ready worker of this pool has that id.
   */
  async terminateWorker(threadId: number): Promise<boolean> {
    const slot = this.slots.find((candidate) => candidate.ready && candidate.worker.threadId === threadId);
    if (!slot) return false;
    await stopThread(slot); // after onWorkerDied, whose 'exit' listener came first
    return true;
  }

  run(run: GraphRun, signal?: AbortSignal): Promise<GraphOutput> {
    if (this.closing) return Promise.reject(new EncoderCancelledError('the encoder is closed'));
    if (signal?.aborted) return Promise.reject(cancelled(signal));
    return new Promise<GraphOutput>((resolve, reject) => {
      const job: Job = { run, signal, settled: false, detach: () => undefined, resolve, reject };
      if (signal) {
        const onAbort = (): void => {
          const index = this.queue.indexOf(job);
          if (index >= 0) this.queue.splice(index, 1);
          this.settle(job, undefined, cancelled(signal));
          this.notifyIdle();
        };
        signal.addEventListener('abort', onAbort, { once: true });
        job.detach = () => signal.removeEventListener('abort', onAbort);
      }
      this.queue.push(job);
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    if (this.queue.length > 0 || this.running > 0) {
      await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    }
    // A replacement still opening its sessions has none to release yet; it is only told to exit.
    const ready = this.slots.filter((slot) => slot.ready);
    await Promise.all(ready.map((slot) => this.send(slot, { type: 'close', id: 0 }).catch(() => undefined)));
    await this.stopAll();
  }

  private settle(job: Job, output: GraphOutput | undefined, error?: unknown): void {
    if (job.settled) return;
    job.settled = true;
    job.detach();
    if (error !== undefined) job.reject(error);
    else job.resolve(output as GraphOutput);
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (!slot.ready || slot.job !== undefined) continue;
      const job = this.queue.shift();
      if (job === undefined) return;
      slot.job = job;
      this.send(slot, { type: 'run', id: 0, run: job.run }, transferOf(job.run)).then(
        (output) => this.finish(slot, job, output as GraphOutput),
        (error: unknown) => this.finish(slot, job, undefined, error),
      );
    }
  }

  private finish(slot: Slot, job: Job, output: GraphOutput | undefined, error?: unknown): void {
    if (slot.job === job) slot.job = undefined;
    this.settle(job, output, error);
    this.dispatch();
    this.notifyIdle();
  }

  private notifyIdle(): void {
    if (this.queue.length === 0 && this.running === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  /** Ends every worker thread (dropped from the list first, so their exits are expected). */
  private async stopAll(): Promise<void> {
    const slots = this.slots.splice(0);
    await Promise.all(slots.map(stopThread));
  }

  private async addWorker(): Promise<void> {
    const slot: Slot = {
      worker: new Worker(this.script, { execArgv: workerExecArgv() }),
      job: undefined,
      ready: false,
      exited: false,
      nextId: 1,
      pending: new Map(),
    };
    this.alive += 1;
    slot.worker.on('message', (message: FromWorker) => {
      const waiter = slot.pending.get(message.id);
      if (!waiter) return;
      slot.pending.delete(message.id);
      if (message.type === 'done') waiter.resolve(message.value);
      else waiter.reject(fromWireError(message.error, this.pathOf(slot)));
    });
    slot.worker.on('error', (error) => this.onWorkerDied(slot, error));
    slot.worker.on('exit', (code) => {
      this.alive -= 1;
      slot.exited = true;
      this.onWorkerDied(slot, new Error(`the worker exited with code ${code}`));
    });
    this.slots.push(slot);
    let names: unknown;
    try {
      names = await this.send(slot, { type: 'init', id: 0, settings: this.settings });
    } catch (error) {
      // A worker that cannot open its sessions is never used: drop it (so its exit is expected).
      // One that died starting is gone from the list already.
      const index = this.slots.indexOf(slot);
      if (index >= 0) this.slots.splice(index, 1);
      await stopThread(slot);
      throw error;
    }
    this.workerNames ??= names as Record<GraphName, GraphNames>;
    // Stopped while it opened its sessions (the pool closed, or a sibling failed to start).
    if (!this.slots.includes(slot)) return;
    slot.ready = true;
    this.dispatch();
  }

  private pathOf(slot: Slot): string {
    return slot.job ? this.settings.paths[slot.job.run.graph] : this.settings.paths.vision;
  }

  private send(slot: Slot, message: WorkerRequest, transfer: ArrayBuffer[] = []): Promise<unknown> {
    const id = slot.nextId++;
    return new Promise((resolve, reject) => {
      slot.pending.set(id, { resolve, reject });
      slot.worker.postMessage({ ...message, id }, transfer);
    });
  }

  private onWorkerDied(slot: Slot, cause: Error): void {
    // Whatever it had not answered fails (a worker stopped on purpose included: nothing waits on
    // it forever, such as the start of a sibling of a worker that failed to start).
    const crash = new EncoderRunError(this.pathOf(slot), `the encoder worker died: ${cause.message}`, { cause });
    for (const waiter of slot.pending.values()) waiter.reject(crash);
    slot.pending.clear();
    const index = this.slots.indexOf(slot);
    if (index < 0) return; // stopped on purpose, or already handled
    this.slots.splice(index, 1);
    // A worker that died before its sessions existed is not replaced (its starter hears of it):
    // a replacement would likely die the same way, again and again. A closing pool replaces one
    // only for the runs it accepted before closing, which still have to finish.
    if (!slot.ready || (this.closing && this.queue.length === 0)) return;
    // Replace it so the pool keeps its size; runs wait in the queue meanwhile.
    this.addWorker().then(
      () => undefined,
      (error: unknown) => {
        if (this.slots.length > 0) return;
        for (const job of this.queue.splice(0)) this.settle(job, undefined, error);
        this.notifyIdle();
      },
    );
  }
}

/**
 * Ends a worker's thread: it is told to exit, which it does between two onnxruntime calls.
 * Resolves once it has exited.
 */
function stopThread(slot: Slot): Promise<void> {
  if (slot.exited) return Promise.resolve();
  return new Promise((resolve) => {
    slot.worker.once('exit', () => resolve());
    slot.worker.postMessage({ type: 'exit', id: 0 } satisfies ToWorker);
  });
}
