/**
 * The training step: gradients of any scalar loss over micro-batches, accumulated, clipped to a
 * global norm, applied with AdamW at the scheduled learning rate. The SFT step (completion
 * cross-entropy) is built in; the learner's GRPO loss plugs into accumulate().
 */
import * as tf from '@tensorflow/tfjs-core';
import { type ModelBatch } from './batch.js';
import { EngineOptionsError, GradientError } from './errors.js';
import { registerTrainingGradients } from './gradients.js';
import { countTargets, maskedNllSum } from './loss.js';
import { type TfjsModel } from './model.js';
import {
  adamWStep,
  globalNormClipScale,
  isDecayed,
  isUnderPrefix,
  learningRateAt,
  parseOptimizerOptions,
  type AdamMoments,
  type OptimizerOptions,
} from './optimizer.js';

/** What one update did. */
export interface UpdateStats {
  /** Updates applied so far, this one included. */
  readonly step: number;
  /** Learning rate used. */
  readonly learningRate: number;
  /** Global gradient norm before clipping. */
  readonly gradNorm: number;
  /** Factor the gradients were scaled by (1 when not clipped). */
  readonly clipScale: number;
  /** Micro-batches accumulated into it. */
  readonly microBatches: number;
}

/** What one SFT step did. */
export interface TrainStepStats extends UpdateStats {
  /** Mean cross-entropy per target token over all micro-batches, before the update. */
  readonly loss: number;
  /** Target tokens in the step. */
  readonly targets: number;
}

/** The optimizer's state in plain arrays: what a checkpoint stores to resume exactly. */
export interface OptimizerState {
  /** Updates applied so far (drives the schedule and Adam's bias correction). */
  readonly step: number;
  /** Adam's first and second moments per weight name. */
  readonly moments: ReadonlyMap<string, { readonly m: Float32Array; readonly v: Float32Array }>;
}

/** Accumulates gradients and applies AdamW updates to a model's variables. */
export class Trainer {
  /** Validated optimizer options. */
  readonly options: OptimizerOptions;
  private readonly moments = new Map<string, AdamMoments>();
  private accumulated = new Map<string, tf.Tensor>();
  private microBatches = 0;
  private updates = 0;
  /** The variables that are trained: all but those under `options.frozen`. */
  private readonly trainable: ReadonlyMap<string, tf.Variable>;

  constructor(
    readonly model: TfjsModel,
    options: Partial<OptimizerOptions> = {},
  ) {
    this.options = parseOptimizerOptions(options);
    const names = [...model.variables.keys()];
    for (const prefix of this.options.frozen) {
      if (!names.some((name) => isUnderPrefix(name, prefix))) {
        const groups = [...new Set(names.map((name) => name.split('.')[0]))].join(', ');
        throw new EngineOptionsError(
          'frozen',
          `"${prefix}" names no weight of the model (top-level groups: ${groups})`,
        );
      }
    }
    this.trainable = new Map(
      [...model.variables].filter(([name]) => !this.options.frozen.some((prefix) => isUnderPrefix(name, prefix))),
    );
    registerTrainingGradients(); // idempotent; selectBackend() has usually done it already
  }

  /** Values in the trained weights (the frozen ones excluded). */
  get trainableParameters(): number {
    let count = 0;
    for (const variable of this.trainable.values()) count += variable.size;
    return count;
  }

  /** `frozen vision: 1234 of 5678 parameters trained`, or undefined when nothing is frozen (for start-up logs). */
  frozenSummary(): string | undefined {
    if (this.options.frozen.length === 0) return undefined;
    let total = 0;
    for (const variable of this.model.variables.values()) total += variable.size;
    return `frozen ${this.options.frozen.join(', ')}: ${this.trainableParameters} of ${total} parameters trained`;
  }

  /** Updates applied so far. */
  get step(): number {
    return this.updates;
  }

  /**
   * Adds ∂loss/∂θ to the accumulated gradients and returns the loss. Scale the loss so the sum
   * over micro-batches is the loss of the whole batch (e.g. divide by the total target count).
   */
  accumulate(loss: () => tf.Scalar): number {
    // Only trained variables are asked for, so no gradient flows into a frozen part at all.
    const { value, grads } = tf.variableGrads(loss, [...this.trainable.values()]);
    const lossValue = value.dataSync()[0] ?? Number.NaN;
    value.dispose();
    for (const [name, variable] of this.trainable) {
      const grad = grads[variable.name];
      if (grad === undefined) continue; // a weight the loss does not reach (e.g. vision on text-only batches)
      const previous = this.accumulated.get(name);
      if (previous === undefined) this.accumulated.set(name, grad);
      else {
        this.accumulated.set(name, tf.add(previous, grad));
        previous.dispose();
        grad.dispose();
      }
    }
    this.microBatches += 1;
    return lossValue;
  }

