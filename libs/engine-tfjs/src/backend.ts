/**
 * Choosing the TensorFlow.js backend at start: the first of the configured order that loads wins
 * (default tfjs-node-gpu → tfjs-node → wasm → cpu, design.md). tfjs-node(-gpu) are optional
 * dependencies whose install downloads libtensorflow and fails on machines without network, so
 * they are imported dynamically and every failure is recorded with its reason.
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { BackendUnavailableError, EngineOptionsError } from './errors.js';
import { registerTrainingGradients } from './gradients.js';

/** A backend candidate: `tensorflow-gpu` and `tensorflow` are tfjs-node-gpu and tfjs-node. */
export type BackendCandidate = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';

/** The default order: fastest first. */
export const DEFAULT_BACKEND_ORDER: readonly BackendCandidate[] = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

/** Options of selectBackend. */
export interface BackendOptions {
  /** Candidates to try, in order. Default DEFAULT_BACKEND_ORDER. */
  readonly order: readonly BackendCandidate[];
  /** Where a line about the choice is written (a JsonLogger fits). Default: nowhere. */
  readonly logger?: { info(message: string, ...params: unknown[]): void };
}

/** One candidate's outcome. */
export interface BackendAttempt {
  readonly candidate: BackendCandidate;
  readonly ok: boolean;
  /** Why it failed (absent when it worked). */
  readonly reason?: string;
}

/** What selectBackend chose. */
export interface BackendSelection {
  /** The candidate that won. */
  readonly candidate: BackendCandidate;
  /** tf.getBackend() after the choice (`tensorflow`, `wasm`, `cpu`). */
  readonly backendName: string;
  /** Every candidate tried, in order, with the reason of each failure. */
  readonly attempts: readonly BackendAttempt[];
}

const PACKAGES: Record<BackendCandidate, string> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
  wasm: '@tensorflow/tfjs-backend-wasm',
  cpu: '@tensorflow/tfjs-backend-cpu',
};

/** Validates backend options and fills in defaults. */
export function parseBackendOptions(input: Partial<BackendOptions> = {}): BackendOptions {
  const order = input.order ?? DEFAULT_BACKEND_ORDER;
  if (!Array.isArray(order) || order.length === 0) throw new EngineOptionsError('order', 'expected a non-empty list');
  for (const [index, candidate] of order.entries()) {
    if (!(candidate in PACKAGES)) {
      throw new EngineOptionsError(
        `order[${index}]`,
        `unknown backend ${JSON.stringify(candidate)} (known: ${Object.keys(PACKAGES).join(', ')})`,
      );
    }
  }
  return { order, logger: input.logger };
}

async function importPackage(name: string): Promise<unknown> {
  // A variable specifier keeps bundlers and the type checker from requiring the optional packages.
  const specifier: string = name;
  return (await import(specifier)) as unknown;
}

async function activate(name: string): Promise<void> {
  if (!(await tf.setBackend(name))) throw new Error(`tf.setBackend('${name}') returned false`);
  await tf.ready();
}

async function tryCandidate(candidate: BackendCandidate): Promise<void> {
  switch (candidate) {
    case 'tensorflow-gpu':
    case 'tensorflow':
      // Both register a backend named `tensorflow` when their native binding loads.
      await importPackage(PACKAGES[candidate]);
      return activate('tensorflow');
    case 'wasm': {
      const wasm = (await importPackage(PACKAGES.wasm)) as { setWasmPaths(prefix: string): void };
      // In Node the .wasm binaries are read from the package's dist directory, as a file path.
      const require = createRequire(import.meta.url);
      wasm.setWasmPaths(`${dirname(require.resolve(PACKAGES.wasm))}/`);
      return activate('wasm');
    }
    case 'cpu':
      await importPackage(PACKAGES.cpu);
      return activate('cpu');
  }
}

function describeError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
}

/**
 * Starts the first backend of the order that loads and registers the engine's gradients. Throws
 * BackendUnavailableError (with every reason) when none does.
 */
export async function selectBackend(input: Partial<BackendOptions> = {}): Promise<BackendSelection> {
  const options = parseBackendOptions(input);
  registerTrainingGradients();
  const attempts: BackendAttempt[] = [];
  for (const candidate of options.order) {
    try {
      await tryCandidate(candidate);
      attempts.push({ candidate, ok: true });
      const selection = { candidate, backendName: tf.getBackend(), attempts };
      options.logger?.info(`tfjs backend: ${candidate}`, { backend: selection.backendName, attempts });
      return selection;
    } catch (error) {
      attempts.push({ candidate, ok: false, reason: describeError(error) });
    }
  }
  const reasons = attempts.map((a) => `${a.candidate}: ${a.reason ?? 'failed'}`).join('; ');
  throw new BackendUnavailableError(`no tfjs backend could start (${reasons})`);
}
