/**
 * The model config (docs/model.md): sizes of the vision encoder, projector and language model,
 * the presets, and the one function that validates a config (throwing ModelConfigError naming the
 * bad field). config.json in a checkpoint is exactly this object.
 */
import { ModelConfigError } from './errors.js';

/** Ids of the special tokens the model itself depends on (from the tokenizer). */
export interface ModelSpecialTokens {
  /** Padding id (`<pad>`). */
  readonly pad: number;
  /** Start of sequence (`<bos>`). */
  readonly bos: number;
  /** End of sequence (`<eos>`). */
  readonly eos: number;
  /** The video placeholder (`<video>`), replaced by the visual tokens. */
  readonly video: number;
}

/** A full model config. Symbols in brackets are those of docs/model.md. */
export interface ModelConfig {
  /** Vocabulary size [V], at least the tokenizer's. */
  readonly vocabSize: number;
  /** LM width [D]. */
  readonly dModel: number;
  /** LM blocks [L]. */
  readonly numLayers: number;
  /** LM attention heads [H]; head size D/H must be even (RoPE rotates pairs). */
  readonly numHeads: number;
  /**
   * LM key/value heads [Hkv] (grouped-query attention): each serves H/Hkv consecutive query
   * heads, so the KV cache holds Hkv heads. Optional in config.json (absent: H, plain
   * multi-head attention); always set once parsed.
   */
  readonly numKvHeads: number;
  /** LM SwiGLU hidden size [M]. */
  readonly mlpHidden: number;
  /** Frames per clip by default [F]. */
  readonly frames: number;
  /** Most frames a clip may have [Fmax]: rows of `vision.pos_temporal`. */
  readonly maxFrames: number;
  /** Frame height in pixels. */
  readonly imageHeight: number;
  /** Frame width in pixels. */
  readonly imageWidth: number;
  /** Patch side [P]. */
  readonly patchSize: number;
  /** Spatial pooling side: each pool×pool group of patches becomes one visual token. */
  readonly pool: number;
  /** Vision width [Dv]. */
  readonly visionDim: number;
  /** Vision blocks [Lv]. */
  readonly visionLayers: number;
  /** Vision attention heads [Hv]. */
  readonly visionHeads: number;
  /** Vision SwiGLU hidden size [Mv]. */
  readonly visionMlpHidden: number;
  /**
   * Per-channel pixel normalisation, x = (pixel/255 − pixelMean[c]) / pixelStd[c]. Optional in
   * config.json (absent: 0.5 and 0.5, as in every checkpoint written before the option existed);
   * always set once parsed.
   */
  readonly pixelMean: readonly [number, number, number];
  readonly pixelStd: readonly [number, number, number];
  /** Longest expanded sequence (text plus visual tokens) the model accepts. */
  readonly contextLength: number;
  /** RoPE base: θ_i = ropeTheta^(−2i/Dh). 10000 in every preset. */
  readonly ropeTheta: number;
  /** RMSNorm epsilon: x / sqrt(mean(x²) + eps). 1e-6 in every preset. */
  readonly normEps: number;
  /** Special token ids. */
  readonly specialTokens: ModelSpecialTokens;
}

/**
 * The sizes of a preset: a config without what comes from the tokenizer. numKvHeads may be left
 * out (it then follows numHeads, also when an override changes numHeads).
 */
export type ModelPresetSizes = Omit<ModelConfig, 'vocabSize' | 'specialTokens' | 'numKvHeads'> & {
  readonly numKvHeads?: number;
};

/** The normalisation of checkpoints without pixelMean/pixelStd: x = (pixel/255 − 0.5)/0.5. */
export const LEGACY_PIXEL_NORMALISATION = { mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] } as const;

/**
 * The synthetic world's pixel statistics (mean and std of the [0, 1] pixels over its clips,
 * rounded), which the presets normalise with. Why not 0.5/0.5: 80 % of a frame is the dark arena
 * floor, which that maps to −0.8 on every patch, so the objects are a small change on a large
 * constant. Measured on `tiny` (120 caption-only pretraining updates): with 0.5/0.5 the held-out
 * caption loss was the same with any clip's frames (vision gap 0.00002 nats per token; 0.0000
 * after 600 updates of the full base), with these 0.028 and rising.
 */
