import { execFileSync } from 'node:child_process';

/** Builds apps and libs once before the tests that start them as processes. */
export default function setup(): void {
  execFileSync(process.execPath, ['tools/build.mjs'], { stdio: 'inherit' });
}
