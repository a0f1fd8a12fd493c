/**
 * Private temporary directories: created with mode 0700 under the configured parent and removed,
 * with everything in them, when the work that needed them ends, whether it succeeded or not.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';

/** Runs `work` with a fresh private directory and removes the directory afterwards. */
export async function withPrivateTempDir<T>(parent: string, work: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(parent, 'vrft-video-')); // mkdtemp creates the directory with mode 0700
  try {
    return await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
