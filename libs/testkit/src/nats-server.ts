import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './free-port.js';
import {
  type NatsServerOptions,
  type ResolvedNatsServerOptions,
  parseNatsServerOptions,
} from './nats-server-options.js';
import { readNatsInfo } from './nats-probe.js';
import { trackChild, untrackChild } from './process-reaper.js';

/** A running nats-server owned by one test suite. */
export interface NatsServer {
  /** Client URL, e.g. `nats://127.0.0.1:41234`. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** JetStream store directory (inside a temporary directory removed by stop()). */
  readonly storeDir: string;
  /** Process id of the current server process, undefined once stopped. */
  readonly pid: number | undefined;
  /** The last bytes the server wrote to stderr (its log). */
  logs(): string;
  /** Kills the server and removes its temporary directory. Idempotent. */
  stop(): Promise<void>;
  /** Stops the process and starts it again on the same port and store. */
  restart(): Promise<void>;
}

/** The server did not start or did not become ready; `logs` holds its stderr tail. */
export class NatsServerStartError extends Error {
  constructor(
    message: string,
    readonly logs: string,
    options?: ErrorOptions,
  ) {
    super(logs === '' ? message : `${message}\n--- nats-server stderr ---\n${logs}`, options);
    this.name = 'NatsServerStartError';
  }
}

const probeIntervalMs = 50;
const probeTimeoutMs = 1_000;

/** Keeps the last `limit` characters of a stream. */
class LogTail {
  private text = '';
  constructor(private readonly limit: number) {}
  append(chunk: string): void {
    this.text = (this.text + chunk).slice(-this.limit);
  }
  toString(): string {
    return this.text;
  }
}

interface Launched {
  child: ChildProcess;
  tail: LogTail;
  exited: Promise<void>;
}

function buildArgs(
  opts: ResolvedNatsServerOptions,
  port: number,
  serverName: string,
  storeDir: string,
  configFile: string | undefined,
): string[] {
  const args: string[] = [];
  // The config file goes first: command-line flags override it.
  if (configFile !== undefined) args.push('-c', configFile);
  args.push('-a', opts.host, '-p', String(port), '--server_name', serverName);
  if (opts.jetstream) args.push('-js', '-sd', storeDir);
  if (opts.user !== undefined && opts.pass !== undefined) args.push('--user', opts.user, '--pass', opts.pass);
  if (opts.token !== undefined) args.push('--auth', opts.token);
  return [...args, ...opts.extraArgs];
}

function isAlive(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

function spawnServer(opts: ResolvedNatsServerOptions, args: string[]): Launched {
  const child = spawn(opts.binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const tail = new LogTail(opts.logTailBytes);
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => tail.append(chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => tail.append(chunk));
  child.on('error', (err) => tail.append(`spawn error: ${err.message}\n`));
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    // A spawn failure (ENOENT) emits 'error' and no 'exit'.
    child.once('error', () => resolve());
  });
  trackChild(child);
  return { child, tail, exited };
}

async function waitUntilReady(
  launched: Launched,
  opts: ResolvedNatsServerOptions,
  port: number,
  serverName: string,
): Promise<void> {
  const deadline = Date.now() + opts.startTimeoutMs;
  let lastError: unknown;
  // A server that dies mid-probe ends the probe at once.
  const probe = new AbortController();
  void launched.exited.then(() => probe.abort());
  while (Date.now() < deadline) {
    if (!isAlive(launched.child) || launched.child.pid === undefined) {
      const code = launched.child.exitCode ?? launched.child.signalCode ?? 'spawn failure';
      throw new NatsServerStartError(`nats-server exited during start (${String(code)})`, launched.tail.toString());
    }
    try {
      const info = await readNatsInfo(opts.host, port, probeTimeoutMs, probe.signal);
      // Another server may hold the port: only our own name counts as ready.
      if (info.server_name !== serverName) {
        throw new Error(`port ${port} answered as ${String(info.server_name)}, not ${serverName}`);
      }
      if (opts.jetstream && info.jetstream !== true) throw new Error('server is up without JetStream');
      return;
    } catch (err) {
      lastError = err;
    }
    await Promise.race([sleep(probeIntervalMs), launched.exited]);
  }
  throw new NatsServerStartError(
    `nats-server on ${opts.host}:${port} not ready within ${opts.startTimeoutMs} ms`,
    launched.tail.toString(),
    { cause: lastError },
  );
}

