/**
 * The KV cache of continuous batching: one row per running sequence, each with its own length.
 * Rows are kept compact (0…n−1), so the first n rows of the buffers are a contiguous prefix that
 * the decode graph reads without a copy. A sequence joins by copying its prefill KV into a new
 * last row (its padding dropped: slot 0 is its first real token) and leaves by moving the last
 * row into its place. Capacity C (slots per row) grows and shrinks in blocks with the longest
 * row, so a step's attention reads about max(length) slots per row, not the context length.
 *
 * Layout per layer: keys and values [n, Hkv, C, Dh] (Hkv key/value heads: fewer than the query
 * heads with grouped-query attention) at the start of a larger buffer; the decode graph's
 * past.{i} is that prefix and attention_mask [n, C] is 1 on slots [0, length_r) of row r.
 * A new capacity moves each row's written slots to their new offsets inside the same buffer
 * (memmove order chosen so nothing is overwritten before it moves); only when the buffer is too
 * small is a larger one allocated, with headroom. Slots past a row's length hold stale
 * values that the mask hides (their softmax weight is exactly 0). Measured on `small` serving 64
 * streams: reallocating on every capacity change spent 2.6 s of a 26 s run in 10 relayouts.
 */
import { Tensor } from 'onnxruntime-node';
import { LM_IO } from '../export/lm-graphs.js';

/** Sizes of a slot cache. */
export interface SlotCacheShape {
  readonly layers: number;
  /** Key/value heads Hkv of the model (config.numKvHeads), not its query heads. */
  readonly kvHeads: number;
  readonly headSize: number;
  /** Capacity is a multiple of this many slots. */
  readonly block: number;
  /** Most slots a row can ever need (the context length). */
  readonly maxCapacity: number;
  /** Most rows the cache will hold (the batch limit); buffers are never sized past it. */
  readonly maxRows?: number;
}

/** A prefill's present key/value of one layer for a chunk of rows left-padded to `length`. */
export interface PrefillKv {
  readonly keys: readonly Float32Array[]; // per layer [b, Hkv, S, Dh]
  readonly values: readonly Float32Array[];
  readonly length: number; // S
}

/** The KV cache of the running batch. */
export class SlotKvCache {
  private keys: Float32Array[] = [];
  private values: Float32Array[] = [];
  /** Elements of each layer's buffer. */
  private bufferLength = 0;
  /** Rows the buffer was last sized for (doubles, so a filling batch reallocates ~log₂ times). */
  private allocatedRows = 0;
  private capacity = 0;
  /** Written slots of each row, in row order. */
  private readonly lengths: number[] = [];

  constructor(readonly shape: SlotCacheShape) {}

  /** Running rows. */
  get rows(): number {
    return this.lengths.length;
  }

  /** Slots per row currently allocated. */
  get slots(): number {
    return this.capacity;
  }

  /** Written slots of row `row`. */
  lengthOf(row: number): number {
    return this.lengths[row] as number;
  }

  /**
   * Appends a row holding row `chunkRow` of a prefill chunk: its last `realLength` positions
   * (the real tokens after left padding) become slots 0…realLength−1.
   */
  addRow(kv: PrefillKv, chunkRow: number, realLength: number): number {
    const row = this.lengths.length;
    this.reserve(row + 1, Math.max(realLength + 1, this.maxLength() + 1));
    const { kvHeads, headSize, layers } = this.shape;
    const pad = kv.length - realLength;
    for (let layer = 0; layer < layers; layer++) {
      const keys = this.keys[layer] as Float32Array;
      const values = this.values[layer] as Float32Array;
      const fromKeys = kv.keys[layer] as Float32Array;
      const fromValues = kv.values[layer] as Float32Array;
      for (let h = 0; h < kvHeads; h++) {
        const from = ((chunkRow * kvHeads + h) * kv.length + pad) * headSize;
        const to = (row * kvHeads + h) * this.capacity * headSize;
        const span = realLength * headSize;
        keys.set(fromKeys.subarray(from, from + span), to);
        values.set(fromValues.subarray(from, from + span), to);
      }
    }
    this.lengths.push(realLength);
    return row;
  }

  /** Writes the decode step's new key/value [n, Hkv, 1, Dh] of every layer at each row's next slot. */
  append(newKeys: readonly Float32Array[], newValues: readonly Float32Array[]): void {
    const n = this.lengths.length;
    this.reserve(n, this.maxLength() + 1);
    const { kvHeads, headSize, layers } = this.shape;
    const capacity = this.capacity;
    for (let layer = 0; layer < layers; layer++) {
      const keys = this.keys[layer] as Float32Array;
      const values = this.values[layer] as Float32Array;
      const newKey = newKeys[layer] as Float32Array;
      const newValue = newValues[layer] as Float32Array;
      for (let row = 0; row < n; row++) {
        const at = this.lengths[row] as number;
        for (let h = 0; h < kvHeads; h++) {
          const from = (row * kvHeads + h) * headSize;
          const to = ((row * kvHeads + h) * capacity + at) * headSize;
          // A plain loop: Dh values are too few for subarray + set to pay off.
          for (let d = 0; d < headSize; d++) {
            keys[to + d] = newKey[from + d] as number;
            values[to + d] = newValue[from + d] as number;
          }
        }
      }
    }
    for (let row = 0; row < n; row++) this.lengths[row] = (this.lengths[row] as number) + 1;
  }

