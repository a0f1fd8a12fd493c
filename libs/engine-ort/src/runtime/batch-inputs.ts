/**
 * Building the graphs' input tensors for a batch of rows (left padding, positions, masks, the
 * visual tokens of each row) and joining the outputs of chunked runs.
 */
import { type ModelConfig } from '@vrft/model';
import { Tensor } from 'onnxruntime-node';
import { LM_IO } from '../export/lm-graphs.js';

/** One row of a prefill: its expanded ids and, with a video, its visual tokens [N·D]. */
export interface PrefillRow {
  readonly ids: readonly number[];
  readonly visual: Float32Array | undefined;
}

/** An int64 tensor from plain numbers. */
export function int64Tensor(values: ArrayLike<number>, dims: readonly number[]): Tensor {
  const data = new BigInt64Array(values.length);
  for (let i = 0; i < values.length; i++) data[i] = BigInt(values[i] as number);
  return new Tensor('int64', data, dims);
}

/**
 * Feeds of the prefill graph for rows left-padded to `length`: a row of n ids occupies the last
 * n positions, its positions count 0…n−1 from its first real token, padding has mask 0 and the
 * pad id. Rows without video get zero visual tokens that no position selects.
 */
export function buildPrefillFeeds(
  config: ModelConfig,
  rows: readonly PrefillRow[],
  length: number,
  logitsPositions: readonly number[],
): Record<string, Tensor> {
  const b = rows.length;
  const d = config.dModel;
  const ids = new BigInt64Array(b * length).fill(BigInt(config.specialTokens.pad));
  const mask = new BigInt64Array(b * length);
  const positions = new BigInt64Array(b * length);
  const visualCount = Math.max(1, ...rows.map((row) => (row.visual ? row.visual.length / d : 0)));
  const visual = new Float32Array(b * visualCount * d);
  rows.forEach((row, r) => {
    const pad = length - row.ids.length;
    for (let j = 0; j < row.ids.length; j++) {
      const at = r * length + pad + j;
      ids[at] = BigInt(row.ids[j] as number);
      mask[at] = 1n;
      positions[at] = BigInt(j);
    }
    if (row.visual) visual.set(row.visual, r * visualCount * d);
  });
  return {
    [LM_IO.inputIds]: new Tensor('int64', ids, [b, length]),
    [LM_IO.visualTokens]: new Tensor('float32', visual, [b, visualCount, d]),
    [LM_IO.attentionMask]: new Tensor('int64', mask, [b, length]),
    [LM_IO.positionIds]: new Tensor('int64', positions, [b, length]),
    [LM_IO.logitsPositions]: int64Tensor(logitsPositions, [logitsPositions.length]),
  };
}

/** Concatenates batch-major chunks along the batch axis. */
export function concatRows(chunks: readonly Float32Array[]): Float32Array {
  if (chunks.length === 1) return chunks[0] as Float32Array;
  const out = new Float32Array(chunks.reduce((n, chunk) => n + chunk.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/** Splits rows into chunks of at most `maxTokens` positions each (at least one row per chunk). */
export function chunkRows<T>(rows: readonly T[], length: number, maxTokens: number): T[][] {
  const perChunk = Math.max(1, Math.floor(maxTokens / Math.max(1, length)));
  const chunks: T[][] = [];
  for (let i = 0; i < rows.length; i += perChunk) chunks.push(rows.slice(i, i + perChunk));
  return chunks;
}
