/**
 * The engine's KV cache for decoding: per layer, keys and values [B, H, C, Dh] of a fixed
 * capacity C, filled from the prefill and then one slot per step from the decode graph's new
 * key/value. The decode graph reads the whole buffer (unwritten slots masked), so a step copies
 * only the new position (B·H·Dh values per layer) instead of growing the cache by concatenation.
 */
import { Tensor } from 'onnxruntime-node';
import { LM_IO } from '../export/lm-graphs.js';

/** Sizes of a cache. */
export interface KvCacheShape {
  readonly layers: number;
  readonly heads: number;
  readonly headSize: number;
  readonly capacity: number;
}

/** A KV cache for a batch of left-padded rows. */
export class KvCache {
  /** Slots written so far (the padded prompt length, then one more per step). */
  length = 0;

  private constructor(
    readonly shape: KvCacheShape,
    /** Left padding of each row: its slots below this are never attended to. */
    readonly pads: readonly number[],
    private readonly keys: Float32Array[],
    private readonly values: Float32Array[],
  ) {}

  /** An empty cache for rows with the given left padding. */
  static create(shape: KvCacheShape, pads: readonly number[]): KvCache {
    const size = pads.length * shape.heads * shape.capacity * shape.headSize;
    const make = (): Float32Array[] => Array.from({ length: shape.layers }, () => new Float32Array(size));
    return new KvCache(shape, pads, make(), make());
  }

  /** Number of rows. */
  get batch(): number {
    return this.pads.length;
  }

  /** Copies a prefill chunk's present key/value [b, H, S, Dh] of `layer` into rows from `firstRow`. */
  writePrefill(layer: number, key: Float32Array, value: Float32Array, firstRow: number, length: number): void {
    const { heads, capacity, headSize } = this.shape;
    const rows = key.length / (heads * length * headSize);
    const span = length * headSize;
    for (let r = 0; r < rows; r++) {
      for (let h = 0; h < heads; h++) {
        const from = (r * heads + h) * span;
        const to = ((firstRow + r) * heads + h) * capacity * headSize;
        this.keys[layer]?.set(key.subarray(from, from + span), to);
        this.values[layer]?.set(value.subarray(from, from + span), to);
      }
    }
  }

  /** Writes the decode step's new key/value [B, H, 1, Dh] of every layer at the next slot. */
  append(newKeys: readonly Float32Array[], newValues: readonly Float32Array[]): void {
    const { heads, capacity, headSize, layers } = this.shape;
    if (this.length >= capacity) throw new Error(`KV cache full (capacity ${capacity})`);
    for (let layer = 0; layer < layers; layer++) {
      const keys = this.keys[layer] as Float32Array;
      const values = this.values[layer] as Float32Array;
      const newKey = newKeys[layer] as Float32Array;
      const newValue = newValues[layer] as Float32Array;
      // A plain loop: B·H copies of Dh values are too short for subarray + set to pay off.
      for (let row = 0; row < this.batch * heads; row++) {
        const from = row * headSize;
        const to = (row * capacity + this.length) * headSize;
        for (let d = 0; d < headSize; d++) {
          keys[to + d] = newKey[from + d] as number;
          values[to + d] = newValue[from + d] as number;
        }
      }
    }
    this.length += 1;
  }

  /** A cache holding only the rows `keep` (in that order). */
  selectRows(keep: readonly number[]): KvCache {
    const { heads, capacity, headSize } = this.shape;
    const rowSize = heads * capacity * headSize;
    const select = (data: Float32Array): Float32Array => {
      const out = new Float32Array(keep.length * rowSize);
      keep.forEach((row, i) => out.set(data.subarray(row * rowSize, (row + 1) * rowSize), i * rowSize));
      return out;
    };
    const next = new KvCache(
      this.shape,
      keep.map((row) => this.pads[row] as number),
      this.keys.map(select),
      this.values.map(select),
    );
    next.length = this.length;
    return next;
  }

  /** The decode graph's cache feeds: past.{i}.key/value and attention_mask [B, C]. */
  feeds(): Record<string, Tensor> {
    const { heads, capacity, headSize, layers } = this.shape;
    const mask = new BigInt64Array(this.batch * capacity);
    this.pads.forEach((pad, row) => mask.fill(1n, row * capacity + pad, row * capacity + this.length));
    const dims = [this.batch, heads, capacity, headSize];
    const feeds: Record<string, Tensor> = { [LM_IO.attentionMask]: new Tensor('int64', mask, [this.batch, capacity]) };
    for (let i = 0; i < layers; i++) {
      feeds[LM_IO.pastKey(i)] = new Tensor('float32', this.keys[i] as Float32Array, dims);
      feeds[LM_IO.pastValue(i)] = new Tensor('float32', this.values[i] as Float32Array, dims);
    }
    return feeds;
  }
}