async function terminate(launched: Launched, stopTimeoutMs: number): Promise<void> {
  untrackChild(launched.child);
  if (!isAlive(launched.child)) return;
  launched.child.kill('SIGTERM');
  const graceful = await Promise.race([launched.exited.then(() => true), sleep(stopTimeoutMs).then(() => false)]);
  if (!graceful && isAlive(launched.child)) {
    launched.child.kill('SIGKILL');
    await launched.exited;
  }
}

async function launch(
  opts: ResolvedNatsServerOptions,
  port: number,
  serverName: string,
  storeDir: string,
  configFile: string | undefined,
): Promise<Launched> {
  const launched = spawnServer(opts, buildArgs(opts, port, serverName, storeDir, configFile));
  try {
    await waitUntilReady(launched, opts, port, serverName);
    return launched;
  } catch (err) {
    await terminate(launched, opts.stopTimeoutMs);
    throw err;
  }
}

function isPortTaken(err: unknown): boolean {
  return err instanceof NatsServerStartError && /address already in use/i.test(err.logs);
}

async function launchOnFreePort(
  opts: ResolvedNatsServerOptions,
  serverName: string,
  storeDir: string,
  configFile: string | undefined,
): Promise<{ launched: Launched; port: number }> {
  for (let attempt = 1; ; attempt++) {
    const port = opts.port ?? (await freePort(opts.host));
    try {
      return { launched: await launch(opts, port, serverName, storeDir, configFile), port };
    } catch (err) {
      // Only a kernel-chosen port may be swapped for another after a race.
      if (opts.port !== undefined || attempt >= opts.portAttempts || !isPortTaken(err)) throw err;
    }
  }
}

async function writeConfigFile(dir: string, opts: ResolvedNatsServerOptions): Promise<string | undefined> {
  if (opts.maxPayload === undefined) return undefined;
  const file = join(dir, 'nats-server.conf');
  await writeFile(file, `max_payload: ${opts.maxPayload}\n`);
  return file;
}

/**
 * Starts a real nats-server on a free port (JetStream on, fresh store in a
 * temporary directory) and waits, bounded, until it greets clients. The
 * process is killed when this process exits, so a failed suite leaves no
 * orphan; call `stop()` in `afterAll`.
 */
export async function startNatsServer(options: NatsServerOptions = {}): Promise<NatsServer> {
  const opts = parseNatsServerOptions(options);
  const rootDir = await mkdtemp(join(tmpdir(), 'vrft-nats-'));
  const storeDir = join(rootDir, 'store');
  const serverName = `vrft-test-${randomBytes(6).toString('hex')}`;
  let current: Launched | undefined;
  // Nothing is running until launchOnFreePort returns; on failure only the directory is left.
  try {
    await mkdir(storeDir);
    const configFile = await writeConfigFile(rootDir, opts);
    const started = await launchOnFreePort(opts, serverName, storeDir, configFile);
    const { port } = started;
    current = started.launched;
    let stopped = false;
    return {
      url: `nats://${opts.host}:${port}`,
      host: opts.host,
      port,
      storeDir,
      get pid() {
        return current !== undefined && isAlive(current.child) ? current.child.pid : undefined;
      },
      logs: () => current?.tail.toString() ?? '',
      async stop() {
        if (stopped) return;
        stopped = true;
        if (current !== undefined) await terminate(current, opts.stopTimeoutMs);
        await rm(rootDir, { recursive: true, force: true });
      },
      async restart() {
        if (stopped) throw new Error('nats-server was stopped; start a new one');
        if (current !== undefined) await terminate(current, opts.stopTimeoutMs);
        // If the new launch fails, stop() must not wait on the old process.
        current = undefined;
        current = await launch(opts, port, serverName, storeDir, configFile);
      },
    };
  } catch (err) {
    await rm(rootDir, { recursive: true, force: true });
    throw err;
  }
}
