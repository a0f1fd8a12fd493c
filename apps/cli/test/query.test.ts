/**
 * `vrft query` against a reasoning-server started in process on a tiny random checkpoint: the
 * streamed answer, JSON output, a local clip, the status of a refused request, and usage errors.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@vrft/config';
import { type RunningApp, startApp } from '@vrft/runtime';
import { encodeFramesToVideo } from '@vrft/video';
import { writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reasoningServerApp } from '../../reasoning-server/src/app.js';
import { TEST_MODEL_SIZES, writeRandomCheckpoint } from '@vrft/model';
import { runQueryCommand } from '../src/commands/query.command.js';

let dir = '';
let app: RunningApp;
let address = '';
let clipPath = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vrft-query-'));
  const checkpointDir = await writeRandomCheckpoint(join(dir, 'checkpoint'), { sizes: TEST_MODEL_SIZES });
  const data = new Uint8Array(4 * 32 * 32 * 3).map((_, i) => (i * 37) & 255);
  clipPath = join(dir, 'clip.mp4');
  await writeFile(
    clipPath,
    await encodeFramesToVideo({ data, shape: [4, 32, 32, 3] }, { fps: 4, codec: 'h264', container: 'mp4' }),
  );
  const env = {
    VRFT_GRPC__PORT: '0',
    VRFT_TELEMETRY__LOG_LEVEL: 'error',
    VRFT_MODEL__CHECKPOINT_DIR: checkpointDir,
    VRFT_MODEL__INTRA_OP_THREADS: '1',
    VRFT_UPLOADS__DIR: join(dir, 'uploads'),
  };
  app = await startApp(reasoningServerApp, loadConfig(reasoningServerApp.schema, { env }));
  address = `127.0.0.1:${app.grpcPort}`;
});
afterAll(async () => {
  await app?.close();
  await rm(dir, { recursive: true, force: true });
});

async function query(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runQueryCommand(args, {
    out: { write: (t: string) => out.push(t) },
    err: { write: (t: string) => err.push(t) },
    env: {},
  });
  return { code, out: out.join(''), err: err.join('') };
}

describe('vrft query', () => {
  it('streams the answer to a question about a local clip, and the JSON form agrees', async () => {
    const args = [address, 'What moves in the video?', '--video', clipPath, '--seed', '4', '--max-tokens', '10'];
    const streamed = await query(args);
    expect(streamed.code).toBe(0);
    expect(streamed.err).toMatch(/finish: (eos|length) · prompt \d+ tokens \(8 visual\) · completion \d+ tokens/);
    const json = await query([...args, '--json']);
    expect(json.code).toBe(0);
    const answer = JSON.parse(json.out) as { text: string; usage: { videoTokens: number } };
    expect(answer.usage.videoTokens).toBe(8);
    expect(streamed.out).toBe(`${answer.text}\n`);
  });

  it('reports a refused request with its status and exit code 1', async () => {
    const result = await query([address, 'q', '--temperature', '0', '--top-p', '7']);
    expect(result.code).toBe(1);
    expect(result.err).toContain('INVALID_ARGUMENT');
    expect(result.err).toContain('topP');
  });

  it('names bad flags with exit code 64', async () => {
    expect((await query([address])).code).toBe(64);
    const bad = await query([address, 'q', '--type', 'poetry']);
    expect(bad.code).toBe(64);
    expect(bad.err).toContain('--type');
    expect((await query([address, 'q', '--max-tokens', '-3'])).err).toContain('--max-tokens');
    expect((await query([address, 'q', '--seed', 'x'])).err).toContain('--seed');
  });
});
