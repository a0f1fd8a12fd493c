/**
 * A bounded cache in two generations: hits in the recent map cost one lookup; entries found in
 * the older map move to the recent one; when the recent map fills half the capacity it becomes
 * the older map and the previous older map is dropped. This keeps at most `capacity` entries and
 * keeps what was used lately, without the delete-and-reinsert on every hit of a strict LRU (which
 * was a third of encode time for short pieces).
 */
export class BoundedCache<K, V> {
  private recent = new Map<K, V>();
  private older = new Map<K, V>();
  private readonly generationSize: number;

  /** @param capacity most entries kept; below 2 the cache stores nothing */
  constructor(readonly capacity: number) {
    this.generationSize = Math.floor(capacity / 2);
  }

  /** Number of entries held. */
  get size(): number {
    return this.recent.size + this.older.size;
  }

  /** The cached value, if present. */
  get(key: K): V | undefined {
    const value = this.recent.get(key);
    if (value !== undefined) return value;
    const old = this.older.get(key);
    if (old !== undefined) {
      this.older.delete(key);
      this.set(key, old);
    }
    return old;
  }

  /** Stores a value, retiring the older generation when the recent one is full. */
  set(key: K, value: V): void {
    if (this.generationSize === 0) return;
    if (this.recent.size >= this.generationSize) {
      this.older = this.recent;
      this.recent = new Map();
    }
    this.recent.set(key, value);
  }
}
