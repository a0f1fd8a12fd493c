/**
 * Runs ffmpeg/ffprobe for one decode under a shared deadline and cancellation signal, and turns
 * their failures into {@link VideoInputError}s with ffmpeg's stderr kept as details.
 */
import { FfmpegProcessError, VideoInputError } from './errors.js';
import { type FfmpegInput } from './ffmpeg-input.js';
import { type SpawnEvent, type VideoOptions } from './options.js';
import { type ProcessResult, runProcess } from './process-runner.js';

/** The budget and observers one decode's child processes share. */
export interface ToolContext {
  options: VideoOptions;
  /** Epoch milliseconds by which every child must have finished. */
  deadline: number;
  signal?: AbortSignal | undefined;
  onSpawn: (event: SpawnEvent) => void;
}

/** Runs `command args` on `input` with the time left before the deadline. */
export function runTool(
  context: ToolContext,
  command: string,
  args: readonly string[],
  input: FfmpegInput,
  maxStdoutBytes: number,
): Promise<ProcessResult> {
  return runProcess({
    command,
    args,
    ...(input.input ? { input: input.input } : {}),
    ...(input.inheritFd === undefined ? {} : { inheritFd: input.inheritFd }),
    captureStdout: true,
    maxStdoutBytes,
    timeoutMs: Math.max(1, context.deadline - Date.now()),
    signal: context.signal,
    stderrTailBytes: context.options.stderrTailBytes,
    onSpawn: context.onSpawn,
  });
}

/**
 * Maps a child failure to the caller-facing error: timeout → TIMEOUT, abort → CANCELLED, a
 * failed exit or runaway output → INVALID_VIDEO with `invalidMessage`. A spawn failure (ffmpeg
 * missing) is the server's problem, not the input's, and is rethrown unchanged.
 */
export function toVideoInputError(error: unknown, context: ToolContext, invalidMessage: string): Error {
  if (!(error instanceof FfmpegProcessError)) return error instanceof Error ? error : new Error(String(error));
  const details = error.stderrTail;
  switch (error.reason) {
    case 'timeout':
      return new VideoInputError('TIMEOUT', `video decoding timed out after ${context.options.decodeTimeoutMs} ms`, {
        cause: error,
        details,
      });
    case 'aborted':
      return new VideoInputError('CANCELLED', 'video request was cancelled', { cause: error, details });
    case 'spawn':
      return error;
    case 'exit':
    case 'output-limit':
      return new VideoInputError('INVALID_VIDEO', invalidMessage, { cause: error, details });
  }
}
