/**
 * Gradients of the kernels the engine (and the learner's losses) use. tfjs-core's Node bundle
 * ships no gradient registrations (the full @tensorflow/tfjs package adds them, and it is not a
 * dependency here), so the engine registers its own, written from the derivative of each kernel.
 * A kernel that already has a gradient (tfjs-node loaded the full package) is left alone.
 *
 * Conventions: `dy` is ∂L/∂y; broadcasting binary ops sum the gradient over broadcast axes
 * (unbroadcast). BatchMatMul's gradient is tf's own formulation with transpose flags: it is the
 * "no workaround" path that the model's matmul op (ops.ts) avoids on wasm.
 */
import * as tf from '@tensorflow/tfjs-core';
import { GradientError } from './errors.js';

type Grads = Record<string, () => tf.Tensor>;
type Attrs = tf.NamedAttrMap;

/** Sums `dy` over the axes along which `shape` was broadcast to dy's shape, then reshapes to `shape`. */
export function unbroadcast(dy: tf.Tensor, shape: readonly number[]): tf.Tensor {
  const lead = dy.rank - shape.length;
  const axes: number[] = [];
  for (let axis = 0; axis < dy.rank; axis++) {
    if (axis < lead || (shape[axis - lead] === 1 && dy.shape[axis] !== 1)) axes.push(axis);
  }
  const summed = axes.length > 0 ? tf.sum(dy, axes) : dy;
  return tf.reshape(summed, [...shape]);
}

function first(saved: tf.Tensor[], index: number): tf.Tensor {
  const tensor = saved[index];
  if (tensor === undefined) throw new GradientError(`saved tensor ${index} is missing`);
  return tensor;
}

function single(dy: tf.Tensor | tf.Tensor[]): tf.Tensor {
  if (Array.isArray(dy)) throw new GradientError('expected one output gradient');
  return dy;
}

function axesOf(axis: unknown, shape: number[]): number[] {
  return tf.util.parseAxisParam(axis as number | number[], shape);
}

/** ∂/∂x of a reduction over `axes`: dy broadcast back to x's shape, times `scale`. */
function expandReduced(dy: tf.Tensor, x: tf.Tensor, axes: number[], scale: number): tf.Tensor {
  const kept = x.shape.map((n, axis) => (axes.includes(axis) ? 1 : n));
  const spread = tf.mul(tf.reshape(dy, kept), tf.ones(x.shape));
  return scale === 1 ? spread : tf.mul(spread, scale);
}

