import { type Tracer, context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  TracerProvider,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { TelemetryOptionsError, TracingError } from './telemetry-errors.js';

/** Options of {@link startTracing}. */
export interface TracingOptions {
  /** `service.name` resource attribute. Required. */
  serviceName: string;
  /** `service.version` resource attribute. Default: none. */
  serviceVersion?: string;
  /** OTLP/HTTP collector base URL; spans go to `<url>/v1/traces`. Default: none = no export. */
  otlpEndpoint?: string;
  /** Fraction of new (root) traces sampled, 0..1; children follow their parent. Default: 1. */
  sampleRatio?: number;
  /** Also propagate W3C baggage. Default: true. */
  baggage?: boolean;
  /** Longest wait between two exports of finished spans, in ms. Default: 5000. */
  scheduledDelayMs?: number;
  /** Time allowed for one export request, in ms. Default: 10000. */
  exportTimeoutMs?: number;
  /** Finished spans kept while waiting for export; more are dropped. Default: 2048. */
  maxQueueSize?: number;
  /** Spans sent per export request (at most maxQueueSize). Default: 512. */
  maxExportBatchSize?: number;
}

/** {@link TracingOptions} with defaults applied. */
export type ResolvedTracingOptions = Required<Omit<TracingOptions, 'serviceVersion' | 'otlpEndpoint'>> &
  Pick<TracingOptions, 'serviceVersion' | 'otlpEndpoint'>;

/** What {@link startTracing} returns. */
export interface TracingHandle {
  readonly options: ResolvedTracingOptions;
  /** True when spans are exported (an OTLP endpoint is set). */
  readonly exporting: boolean;
  /** A tracer of this provider (same as `trace.getTracer` from @opentelemetry/api). */
  getTracer(name: string, version?: string): Tracer;
  /** Exports every finished span now. */
  forceFlush(): Promise<void>;
  /** Flushes, stops the provider and unregisters the globals; later calls return the same promise. */
  shutdown(): Promise<void>;
}

/** Applies defaults and validates tracing options; throws TelemetryOptionsError naming the field. */
export function parseTracingOptions(options: TracingOptions): ResolvedTracingOptions {
  if (typeof options.serviceName !== 'string' || options.serviceName.trim() === '') {
    throw new TelemetryOptionsError(
      'serviceName',
      `expected a non-empty string, got ${JSON.stringify(options.serviceName)}`,
    );
  }
  const otlpEndpoint = options.otlpEndpoint;
  if (otlpEndpoint !== undefined && !/^https?:\/\/[^/]/.test(otlpEndpoint)) {
    throw new TelemetryOptionsError('otlpEndpoint', `expected an http(s) URL, got ${JSON.stringify(otlpEndpoint)}`);
  }
  const resolved: ResolvedTracingOptions = {
    serviceName: options.serviceName,
    serviceVersion: options.serviceVersion,
    otlpEndpoint,
    sampleRatio: options.sampleRatio ?? 1,
    baggage: options.baggage ?? true,
    scheduledDelayMs: options.scheduledDelayMs ?? 5000,
    exportTimeoutMs: options.exportTimeoutMs ?? 10_000,
    maxQueueSize: options.maxQueueSize ?? 2048,
    maxExportBatchSize: options.maxExportBatchSize ?? 512,
  };
  if (!(resolved.sampleRatio >= 0 && resolved.sampleRatio <= 1)) {
    throw new TelemetryOptionsError('sampleRatio', `expected a number in 0..1, got ${String(resolved.sampleRatio)}`);
  }
  for (const field of ['scheduledDelayMs', 'exportTimeoutMs', 'maxQueueSize', 'maxExportBatchSize'] as const) {
    const value = resolved[field];
    if (!Number.isInteger(value) || value < 1) {
      throw new TelemetryOptionsError(field, `expected an integer >= 1, got ${String(value)}`);
    }
  }
  if (resolved.maxExportBatchSize > resolved.maxQueueSize) {
    throw new TelemetryOptionsError('maxExportBatchSize', `must not exceed maxQueueSize (${resolved.maxQueueSize})`);
  }
  return resolved;
}

// One tracer provider per process: the OpenTelemetry API globals hold only one.
// Several apps in one process (tests, a local all-in-one) share it; the last to shut down stops it.
let active: { handle: TracingHandle; key: string; leases: number } | undefined;

/** A lease on the shared provider: its shutdown only stops the provider when it is the last one. */
function lease(shared: NonNullable<typeof active>): TracingHandle {
  shared.leases += 1;
  let released = false;
  return {
    ...shared.handle,
    shutdown: async () => {
      if (released) return;
      released = true;
      shared.leases -= 1;
      if (shared.leases === 0) await shared.handle.shutdown();
      else await shared.handle.forceFlush();
    },
  };
}

/**
 * Sets up tracing for this process: W3C trace-context (and baggage) propagation, an
 * AsyncLocalStorage context manager and a tracer provider with the service's resource, so spans
 * and trace ids exist even without an exporter. With `otlpEndpoint`, finished spans are batched
 * to `<otlpEndpoint>/v1/traces` over OTLP/HTTP. Calling it again in the same process shares the
 * running provider (the first call's options win); the provider stops when every handle has shut down.
 */
export function startTracing(options: TracingOptions): TracingHandle {
  const resolved = parseTracingOptions(options);
  const key = JSON.stringify(resolved);
  // A second start in the same process shares the running provider (first options win).
  if (active !== undefined) return lease(active);

  const spanProcessors: SpanProcessor[] = [];
  if (resolved.otlpEndpoint !== undefined) {
    const exporter = new OTLPTraceExporter({
      url: `${resolved.otlpEndpoint.replace(/\/+$/, '')}/v1/traces`,
      timeoutMillis: resolved.exportTimeoutMs,
    });
    spanProcessors.push(
      new BatchSpanProcessor({
        exporter,
        scheduledDelayMillis: resolved.scheduledDelayMs,
        exportTimeoutMillis: resolved.exportTimeoutMs,
        maxQueueSize: resolved.maxQueueSize,
        maxExportBatchSize: resolved.maxExportBatchSize,
      }),
    );
  }
  const attributes: Record<string, string> = { [ATTR_SERVICE_NAME]: resolved.serviceName };
  if (resolved.serviceVersion !== undefined) attributes[ATTR_SERVICE_VERSION] = resolved.serviceVersion;
  const provider = new TracerProvider({
    resource: resourceFromAttributes(attributes),
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(resolved.sampleRatio) }),
    spanProcessors,
  });
  const propagators = [new W3CTraceContextPropagator(), ...(resolved.baggage ? [new W3CBaggagePropagator()] : [])];
  const contextManager = new AsyncLocalStorageContextManager().enable();

  // Undo only what this call registered, never another SDK's globals.
  const undo: (() => void)[] = [];
  const steps: [() => boolean, () => void][] = [
    [() => context.setGlobalContextManager(contextManager), () => context.disable()],
    [() => trace.setGlobalTracerProvider(provider), () => trace.disable()],
    [() => propagation.setGlobalPropagator(new CompositePropagator({ propagators })), () => propagation.disable()],
  ];
  for (const [register, unregister] of steps) {
    if (!register()) {
      for (const step of undo.reverse()) step();
      contextManager.disable();
      throw new TracingError('another OpenTelemetry SDK is already registered in this process');
    }
    undo.push(unregister);
  }

  let stopping: Promise<void> | undefined;
  const handle: TracingHandle = {
    options: resolved,
    exporting: spanProcessors.length > 0,
    getTracer: (name, version) => provider.getTracer(name, version),
    forceFlush: () => provider.forceFlush(),
    shutdown: () => {
      stopping ??= (async () => {
        try {
          await provider.shutdown();
        } finally {
          if (active?.handle === handle) {
            unregisterGlobals();
            active = undefined;
          }
          contextManager.disable();
        }
      })();
      return stopping;
    },
  };
  active = { handle, key, leases: 0 };
  return lease(active);
}

function unregisterGlobals(): void {
  trace.disable();
  context.disable();
  propagation.disable();
}
