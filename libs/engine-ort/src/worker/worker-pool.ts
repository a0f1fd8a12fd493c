/**
 * A pool of session workers for one model version, with a bounded queue. Jobs go to idle workers
 * in arrival order; a job's error comes back as its rejection and the worker stays in service. A
 * worker that dies fails its job with WorkerCrashError and is replaced.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { EngineClosedError, EngineError, fromWireError, QueueFullError, WorkerCrashError } from '../errors.js';
import { type FromWorker, type JobResult, type ToWorker, type WorkerInit, type WorkerJob } from './protocol.js';

/** Size limits of a pool. */
export interface PoolSettings {
  /** Worker threads, each with its own sessions. */
  readonly workers: number;
  /** Jobs that may wait for a worker; one more is refused with QueueFullError. */
  readonly maxQueue: number;
}

interface QueuedJob {
  readonly job: WorkerJob;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

interface Slot {
  worker: Worker;
  busy: QueuedJob | undefined;
  nextId: number;
  pending: Map<number, { resolve(value: unknown): void; reject(error: unknown): void }>;
}

/**
 * The worker script: the built dist/worker/session-worker.js. Running from TypeScript sources
 * (tests), the build output next to src/ is used, so the package must be built first.
 */
export function resolveWorkerScript(): string {
  const here = import.meta.url;
  const url = here.endsWith('.ts')
    ? new URL('../../dist/worker/session-worker.js', here)
    : new URL('./session-worker.js', here);
  const path = fileURLToPath(url);
  if (!existsSync(path)) {
    throw new EngineError(
      'FAILED_PRECONDITION',
      `the worker script ${path} is missing: build the package (npm run build)`,
    );
  }
  return path;
}

/**
 * The parent's Node flags without the `source` export condition: the worker runs built
 * JavaScript, so workspace packages must resolve to their dist/, not to TypeScript sources
 * (test runners start Node with `--conditions source`).
 */
export function workerExecArgv(parent: readonly string[] = process.execArgv): string[] {
  const out: string[] = [];
  for (let i = 0; i < parent.length; i++) {
    const arg = parent[i] as string;
    if ((arg === '--conditions' || arg === '-C') && parent[i + 1] === 'source') i += 1;
    else if (arg !== '--conditions=source' && arg !== '-C=source') out.push(arg);
  }
  return out;
}

/** Session workers of one model version. */
export class WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly queue: QueuedJob[] = [];
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

  /** Jobs queued or running. */
  get load(): number {
    return this.queue.length + this.slots.filter((slot) => slot.busy).length;
  }

  /** Runs a job on the next free worker. Throws QueueFullError when the queue is full. */
  run<J extends WorkerJob>(job: J): Promise<JobResult<J>> {
    if (this.closing) return Promise.reject(new EngineClosedError());
    if (this.queue.length >= this.settings.maxQueue && !this.slots.some((slot) => !slot.busy)) {
      return Promise.reject(new QueueFullError(this.settings.maxQueue));
    }
    return new Promise<JobResult<J>>((resolve, reject) => {
      this.queue.push({ job, resolve: resolve as (value: unknown) => void, reject });
      this.dispatch();
    });
  }

  /** Stops taking jobs, lets queued and running ones finish, then releases the sessions and workers. */
  async close(): Promise<void> {
    this.closing = true;
    if (this.load > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    await Promise.all(this.slots.map((slot) => this.send(slot, { type: 'close', id: 0 }).catch(() => undefined)));
    await this.terminate();
  }

  private async terminate(): Promise<void> {
    const slots = this.slots.splice(0);
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
  }

  private async addWorker(): Promise<void> {
    const slot: Slot = {
      worker: new Worker(this.script, { execArgv: workerExecArgv() }),
      busy: undefined,
      nextId: 1,
      pending: new Map(),
    };
    slot.worker.on('message', (message: FromWorker) => {
      const waiter = slot.pending.get(message.id);
      if (!waiter) return;
      slot.pending.delete(message.id);
      if (message.type === 'done') waiter.resolve(message.value);
      else waiter.reject(fromWireError(message.error));
    });
    slot.worker.on('error', (error) => this.onWorkerDied(slot, error));
    slot.worker.on('exit', (code) => this.onWorkerDied(slot, new Error(`worker exited with code ${code}`)));
    this.slots.push(slot);
    await this.send(slot, { type: 'init', id: 0, init: this.init });
  }

  private send(slot: Slot, message: ToWorker): Promise<unknown> {
    const id = slot.nextId++;
    return new Promise((resolve, reject) => {
      slot.pending.set(id, { resolve, reject });
      slot.worker.postMessage({ ...message, id });
    });
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (slot.busy || this.queue.length === 0) continue;
      const queued = this.queue.shift() as QueuedJob;
      slot.busy = queued;
      this.send(slot, { type: 'job', id: 0, job: queued.job }).then(
        (value) => this.finish(slot, queued, () => queued.resolve(value)),
        (error: unknown) => this.finish(slot, queued, () => queued.reject(error)),
      );
    }
  }

  private finish(slot: Slot, job: QueuedJob, settle: () => void): void {
    if (slot.busy === job) slot.busy = undefined;
    settle();
    this.dispatch();
    if (this.load === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private onWorkerDied(slot: Slot, cause: Error): void {
    const index = this.slots.indexOf(slot);
    if (index < 0) return; // terminated on purpose, or already handled
    this.slots.splice(index, 1);
    const crash = new WorkerCrashError(`a session worker died: ${cause.message}`, { cause });
    for (const waiter of slot.pending.values()) waiter.reject(crash);
    slot.pending.clear();
    if (this.closing) return;
    // Replace it so the pool keeps its size; jobs wait in the queue meanwhile.
    this.addWorker().then(
      () => this.dispatch(),
      (error: unknown) => {
        if (this.slots.length > 0) return;
        for (const queued of this.queue.splice(0)) queued.reject(error);
      },
    );
  }
}
