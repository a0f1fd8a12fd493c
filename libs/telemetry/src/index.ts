export { MetricsError, TelemetryOptionsError, TracingError } from './telemetry-errors.js';
export { LOG_LEVEL_RANK, type LogLevel } from './log-levels.js';
export { type JsonLoggerOptions, type LogStream, JsonLogger, createLogger } from './json-logger.js';
export { type TracingHandle, type TracingOptions, startTracing } from './tracing.js';
export { type MetricsRegistryOptions, createMetricsRegistry } from './metrics-registry.js';
export {
  type HistogramSpec,
  type MetricGlossaryEntry,
  type MetricKind,
  type MetricSpec,
  assertMetricName,
  defineCounter,
  defineGauge,
  defineHistogram,
  listMetricGlossary,
  renderMetricGlossary,
} from './metric-definitions.js';
export { type MetricsServer, type MetricsServerOptions, startMetricsServer } from './metrics-server.js';
export {
  TELEMETRY_OPTIONS,
  TRACING,
  type TelemetryModuleOptions,
  TelemetryLifecycle,
  TelemetryModule,
} from './telemetry.module.js';
