// Bounded map with least-recently-used eviction. A JS Map keeps insertion
// order, so "touch" is delete + set and the oldest key is the first one.

export class LruMap<K, V> {
  /** Entries pushed out because the map was full. */
  evicted = 0;

  private readonly map = new Map<K, V>();
  /** The most recently used key: touching it again needs no reorder. */
  private newest: K | undefined;

  constructor(
    readonly capacity: number,
    private readonly onEvict?: (key: K, value: V) => void,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`LRU capacity must be a positive integer, got ${capacity}`);
    }
  }

  get size(): number {
    return this.map.size;
  }

  has(key: K): boolean {
    return this.map.has(key);
  }

  /** Read and mark as recently used. */
  get(key: K): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined && key !== this.newest) {
      this.map.delete(key);
      this.map.set(key, v);
      this.newest = key;
    }
    return v;
  }

  /** Read without changing recency. */
  peek(key: K): V | undefined {
    return this.map.get(key);
  }

  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    this.newest = key;
    while (this.map.size > this.capacity) {
      const oldest = this.map.keys().next().value as K;
      const old = this.map.get(oldest) as V;
      this.map.delete(oldest);
      this.evicted++;
      this.onEvict?.(oldest, old);
    }
  }

  /** Empty it (no eviction callbacks). */
  clear(): void {
    this.map.clear();
    this.newest = undefined;
  }

  delete(key: K): boolean {
    if (key === this.newest) this.newest = undefined;
    return this.map.delete(key);
  }

  values(): IterableIterator<V> {
    return this.map.values();
  }

  entries(): IterableIterator<[K, V]> {
    return this.map.entries();
  }
}
