/**
 * The weight layout of the dual encoder (names and shapes from the config) and its seeded init.
 * Both engines read weights by these names: the tfjs model trains them, the ONNX export bakes
 * them into the two graphs, safetensors stores them.
 */
import { createSeededRandom, hashString } from '@vrft/model';
import { type DualEncoderConfig, patchCount } from './encoder-config.js';
import { EncoderLoadError } from './errors.js';

/** Weights by name. */
export type EncoderWeights = Map<string, Float32Array>;

/** One weight's name and shape. */
export interface EncoderWeightSpec {
  readonly name: string;
  readonly shape: readonly number[];
  /** How it starts: normal(0, std), ones (norm gains), zeros (biases), or a fixed value. */
  readonly init: { readonly kind: 'normal'; readonly std: number } | { readonly kind: 'fill'; readonly value: number };
}

/** The two towers' weight-name prefixes. */
export type Tower = 'vision' | 'text';

/** SigLIP's starting temperature t = 10 and bias b = −10 (the loss starts near its easy-negative optimum). */
export const INITIAL_LOGIT_SCALE = Math.log(10);
/** Starting b of the sigmoid loss. */
export const INITIAL_LOGIT_BIAS = -10;

const INIT_STD = 0.02;

/** Weight specs of one transformer block of width d. */
function blockSpecs(prefix: string, d: number, hidden: number): EncoderWeightSpec[] {
  const normal = { kind: 'normal', std: INIT_STD } as const;
  const ones = { kind: 'fill', value: 1 } as const;
  const zeros = { kind: 'fill', value: 0 } as const;
  return [
    { name: `${prefix}.norm1.weight`, shape: [d], init: ones },
    { name: `${prefix}.attn.wq`, shape: [d, d], init: normal },
    { name: `${prefix}.attn.wk`, shape: [d, d], init: normal },
    { name: `${prefix}.attn.wv`, shape: [d, d], init: normal },
    { name: `${prefix}.attn.wo`, shape: [d, d], init: normal },
    { name: `${prefix}.norm2.weight`, shape: [d], init: ones },
    { name: `${prefix}.mlp.w1`, shape: [d, hidden], init: normal },
    { name: `${prefix}.mlp.b1`, shape: [hidden], init: zeros },
    { name: `${prefix}.mlp.w2`, shape: [hidden, d], init: normal },
    { name: `${prefix}.mlp.b2`, shape: [d], init: zeros },
  ];
}

/** Every weight of a config, vision tower first, then text, then the loss's t and b. */
export function encoderWeightSpecs(config: DualEncoderConfig): EncoderWeightSpec[] {
  const { visionDim: dv, textDim: dt, embedDim: e, patchSize: p } = config;
  const normal = { kind: 'normal', std: INIT_STD } as const;
  const ones = { kind: 'fill', value: 1 } as const;
  const zeros = { kind: 'fill', value: 0 } as const;
  const specs: EncoderWeightSpec[] = [
    { name: 'vision.patch.weight', shape: [p * p * 3, dv], init: normal },
    { name: 'vision.patch.bias', shape: [dv], init: zeros },
    { name: 'vision.pos', shape: [patchCount(config), dv], init: normal },
  ];
  for (let i = 0; i < config.visionLayers; i++)
    specs.push(...blockSpecs(`vision.blocks.${i}`, dv, dv * config.mlpRatio));
  specs.push(
    { name: 'vision.norm.weight', shape: [dv], init: ones },
    { name: 'vision.proj.weight', shape: [patchCount(config) * dv, e], init: normal },
    { name: 'text.embed.weight', shape: [config.vocabSize, dt], init: normal },
    { name: 'text.pos', shape: [config.maxTextTokens, dt], init: normal },
  );
  for (let i = 0; i < config.textLayers; i++) specs.push(...blockSpecs(`text.blocks.${i}`, dt, dt * config.mlpRatio));
  specs.push(
    { name: 'text.norm.weight', shape: [dt], init: ones },
    { name: 'text.proj.weight', shape: [dt, e], init: normal },
    { name: 'logit_scale', shape: [1], init: { kind: 'fill', value: INITIAL_LOGIT_SCALE } },
    { name: 'logit_bias', shape: [1], init: { kind: 'fill', value: INITIAL_LOGIT_BIAS } },
  );
  return specs;
}

/** Seeded initial weights: each tensor draws from its own stream (seed ⊕ hash of its name). */
export function initEncoderWeights(config: DualEncoderConfig, seed: number): EncoderWeights {
  const weights: EncoderWeights = new Map();
  for (const spec of encoderWeightSpecs(config)) {
    const data = new Float32Array(spec.shape.reduce((a, b) => a * b, 1));
    if (spec.init.kind === 'fill') data.fill(spec.init.value);
    else {
      const random = createSeededRandom(hashString(spec.name, seed >>> 0));
      for (let i = 0; i < data.length; i++) data[i] = random.normal() * spec.init.std;
    }
    weights.set(spec.name, data);
  }
  return weights;
}

/** Throws EncoderLoadError when a weight is missing, extra, or of the wrong size. */
export function checkEncoderWeights(
  config: DualEncoderConfig,
  weights: ReadonlyMap<string, Float32Array>,
  source: string,
): void {
  const specs = encoderWeightSpecs(config);
  for (const spec of specs) {
    const data = weights.get(spec.name);
    const size = spec.shape.reduce((a, b) => a * b, 1);
    if (data === undefined) throw new EncoderLoadError(source, `weight ${spec.name} is missing`);
    if (data.length !== size) {
      throw new EncoderLoadError(
        source,
        `weight ${spec.name} has ${data.length} values, [${spec.shape.join(', ')}] needs ${size}`,
      );
    }
  }
  const names = new Set(specs.map((s) => s.name));
  for (const name of weights.keys()) {
    if (!names.has(name)) throw new EncoderLoadError(source, `unexpected weight ${name}`);
  }
}

/** Whether AdamW decays a weight: matrices and tables yes; norm gains, biases, t and b no. */
export function isDecayedWeight(name: string): boolean {
  return !(
    name.endsWith('norm1.weight') ||
    name.endsWith('norm2.weight') ||
    name.endsWith('norm.weight') ||
    name.endsWith('.bias') ||
    name.endsWith('.b1') ||
    name.endsWith('.b2') ||
    name.startsWith('logit_')
  );
}
