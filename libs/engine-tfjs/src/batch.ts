/**
 * Turning sequences (and their clips) into one padded batch of plain arrays that the forward
 * reads: token ids, the attention bias (causal + padding), RoPE tables, the splice index of the
 * visual tokens, and the normalised patches of every frame. Pure: no tensors, no I/O.
 */
import { headDim, patchesPerFrame, visualTokensPerFrame, type ModelConfig } from '@vrft/model';
import { EngineOptionsError, ModelInputError } from './errors.js';

/** One sequence of a batch. */
export interface BatchSequence {
  /** Expanded ids (InputSequence.tokenIds of @vrft/model, then the completion). */
  readonly tokenIds: readonly number[];
  /** First visual position (InputSequence.videoStart); −1 without video. */
  readonly videoStart: number;
  /**
   * Per token, 1 where the token is a target of the loss (the completion), else 0. The first
   * token is never a target (nothing predicts it). Default: all zeros.
   */
  readonly lossMask?: readonly number[];
  /** The clip: F frames of H×W RGB, uint8, row-major [F, H, W, 3]. Required when videoStart ≥ 0. */
  readonly frames?: Uint8Array;
}

/** Options of createBatch. */
export interface BatchOptions {
  /** Where padding goes: `right` for training, `left` for generation. Default `right`. */
  readonly padSide: 'left' | 'right';
}

/** Defaults of BatchOptions. */
export const DEFAULT_BATCH_OPTIONS: BatchOptions = { padSide: 'right' };

/** The video part of a batch. */
export interface BatchVideo {
  /** Frames per clip (the same for every row). */
  readonly numFrames: number;
  /** Normalised patches, [B·F·Np, P·P·3]: x = (pixel/255 − pixelMean[c])/pixelStd[c], (row, col, channel) order. */
  readonly patches: Float32Array;
  /** For each of the B·T positions, the row of concat([text embeddings (B·T), visual tokens (B·Nv)]) it takes. */
  readonly spliceIndex: Int32Array;
  /** Visual tokens per row, Nv = F·Nt. */
  readonly numVisualTokens: number;
}

/** A padded batch, ready for the forward. All arrays are row-major. */
export interface ModelBatch {
  readonly batchSize: number;
  /** Padded length T. */
  readonly seqLen: number;
  /** [B·T] ids; padding holds the pad id. */
  readonly tokenIds: Int32Array;
  /** [B·T] 1 for real tokens, 0 for padding. */
  readonly attentionMask: Float32Array;
  /** [B·T] positions: 0, 1, 2, … from each row's first real token (0 on padding). */
  readonly positions: Int32Array;
  /** [B·T] 1 where a token is a loss target. */
  readonly lossMask: Float32Array;
  /** [B·T·T] additive attention bias: 0 where query q may see key k (k ≤ q, k real), −1e9 elsewhere. */
  readonly attentionBias: Float32Array;
  /** [B·T, D] cos(pos·θ_i) at both members (2i, 2i+1) of each head's pairs. */
  readonly ropeCos: Float32Array;
  /** [B·T, D] sin(pos·θ_i), laid out like ropeCos. */
  readonly ropeSin: Float32Array;
  /** The clips, when the rows have video. */
  readonly video?: BatchVideo;
}

/** Bias of a masked attention score: exp(−1e9 − max) is exactly 0 in float32, without the NaN of −∞ rows. */
export const MASKED_SCORE = -1e9;

function checkSequence(config: ModelConfig, sequence: BatchSequence, row: number): void {
  const field = `sequences[${row}]`;
  if (sequence.tokenIds.length === 0) throw new ModelInputError(`${field}.tokenIds`, 'is empty');
  if (sequence.tokenIds.length > config.contextLength) {
    throw new ModelInputError(
      `${field}.tokenIds`,
      `length ${sequence.tokenIds.length} exceeds contextLength ${config.contextLength}`,
    );
  }
  sequence.tokenIds.forEach((id, i) => {
    if (!Number.isInteger(id) || id < 0 || id >= config.vocabSize) {
      throw new ModelInputError(`${field}.tokenIds[${i}]`, `${id} is not a token id (0..${config.vocabSize - 1})`);
    }
  });
  if (sequence.lossMask !== undefined && sequence.lossMask.length !== sequence.tokenIds.length) {
    throw new ModelInputError(
      `${field}.lossMask`,
      `length ${sequence.lossMask.length}, expected ${sequence.tokenIds.length}`,
    );
  }
}

