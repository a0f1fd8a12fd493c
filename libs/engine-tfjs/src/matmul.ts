/**
 * Matrix products for the model, in two modes (measured in bench/train.ts):
 * - `explicit-transpose` (default): a custom op whose gradient transposes with tf.transpose and
 *   then multiplies plainly. tf.matMul with transposeA/transposeB is 10–40× slower on the wasm
 *   backend (design.md), and tf's own matmul gradient uses exactly those flags (dA = dY·Bᵀ,
 *   dB = Aᵀ·dY), so without this op every backward pass takes the slow path.
 * - `transpose-flags`: plain tf.matMul with transpose flags and tf's gradient, for comparison.
 */
import * as tf from '@tensorflow/tfjs-core';

/** How products with a transposed operand (and all gradients) are computed. */
export type MatMulMode = 'explicit-transpose' | 'transpose-flags';

/** The modes, for option validation. */
export const MATMUL_MODES: readonly MatMulMode[] = ['explicit-transpose', 'transpose-flags'];

/** Swaps the last two axes: [..., M, N] → [..., N, M] (a real copy, cheap next to a product). */
export function swapLastAxes(x: tf.Tensor): tf.Tensor {
  const perm = x.shape.map((_, i) => i);
  const last = perm.length - 1;
  perm[last - 1] = last;
  perm[last] = last - 1;
  return tf.transpose(x, perm);
}

/**
 * y = a·b for rank ≥ 2 with equal batch axes, whose gradient never uses transpose flags:
 * ∂a = dy·bᵀ, ∂b = aᵀ·dy, with bᵀ and aᵀ materialised by swapLastAxes.
 */
export const matMulExplicit: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor = tf.customGrad(
  (...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [a, b, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    save([a, b]);
    return {
      value: tf.matMul(a, b),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] => {
        const [savedA, savedB] = saved as [tf.Tensor, tf.Tensor];
        return [tf.matMul(dy, swapLastAxes(savedB)), tf.matMul(swapLastAxes(savedA), dy)];
      },
    };
  },
);

/** The two products the model needs, in one mode. */
export interface MatMulOps {
  /** a·b. */
  product(a: tf.Tensor, b: tf.Tensor): tf.Tensor;
  /** a·bᵀ (bᵀ over the last two axes). */
  productTransposed(a: tf.Tensor, b: tf.Tensor): tf.Tensor;
}

/** The matrix products of a mode. */
export function createMatMulOps(mode: MatMulMode): MatMulOps {
  if (mode === 'transpose-flags') {
    return {
      product: (a, b) => tf.matMul(a, b),
      productTransposed: (a, b) => tf.matMul(a, b, false, true),
    };
  }
  return {
    product: (a, b) => matMulExplicit(a, b),
    productTransposed: (a, b) => matMulExplicit(a, swapLastAxes(b)),
  };
}
