/**
 * Benchmark of the GRPO loss: the tfjs ops (loss + metrics, and the backward pass when the
 * training gradients are registered) against the Float64 reference, at the paper's batch shape
 * (8 prompts × G = 8 completions, up to 1024 completion tokens).
 *
 * Run after the build:
 *   node libs/rl/dist/bench/grpo-loss.js [--rows 64] [--tokens 1024] [--vocab 0] [--reps 5] [--backend cpu|wasm]
 * Prints figures, asserts nothing.
 */
import { pathToFileURL } from 'node:url';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { findMissingGradients } from '../gradient-kernels.js';
import { parseGrpoConfig } from '../grpo-config.js';
import { computeGrpoLossReference } from '../grpo-reference.js';
import { computeGrpoLoss, type GrpoLossTensors } from '../grpo-tf.js';

/** Sizes of the benchmark batch. */
export interface LossBenchOptions {
  /** B, completions per batch. Default 64. */
  readonly rows: number;
  /** T, padded completion length. Default 1024. */
  readonly tokens: number;
  /** V for the entropy metric; 0 leaves logits out. Default 0. */
  readonly vocab: number;
  /** Timed repetitions after one warm-up. Default 5. */
  readonly reps: number;
  /** tfjs backend. Default 'cpu'. */
  readonly backend: 'cpu' | 'wasm';
}

/** Reads `--rows N --tokens N --vocab N --reps N --backend cpu|wasm`; throws naming a bad flag. */
export function parseLossBenchOptions(argv: readonly string[]): LossBenchOptions {
  const sizes = { rows: 64, tokens: 1024, vocab: 0, reps: 5 };
  let backend: LossBenchOptions['backend'] = 'cpu';
  for (let k = 0; k < argv.length; k += 2) {
    const flag = argv[k] ?? '';
    const key = flag.replace(/^--/, '');
    const raw = argv[k + 1];
    if (key === 'backend') {
      if (raw !== 'cpu' && raw !== 'wasm') throw new Error(`${flag}: expected cpu or wasm, got ${raw}`);
      backend = raw;
      continue;
    }
    if (!(key in sizes)) throw new Error(`${flag}: unknown flag (known: --rows, --tokens, --vocab, --reps, --backend)`);
    const value = Number(raw);
    const min = key === 'vocab' ? 0 : 1;
    if (!Number.isInteger(value) || value < min) throw new Error(`${flag}: expected an integer ≥ ${min}, got ${raw}`);
    sizes[key as keyof typeof sizes] = value;
  }
  return { ...sizes, backend };
}

// A fixed LCG: the benchmark's inputs are the same on every run.
function createUniform(seed: number): (lo: number, hi: number) => number {
  let state = seed >>> 0;
  return (lo, hi) => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return lo + ((hi - lo) * state) / 4294967296;
  };
}

function timeMs(reps: number, run: () => void): number {
  run(); // warm-up
  const start = performance.now();
  for (let r = 0; r < reps; r++) run();
  return (performance.now() - start) / reps;
}

/** Runs the benchmark and prints one line per measurement. */
export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  const { rows, tokens, vocab, reps, backend } = parseLossBenchOptions(argv);
  if (!(await tf.setBackend(backend))) throw new Error(`--backend: tfjs backend ${backend} failed to start`);
  const uniform = createUniform(7);
  // Ragged lengths between T/4 and T, as sampled completions are.
  const mask = Array.from({ length: rows }, () => {
    const length = Math.floor(uniform(tokens / 4, tokens + 1));
    return Array.from({ length: tokens }, (_, t) => (t < length ? 1 : 0));
  });
  const logp = mask.map((row) => row.map(() => uniform(-6, -0.01)));
  const near = (spread: number) => logp.map((row) => row.map((v) => v + uniform(-spread, spread)));
  const [logpOld, logpRef] = [near(0.3), near(1)];
  const advantages = Array.from({ length: rows }, () => uniform(-2, 2));
  const config = parseGrpoConfig({ innerUpdates: 2 });
  const validTokens = mask.flat().reduce<number>((a, b) => a + b, 0);
  console.log(
    `grpo-loss bench: B=${rows} T=${tokens} V=${vocab} valid tokens=${validTokens} backend=${tf.getBackend()}`,
  );

  const tensors: GrpoLossTensors = {
    logp: tf.tensor2d(logp),
    logpOld: tf.tensor2d(logpOld),
    logpRef: tf.tensor2d(logpRef),
    advantages: tf.tensor1d(advantages),
    mask: tf.tensor2d(mask),
    ...(vocab > 0 ? { logits: tf.randomNormal([rows, tokens, vocab], 0, 2, 'float32', 11) as tf.Tensor3D } : {}),
  };
  const report = (label: string, ms: number) =>
    console.log(
      `${label.padEnd(34)} ${ms.toFixed(2).padStart(9)} ms   ${((validTokens / ms) * 1e3).toFixed(0).padStart(12)} tokens/s`,
    );

  const forward = timeMs(reps, () => {
    const out = computeGrpoLoss(tensors, config);
    out.loss.dataSync(); // wait for the result
    tf.dispose([out.loss, out.tokenLoss, ...Object.values(out.metrics)]);
  });
  report('tfjs loss + metrics (forward)', forward);

  const missing = findMissingGradients();
  if (missing.length === 0) {
    const backward = timeMs(reps, () => {
      const grad = tf.grad((x: tf.Tensor) => computeGrpoLoss({ ...tensors, logp: x as tf.Tensor2D }, config).loss);
      const g = grad(tensors.logp);
      g.dataSync();
      g.dispose();
    });
    report('tfjs loss + dL/dlogp (fwd + bwd)', backward);
  } else {
    console.log(
      `tfjs backward: skipped, no gradient registered for ${missing.join(', ')} (the training engine registers them)`,
    );
  }

  const reference = { logp, logpOld, logpRef, advantages, mask };
  report(
    'Float64 reference (fwd, no entropy)',
    timeMs(reps, () => void computeGrpoLossReference(reference, config)),
  );
  tf.dispose(Object.values(tensors).filter((v): v is tf.Tensor => v instanceof tf.Tensor));
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
