/**
 * The one place that starts child processes (ffmpeg, ffprobe). A child is always awaited until
 * it has exited and its pipes closed, also after a timeout or cancellation (SIGKILL), so no
 * zombie outlives a call.
 */
import { spawn, type StdioOptions } from 'node:child_process';
import { FfmpegProcessError, type ProcessFailureReason } from './errors.js';
import { type SpawnEvent } from './options.js';

/** What to run and under which limits. */
export interface RunProcessOptions {
  command: string;
  args: readonly string[];
  /** Bytes written to the child's stdin (then closed); stdin is /dev/null when absent. */
  input?: Uint8Array;
  /** An open file descriptor handed to the child as its fd 3 (read as file:/dev/fd/3). */
  inheritFd?: number;
  /** Keep stdout (true) or discard it (false). */
  captureStdout: boolean;
  /** More stdout than this kills the child with reason 'output-limit'. */
  maxStdoutBytes: number;
  /** Wall-clock limit; the child is killed with SIGKILL when it passes. */
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  /** Bytes of stderr kept for error reports. */
  stderrTailBytes: number;
  onSpawn?: ((event: SpawnEvent) => void) | undefined;
}

/** A child that exited with status 0. */
export interface ProcessResult {
  stdout: Buffer;
  stderrTail: string;
}

/** Runs a child to completion; throws {@link FfmpegProcessError} on non-zero exit, timeout, abort or spawn failure. */
export function runProcess(options: RunProcessOptions): Promise<ProcessResult> {
  const fail = (reason: ProcessFailureReason, stderrTail = '', cause?: unknown): FfmpegProcessError =>
    new FfmpegProcessError({ reason, command: options.command, exitCode: null, signal: null, stderrTail, cause });
  if (options.signal?.aborted) return Promise.reject(fail('aborted'));

  return new Promise<ProcessResult>((resolve, reject) => {
    const stdio: StdioOptions = [
      options.input ? 'pipe' : 'ignore',
      options.captureStdout ? 'pipe' : 'ignore',
      'pipe',
      ...(options.inheritFd === undefined ? [] : [options.inheritFd]),
    ];
    const child = spawn(options.command, [...options.args], { stdio, windowsHide: true });
    const stdoutChunks: Buffer[] = [];
    let stdoutBytes = 0;
    let stderrTail = Buffer.alloc(0);
    let failure: { reason: ProcessFailureReason; cause?: unknown } | undefined;
    let settled = false;

    const kill = (reason: ProcessFailureReason, cause?: unknown): void => {
      // A child that already exited (pipes still draining) keeps its own outcome.
      if (child.exitCode !== null || child.signalCode !== null) return;
      failure ??= { reason, cause };
      child.kill('SIGKILL');
    };
    const timer = setTimeout(() => kill('timeout'), options.timeoutMs);
    const onAbort = (): void => kill('aborted', options.signal?.reason);
    options.signal?.addEventListener('abort', onAbort, { once: true });

    const finish = (exitCode: number | null, signal: NodeJS.Signals | null, spawnError?: unknown): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      const tail = stderrTail.toString('utf8');
      if (spawnError !== undefined) {
        reject(fail('spawn', tail, spawnError));
      } else if (failure !== undefined || exitCode !== 0) {
        const reason = failure?.reason ?? 'exit';
        reject(
          new FfmpegProcessError({
            reason,
            command: options.command,
            exitCode,
            signal,
            stderrTail: tail,
            cause: failure?.cause,
          }),
        );
      } else {
        resolve({ stdout: Buffer.concat(stdoutChunks, stdoutBytes), stderrTail: tail });
      }
    };

    child.once('error', (error) => {
      // Spawn failures (ENOENT) never start a process; other errors come with a running child.
      if (child.pid === undefined) finish(null, null, error);
      else kill('exit', error);
    });
    child.once('close', (code, signal) => finish(code, signal));
    if (child.pid !== undefined) options.onSpawn?.({ command: options.command, args: options.args, pid: child.pid });

    child.stdout?.on('data', (chunk: Buffer) => {
      stdoutBytes += chunk.length;
      if (stdoutBytes > options.maxStdoutBytes) {
        kill('output-limit');
        return;
      }
      stdoutChunks.push(chunk);
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      const joined = Buffer.concat([stderrTail, chunk]);
      stderrTail = joined.subarray(Math.max(0, joined.length - options.stderrTailBytes));
    });
    if (child.stdin && options.input) {
      // The child may stop reading early (ffprobe reads headers only): EPIPE is expected, not an error.
      child.stdin.on('error', () => undefined);
      child.stdin.end(options.input);
    }
  });
}
