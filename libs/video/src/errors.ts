/**
 * Error classes of the video library. Every failure a caller can cause carries a stable `code`
 * so the gRPC layer can map it to a status in one place; ffmpeg's own words (stderr) travel in
 * `details` and `cause`, never in the message shown to users.
 */

/** Stable codes of {@link VideoInputError}; the gRPC layer maps these to status codes. */
export type VideoErrorCode =
  /** The input has zero bytes. */
  | 'EMPTY_INPUT'
  /** Not a video, corrupt or truncated: ffprobe/ffmpeg failed or yielded too few frames. */
  | 'INVALID_VIDEO'
  /** Input bytes or source resolution above the configured limit. */
  | 'TOO_LARGE'
  /** Clip duration above the configured limit. */
  | 'TOO_LONG'
  /** Decoding took longer than the configured timeout. */
  | 'TIMEOUT'
  /** A file path outside every allowed root (or no roots configured). */
  | 'PATH_NOT_ALLOWED'
  /** A file path inside an allowed root that does not exist or is not a regular file. */
  | 'NOT_FOUND'
  /** The caller's AbortSignal fired. */
  | 'CANCELLED'
  /** Every decode slot is busy and the wait queue is full. */
  | 'BUSY'
  /** A request parameter (sampling, resolution, source type) is invalid. */
  | 'INVALID_ARGUMENT';

/** Construction details of a {@link VideoInputError}. */
export interface VideoInputErrorInit {
  /** The underlying error (often a {@link FfmpegProcessError}). */
  cause?: unknown;
  /** Diagnostic text for logs (ffmpeg's stderr tail); never shown to end users. */
  details?: string;
  /** The request field at fault, for INVALID_ARGUMENT. */
  field?: string;
}

/** A video request that cannot be served because of its input; `code` says why. */
export class VideoInputError extends Error {
  override readonly name = 'VideoInputError';
  readonly code: VideoErrorCode;
  readonly details: string | undefined;
  readonly field: string | undefined;

  constructor(code: VideoErrorCode, message: string, init: VideoInputErrorInit = {}) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.code = code;
    this.details = init.details;
    this.field = init.field;
  }
}

/** A configuration or call option that fails validation; `field` names it. */
export class VideoOptionsError extends Error {
  override readonly name = 'VideoOptionsError';
  readonly field: string;

  constructor(field: string, message: string, options?: { cause?: unknown }) {
    super(`${field}: ${message}`, options);
    this.field = field;
  }
}

/** Why a child process did not produce a usable result. */
export type ProcessFailureReason = 'spawn' | 'exit' | 'timeout' | 'aborted' | 'output-limit';

/** Construction details of a {@link FfmpegProcessError}. */
export interface FfmpegProcessErrorInit {
  reason: ProcessFailureReason;
  command: string;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stderrTail: string;
  cause?: unknown;
}

/** An ffmpeg/ffprobe child that failed, with its exit status and the tail of its stderr. */
export class FfmpegProcessError extends Error {
  override readonly name = 'FfmpegProcessError';
  readonly reason: ProcessFailureReason;
  readonly command: string;
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderrTail: string;

  constructor(init: FfmpegProcessErrorInit) {
    const status = init.exitCode !== null ? `exit code ${init.exitCode}` : `signal ${init.signal ?? 'none'}`;
    const tail = init.stderrTail.trim();
    super(
      `${init.command} failed (${init.reason}, ${status})${tail ? `: ${tail}` : ''}`,
      init.cause === undefined ? undefined : { cause: init.cause },
    );
    this.reason = init.reason;
    this.command = init.command;
    this.exitCode = init.exitCode;
    this.signal = init.signal;
    this.stderrTail = init.stderrTail;
  }
}

/** True when `error` is a {@link VideoInputError} (optionally with the given code). */
export function isVideoInputError(error: unknown, code?: VideoErrorCode): error is VideoInputError {
  return error instanceof VideoInputError && (code === undefined || error.code === code);
}
