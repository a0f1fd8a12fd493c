/**
 * The dual encoder's architecture: sizes of the image tower (a small ViT over patches of
 * normalised pixels) and the text tower (a small bidirectional transformer over M token ids),
 * the shared embedding size, and the preprocessing both engines and every adapter agree on.
 */
import { EncoderOptionsError } from './errors.js';

/** Sizes and preprocessing of a dual encoder. */
export interface DualEncoderConfig {
  /** Frames are resized to imageSize × imageSize before encoding. Default 64 (the synthetic world's size). */
  readonly imageSize: number;
  /** Side of a square patch; imageSize must be a multiple. Default 8 (64 patches per frame). */
  readonly patchSize: number;
  /** Width of the image tower. Default 64. */
  readonly visionDim: number;
  /** Transformer blocks of the image tower. Default 2. */
  readonly visionLayers: number;
  /** Attention heads of the image tower. Default 4. */
  readonly visionHeads: number;
  /** Width of the text tower. Default 64. */
  readonly textDim: number;
  /** Transformer blocks of the text tower. Default 2. */
  readonly textLayers: number;
  /** Attention heads of the text tower. Default 4. */
  readonly textHeads: number;
  /** Hidden width of every MLP, as a multiple of its tower's width. Default 2. */
  readonly mlpRatio: number;
  /** Size of the shared embedding space. Default 64. */
  readonly embedDim: number;
  /** M: text positions; longer texts are cut, shorter ones padded. Default 64 (the public code's M). */
  readonly maxTextTokens: number;
  /** Rows of the token embedding (the tokenizer's vocabulary size). */
  readonly vocabSize: number;
  /** Token id of padding; padded positions are masked out of attention and pooling. */
  readonly padId: number;
  /** RMSNorm ε. Default 1e-6. */
  readonly normEps: number;
  /** Per-channel mean of the [0, 1] pixels, subtracted before dividing by pixelStd. Default 0.5 (SigLIP). */
  readonly pixelMean: readonly [number, number, number];
  /** Per-channel standard deviation. Default 0.5 (SigLIP). */
  readonly pixelStd: readonly [number, number, number];
}

/** What may be given; vocabSize and padId come from the tokenizer. */
export type DualEncoderConfigInput = Partial<DualEncoderConfig> & Pick<DualEncoderConfig, 'vocabSize' | 'padId'>;

/** The defaults (everything but the tokenizer facts). */
export const DEFAULT_ENCODER_SIZES: Omit<DualEncoderConfig, 'vocabSize' | 'padId'> = Object.freeze({
  imageSize: 64,
  patchSize: 8,
  visionDim: 64,
  visionLayers: 2,
  visionHeads: 4,
  textDim: 64,
  textLayers: 2,
  textHeads: 4,
  mlpRatio: 2,
  embedDim: 64,
  maxTextTokens: 64,
  normEps: 1e-6,
  pixelMean: [0.5, 0.5, 0.5] as const,
  pixelStd: [0.5, 0.5, 0.5] as const,
});

const INTEGER_FIELDS = [
  'imageSize',
  'patchSize',
  'visionDim',
  'visionLayers',
  'visionHeads',
  'textDim',
  'textLayers',
  'textHeads',
  'mlpRatio',
  'embedDim',
  'maxTextTokens',
  'vocabSize',
] as const;

/**
 * Validates a config over the defaults. Throws EncoderOptionsError naming the first bad or
 * unknown field, including sizes that do not divide (imageSize by patchSize, a width by its heads).
 */
export function parseEncoderConfig(input: DualEncoderConfigInput): DualEncoderConfig {
  const known = new Set<string>([...Object.keys(DEFAULT_ENCODER_SIZES), 'vocabSize', 'padId']);
  for (const key of Object.keys(input)) {
    if (!known.has(key)) throw new EncoderOptionsError(key, 'unknown field');
  }
  const config: DualEncoderConfig = { ...DEFAULT_ENCODER_SIZES, ...withoutUndefined(input) } as DualEncoderConfig;
  for (const field of INTEGER_FIELDS) {
    const value = config[field];
    if (!Number.isInteger(value) || value < 1 || value > 1 << 20) {
      throw new EncoderOptionsError(field, `expected an integer in [1, 2^20], got ${String(value)}`);
    }
  }
  if (!Number.isInteger(config.padId) || config.padId < 0 || config.padId >= config.vocabSize) {
    throw new EncoderOptionsError('padId', `expected an id in [0, ${config.vocabSize}), got ${String(config.padId)}`);
  }
  if (config.imageSize % config.patchSize !== 0) {
    throw new EncoderOptionsError('patchSize', `${config.patchSize} does not divide imageSize ${config.imageSize}`);
  }
  if (config.visionDim % config.visionHeads !== 0) {
    throw new EncoderOptionsError('visionHeads', `${config.visionHeads} does not divide visionDim ${config.visionDim}`);
  }
  if (config.textDim % config.textHeads !== 0) {
    throw new EncoderOptionsError('textHeads', `${config.textHeads} does not divide textDim ${config.textDim}`);
  }
  if (!(config.normEps > 0 && config.normEps < 1)) {
    throw new EncoderOptionsError('normEps', `expected a number in (0, 1), got ${String(config.normEps)}`);
  }
  checkChannels(config.pixelMean, 'pixelMean', false);
  checkChannels(config.pixelStd, 'pixelStd', true);
  return Object.freeze({
    ...config,
    pixelMean: [...config.pixelMean] as [number, number, number],
    pixelStd: [...config.pixelStd] as [number, number, number],
  }) as DualEncoderConfig;
}

/** Patches per frame, (imageSize / patchSize)². */
export function patchCount(config: DualEncoderConfig): number {
  const side = config.imageSize / config.patchSize;
  return side * side;
}

function checkChannels(values: readonly number[], field: string, positive: boolean): void {
  if (
    !Array.isArray(values) ||
    values.length !== 3 ||
    values.some((v) => !Number.isFinite(v) || (positive && v <= 0))
  ) {
    throw new EncoderOptionsError(field, `expected three finite numbers${positive ? ' > 0' : ''}`);
  }
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