export const WORLD_PIXEL_NORMALISATION = { mean: [0.16, 0.16, 0.16], std: [0.22, 0.22, 0.22] } as const;

/** Names of the presets. */
export type ModelPresetName = 'tiny' | 'small';

/**
 * The presets of docs/model.md: `tiny` runs the whole demo on 2 CPU cores, `small` is for GPUs.
 * `small` shares each K/V head among 4 query heads (its decode steps are bound by reading the
 * KV cache); `tiny` stays multi-head, as the checkpoints trained on it are.
 */
export const MODEL_PRESETS: Readonly<Record<ModelPresetName, ModelPresetSizes>> = {
  tiny: {
    dModel: 128,
    numLayers: 4,
    numHeads: 4,
    mlpHidden: 352,
    frames: 8,
    maxFrames: 16,
    imageHeight: 64,
    imageWidth: 64,
    patchSize: 16,
    pool: 2,
    visionDim: 96,
    visionLayers: 2,
    visionHeads: 4,
    visionMlpHidden: 256,
    pixelMean: WORLD_PIXEL_NORMALISATION.mean,
    pixelStd: WORLD_PIXEL_NORMALISATION.std,
    contextLength: 512,
    ropeTheta: 10000,
    normEps: 1e-6,
  },
  small: {
    dModel: 512,
    numLayers: 8,
    numHeads: 8,
    numKvHeads: 2,
    mlpHidden: 1408,
    frames: 16,
    maxFrames: 32,
    imageHeight: 112,
    imageWidth: 112,
    patchSize: 16,
    pool: 1,
    visionDim: 256,
    visionLayers: 4,
    visionHeads: 4,
    visionMlpHidden: 704,
    pixelMean: WORLD_PIXEL_NORMALISATION.mean,
    pixelStd: WORLD_PIXEL_NORMALISATION.std,
    contextLength: 2048,
    ropeTheta: 10000,
    normEps: 1e-6,
  },
};

