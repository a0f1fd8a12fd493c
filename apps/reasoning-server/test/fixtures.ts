/** Test fixtures of the reasoning-server: a tiny random checkpoint, a short mp4 and app start-up. */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@vrft/config';
import { type RunningApp, startApp } from '@vrft/runtime';
import { encodeFramesToVideo } from '@vrft/video';
import { reasoningServerApp } from '../src/app.js';
import { TEST_MODEL_SIZES, writeRandomCheckpoint } from '@vrft/model';

/** A working directory with a checkpoint and a clip under `videos/`. */
export interface ServerFixture {
  readonly dir: string;
  readonly checkpointDir: string;
  readonly videoDir: string;
  readonly clipPath: string;
  readonly clip: Uint8Array;
  cleanup(): Promise<void>;
}

/** Writes the fixture files (about 0.3 s). */
export async function createServerFixture(): Promise<ServerFixture> {
  const dir = await mkdtemp(join(tmpdir(), 'vrft-serve-'));
  const checkpointDir = await writeRandomCheckpoint(join(dir, 'checkpoint'), { sizes: TEST_MODEL_SIZES, seed: 3 });
  const videoDir = join(dir, 'videos');
  const clip = await makeClip(6, 1);
  const clipPath = join(videoDir, 'clip.mp4');
  await mkdir(videoDir, { recursive: true });
  await writeFile(clipPath, clip);
  return { dir, checkpointDir, videoDir, clipPath, clip, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** A short 32×32 mp4 of moving gradients; `seed` changes the pixels. */
export async function makeClip(frames: number, seed: number): Promise<Uint8Array> {
  const size = 32;
  const data = new Uint8Array(frames * size * size * 3);
  for (let f = 0; f < frames; f++) {
    for (let i = 0; i < size * size; i++) {
      const at = (f * size * size + i) * 3;
      data[at] = (i * 7 + f * 40 + seed * 13) & 255;
      data[at + 1] = (i * 3 + seed * 50) & 255;
      data[at + 2] = (f * 60) & 255;
    }
  }
  return encodeFramesToVideo({ data, shape: [frames, size, size, 3] }, { fps: 6, codec: 'h264', container: 'mp4' });
}

/** Starts the app in-process with a fixture and extra environment. */
export async function startServer(fixture: ServerFixture, env: Record<string, string> = {}): Promise<RunningApp> {
  const config = loadConfig(reasoningServerApp.schema, {
    env: {
      VRFT_GRPC__PORT: '0',
      VRFT_TELEMETRY__LOG_LEVEL: 'error',
      VRFT_UPLOADS__DIR: join(fixture.dir, 'uploads'),
      VRFT_MODEL__CHECKPOINT_DIR: fixture.checkpointDir,
      VRFT_MODEL__INTRA_OP_THREADS: '1',
      VRFT_VIDEO__ALLOWED_ROOTS: fixture.videoDir,
      VRFT_LIMITS__DEFAULT_MAX_NEW_TOKENS: '24',
      ...env,
    },
  });
  return startApp(reasoningServerApp, config);
}