/** Patchifies one row's frames into `out` at `offset` (rows of P·P·3 features). */
function writePatches(
  config: ModelConfig,
  frames: Uint8Array,
  numFrames: number,
  out: Float32Array,
  offset: number,
): void {
  const { imageHeight: h, imageWidth: w, patchSize: p, pixelMean: mean, pixelStd: std } = config;
  const gridCols = w / p;
  const patches = patchesPerFrame(config);
  const features = p * p * 3;
  for (let f = 0; f < numFrames; f++) {
    for (let patch = 0; patch < patches; patch++) {
      const top = Math.floor(patch / gridCols) * p;
      const left = (patch % gridCols) * p;
      const base = offset + (f * patches + patch) * features;
      for (let r = 0; r < p; r++) {
        for (let c = 0; c < p; c++) {
          const pixel = ((f * h + top + r) * w + left + c) * 3;
          const feature = base + (r * p + c) * 3;
          for (let ch = 0; ch < 3; ch++)
            out[feature + ch] = ((frames[pixel + ch] as number) / 255 - (mean[ch] as number)) / (std[ch] as number);
        }
      }
    }
  }
}

function buildVideo(
  config: ModelConfig,
  sequences: readonly BatchSequence[],
  starts: Int32Array,
  seqLen: number,
): BatchVideo {
  const frameBytes = config.imageHeight * config.imageWidth * 3;
  const first = sequences[0]?.frames;
  if (first === undefined) throw new ModelInputError('sequences[0].frames', 'missing for a sequence with video');
  const numFrames = first.length / frameBytes;
  if (!Number.isInteger(numFrames) || numFrames < 1 || numFrames > config.maxFrames) {
    throw new ModelInputError(
      'sequences[0].frames',
      `${first.length} bytes is not 1..${config.maxFrames} frames of ${config.imageHeight}×${config.imageWidth}×3`,
    );
  }
  const numVisualTokens = numFrames * visualTokensPerFrame(config);
  const batchSize = sequences.length;
  const patchRows = numFrames * patchesPerFrame(config);
  const features = config.patchSize * config.patchSize * 3;
  const patches = new Float32Array(batchSize * patchRows * features);
  const spliceIndex = new Int32Array(batchSize * seqLen);
  sequences.forEach((sequence, row) => {
    if (sequence.frames === undefined || sequence.frames.length !== first.length) {
      throw new ModelInputError(
        `sequences[${row}].frames`,
        `expected ${numFrames} frames (${first.length} bytes) like row 0`,
      );
    }
    writePatches(config, sequence.frames, numFrames, patches, row * patchRows * features);
    const start = starts[row] as number;
    for (let t = 0; t < seqLen; t++) {
      const visual = t - start;
      spliceIndex[row * seqLen + t] =
        visual >= 0 && visual < numVisualTokens
          ? batchSize * seqLen + row * numVisualTokens + visual
          : row * seqLen + t;
    }
  });
  return { numFrames, patches, spliceIndex, numVisualTokens };
}

/**
 * Pads sequences into one batch. Either every row has video (one clip each, all with the same
 * number of frames) or none has. Throws ModelInputError naming the row and field at fault:
 * empty or too long sequences, ids outside the vocabulary, `<video>` positions that do not hold
 * exactly the clip's visual tokens, frames of the wrong size.
 */
