/**
 * The weight layout of docs/model.md in code: every tensor's name and shape, in one fixed order,
 * and the check that a set of weights matches a config.
 */
import { kvDim, patchesPerFrame, type ModelConfig } from './config.js';
import { WeightsMismatchError } from './errors.js';

/** One weight tensor's name and shape (row-major; matrices are `[in, out]`, used as `x · W`). */
export interface WeightSpec {
  readonly name: string;
  readonly shape: readonly number[];
}

/** The model's weights: name → float32 values, row-major in the spec's shape. */
export type ModelWeights = Map<string, Float32Array>;

/** What kind of tensor a weight is; init and weight decay depend on it. */
export type WeightKind = 'matrix' | 'output-projection' | 'embedding' | 'bias' | 'norm';

/** A block's weights; `kvWidth` is the width of wk and wv (smaller than `width` with grouped-query attention). */
function pushBlock(specs: WeightSpec[], prefix: string, width: number, hidden: number, kvWidth = width): void {
  specs.push({ name: `${prefix}.norm1.weight`, shape: [width] });
  specs.push({ name: `${prefix}.attn.wq`, shape: [width, width] });
  specs.push({ name: `${prefix}.attn.wk`, shape: [width, kvWidth] });
  specs.push({ name: `${prefix}.attn.wv`, shape: [width, kvWidth] });
  specs.push({ name: `${prefix}.attn.wo`, shape: [width, width] });
  specs.push({ name: `${prefix}.norm2.weight`, shape: [width] });
  specs.push({ name: `${prefix}.mlp.w1`, shape: [width, hidden] });
  specs.push({ name: `${prefix}.mlp.w3`, shape: [width, hidden] });
  specs.push({ name: `${prefix}.mlp.w2`, shape: [hidden, width] });
}

/**
 * Every weight of a config with its shape, in the canonical order (vision, projector, LM; blocks
 * in index order). Writers use this order so files are byte-identical for identical weights.
 */
export function weightSpecs(config: ModelConfig): WeightSpec[] {
  const { visionDim: dv, dModel: d, patchSize: p } = config;
  const specs: WeightSpec[] = [
    { name: 'vision.patch_embed.weight', shape: [p * p * 3, dv] },
    { name: 'vision.patch_embed.bias', shape: [dv] },
    { name: 'vision.pos_spatial', shape: [patchesPerFrame(config), dv] },
    { name: 'vision.pos_temporal', shape: [config.maxFrames, dv] },
  ];
  for (let i = 0; i < config.visionLayers; i++) pushBlock(specs, `vision.blocks.${i}`, dv, config.visionMlpHidden);
  specs.push(
    { name: 'vision.norm.weight', shape: [dv] },
    { name: 'projector.fc1.weight', shape: [dv, d] },
    { name: 'projector.fc1.bias', shape: [d] },
    { name: 'projector.fc2.weight', shape: [d, d] },
    { name: 'projector.fc2.bias', shape: [d] },
    { name: 'lm.embed.weight', shape: [config.vocabSize, d] },
  );
  for (let i = 0; i < config.numLayers; i++) pushBlock(specs, `lm.blocks.${i}`, d, config.mlpHidden, kvDim(config));
  specs.push({ name: 'lm.norm.weight', shape: [d] });
  return specs;
}

/** Number of elements of a shape. */
export function shapeSize(shape: readonly number[]): number {
  return shape.reduce((product, n) => product * n, 1);
}

/** Total parameter count of a config. */
export function countParameters(config: ModelConfig): number {
  return weightSpecs(config).reduce((sum, spec) => sum + shapeSize(spec.shape), 0);
}

/**
 * The kind of a weight, from its name: norms and biases are vectors that are never decayed;
 * `attn.wo` and `mlp.w2` write into the residual stream and get a smaller init.
 */
export function weightKind(name: string): WeightKind {
  if (name.endsWith('norm1.weight') || name.endsWith('norm2.weight') || name.endsWith('norm.weight')) return 'norm';
  if (name.endsWith('.bias')) return 'bias';
  if (name.endsWith('.attn.wo') || name.endsWith('.mlp.w2')) return 'output-projection';
  if (name === 'lm.embed.weight' || name === 'vision.pos_spatial' || name === 'vision.pos_temporal') return 'embedding';
  return 'matrix';
}

/**
 * Checks that weights hold exactly the config's tensors with the right sizes. Throws
 * WeightsMismatchError naming the first missing, unexpected or wrongly sized tensor.
 */
export function checkWeights(config: ModelConfig, weights: ReadonlyMap<string, Float32Array>): void {
  const specs = weightSpecs(config);
  for (const spec of specs) {
    const data = weights.get(spec.name);
    if (data === undefined) throw new WeightsMismatchError(spec.name, 'missing');
    if (!(data instanceof Float32Array)) throw new WeightsMismatchError(spec.name, 'expected a Float32Array');
    const expected = shapeSize(spec.shape);
    if (data.length !== expected) {
      throw new WeightsMismatchError(
        spec.name,
        `has ${data.length} values, expected ${expected} for shape [${spec.shape.join(', ')}]`,
      );
    }
  }
  if (weights.size !== specs.length) {
    const known = new Set(specs.map((spec) => spec.name));
    for (const name of weights.keys()) {
      if (!known.has(name)) throw new WeightsMismatchError(name, 'is not a weight of this config');
    }
  }
}