const GRADIENTS: tf.GradConfig[] = [
  {
    kernelName: tf.Add,
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, saved): Grads => ({
      a: () => unbroadcast(single(dy), first(saved, 0).shape),
      b: () => unbroadcast(single(dy), first(saved, 1).shape),
    }),
  },
  {
    kernelName: tf.Sub,
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, saved): Grads => ({
      a: () => unbroadcast(single(dy), first(saved, 0).shape),
      b: () => unbroadcast(tf.neg(single(dy)), first(saved, 1).shape),
    }),
  },
  {
    // y = a·b: ∂a = dy·b, ∂b = dy·a
    kernelName: tf.Multiply,
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, saved): Grads => {
      const [a, b] = [first(saved, 0), first(saved, 1)];
      return {
        a: () => unbroadcast(tf.mul(single(dy), tf.cast(b, 'float32')), a.shape),
        b: () => unbroadcast(tf.mul(single(dy), tf.cast(a, 'float32')), b.shape),
      };
    },
  },
  {
    // y = a/b: ∂a = dy/b, ∂b = −dy·a/b²
    kernelName: tf.RealDiv,
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, saved): Grads => {
      const [a, b] = [first(saved, 0), first(saved, 1)];
      return {
        a: () => unbroadcast(tf.div(single(dy), b), a.shape),
        b: () => unbroadcast(tf.neg(tf.div(tf.mul(single(dy), a), tf.square(b))), b.shape),
      };
    },
  },
  {
    // y = max(a, b): the gradient goes to the larger input (to a on ties).
    kernelName: tf.Maximum,
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, saved): Grads => {
      const [a, b] = [first(saved, 0), first(saved, 1)];
      return {
        a: () => unbroadcast(tf.mul(single(dy), tf.cast(tf.greaterEqual(a, b), 'float32')), a.shape),
        b: () => unbroadcast(tf.mul(single(dy), tf.cast(tf.less(a, b), 'float32')), b.shape),
      };
    },
  },
  {
    // y = min(a, b): the gradient goes to the smaller input (to a on ties).
    kernelName: tf.Minimum,
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, saved): Grads => {
      const [a, b] = [first(saved, 0), first(saved, 1)];
      return {
        a: () => unbroadcast(tf.mul(single(dy), tf.cast(tf.lessEqual(a, b), 'float32')), a.shape),
        b: () => unbroadcast(tf.mul(single(dy), tf.cast(tf.greater(a, b), 'float32')), b.shape),
      };
    },
  },
  {
    kernelName: tf.AddN,
    saveAllInputs: true,
    // Clones: the tape disposes an input's gradient when it accumulates into it, so inputs must
    // not share one tensor.
    gradFunc: (dy, saved): Grads => Object.fromEntries(saved.map((_, i) => [String(i), () => tf.clone(single(dy))])),
  },
  { kernelName: tf.Neg, gradFunc: (dy): Grads => ({ x: () => tf.neg(single(dy)) }) },
  { kernelName: tf.Identity, gradFunc: (dy): Grads => ({ x: () => tf.clone(single(dy)) }) },
  { kernelName: tf.Cast, gradFunc: (dy): Grads => ({ x: () => tf.clone(single(dy)) }) },
  // y = eˣ: ∂x = dy·y
  {
    kernelName: tf.Exp,
    outputsToSave: [true],
    gradFunc: (dy, saved): Grads => ({ x: () => tf.mul(single(dy), first(saved, 0)) }),
  },
  // y = ln x: ∂x = dy/x
  {
    kernelName: tf.Log,
    inputsToSave: ['x'],
    gradFunc: (dy, saved): Grads => ({ x: () => tf.div(single(dy), first(saved, 0)) }),
  },
  // y = x²: ∂x = 2x·dy
  {
    kernelName: tf.Square,
    inputsToSave: ['x'],
    gradFunc: (dy, saved): Grads => ({ x: () => tf.mul(single(dy), tf.mul(first(saved, 0), 2)) }),
  },
  // y = √x: ∂x = dy/(2y)
  {
    kernelName: tf.Sqrt,
    outputsToSave: [true],
    gradFunc: (dy, saved): Grads => ({ x: () => tf.div(single(dy), tf.mul(first(saved, 0), 2)) }),
  },
  // y = x^(−1/2): ∂x = −½·dy·x^(−3/2) = −½·dy·y³
  {
    kernelName: tf.Rsqrt,
    outputsToSave: [true],
    gradFunc: (dy, saved): Grads => {
      const y = first(saved, 0);
      return { x: () => tf.mul(single(dy), tf.mul(tf.mul(tf.square(y), y), -0.5)) };
    },
  },
  // y = tanh x: ∂x = dy·(1 − y²)
  {
    kernelName: tf.Tanh,
    outputsToSave: [true],
    gradFunc: (dy, saved): Grads => ({ x: () => tf.mul(single(dy), tf.sub(1, tf.square(first(saved, 0)))) }),
  },
  // y = σ(x): ∂x = dy·y·(1 − y)
  {
    kernelName: tf.Sigmoid,
    outputsToSave: [true],
    gradFunc: (dy, saved): Grads => {
      const y = first(saved, 0);
      return { x: () => tf.mul(single(dy), tf.mul(y, tf.sub(1, y))) };
    },
  },
  // y = |x|: ∂x = dy·sign(x)
  {
    kernelName: tf.Abs,
    inputsToSave: ['x'],
    gradFunc: (dy, saved): Grads => ({ x: () => tf.mul(single(dy), tf.sign(first(saved, 0))) }),
  },
  {
    // y = clip(x, lo, hi): the gradient passes where lo ≤ x ≤ hi.
    kernelName: tf.ClipByValue,
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs: Attrs): Grads => {
      const x = first(saved, 0);
      const { clipValueMin, clipValueMax } = attrs as unknown as { clipValueMin: number; clipValueMax: number };
      const inside = tf.logicalAnd(tf.greaterEqual(x, clipValueMin), tf.lessEqual(x, clipValueMax));
      return { x: () => tf.mul(single(dy), tf.cast(inside, 'float32')) };
    },
  },
  {
    // y = where(c, t, e)
    kernelName: tf.Select,
    inputsToSave: ['condition'],
    gradFunc: (dy, saved): Grads => {
      const condition = first(saved, 0);
      const g = single(dy);
      return {
        condition: () => tf.zeros(condition.shape),
        t: () => tf.where(condition, g, tf.zerosLike(g)),
        e: () => tf.where(condition, tf.zerosLike(g), g),
      };
    },
  },
  {
    kernelName: tf.Sum,
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs: Attrs): Grads => {
      const x = first(saved, 0);
      return { x: () => expandReduced(single(dy), x, axesOf(attrs.axis, x.shape), 1) };
    },
  },
  {
    kernelName: tf.Mean,
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs: Attrs): Grads => {
      const x = first(saved, 0);
      const axes = axesOf(attrs.axis, x.shape);
      const count = axes.reduce((n, axis) => n * (x.shape[axis] ?? 1), 1);
      return { x: () => expandReduced(single(dy), x, axes, 1 / count) };
    },
  },
  {
    kernelName: tf.Reshape,
    inputsToSave: ['x'],
    gradFunc: (dy, saved): Grads => ({ x: () => tf.reshape(single(dy), first(saved, 0).shape) }),
  },
  {
    // The inverse permutation undoes the transpose.
    kernelName: tf.Transpose,
    gradFunc: (dy, _saved, attrs: Attrs): Grads => {
      const perm = attrs.perm as number[];
      const inverse = new Array<number>(perm.length);
      perm.forEach((axis, i) => (inverse[axis] = i));
      return { x: () => tf.transpose(single(dy), inverse) };
    },
  },
  {
    kernelName: tf.BatchMatMul,
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, saved, attrs: Attrs): Grads => {
      const [a, b] = [first(saved, 0), first(saved, 1)];
      const g = single(dy);
      const { transposeA, transposeB } = attrs as unknown as { transposeA: boolean; transposeB: boolean };
      // y = op(a)·op(b); each case is the chain rule through the transposes.
      let da: () => tf.Tensor;
      let db: () => tf.Tensor;
      if (!transposeA && !transposeB) {
        da = () => tf.matMul(g, b, false, true); // dy·bᵀ
        db = () => tf.matMul(a, g, true, false); // aᵀ·dy
      } else if (!transposeA && transposeB) {
        da = () => tf.matMul(g, b); // dy·b
        db = () => tf.matMul(g, a, true, false); // dyᵀ·a
      } else if (transposeA && !transposeB) {
        da = () => tf.matMul(b, g, false, true); // b·dyᵀ
        db = () => tf.matMul(a, g); // a·dy
      } else {
        da = () => tf.matMul(b, g, true, true); // bᵀ·dyᵀ
        db = () => tf.matMul(g, a, true, true); // dyᵀ·aᵀ
      }
      return { a: () => unbroadcast(da(), a.shape), b: () => unbroadcast(db(), b.shape) };
    },
  },
  {
    // y = softmax(x): ∂x = y·(dy − Σ dy·y) along the softmax axis.
    kernelName: tf.Softmax,
    outputsToSave: [true],
    gradFunc: (dy, saved, attrs: Attrs): Grads => {
      const y = first(saved, 0);
      const g = single(dy);
      const dim = axesOf(attrs.dim, y.shape);
      return { logits: () => tf.mul(y, tf.sub(g, tf.sum(tf.mul(g, y), dim, true))) };
    },
  },
  {
    kernelName: tf.Concat,
    saveAllInputs: true,
    gradFunc: (dy, saved, attrs: Attrs): Grads => {
      const axis = axesOf(attrs.axis, first(saved, 0).shape)[0] ?? 0;
      const parts = tf.split(
        single(dy),
        saved.map((t) => t.shape[axis] ?? 0),
        axis,
      );
      return Object.fromEntries(parts.map((part, i) => [String(i), () => part]));
    },
  },
  {
    // The gradient of a slice is dy padded back to x's shape with zeros.
    kernelName: tf.Slice,
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs: Attrs): Grads => {
      const x = first(saved, 0);
      const g = single(dy);
      const begin = attrs.begin as number[];
      const padding = x.shape.map((n, axis): [number, number] => {
        const start = begin[axis] ?? 0;
        return [start, n - start - (g.shape[axis] ?? 0)];
      });
      return { x: () => tf.pad(g, padding) };
    },
  },
  {
    kernelName: tf.Pack,
    saveAllInputs: true,
    gradFunc: (dy, saved, attrs: Attrs): Grads => {
      const parts = tf.unstack(single(dy), attrs.axis as number);
      return Object.fromEntries(saved.map((_, i) => [String(i), () => parts[i] as tf.Tensor]));
    },
  },
  {
    // Outputs outside the backward graph arrive as null: they contribute zeros.
    kernelName: tf.Unpack,
    inputsToSave: ['value'],
    gradFunc: (dy, saved, attrs: Attrs): Grads => {
      const value = first(saved, 0);
      const axis = attrs.axis as number;
      const partShape = value.shape.filter((_, i) => i !== axis);
      const parts = (Array.isArray(dy) ? dy : [dy]).map((g) => (g === null ? tf.zeros(partShape) : g));
      return { value: () => tf.stack(parts, axis) };
    },
  },
  {
    // Rows gathered along axis 0 scatter their gradient back, summing repeated indices.
    kernelName: tf.GatherV2,
    inputsToSave: ['x', 'indices'],
    gradFunc: (dy, saved, attrs: Attrs): Grads => {
      const [x, indices] = [first(saved, 0), first(saved, 1)];
      const axis = axesOf(attrs.axis, x.shape)[0] ?? 0;
      if (axis !== 0 || (attrs.batchDims as number) !== 0) {
        throw new GradientError(`gather gradient supports axis 0 without batchDims (got axis ${axis})`);
      }
      return {
        x: () => {
          const flat = tf.reshape(indices, [indices.size, 1]);
          const rows = tf.reshape(single(dy), [indices.size, ...x.shape.slice(1)]);
          return tf.scatterND(flat, rows, x.shape);
        },
        indices: () => tf.zeros(indices.shape),
      };
    },
  },
];