  /**
   * Removes row `row` by moving the last row into its place (only its written slots are
   * copied). Returns the index the last row had, now `row` (equal to `row` when it was last).
   */
  removeRow(row: number): number {
    const last = this.lengths.length - 1;
    if (row < 0 || row > last) throw new RangeError(`row ${row} is not in the cache (${this.lengths.length} rows)`);
    if (row !== last) {
      const { kvHeads, headSize, layers } = this.shape;
      const span = (this.lengths[last] as number) * headSize;
      for (let layer = 0; layer < layers; layer++) {
        for (const data of [this.keys[layer] as Float32Array, this.values[layer] as Float32Array]) {
          for (let h = 0; h < kvHeads; h++) {
            const from = (last * kvHeads + h) * this.capacity * headSize;
            const to = (row * kvHeads + h) * this.capacity * headSize;
            data.copyWithin(to, from, from + span);
          }
        }
      }
      this.lengths[row] = this.lengths[last] as number;
    }
    this.lengths.pop();
    this.shrinkIfLoose();
    return last;
  }

  /** The decode graph's cache feeds for the running rows: past.{i}.key/value and attention_mask [n, C]. */
  feeds(): Record<string, Tensor> {
    const { kvHeads, headSize, layers } = this.shape;
    const n = this.lengths.length;
    const capacity = this.capacity;
    const mask = new BigInt64Array(n * capacity);
    this.lengths.forEach((length, row) => mask.fill(1n, row * capacity, row * capacity + length));
    const dims = [n, kvHeads, capacity, headSize];
    const size = n * kvHeads * capacity * headSize;
    const feeds: Record<string, Tensor> = { [LM_IO.attentionMask]: new Tensor('int64', mask, [n, capacity]) };
    for (let i = 0; i < layers; i++) {
      feeds[LM_IO.pastKey(i)] = new Tensor('float32', (this.keys[i] as Float32Array).subarray(0, size), dims);
      feeds[LM_IO.pastValue(i)] = new Tensor('float32', (this.values[i] as Float32Array).subarray(0, size), dims);
    }
    return feeds;
  }

  /** Bytes held by the buffers. */
  get bytes(): number {
    return 2 * this.shape.layers * this.bufferLength * 4;
  }

  private maxLength(): number {
    let max = 0;
    for (const length of this.lengths) max = Math.max(max, length);
    return max;
  }

  private roundCapacity(slots: number): number {
    const { block, maxCapacity } = this.shape;
    return Math.min(Math.max(block, Math.ceil(slots / block) * block), Math.max(maxCapacity, slots));
  }

  /** Makes room for `rows` rows of at least `slots` slots. */
  private reserve(rows: number, slots: number): void {
    const capacity = slots <= this.capacity ? this.capacity : this.roundCapacity(slots);
    const { kvHeads, headSize } = this.shape;
    const needed = rows * kvHeads * capacity * headSize;
    if (needed > this.bufferLength) {
      // Fresh memory is expensive (zeroed pages, then the copy; measured ~0.3 s for 250 MB):
      // rows double and slots get 25 % headroom, so later growth mostly moves in place.
      if (rows > this.allocatedRows) {
        const limit = Math.max(rows, this.shape.maxRows ?? Number.POSITIVE_INFINITY);
        this.allocatedRows = Math.min(limit, Math.max(rows, 2 * this.allocatedRows, 4));
      }
      const slotsRoom = Math.min(Math.ceil(capacity * 1.25), Math.max(capacity, this.shape.maxCapacity));
      this.reallocate(Math.max(needed, this.allocatedRows * kvHeads * slotsRoom * headSize), capacity);
    } else if (capacity !== this.capacity) {
      this.moveInPlace(capacity);
    }
  }

  /** After rows leave, gives back capacity that is two blocks or more beyond the longest row. */
  private shrinkIfLoose(): void {
    const wanted = this.roundCapacity(this.maxLength() + 1);
    if (this.capacity - wanted >= 2 * this.shape.block) this.moveInPlace(wanted);
  }

  /** Offset of row `row`, head `head` at capacity `capacity`. */
  private offset(row: number, head: number, capacity: number): number {
    return (row * this.shape.kvHeads + head) * capacity * this.shape.headSize;
  }

  /**
   * Changes the capacity inside the same buffers. Growing moves blocks to higher offsets, so the
   * last block moves first; shrinking moves them lower, so the first moves first.
   */
  private moveInPlace(capacity: number): void {
    const { kvHeads, headSize } = this.shape;
    const blocks = this.lengths.length * kvHeads;
    const move = (block: number): void => {
      const row = Math.floor(block / kvHeads);
      const head = block % kvHeads;
      const from = this.offset(row, head, this.capacity);
      const to = this.offset(row, head, capacity);
      if (from === to) return;
      const span = (this.lengths[row] as number) * headSize;
      for (const data of this.keys) data.copyWithin(to, from, from + span);
      for (const data of this.values) data.copyWithin(to, from, from + span);
    };
    if (capacity > this.capacity) for (let block = blocks - 1; block >= 0; block--) move(block);
    else for (let block = 0; block < blocks; block++) move(block);
    this.capacity = capacity;
  }

  /** New buffers of `length` elements holding the rows at `capacity`. */
  private reallocate(length: number, capacity: number): void {
    const { kvHeads, headSize } = this.shape;
    const move = (old: Float32Array | undefined): Float32Array => {
      const next = new Float32Array(length);
      if (!old) return next;
      this.lengths.forEach((rowLength, row) => {
        for (let h = 0; h < kvHeads; h++) {
          const from = this.offset(row, h, this.capacity);
          next.set(old.subarray(from, from + rowLength * headSize), this.offset(row, h, capacity));
        }
      });
      return next;
    };
    this.keys = Array.from({ length: this.shape.layers }, (_, i) => move(this.keys[i]));
    this.values = Array.from({ length: this.shape.layers }, (_, i) => move(this.values[i]));
    this.bufferLength = length;
    this.capacity = capacity;
  }
}
