import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

// These tests run the built apps as real processes (tools/vitest-global-setup.ts builds them).
const run = promisify(execFile);
const root = join(import.meta.dirname, '../../..');
const entry = (app: string) => join(root, 'apps', app, 'dist', 'main.js');
const baseEnv = { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '' };

/** Starts an app and resolves with its ready line's port. */
function startApp(
  app: string,
  env: Record<string, string>,
): Promise<{ child: ChildProcess; port: number; lines: string[] }> {
  const child = spawn(process.execPath, [entry(app)], {
    env: { ...baseEnv, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${app} exited with ${code}: ${lines.join('\n')}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      lines.push(line);
      const parsed = JSON.parse(line) as { msg?: string; grpcPort?: number };
      if (parsed.msg === `${app} ready` && parsed.grpcPort) resolve({ child, port: parsed.grpcPort, lines });
    });
  });
}

describe('apps as processes', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups) await cleanup();
  });

  it('drains and exits 0 on SIGTERM', async () => {
    const { child, lines } = await startApp('learner', { VRFT_GRPC__PORT: '0' });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    const messages = lines.map((line) => (JSON.parse(line) as { msg: string }).msg);
    expect(messages).toContain('draining gRPC server');
    expect(messages.at(-1)).toBe('learner stopped');
  });

  it('refuses to start on a bad config value, naming it, with exit code 78', async () => {
    const error = (await run(process.execPath, [entry('learner')], {
      env: { ...baseEnv, VRFT_GRPC__PORT: 'abc' },
    }).catch((e: unknown) => e)) as { code: number; stderr: string };
    expect(error.code).toBe(78);
    expect(error.stderr).toContain('VRFT_GRPC__PORT');
    const typo = (await run(process.execPath, [entry('learner')], {
      env: { ...baseEnv, VRFT_GRPC__PROT: '1' },
    }).catch((e: unknown) => e)) as { code: number; stderr: string };
    expect(typo.code).toBe(78);
    expect(typo.stderr).toContain('VRFT_GRPC__PROT');
  });

  it('`vrft stack` starts NATS and every app, all SERVING', async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'vrft-stack-'));
    cleanups.push(() => rm(stateDir, { recursive: true, force: true }));
    const { stdout } = await run(
      process.execPath,
      [entry('cli'), 'stack', '--base-port', '0', '--exit-after-ready', '--state-dir', stateDir],
      { env: baseEnv, timeout: 60_000 },
    );
    for (const app of [
      'reasoning-server',
      'policy-actor',
      'reference-model',
      'reward-model',
      'learner',
      'controller',
    ]) {
      expect(stdout).toMatch(new RegExp(`^${app}\\s+vrft\\.\\S+\\s+127\\.0\\.0\\.1:\\d+\\s+SERVING`, 'm'));
    }
    expect(stdout).toMatch(/^nats-server\s+NATS JetStream\s+nats:\/\/127\.0\.0\.1:\d+/m);
    expect(stdout).toContain('stack stopped');
  });

  // A client we did not write: Debian's python3-grpcio (installed by `npm test`'s set-up).
  it.runIf(existsSync('/usr/bin/python3'))('is probed by python3-grpcio through reflection and health', async () => {
    const { child, port } = await startApp('reward-model', { VRFT_GRPC__PORT: '0' });
    cleanups.push(async () => {
      child.kill('SIGTERM');
    });
    const { stdout } = await run('/usr/bin/python3', [join(root, 'scripts/grpc-probe.py'), `127.0.0.1:${port}`]);
    expect(stdout.split('\n')).toEqual(
      expect.arrayContaining([
        'service grpc.health.v1.Health',
        'service vrft.reward.v1.RewardService',
        'health SERVING',
        'health vrft.reward.v1.RewardService SERVING',
      ]),
    );
  });
});
