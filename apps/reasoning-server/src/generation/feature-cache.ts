/**
 * The cache of frame features: visual tokens [F·Nt·D] keyed by the video's SHA-256, the frame
 * sampling and the weights version, bounded in bytes (least recently used out first). A key
 * being computed is shared: the same clip asked twice at once is decoded and encoded once.
 */

/** Counters of the cache (metrics and tests). */
export interface FeatureCacheStats {
  hits: number;
  misses: number;
  /** Requests that joined a computation already running for their key. */
  shared: number;
  entries: number;
  bytes: number;
}

/** Visual tokens of one clip and its frame count. */
export interface ClipFeatures {
  readonly tokens: Float32Array;
  readonly frameCount: number;
}

/** An LRU of visual tokens with single-flight computation. */
export class FeatureCache {
  private readonly entries = new Map<string, ClipFeatures>();
  private readonly inFlight = new Map<string, Promise<ClipFeatures>>();
  private bytes = 0;
  private readonly counters = { hits: 0, misses: 0, shared: 0 };

  /** @param maxBytes most bytes of tokens kept; 0 keeps nothing (every request computes). */
  constructor(private readonly maxBytes: number) {}

  /** The cached features of `key`, or those `compute` gives (stored when they fit). */
  async get(key: string, compute: () => Promise<ClipFeatures>): Promise<ClipFeatures> {
    const cached = this.entries.get(key);
    if (cached) {
      this.counters.hits += 1;
      // Re-insert: Map order is the recency order.
      this.entries.delete(key);
      this.entries.set(key, cached);
      return cached;
    }
    const running = this.inFlight.get(key);
    if (running) {
      this.counters.shared += 1;
      return running;
    }
    this.counters.misses += 1;
    const promise = compute().then((features) => {
      this.store(key, features);
      return features;
    });
    this.inFlight.set(key, promise);
    try {
      return await promise;
    } finally {
      this.inFlight.delete(key);
    }
  }

  /** Current counters. */
  stats(): FeatureCacheStats {
    return { ...this.counters, entries: this.entries.size, bytes: this.bytes };
  }

  /** Drops every entry (a new weights version makes them stale). */
  clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }

  private store(key: string, features: ClipFeatures): void {
    const size = features.tokens.byteLength;
    if (size > this.maxBytes) return;
    this.entries.set(key, features);
    this.bytes += size;
    for (const [oldest, value] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.bytes -= value.tokens.byteLength;
    }
  }
}
