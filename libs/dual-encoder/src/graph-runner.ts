/**
 * Where the encoder's graph runs happen: on the calling thread (InThreadRunner) or in a pool of
 * worker threads (EncoderWorkerPool, the default). onnxruntime's session.run is synchronous
 * native work, so on the calling thread it holds the event loop for the whole run.
 */
import { EncoderCancelledError } from './errors.js';
import {
  type GraphName,
  type GraphNames,
  type GraphOutput,
  type GraphRun,
  namesOf,
  openSessions,
  releaseSessions,
  runGraph,
  type SessionPair,
  type SessionSettings,
} from './graph-session.js';

/** One encoder worker as an operator sees it. */
export interface EncoderWorkerInfo {
  /** Its thread's id (`threadId` of node:worker_threads). */
  readonly threadId: number;
  /** Whether it is running a graph. */
  readonly busy: boolean;
  /** Whether its sessions are open; false while a replacement starts. */
  readonly ready: boolean;
}

/** Runs graph runs somewhere. */
export interface GraphRunner {
  /** Input and output names of both graphs. */
  readonly names: Readonly<Record<GraphName, GraphNames>>;
  /** Worker threads alive (0 on the calling thread). */
  readonly liveWorkers: number;
  /** Runs handed to a thread and not yet answered. */
  readonly running: number;
  /** The worker threads (none on the calling thread). */
  readonly workers: readonly EncoderWorkerInfo[];
  /** Ends a ready worker thread, which is replaced (see EncoderWorkerPool); false when none has that id. */
  terminateWorker(threadId: number): Promise<boolean>;
  /**
   * Runs one graph. An aborted signal rejects with EncoderCancelledError before the run starts;
   * a run already started finishes, but the call does not wait for it.
   */
  run(run: GraphRun, signal?: AbortSignal): Promise<GraphOutput>;
  /** Waits for runs in progress, then releases the sessions (and ends the workers). */
  close(): Promise<void>;
}

/** The error of a cancelled call. */
export function cancelled(signal: AbortSignal): EncoderCancelledError {
  return new EncoderCancelledError('encoding was cancelled', { cause: signal.reason });
}

/** Sessions on the calling thread; yields to the event loop before each run. */
export class InThreadRunner implements GraphRunner {
  private inFlight = 0;
  private idle: (() => void)[] = [];

  private constructor(
    private readonly sessions: SessionPair,
    private readonly settings: SessionSettings,
    readonly names: Readonly<Record<GraphName, GraphNames>>,
  ) {}

  static async open(settings: SessionSettings): Promise<InThreadRunner> {
    const sessions = await openSessions(settings);
    return new InThreadRunner(sessions, settings, namesOf(sessions));
  }

  get liveWorkers(): number {
    return 0;
  }

  get running(): number {
    return this.inFlight;
  }

  get workers(): readonly EncoderWorkerInfo[] {
    return [];
  }

  terminateWorker(): Promise<boolean> {
    return Promise.resolve(false);
  }

  async run(run: GraphRun, signal?: AbortSignal): Promise<GraphOutput> {
    // Yield between runs so a long batch does not hold the event loop for its whole length.
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (signal?.aborted) throw cancelled(signal);
    this.inFlight += 1;
    try {
      return await runGraph(this.sessions, this.settings, run);
    } finally {
      this.inFlight -= 1;
      if (this.inFlight === 0) for (const resolve of this.idle.splice(0)) resolve();
    }
  }

  async close(): Promise<void> {
    if (this.inFlight > 0) await new Promise<void>((resolve) => this.idle.push(resolve));
    await releaseSessions(this.sessions);
  }
}
