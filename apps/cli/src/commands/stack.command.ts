import { access, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_PROMPT_TEMPLATE } from '@vrft/data';
import { checkHealth } from '@vrft/grpc';
import { writeRandomCheckpoint } from '@vrft/model';
import { type NatsServer, startNatsServer } from '@vrft/testkit';
import { type AppProcess, startAppProcess } from '../stack/app-process.js';
import { stackApps } from '../stack/stack-apps.js';
import { formatTable } from '../table.js';

/** Options of `vrft stack`. */
export interface StackOptions {
  /** Repository root (where apps/<name>/dist/main.js live). */
  root: string;
  /** First port of the fixed layout (reasoning-server = base, …); 0 = free ports. */
  basePort: number;
  /** Start everything, print the table, stop again (a smoke run). */
  exitAfterReady: boolean;
  /** Logs go to <stateDir>/logs/<app>.log. */
  stateDir: string;
  /**
   * Checkpoint served by the reasoning-server and frozen in the reference-model; absent = a
   * seeded random-weight `tiny` checkpoint written once under <stateDir>/checkpoints.
   */
  checkpoint: string | undefined;
  /** Environment handed to the apps (PATH and friends). */
  env: Record<string, string | undefined>;
  readyTimeoutMs: number;
  out: { write(text: string): unknown };
}

/**
 * `vrft stack`: a nats-server of its own plus every app, each a child process;
 * prints where each listens and its health, then runs until SIGINT/SIGTERM and
 * stops them in reverse order. Returns the exit code.
 */
export async function runStack(options: StackOptions): Promise<number> {
  const logDir = join(options.stateDir, 'logs');
  await mkdir(logDir, { recursive: true });
  const checkpoint = options.checkpoint ?? (await randomCheckpoint(options.stateDir, options.out));
  const nats: NatsServer = await startNatsServer({ jetstream: true });
  const started: AppProcess[] = [];
  const stopAll = async () => {
    for (const app of [...started].reverse()) await app.stop(15_000);
    await nats.stop();
  };

  try {
    for (const app of stackApps) {
      const port = options.basePort === 0 ? 0 : options.basePort + app.portOffset;
      started.push(
        await startAppProcess({
          name: app.name,
          entry: join(options.root, 'apps', app.name, 'dist', 'main.js'),
          env: {
            ...options.env,
            VRFT_GRPC__PORT: String(port),
            ...(app.usesNats ? { VRFT_NATS__SERVERS: nats.url } : {}),
            ...(app.checkpointVariable ? { [app.checkpointVariable]: checkpoint } : {}),
          },
          logFile: join(logDir, `${app.name}.log`),
          readyTimeoutMs: options.readyTimeoutMs,
        }),
      );
    }
  } catch (error) {
    options.out.write(`stack failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
    await stopAll();
    return 1;
  }

  const rows = [['nats-server', 'NATS JetStream', nats.url, '-', String(nats.pid ?? '-'), '-']];
  for (const [index, app] of started.entries()) {
    const address = `127.0.0.1:${app.grpcPort}`;
    const health = await waitForServing(address, options.readyTimeoutMs);
    rows.push([
      app.name,
      stackApps[index]?.service ?? '',
      address,
      health,
      String(app.pid),
      join(logDir, `${app.name}.log`),
    ]);
  }
  options.out.write(`${formatTable(['process', 'serves', 'listens on', 'health', 'pid', 'log'], rows)}\n`);

  if (options.exitAfterReady) {
    await stopAll();
    options.out.write('stack stopped\n');
    return rows.slice(1).every((row) => row[3] === 'SERVING') ? 0 : 1;
  }

  options.out.write('running; press Ctrl-C to stop\n');
  const reason = await new Promise<string>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
    for (const app of started) void app.exited.then((code) => resolve(`${app.name} exited with code ${code}`));
  });
  options.out.write(`stopping (${reason})\n`);
  await stopAll();
  return reason.startsWith('SIG') ? 0 : 1;
}

/** A seeded random-weight `tiny` checkpoint (gibberish answers, every path real), written once. */
async function randomCheckpoint(stateDir: string, out: StackOptions['out']): Promise<string> {
  const dir = join(stateDir, 'checkpoints', 'random-tiny');
  const exists = await access(join(dir, 'model.safetensors')).then(
    () => true,
    () => false,
  );
  if (!exists) {
    const corpus = [...Object.values(DEFAULT_PROMPT_TEMPLATE.answerHints), DEFAULT_PROMPT_TEMPLATE.instruction];
    await writeRandomCheckpoint(dir, { preset: 'tiny', seed: 1, corpus });
  }
  out.write(`no --checkpoint given: serving seeded RANDOM weights from ${dir} (answers are gibberish)\n`);
  return dir;
}

/** Polls grpc.health.v1 until SERVING (apps that load a model report NOT_SERVING meanwhile) or the timeout. */
async function waitForServing(address: string, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const health = await checkHealth(address).catch((error: unknown) => `error: ${String(error)}`);
    if (health === 'SERVING' || Date.now() >= deadline) return health;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