// Piecewise-constant ops (comparisons, rounding) pass no gradient; they sit on the backward
// path when a value both feeds a comparison and is differentiated (where(x > 0, x, y)).
for (const kernelName of [tf.Greater, tf.GreaterEqual, tf.Less, tf.LessEqual, tf.Equal, tf.NotEqual]) {
  GRADIENTS.push({
    kernelName,
    inputsToSave: ['a', 'b'],
    gradFunc: (_dy, saved): Grads => ({
      a: () => tf.zeros(first(saved, 0).shape),
      b: () => tf.zeros(first(saved, 1).shape),
    }),
  });
}
for (const kernelName of [tf.Sign, tf.Floor, tf.Ceil, tf.Round]) {
  GRADIENTS.push({
    kernelName,
    inputsToSave: ['x'],
    gradFunc: (_dy, saved): Grads => ({ x: () => tf.zeros(first(saved, 0).shape) }),
  });
}

/** Kernels whose gradients registerTrainingGradients provides. */
export const GRADIENT_KERNELS: readonly string[] = GRADIENTS.map((config) => config.kernelName);

/** Registers the engine's gradients, once per process; kernels that already have one keep it. */
export function registerTrainingGradients(): void {
  for (const config of GRADIENTS) {
    if (tf.getGradient(config.kernelName) === undefined) tf.registerGradient(config);
  }
}
