/**
 * Least-recently-used cache bounded by the total bytes of its values. A Map keeps insertion
 * order, so re-inserting on every hit makes its first key the least recently used.
 */

/** LRU map whose capacity is a byte budget rather than an entry count. */
export class ByteLruCache<V> {
  private readonly entries = new Map<string, { value: V; bytes: number }>();
  private totalBytes = 0;

  constructor(
    private readonly maxBytes: number,
    private readonly sizeOf: (value: V) => number,
  ) {}

  /** Bytes held now. */
  get bytes(): number {
    return this.totalBytes;
  }

  /** Entries held now. */
  get size(): number {
    return this.entries.size;
  }

  /** The value under `key`, marking it most recently used. */
  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  /** Stores `value`, evicting least recently used entries to stay within the budget; a value larger than the whole budget is not kept. */
  set(key: string, value: V): void {
    this.delete(key);
    const bytes = this.sizeOf(value);
    if (bytes > this.maxBytes) return;
    this.entries.set(key, { value, bytes });
    this.totalBytes += bytes;
    for (const [oldest, entry] of this.entries) {
      if (this.totalBytes <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.totalBytes -= entry.bytes;
    }
  }

  /** Removes `key` if present. */
  delete(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.totalBytes -= entry.bytes;
  }

  /** Removes everything. */
  clear(): void {
    this.entries.clear();
    this.totalBytes = 0;
  }
}
