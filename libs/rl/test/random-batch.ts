/** Seeded random GRPO batches for the tf-vs-reference tests (values rounded to float32 so both see the same inputs). */
import * as tf from '@tensorflow/tfjs-core';
import type { GrpoLossTensors, GrpoReferenceInputs } from '@vrft/rl';

/** mulberry32: a small seeded PRNG, so failures reproduce. */
export function createRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Which valid-token pattern a batch has. */
export type MaskKind = 'full' | 'ragged' | 'empty-row' | 'all-padding';

/** What to include in a random batch. */
export interface RandomBatchSpec {
  readonly seed: number;
  readonly rows: number;
  readonly tokens: number;
  readonly vocab?: number;
  readonly mask: MaskKind;
  readonly withOld: boolean;
  readonly withRef: boolean;
  readonly withBehaviour: boolean;
}

/** The same batch as reference rows and as tensors (the caller disposes the tensors). */
export interface RandomBatch {
  readonly reference: GrpoReferenceInputs;
  readonly tensors: GrpoLossTensors;
}

/** Builds a batch whose padding holds garbage (NaN, ±inf, huge) so masking is really tested. */
export function createRandomBatch(spec: RandomBatchSpec): RandomBatch {
  const rand = createRandom(spec.seed);
  const uniform = (lo: number, hi: number): number => Math.fround(lo + (hi - lo) * rand());
  const garbage = [Number.NaN, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, 1e30];
  const mask = Array.from({ length: spec.rows }, (_, i) => {
    const length =
      spec.mask === 'full'
        ? spec.tokens
        : spec.mask === 'all-padding' || (spec.mask === 'empty-row' && i === 1)
          ? 0
          : 1 + Math.floor(rand() * spec.tokens);
    return Array.from({ length: spec.tokens }, (_, t) => (t < length ? 1 : 0));
  });
  const fill = (make: () => number): number[][] =>
    mask.map((row) => row.map((m, t) => (m > 0 ? make() : (garbage[t % garbage.length] ?? 0))));
  const logp = fill(() => uniform(-6, -0.01));
  // ρ = exp(logp − logp_old) spread over [e^−0.5, e^0.5] so that the clip acts on some tokens.
  const around = (base: number[][], spread: number): number[][] =>
    base.map((row, i) => row.map((v, t) => ((mask[i]?.[t] ?? 0) > 0 ? Math.fround(v + uniform(-spread, spread)) : v)));
  const logpOld = around(logp, 0.5);
  // A wide spread for the reference so that some |logp_ref − logp| exceed the clamp of tests using c = 2.
  const logpRef = around(logp, 4);
  const logpBehaviour = around(logp, 1.2);
  const advantages = Array.from({ length: spec.rows }, () => uniform(-2, 2));
  const logits =
    spec.vocab === undefined
      ? undefined
      : mask.map((row) =>
          row.map((m) => Array.from({ length: spec.vocab ?? 0 }, () => (m > 0 ? uniform(-4, 4) : Number.NaN))),
        );

  const reference: GrpoReferenceInputs = {
    logp,
    advantages,
    mask,
    ...(spec.withOld ? { logpOld } : {}),
    ...(spec.withRef ? { logpRef } : {}),
    ...(spec.withBehaviour ? { logpBehaviour } : {}),
    ...(logits === undefined ? {} : { logits }),
  };
  const tensors: GrpoLossTensors = {
    logp: tf.tensor2d(logp),
    advantages: tf.tensor1d(advantages),
    mask: tf.tensor2d(mask),
    ...(spec.withOld ? { logpOld: tf.tensor2d(logpOld) } : {}),
    ...(spec.withRef ? { logpRef: tf.tensor2d(logpRef) } : {}),
    ...(spec.withBehaviour ? { logpBehaviour: tf.tensor2d(logpBehaviour) } : {}),
    ...(logits === undefined ? {} : { logits: tf.tensor3d(logits) }),
  };
  return { reference, tensors };
}

/** Disposes every tensor of a batch. */
export function disposeBatch(batch: RandomBatch): void {
  for (const value of Object.values(batch.tensors)) if (value instanceof tf.Tensor) value.dispose();
}
