import { describe, expect, it } from 'vitest';
import { SlotKvCache } from '../src/runtime/slot-cache.js';
import { LM_IO } from '../src/export/lm-graphs.js';
import { createSamplingRng } from '../src/sampling/rng.js';

const shape = { layers: 2, kvHeads: 3, headSize: 4, block: 2, maxCapacity: 64, maxRows: 12 };
const { layers, kvHeads, headSize } = shape;

/** A value that names where it belongs (mixed radix, exact in float32): sequence, layer, key or value, head, position, channel. */
const tag = (seq: number, layer: number, kind: number, head: number, pos: number, d: number) =>
  ((((seq * layers + layer) * 2 + kind) * kvHeads + head) * 512 + pos) * headSize + d;

describe('SlotKvCache', () => {
  it('keeps every row exact through joins, steps, leaves, growth and shrinking', () => {
    const rng = createSamplingRng(17);
    const cache = new SlotKvCache(shape);
    const rows: { seq: number; length: number }[] = []; // the reference: what each row holds
    let nextSeq = 1;
    for (let op = 0; op < 400; op++) {
      const choice = rng.nextUint32() % 10;
      if ((choice < 2 && rows.length < 12) || rows.length === 0) {
        // A prefill chunk of 2 rows, left-padded to S; row 1 joins with its real length.
        const seq = nextSeq++;
        const real = 1 + (rng.nextUint32() % 20);
        const S = real + (rng.nextUint32() % 3);
        const kv = (kind: number) =>
          Array.from({ length: layers }, (_, layer) => {
            const data = new Float32Array(2 * kvHeads * S * headSize).fill(Number.NaN);
            for (let h = 0; h < kvHeads; h++)
              for (let p = 0; p < real; p++)
                for (let d = 0; d < headSize; d++)
                  data[((1 * kvHeads + h) * S + S - real + p) * headSize + d] = tag(seq, layer, kind, h, p, d);
            return data;
          });
        cache.addRow({ keys: kv(0), values: kv(1), length: S }, 1, real);
        rows.push({ seq, length: real });
      } else if (choice < 4) {
        const row = rng.nextUint32() % rows.length;
        cache.removeRow(row);
        const last = rows.pop() as { seq: number; length: number };
        if (row < rows.length) rows[row] = last;
      } else {
        const n = rows.length;
        const fresh = (kind: number) =>
          Array.from({ length: layers }, (_, layer) => {
            const data = new Float32Array(n * kvHeads * headSize);
            rows.forEach((r, i) => {
              for (let h = 0; h < kvHeads; h++)
                for (let d = 0; d < headSize; d++)
                  data[(i * kvHeads + h) * headSize + d] = tag(r.seq, layer, kind, h, r.length, d);
            });
            return data;
          });
        cache.append(fresh(0), fresh(1));
        for (const r of rows) r.length += 1;
      }
      // Every written slot holds its own value; the mask marks exactly the written slots.
      const feeds = cache.feeds();
      const capacity = cache.slots;
      expect(feeds[LM_IO.pastKey(0)]?.dims).toEqual([rows.length, kvHeads, capacity, headSize]);
      const mask = feeds[LM_IO.attentionMask]?.data as BigInt64Array;
      let wrong = 0; // counted, not asserted one by one: ~10⁵ values per operation
      rows.forEach((r, i) => {
        if (cache.lengthOf(i) !== r.length || capacity < r.length) wrong += 1;
        for (let c = 0; c < capacity; c++) if (mask[i * capacity + c] !== (c < r.length ? 1n : 0n)) wrong += 1;
        for (let layer = 0; layer < layers; layer++) {
          for (const [kind, name] of [
            [0, LM_IO.pastKey(layer)],
            [1, LM_IO.pastValue(layer)],
          ] as const) {
            const data = feeds[name]?.data as Float32Array;
            for (let h = 0; h < kvHeads; h++)
              for (let p = 0; p < r.length; p++)
                for (let d = 0; d < headSize; d++)
                  if (data[((i * kvHeads + h) * capacity + p) * headSize + d] !== tag(r.seq, layer, kind, h, p, d))
                    wrong += 1;
          }
        }
      });
      expect(wrong, `after operation ${op}`).toBe(0);
    }
    // Capacity follows the longest row: it both grew and shrank along the way.
    expect(cache.slots).toBeLessThanOrEqual(Math.max(...rows.map((r) => r.length)) + 1 + 2 * shape.block);
  });
});
