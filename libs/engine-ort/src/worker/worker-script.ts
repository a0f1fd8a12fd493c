/**
 * Starting a worker thread from a package of this monorepo: where its built script is, and the
 * Node flags it needs. Shared by this package's session workers and @vrft/dual-encoder's.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The built worker script `fileName` beside a module of a package's `src/worker/` folder: the
 * module's sibling in `dist/worker/`, or, when the module runs from TypeScript sources (tests),
 * the built copy in `dist/worker/` (so the package must be built first). Undefined when missing.
 */
export function locateWorkerScript(moduleUrl: string, fileName: string): string | undefined {
  const url = moduleUrl.endsWith('.ts')
    ? new URL(`../../dist/worker/${fileName}`, moduleUrl)
    : new URL(`./${fileName}`, moduleUrl);
  const path = fileURLToPath(url);
  return existsSync(path) ? path : undefined;
}

/**
 * The parent's Node flags without the `source` export condition: the worker runs built
 * JavaScript, so workspace packages must resolve to their dist/, not to TypeScript sources
 * (test runners start Node with `--conditions source`).
 */
export function workerExecArgv(parent: readonly string[] = process.execArgv): string[] {
  const out: string[] = [];
  for (let i = 0; i < parent.length; i++) {
    const arg = parent[i] as string;
    if ((arg === '--conditions' || arg === '-C') && parent[i + 1] === 'source') i += 1;
    else if (arg !== '--conditions=source' && arg !== '-C=source') out.push(arg);
  }
  return out;
}
