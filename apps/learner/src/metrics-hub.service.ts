import { Injectable } from '@nestjs/common';
import { type RunMetrics } from '@vrft/proto';

/** Fans each step's RunMetrics out to StreamMetrics callers; keeps the latest for new ones. */
@Injectable()
export class MetricsHub {
  private latest: RunMetrics | undefined;
  private readonly listeners = new Set<(metrics: RunMetrics) => void>();

  /** Records a step's metrics and hands them to every listener. */
  publish(metrics: RunMetrics): void {
    this.latest = metrics;
    for (const listener of this.listeners) listener(metrics);
  }

  /** The latest metrics (first), then every new step's, until `signal` aborts. */
  async *follow(signal: AbortSignal): AsyncGenerator<RunMetrics> {
    const queue: RunMetrics[] = this.latest === undefined ? [] : [this.latest];
    let wake: (() => void) | undefined;
    const listener = (metrics: RunMetrics): void => {
      queue.push(metrics);
      wake?.();
    };
    const onAbort = (): void => wake?.();
    this.listeners.add(listener);
    signal.addEventListener('abort', onAbort);
    try {
      while (!signal.aborted) {
        const next = queue.shift();
        if (next !== undefined) {
          yield next;
          continue;
        }
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
    } finally {
      this.listeners.delete(listener);
      signal.removeEventListener('abort', onAbort);
    }
  }
}
