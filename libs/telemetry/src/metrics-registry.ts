import { Registry, collectDefaultMetrics } from 'prom-client';
import { TelemetryOptionsError } from './telemetry-errors.js';

/** Options of {@link createMetricsRegistry}. */
export interface MetricsRegistryOptions {
  /** Written as the `service` label on every metric. Default: none. */
  service?: string;
  /** Collect Node's default process metrics (CPU, memory, event loop, GC). Default: true. */
  defaultMetrics?: boolean;
  /**
   * Prefix of the default process metrics. Default: '' — they keep their standard names
   * (`process_cpu_seconds_total`, `nodejs_eventloop_lag_seconds`) so stock dashboards work;
   * our own metrics carry `vrft_` (see defineCounter).
   */
  defaultMetricsPrefix?: string;
}

/** A fresh prom-client registry for one app, with the default process metrics. */
export function createMetricsRegistry(options: MetricsRegistryOptions = {}): Registry {
  const registry = new Registry();
  if (options.service !== undefined) {
    if (options.service.trim() === '') throw new TelemetryOptionsError('service', 'expected a non-empty string');
    registry.setDefaultLabels({ service: options.service });
  }
  if (options.defaultMetrics ?? true) {
    collectDefaultMetrics({ register: registry, prefix: options.defaultMetricsPrefix ?? '' });
  }
  return registry;
}