export function createBatch(
  config: ModelConfig,
  sequences: readonly BatchSequence[],
  options: Partial<BatchOptions> = {},
): ModelBatch {
  const { padSide } = { ...DEFAULT_BATCH_OPTIONS, ...options };
  if (padSide !== 'left' && padSide !== 'right')
    throw new EngineOptionsError('padSide', `expected left or right, got ${String(padSide)}`);
  if (sequences.length === 0) throw new ModelInputError('sequences', 'is empty');
  sequences.forEach((sequence, row) => checkSequence(config, sequence, row));
  const withVideo = sequences.filter((s) => s.videoStart >= 0).length;
  if (withVideo !== 0 && withVideo !== sequences.length) {
    throw new ModelInputError('sequences', `${withVideo} of ${sequences.length} rows have video; all or none must`);
  }
  const batchSize = sequences.length;
  const seqLen = Math.max(...sequences.map((s) => s.tokenIds.length));
  const n = batchSize * seqLen;
  const tokenIds = new Int32Array(n).fill(config.specialTokens.pad);
  const attentionMask = new Float32Array(n);
  const positions = new Int32Array(n);
  const lossMask = new Float32Array(n);
  const starts = new Int32Array(batchSize).fill(-1);
  sequences.forEach((sequence, row) => {
    const pad = padSide === 'left' ? seqLen - sequence.tokenIds.length : 0;
    sequence.tokenIds.forEach((id, i) => {
      const at = row * seqLen + pad + i;
      tokenIds[at] = id;
      attentionMask[at] = 1;
      positions[at] = i;
      lossMask[at] = i === 0 ? 0 : (sequence.lossMask?.[i] ?? 0);
    });
    if (sequence.videoStart >= 0) starts[row] = pad + sequence.videoStart;
  });
  const video = withVideo > 0 ? buildVideo(config, sequences, starts, seqLen) : undefined;
  if (video !== undefined) {
    sequences.forEach((sequence, row) => {
      const end = sequence.videoStart + video.numVisualTokens;
      const holds = sequence.tokenIds.slice(sequence.videoStart, end);
      if (end > sequence.tokenIds.length || holds.some((id) => id !== config.specialTokens.video)) {
        throw new ModelInputError(
          `sequences[${row}].videoStart`,
          `positions ${sequence.videoStart}..${end - 1} must hold the ${video.numVisualTokens} <video> ids of the clip`,
        );
      }
    });
  }
  return {
    batchSize,
    seqLen,
    tokenIds,
    attentionMask,
    positions,
    lossMask,
    attentionBias: buildAttentionBias(attentionMask, batchSize, seqLen),
    ...buildRopeTables(config, positions),
    video,
  };
}

/** Causal + padding bias [B, T, T]; a query always sees itself so padded rows stay finite. */
function buildAttentionBias(mask: Float32Array, batchSize: number, seqLen: number): Float32Array {
  const bias = new Float32Array(batchSize * seqLen * seqLen).fill(MASKED_SCORE);
  for (let b = 0; b < batchSize; b++) {
    for (let q = 0; q < seqLen; q++) {
      const rowBase = (b * seqLen + q) * seqLen;
      for (let k = 0; k <= q; k++) if (mask[b * seqLen + k] === 1 || k === q) bias[rowBase + k] = 0;
    }
  }
  return bias;
}

/** RoPE tables: pair i of every head turns by angle pos·θ_i, θ_i = ropeTheta^(−2i/Dh). */
function buildRopeTables(config: ModelConfig, positions: Int32Array): { ropeCos: Float32Array; ropeSin: Float32Array } {
  const d = config.dModel;
  const dh = headDim(config);
  const ropeCos = new Float32Array(positions.length * d);
  const ropeSin = new Float32Array(positions.length * d);
  const theta = Array.from({ length: dh / 2 }, (_, i) => Math.pow(config.ropeTheta, (-2 * i) / dh));
  positions.forEach((pos, token) => {
    for (let i = 0; i < dh / 2; i++) {
      const angle = pos * (theta[i] as number);
      const [c, s] = [Math.cos(angle), Math.sin(angle)];
      for (let head = 0; head < config.numHeads; head++) {
        const at = token * d + head * dh + 2 * i;
        ropeCos[at] = c;
        ropeCos[at + 1] = c;
        ropeSin[at] = s;
        ropeSin[at + 1] = s;
      }
    }
  });
  return { ropeCos, ropeSin };
}