const SIZE_FIELDS = [
  'vocabSize',
  'dModel',
  'numLayers',
  'numHeads',
  'mlpHidden',
  'frames',
  'maxFrames',
  'imageHeight',
  'imageWidth',
  'patchSize',
  'pool',
  'visionDim',
  'visionLayers',
  'visionHeads',
  'visionMlpHidden',
  'contextLength',
] as const;
const KNOWN_FIELDS: readonly string[] = [
  ...SIZE_FIELDS,
  'numKvHeads',
  'pixelMean',
  'pixelStd',
  'ropeTheta',
  'normEps',
  'specialTokens',
];
const SPECIAL_ROLES = ['pad', 'bos', 'eos', 'video'] as const;
/** Upper bound of every size field: keeps products (weights, buffers) inside safe integers. */
const MAX_SIZE = 1 << 24;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readInteger(record: Record<string, unknown>, field: string, prefix: string, min: number): number {
  const value = record[field];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > MAX_SIZE) {
    throw new ModelConfigError(
      `${prefix}${field}`,
      `expected an integer in [${min}, ${MAX_SIZE}], got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

function readPositive(record: Record<string, unknown>, field: string): number {
  const value = record[field];
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new ModelConfigError(field, `expected a positive finite number, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Three finite numbers (positive for a std), or the legacy value when absent. */
function readChannels(
  record: Record<string, unknown>,
  field: 'pixelMean' | 'pixelStd',
  absent: readonly number[],
): readonly [number, number, number] {
  const value = record[field] === undefined ? absent : record[field];
  const ok =
    Array.isArray(value) &&
    value.length === 3 &&
    value.every((v) => typeof v === 'number' && Number.isFinite(v) && (field === 'pixelMean' || v > 0));
  if (!ok) {
    const what = field === 'pixelStd' ? 'positive finite numbers' : 'finite numbers';
    throw new ModelConfigError(field, `expected three ${what} (one per RGB channel), got ${JSON.stringify(value)}`);
  }
  return Object.freeze([...(value as number[])]) as unknown as readonly [number, number, number];
}

function requireDivisible(field: string, value: number, by: number, what: string): void {
  if (value % by !== 0) throw new ModelConfigError(field, `${value} is not divisible by ${what} (${by})`);
}

/**
 * Validates a config (a parsed config.json or an object literal) and returns it typed and frozen.
 * Checks every field's type and range, and the divisibility the architecture needs:
 * D % H, (D/H) even, H % Hkv, Dv % Hv, (Dv/Hv) even, H×W divisible by P, the patch grid by pool, F ≤ Fmax,
 * the visual tokens of a clip of Fmax frames shorter than the context, special ids below V.
 * Unknown fields are rejected so a typo cannot pass silently.
 */
export function parseModelConfig(input: unknown): ModelConfig {
  if (!isRecord(input)) throw new ModelConfigError('(root)', 'expected an object');
  for (const key of Object.keys(input)) {
    if (!KNOWN_FIELDS.includes(key))
      throw new ModelConfigError(key, `unknown field (known: ${KNOWN_FIELDS.join(', ')})`);
  }
  const sizes = {} as Record<(typeof SIZE_FIELDS)[number], number>;
  for (const field of SIZE_FIELDS) sizes[field] = readInteger(input, field, '', 1);
  const ropeTheta = readPositive(input, 'ropeTheta');
  const normEps = readPositive(input, 'normEps');
  const special = input.specialTokens;
  if (!isRecord(special)) throw new ModelConfigError('specialTokens', 'expected an object with pad, bos, eos, video');
  for (const key of Object.keys(special)) {
    if (!(SPECIAL_ROLES as readonly string[]).includes(key)) {
      throw new ModelConfigError(`specialTokens.${key}`, `unknown role (known: ${SPECIAL_ROLES.join(', ')})`);
    }
  }
  const specialTokens = {} as Record<(typeof SPECIAL_ROLES)[number], number>;
  for (const role of SPECIAL_ROLES) {
    specialTokens[role] = readInteger(special, role, 'specialTokens.', 0);
    if (specialTokens[role] >= sizes.vocabSize) {
      throw new ModelConfigError(
        `specialTokens.${role}`,
        `id ${specialTokens[role]} is not below vocabSize ${sizes.vocabSize}`,
      );
    }
  }

  requireDivisible('dModel', sizes.dModel, sizes.numHeads, 'numHeads');
  requireDivisible('numHeads', sizes.dModel / sizes.numHeads, 2, 'two: RoPE needs an even head size dModel/numHeads');
  // Absent in every checkpoint written before grouped-query attention: those are multi-head.
  const numKvHeads = input.numKvHeads === undefined ? sizes.numHeads : readInteger(input, 'numKvHeads', '', 1);
  if (sizes.numHeads % numKvHeads !== 0) {
    throw new ModelConfigError(
      'numKvHeads',
      `${numKvHeads} does not divide numHeads (${sizes.numHeads}): each K/V head serves a whole group of query heads`,
    );
  }
  requireDivisible('visionDim', sizes.visionDim, sizes.visionHeads, 'visionHeads');
  requireDivisible('imageHeight', sizes.imageHeight, sizes.patchSize, 'patchSize');
  requireDivisible('imageWidth', sizes.imageWidth, sizes.patchSize, 'patchSize');
  const gridRows = sizes.imageHeight / sizes.patchSize;
  const gridCols = sizes.imageWidth / sizes.patchSize;
  if (gridRows % sizes.pool !== 0 || gridCols % sizes.pool !== 0) {
    throw new ModelConfigError('pool', `the ${gridRows}×${gridCols} patch grid is not divisible by pool ${sizes.pool}`);
  }
  if (sizes.frames > sizes.maxFrames) {
    throw new ModelConfigError('frames', `${sizes.frames} is more than maxFrames (${sizes.maxFrames})`);
  }
  const pixelMean = readChannels(input, 'pixelMean', LEGACY_PIXEL_NORMALISATION.mean);
  const pixelStd = readChannels(input, 'pixelStd', LEGACY_PIXEL_NORMALISATION.std);
  const { vocabSize, dModel, numLayers, numHeads, visionMlpHidden, contextLength, ...rest } = sizes;
  // Field order as in the interface, so config.json lists numKvHeads next to numHeads.
  const config: ModelConfig = {
    vocabSize,
    dModel,
    numLayers,
    numHeads,
    numKvHeads,
    ...rest,
    visionMlpHidden,
    pixelMean,
    pixelStd,
    contextLength,
    ropeTheta,
    normEps,
    specialTokens: Object.freeze(specialTokens),
  };
  const longest = visualTokensPerFrame(config) * sizes.maxFrames;
  if (longest >= sizes.contextLength) {
    throw new ModelConfigError(
      'contextLength',
      `${sizes.contextLength} leaves no room for text after ${longest} visual tokens of a ${sizes.maxFrames}-frame clip`,
    );
  }
  return Object.freeze(config);
}

/** What a config takes from the tokenizer. */
export interface TokenizerFacts {
  /** Number of token ids. */
  readonly vocabSize: number;
  /** Id of a special role; throws when the tokenizer lacks it. */
  specialId(role: 'pad' | 'bos' | 'eos' | 'video'): number;
}

/**
 * The config of a preset for a tokenizer: V and the special ids come from it, sizes from the
 * preset, and `overrides` replace any field (tests use smaller sizes). Validated.
 */
export function createModelConfig(
  preset: ModelPresetName,
  tokenizer: TokenizerFacts,
  overrides: Partial<ModelPresetSizes> = {},
): ModelConfig {
  const sizes = MODEL_PRESETS[preset];
  if (sizes === undefined) throw new ModelConfigError('preset', `unknown preset ${JSON.stringify(preset)}`);
  return parseModelConfig({
    ...sizes,
    ...overrides,
    vocabSize: tokenizer.vocabSize,
    specialTokens: {
      pad: tokenizer.specialId('pad'),
      bos: tokenizer.specialId('bos'),
      eos: tokenizer.specialId('eos'),
      video: tokenizer.specialId('video'),
    },
  });
}

/** LM head size Dh = D / H. */
export function headDim(config: ModelConfig): number {
  return config.dModel / config.numHeads;
}

/** Width of the LM's keys and values, Hkv·Dh (D without grouped-query attention). */
export function kvDim(config: ModelConfig): number {
  return config.numKvHeads * headDim(config);
}

/** Query heads per K/V head, G = H / Hkv (1 without grouped-query attention). */
export function queryGroupSize(config: ModelConfig): number {
  return config.numHeads / config.numKvHeads;
}

/** Patches per frame Np = (H/P)·(W/P). */
export function patchesPerFrame(config: ModelConfig): number {
  return (config.imageHeight / config.patchSize) * (config.imageWidth / config.patchSize);
}

/** Visual tokens per frame Nt = Np / pool². */
export function visualTokensPerFrame(config: ModelConfig): number {
  return patchesPerFrame(config) / (config.pool * config.pool);
}

/** Visual tokens of a clip of `frames` frames (default: the config's F). */
export function visualTokensPerClip(config: ModelConfig, frames: number = config.frames): number {
  return frames * visualTokensPerFrame(config);
}

/**
 * Tokens a completion never contains (`<video>`, `<pad>`, `<bos>`): a sampled `<video>` would have
 * no frames to splice in. Both engines renormalise the next-token distribution without them, so
 * sampling, scoring and the learner's log-probs agree.
 */
export function unsampledTokenIds(config: Pick<ModelConfig, 'specialTokens'>): readonly number[] {
  const { video, pad, bos } = config.specialTokens;
  return [video, pad, bos];
}
