// Per-profile frequency tables with exponential time decay: a count seen
// long ago weighs less than one seen today, so a host's baseline follows its
// current normal. Counts are decayed lazily, when touched.
import type { ProfileName } from './observations';

export interface ValueStat {
  /** Decayed count as of `last`. */
  n: number;
  first: number;
  last: number;
}

export interface ContextStat {
  n: number;
  first: number;
  last: number;
  /** First sightings of a value, decayed like `n`: how often this context meets something new. */
  novel: number;
  values: Map<string, ValueStat>;
}

/** What the table knew before an observation was added: the scorer's input. */
export interface Evidence {
  /** Decayed observations of this context. */
  total: number;
  /** Distinct values of the context. */
  distinct: number;
  /** Decayed first sightings in this context: novel / total is its rate of meeting something new. */
  novel: number;
  /** Decayed count of this value; 0 when never seen. */
  count: number;
  /** When the context was first seen (ms), or undefined. */
  since?: number;
}

export interface TableEntry {
  profile: ProfileName;
  context: string;
  value: string;
  stat: ValueStat;
}

const key = (profile: string, context: string): string => `${profile}\u0000${context}`;

export class FrequencyTable {
  private readonly contexts = new Map<string, ContextStat>();
  private entries = 0;
  /** Keys touched since the last save ("profile\0context\0value"). */
  readonly dirty = new Set<string>();
  readonly removed = new Set<string>();

  constructor(private readonly halfLifeMs: number) {}

  get size(): number {
    return this.entries;
  }

  decay(n: number, from: number, to: number): number {
    return to <= from ? n : n * Math.pow(0.5, (to - from) / this.halfLifeMs);
  }

  evidence(profile: ProfileName, context: string, value: string, at: number): Evidence {
    const c = this.contexts.get(key(profile, context));
    if (!c) return { total: 0, distinct: 0, novel: 0, count: 0 };
    const v = c.values.get(value);
    return {
      total: this.decay(c.n, c.last, at), distinct: c.values.size, novel: this.decay(c.novel, c.last, at),
      count: v ? this.decay(v.n, v.last, at) : 0, since: c.first,
    };
  }

  /** Adds `weight` observations of value in context at time `at`. */
  add(profile: ProfileName, context: string, value: string, at: number, weight = 1): void {
    const k = key(profile, context);
    let c = this.contexts.get(k);
    if (!c) this.contexts.set(k, (c = { n: 0, first: at, last: at, novel: 0, values: new Map() }));
    let v = c.values.get(value);
    const fresh = !v;
    c.n = this.decay(c.n, c.last, at) + weight;
    c.novel = this.decay(c.novel, c.last, at) + (fresh ? 1 : 0);
    c.last = Math.max(c.last, at);
    c.first = Math.min(c.first, at);
    if (!v) {
      c.values.set(value, (v = { n: 0, first: at, last: at }));
      this.entries++;
    }
    v.n = this.decay(v.n, v.last, at) + weight;
    v.last = Math.max(v.last, at);
    v.first = Math.min(v.first, at);
    const ek = `${k}\u0000${value}`;
    this.dirty.add(ek);
    this.removed.delete(ek);
  }

  /** Loads a stored entry as is (no decay applied). */
  restore(profile: ProfileName, context: string, value: string, stat: ValueStat): void {
    const k = key(profile, context);
    let c = this.contexts.get(k);
    if (!c) this.contexts.set(k, (c = { n: 0, first: stat.first, last: stat.last, novel: 0, values: new Map() }));
    const prev = c.values.get(value);
    if (!prev) this.entries++;
    const at = Math.max(c.last, stat.last);
    c.n = this.decay(c.n, c.last, at) + this.decay(stat.n, stat.last, at) - (prev ? this.decay(prev.n, prev.last, at) : 0);
    // Each value was a first sighting once, at its `first`.
    c.novel = this.decay(c.novel, c.last, at) + (prev ? 0 : this.decay(1, stat.first, at));
    c.last = at;
    c.first = Math.min(c.first, stat.first);
    c.values.set(value, { n: stat.n, first: stat.first, last: stat.last });
  }

  get(profile: ProfileName, context: string): ContextStat | undefined {
    return this.contexts.get(key(profile, context));
  }

  *all(): IterableIterator<TableEntry> {
    for (const [k, c] of this.contexts) {
      const sep = k.indexOf('\u0000');
      const profile = k.slice(0, sep) as ProfileName;
      const context = k.slice(sep + 1);
      for (const [value, stat] of c.values) yield { profile, context, value, stat };
    }
  }

  entry(fullKey: string): TableEntry | undefined {
    const [profile, context, value] = fullKey.split('\u0000');
    const stat = this.contexts.get(key(profile, context))?.values.get(value);
    return stat ? { profile: profile as ProfileName, context, value, stat } : undefined;
  }

  /**
   * Over `max` entries: drop the rarest-oldest (lowest decayed count, then
   * oldest last sighting) down to 90% of `max`. Returns how many went.
   */
  evict(max: number, at: number): number {
    if (this.entries <= max) return 0;
    const all = [...this.all()].map((e) => ({ e, w: this.decay(e.stat.n, e.stat.last, at) }));
    all.sort((a, b) => a.w - b.w || a.e.stat.last - b.e.stat.last);
    const drop = this.entries - Math.floor(max * 0.9);
    for (let i = 0; i < drop; i++) {
      const { profile, context, value, stat } = all[i].e;
      const k = key(profile, context);
      const c = this.contexts.get(k)!;
      c.values.delete(value);
      c.n = Math.max(0, this.decay(c.n, c.last, at) - this.decay(stat.n, stat.last, at));
      c.novel = Math.max(0, this.decay(c.novel, c.last, at) - this.decay(1, stat.first, at));
      c.last = Math.max(c.last, at);
      if (c.values.size === 0) this.contexts.delete(k);
      this.entries--;
      const ek = `${k}\u0000${value}`;
      this.dirty.delete(ek);
      this.removed.add(ek);
    }
    return drop;
  }

  clear(): void {
    this.contexts.clear();
    this.entries = 0;
    this.dirty.clear();
    this.removed.clear();
  }

  /** Per profile: contexts, entries and the oldest sighting. */
  summary(): Map<ProfileName, { contexts: number; entries: number; oldest: number; observations: number }> {
    const out = new Map<ProfileName, { contexts: number; entries: number; oldest: number; observations: number }>();
    for (const [k, c] of this.contexts) {
      const profile = k.slice(0, k.indexOf('\u0000')) as ProfileName;
      const s = out.get(profile) ?? { contexts: 0, entries: 0, oldest: Infinity, observations: 0 };
      s.contexts++;
      s.entries += c.values.size;
      s.oldest = Math.min(s.oldest, c.first);
      s.observations += c.n;
      out.set(profile, s);
    }
    return out;
  }
}