  /** Clips the accumulated gradients, applies one AdamW update and clears the accumulator. */
  applyUpdate(): UpdateStats {
    if (this.microBatches === 0) throw new GradientError('applyUpdate() without accumulated gradients');
    const step = this.updates + 1;
    const learningRate = learningRateAt(this.updates, this.options);
    const { norm, scale } = globalNormClipScale([...this.accumulated.values()], this.options.maxGradNorm);
    for (const [name, grad] of this.accumulated) {
      const variable = this.model.variables.get(name) as tf.Variable;
      const moments = this.moments.get(name) ?? { m: tf.zerosLike(variable), v: tf.zerosLike(variable) };
      const clipped = scale === 1 ? grad : tf.mul(grad, scale);
      const next = adamWStep(variable, clipped, moments, step, learningRate, isDecayed(name), this.options);
      variable.assign(next.param);
      next.param.dispose();
      if (clipped !== grad) clipped.dispose();
      moments.m.dispose();
      moments.v.dispose();
      this.moments.set(name, next.moments);
      grad.dispose();
    }
    const stats: UpdateStats = {
      step,
      learningRate,
      gradNorm: norm,
      clipScale: scale,
      microBatches: this.microBatches,
    };
    this.accumulated = new Map();
    this.microBatches = 0;
    this.updates = step;
    return stats;
  }

  /**
   * One SFT step over micro-batches: the mean cross-entropy over all their completion tokens
   * (each micro-batch's sum divided by the step's total target count, so accumulating equals one
   * big batch), then an update.
   */
  trainStep(microBatches: readonly ModelBatch[]): TrainStepStats {
    const targets = microBatches.reduce((sum, batch) => sum + countTargets(batch), 0);
    if (targets === 0) throw new GradientError('the step has no loss targets (every lossMask is 0)');
    let loss = 0;
    for (const batch of microBatches)
      loss += this.accumulate(() => tf.div(maskedNllSum(this.model, batch), targets) as tf.Scalar);
    return { ...this.applyUpdate(), loss, targets };
  }

  /** The optimizer's state as plain arrays (for checkpoints): step count and Adam moments by weight name. */
  exportState(): OptimizerState {
    const moments = new Map<string, { m: Float32Array; v: Float32Array }>();
    for (const [name, { m, v }] of this.moments) {
      moments.set(name, { m: m.dataSync() as Float32Array, v: v.dataSync() as Float32Array });
    }
    return { step: this.updates, moments };
  }

  /** Restores a state from exportState(); sizes are checked against the model's weights. */
  importState(state: OptimizerState): void {
    if (!Number.isInteger(state.step) || state.step < 0)
      throw new GradientError(`state.step ${state.step} is not a step count`);
    const restored = new Map<string, AdamMoments>();
    for (const [name, { m, v }] of state.moments) {
      const variable = this.model.variables.get(name);
      if (variable === undefined)
        throw new GradientError(`state.moments has "${name}", which is not a weight of the model`);
      if (m.length !== variable.size || v.length !== variable.size) {
        throw new GradientError(
          `state.moments "${name}" has ${m.length}/${v.length} values, the weight ${variable.size}`,
        );
      }
      restored.set(name, { m: tf.keep(tf.tensor(m, variable.shape)), v: tf.keep(tf.tensor(v, variable.shape)) });
    }
    for (const { m, v } of this.moments.values()) {
      m.dispose();
      v.dispose();
    }
    this.moments.clear();
    for (const [name, moments] of restored) this.moments.set(name, moments);
    this.updates = state.step;
  }

  /** Drops accumulated gradients without applying them. */
  discardGradients(): void {
    for (const grad of this.accumulated.values()) grad.dispose();
    this.accumulated = new Map();
    this.microBatches = 0;
  }

  /** Frees the optimizer state (not the model). */
  dispose(): void {
    this.discardGradients();
    for (const { m, v } of this.moments.values()) {
      m.dispose();
      v.dispose();
    }
    this.moments.clear();
  }
}
