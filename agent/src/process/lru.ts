// Bounded map with (nearly) least-recently-used eviction. A JS Map keeps
// insertion order, so "touch" is delete + set and the oldest key is first.
// Touching on every read churned the hash table (delete leaves a hole until
// rehash) and showed up in exec-storm profiles, so a read reorders only an
// entry that has drifted into the older three quarters of the order: an
// entry read recently can still never be the one evicted.

interface Slot<V> {
  value: V;
  /** Insertion tick of this slot's current position in the order. */
  tick: number;
}

export class LruMap<K, V> {
  /** Entries pushed out because the map was full. */
  evicted = 0;

  private readonly map = new Map<K, Slot<V>>();
  private tick = 0;
  private readonly freshWindow: number;

  constructor(
    readonly capacity: number,
    private readonly onEvict?: (key: K, value: V) => void,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`LRU capacity must be a positive integer, got ${capacity}`);
    }
    this.freshWindow = Math.max(1, capacity >> 2);
  }

  get size(): number {
    return this.map.size;
  }

  has(key: K): boolean {
    return this.map.has(key);
  }

  /** Read and mark as recently used. */
  get(key: K): V | undefined {
    const s = this.map.get(key);
    if (s === undefined) return undefined;
    if (this.tick - s.tick >= this.freshWindow) {
      this.map.delete(key);
      s.tick = ++this.tick;
      this.map.set(key, s);
    }
    return s.value;
  }

  /** Read without changing recency. */
  peek(key: K): V | undefined {
    return this.map.get(key)?.value;
  }

  set(key: K, value: V): void {
    const s = this.map.get(key);
    if (s !== undefined) {
      s.value = value;
      if (this.tick - s.tick < this.freshWindow) return;
      this.map.delete(key);
      s.tick = ++this.tick;
      this.map.set(key, s);
      return;
    }
    this.map.set(key, { value, tick: ++this.tick });
    while (this.map.size > this.capacity) {
      const [oldest, old] = this.map.entries().next().value as [K, Slot<V>];
      this.map.delete(oldest);
      this.evicted++;
      this.onEvict?.(oldest, old.value);
    }
  }

  /** Empty it (no eviction callbacks). */
  clear(): void {
    this.map.clear();
  }

  delete(key: K): boolean {
    return this.map.delete(key);
  }

  *values(): IterableIterator<V> {
    for (const s of this.map.values()) yield s.value;
  }

  *entries(): IterableIterator<[K, V]> {
    for (const [k, s] of this.map) yield [k, s.value];
  }
}
