import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';

/** A started app process and the port it reported. */
export interface AppProcess {
  name: string;
  pid: number;
  grpcPort: number;
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
  /** SIGTERM, then SIGKILL after killAfterMs. */
  stop(killAfterMs: number): Promise<number | null>;
}

/** Options of {@link startAppProcess}. */
export interface AppProcessOptions {
  name: string;
  entry: string;
  env: Record<string, string | undefined>;
  logFile: string;
  readyTimeoutMs: number;
}

interface ReadyLine {
  msg?: unknown;
  grpcPort?: unknown;
}

/**
 * Spawns `node <entry>` with the given env, writes its output to logFile, and
 * resolves once it logs "<name> ready" with its bound gRPC port (apps log JSON lines).
 */
export function startAppProcess(options: AppProcessOptions): Promise<AppProcess> {
  const child: ChildProcess = spawn(process.execPath, [options.entry], {
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = createWriteStream(options.logFile, { flags: 'a' });
  child.stderr?.pipe(log, { end: false });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const stop = async (killAfterMs: number) => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    }
    return exited;
  };

  return new Promise<AppProcess>((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop(1_000);
      reject(
        new Error(`${options.name} did not report ready within ${options.readyTimeoutMs} ms (log: ${options.logFile})`),
      );
    }, options.readyTimeoutMs);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${options.name} exited with code ${code} before it was ready (log: ${options.logFile})`));
    });
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      log.write(`${line}\n`);
      let parsed: ReadyLine;
      try {
        parsed = JSON.parse(line) as ReadyLine;
      } catch {
        return;
      }
      if (parsed.msg === `${options.name} ready` && typeof parsed.grpcPort === 'number') {
        clearTimeout(timer);
        resolve({ name: options.name, pid: child.pid ?? -1, grpcPort: parsed.grpcPort, exited, stop });
      }
    });
  });
}
