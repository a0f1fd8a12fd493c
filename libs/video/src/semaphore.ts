/**
 * Counting semaphore with a bounded wait queue: at most `permits` holders, at most `maxQueued`
 * waiters (first in, first out); one more waiter fails fast with BUSY, and a waiter whose signal
 * aborts leaves the queue with CANCELLED.
 */
import { VideoInputError } from './errors.js';

interface Waiter {
  grant: (release: () => void) => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

/** Limits concurrent decodes. */
export class Semaphore {
  private active = 0;
  private readonly queue: Waiter[] = [];

  constructor(
    private readonly permits: number,
    private readonly maxQueued: number,
  ) {}

  /** Holders now. */
  get activeCount(): number {
    return this.active;
  }

  /** Waiters now. */
  get queuedCount(): number {
    return this.queue.length;
  }

  /** Waits for a permit; resolves to the function that gives it back (call it exactly once). */
  acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(this.cancelled(signal));
    if (this.active < this.permits) {
      this.active++;
      return Promise.resolve(this.makeRelease());
    }
    if (this.queue.length >= this.maxQueued) {
      return Promise.reject(
        new VideoInputError(
          'BUSY',
          `video decoder is busy: ${this.active} decodes running and ${this.queue.length} waiting`,
        ),
      );
    }
    return new Promise<() => void>((resolve, reject) => {
      const waiter: Waiter = {
        grant: resolve,
        signal,
        onAbort: () => {
          const index = this.queue.indexOf(waiter);
          if (index >= 0) this.queue.splice(index, 1);
          reject(this.cancelled(signal));
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      this.queue.push(waiter);
    });
  }

  private makeRelease(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.queue.shift();
      if (next) {
        // The permit passes straight to the next waiter: `active` stays the same.
        next.signal?.removeEventListener('abort', next.onAbort);
        next.grant(this.makeRelease());
      } else {
        this.active--;
      }
    };
  }

  private cancelled(signal: AbortSignal | undefined): VideoInputError {
    return new VideoInputError('CANCELLED', 'video request was cancelled while waiting', { cause: signal?.reason });
  }
}
