/**
 * Error classes of the curation pipeline. Every failure a sample can meet is one of these, so the
 * stage stores and the report can say which stage failed and why (never a silent drop).
 */

/** A bad option value; `field` names it. */
export class CurationOptionsError extends Error {
  override readonly name = 'CurationOptionsError';
  readonly field: string;

  constructor(field: string, message: string, options?: { cause?: unknown }) {
    super(`${field}: ${message}`, options);
    this.field = field;
  }
}

/** What went wrong with a remote model call. */
export type RemoteFailureKind = 'timeout' | 'http' | 'network' | 'bad-response' | 'cancelled';

/** A remote (OpenAI-compatible) model call failed after its retries, or answered something unusable. */
export class RemoteModelError extends Error {
  override readonly name = 'RemoteModelError';
  readonly kind: RemoteFailureKind;
  /** HTTP status, when the server answered. */
  readonly status: number | undefined;
  /** Requests made, retries included. */
  readonly attempts: number;

  constructor(
    kind: RemoteFailureKind,
    message: string,
    init: { status?: number; attempts?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: init.cause });
    this.kind = kind;
    this.status = init.status;
    this.attempts = init.attempts ?? 1;
  }
}

/** A stage could not process one sample (bad frames, an unparsable draft, …). */
export class StageError extends Error {
  override readonly name = 'StageError';
  readonly stage: string;

  constructor(stage: string, message: string, options?: { cause?: unknown }) {
    super(`${stage}: ${message}`, options);
    this.stage = stage;
  }
}

/** A stage store file cannot be used (not JSONL of stage records, written by another run layout). */
export class StageStoreError extends Error {
  override readonly name = 'StageStoreError';
  readonly path: string;

  constructor(path: string, message: string, options?: { cause?: unknown }) {
    super(`${path}: ${message}`, options);
    this.path = path;
  }
}

/** A short, single-line description of any thrown value, for stage records and reports. */
export function describeError(error: unknown): { name: string; message: string; kind?: string; attempts?: number } {
  if (error instanceof RemoteModelError) {
    return { name: error.name, message: error.message, kind: error.kind, attempts: error.attempts };
  }
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: 'Error', message: String(error) };
}
