/**
 * Cancellation of one engine call: the caller's signal and deadline become one AbortSignal whose
 * reason is the engine error the call rejects with (RequestCancelledError or
 * DeadlineExceededError), and an async queue that turns token callbacks into an iterator.
 */
import { DeadlineExceededError, EngineError, RequestCancelledError } from '../errors.js';

/** Cancellation of a generation call. */
export interface GenerateOptions {
  /** Aborting cancels the call (RequestCancelledError); its batch slots are freed before the next step. */
  readonly signal?: AbortSignal;
  /** Absolute deadline in ms since the epoch (Infinity or absent: none); DeadlineExceededError past it. */
  readonly deadline?: number;
}

/** A signal that aborts on the caller's signal or at the deadline; `release` stops the timer. */
export function controlCall(options: GenerateOptions, now: () => number = Date.now) {
  const controller = new AbortController();
  const { signal, deadline } = options;
  const onAbort = (): void => {
    const reason: unknown = signal?.reason;
    controller.abort(reason instanceof EngineError ? reason : new RequestCancelledError({ cause: reason }));
  };
  if (signal?.aborted) onAbort();
  else signal?.addEventListener('abort', onAbort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  if (deadline !== undefined && Number.isFinite(deadline)) {
    const expire = (): void => controller.abort(new DeadlineExceededError(deadline));
    const left = deadline - now();
    if (left <= 0) expire();
    // Timers take at most 2^31−1 ms; a later deadline is as good as none for a generation.
    else if (left < 2 ** 31) timer = setTimeout(expire, left);
  }
  const release = (): void => {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  };
  return { signal: controller.signal, abort: (reason: unknown) => controller.abort(reason), release };
}

/** A push-to-pull queue: producers push items and an end or an error; one consumer iterates. */
export class AsyncQueue<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private ended = false;
  private failure: { error: unknown } | undefined;
  private wakeUp: (() => void) | undefined;

  constructor(private readonly onReturn: () => void = () => undefined) {}

  /** Adds an item. */
  push(item: T): void {
    this.items.push(item);
    this.wake();
  }

  /** Ends the iteration after the queued items. */
  end(): void {
    this.ended = true;
    this.wake();
  }

  /** Ends the iteration with an error after the queued items. */
  fail(error: unknown): void {
    this.failure ??= { error };
    this.wake();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    let finished = false;
    try {
      for (;;) {
        const item = this.items.shift();
        if (item !== undefined) {
          yield item;
          continue;
        }
        if (this.failure) throw this.failure.error;
        if (this.ended) {
          finished = true;
          return;
        }
        await new Promise<void>((resolve) => (this.wakeUp = resolve));
      }
    } finally {
      if (!finished && !this.failure) this.onReturn(); // the consumer stopped early
    }
  }

  private wake(): void {
    const resolve = this.wakeUp;
    this.wakeUp = undefined;
    resolve?.();
  }
}
