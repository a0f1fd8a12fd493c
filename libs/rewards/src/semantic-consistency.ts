import { RewardInputError } from './errors.js';

/** An embedding vector. */
export type Vector = Float32Array | Float64Array | readonly number[];

/**
 * How the F frame embeddings meet the text embedding t:
 * 'mean-frame-embedding' (the paper, default): s = cos(t, mean_f v_f);
 * 'mean-clipped-cosine' (the public code): s = mean_f max(cos(t, v_f), 0).
 */
export type SimilarityAggregationMode = 'mean-frame-embedding' | 'mean-clipped-cosine';

/** Options of semanticConsistency. */
export interface SemanticConsistencyOptions {
  /** w in R_s = min(1, w · max(s, 0)). Default 2. */
  readonly weight?: number;
  /** Default 'mean-frame-embedding'. */
  readonly aggregation?: SimilarityAggregationMode;
}

/** R_s with the similarity it came from. */
export interface SemanticScore {
  /** R_s = min(1, w · max(s, 0)), in [0, 1]. */
  readonly value: number;
  /** s, the aggregated similarity before clipping and weighting, in [−1, 1]. */
  readonly similarity: number;
}

/** Default w. */
export const DEFAULT_SEMANTIC_WEIGHT = 2;
/** Default aggregation: the paper's. */
export const DEFAULT_AGGREGATION: SimilarityAggregationMode = 'mean-frame-embedding';

/** Cosine similarity a·b / (|a| |b|); vectors must be non-empty, finite, non-zero and of equal length. */
export function cosineSimilarity(a: Vector, b: Vector): number {
  checkVector(a, 'a');
  checkVector(b, 'b', a.length);
  return dot(a, b) / (norm(a) * norm(b)); // cos(a, b) = a·b / (|a| |b|)
}

/**
 * Semantic consistency R_s = min(1, w · max(s, 0)) of a description's text
 * embedding t against the video's frame embeddings, s as set by `aggregation`.
 */
export function semanticConsistency(
  textEmbedding: Vector,
  frameEmbeddings: readonly Vector[],
  options: SemanticConsistencyOptions = {},
): SemanticScore {
  return createFrameScorer(frameEmbeddings, options)(textEmbedding, 'textEmbedding');
}

/**
 * Validates the frame embeddings once and returns a scorer of text embeddings
 * against them (a group shares one video, so the mean frame embedding and the
 * frame norms are computed once).
 */
export function createFrameScorer(
  frameEmbeddings: readonly Vector[],
  options: SemanticConsistencyOptions = {},
  field = 'frameEmbeddings',
): (textEmbedding: Vector, textField: string) => SemanticScore {
  const weight = options.weight ?? DEFAULT_SEMANTIC_WEIGHT;
  if (!Number.isFinite(weight) || weight < 0) {
    throw new RewardInputError('weight', `must be a finite number ≥ 0, got ${weight}`);
  }
  const first = frameEmbeddings[0];
  if (first === undefined) throw new RewardInputError(field, 'no frame embeddings');
  frameEmbeddings.forEach((frame, f) => checkVector(frame, `${field}[${f}]`, first.length));
  const toScore = (similarity: number): SemanticScore => ({
    value: Math.min(1, weight * Math.max(similarity, 0)), // R_s = min(1, w · max(s, 0))
    similarity,
  });

  if ((options.aggregation ?? DEFAULT_AGGREGATION) === 'mean-frame-embedding') {
    const mean = meanVector(frameEmbeddings, first.length); // v = (1/F) Σ_f v_f
    const meanNorm = norm(mean);
    return (text, textField) => {
      checkVector(text, textField, first.length);
      // Frames that cancel out leave no direction to compare with: s = 0 (no evidence either way).
      return toScore(meanNorm === 0 ? 0 : dot(text, mean) / (norm(text) * meanNorm)); // s = cos(t, v)
    };
  }
  const frameNorms = frameEmbeddings.map(norm);
  return (text, textField) => {
    checkVector(text, textField, first.length);
    const textNorm = norm(text);
    let sum = 0;
    frameEmbeddings.forEach((frame, f) => {
      sum += Math.max(dot(text, frame) / (textNorm * (frameNorms[f] ?? 1)), 0); // max(cos(t, v_f), 0)
    });
    return toScore(sum / frameEmbeddings.length); // s = (1/F) Σ_f max(cos(t, v_f), 0)
  };
}

function checkVector(v: Vector, field: string, expectedLength?: number): void {
  if (v.length === 0) throw new RewardInputError(field, 'empty vector');
  if (expectedLength !== undefined && v.length !== expectedLength) {
    throw new RewardInputError(field, `dimension ${v.length} does not match ${expectedLength}`);
  }
  let squares = 0;
  for (let i = 0; i < v.length; i++) {
    const x = v[i] ?? Number.NaN;
    if (!Number.isFinite(x)) throw new RewardInputError(field, `component ${i} is not finite`);
    squares += x * x;
  }
  if (squares === 0) throw new RewardInputError(field, 'zero vector has no direction');
  if (!Number.isFinite(squares)) throw new RewardInputError(field, 'norm overflows a double');
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] ?? 0) * (b[i] ?? 0);
  return sum;
}

function norm(v: ArrayLike<number>): number {
  return Math.sqrt(dot(v, v));
}

function meanVector(vectors: readonly Vector[], dimension: number): Float64Array {
  const mean = new Float64Array(dimension);
  for (const v of vectors) for (let i = 0; i < dimension; i++) mean[i] = (mean[i] ?? 0) + (v[i] ?? 0);
  for (let i = 0; i < dimension; i++) mean[i] = (mean[i] ?? 0) / vectors.length;
  return mean;
}
