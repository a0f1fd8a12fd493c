/** Bad options given to a telemetry function or module; the message names the field. */
export class TelemetryOptionsError extends Error {
  override readonly name = 'TelemetryOptionsError';
  /** Dotted name of the offending option. */
  readonly field: string;

  constructor(field: string, message: string, options?: { cause?: unknown }) {
    super(`${field}: ${message}`, options);
    this.field = field;
  }
}

/** Tracing could not be set up (e.g. another tracer provider is already registered). */
export class TracingError extends Error {
  override readonly name = 'TracingError';
}

/** A metric definition broke the naming rules, clashed with another, or the endpoint failed. */
export class MetricsError extends Error {
  override readonly name = 'MetricsError';
}
