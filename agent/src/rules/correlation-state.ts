// Runtime state of one correlation rule: per group-by key windows over event
// time (@timestamp). Memory is bounded: windows are evicted as event time
// moves on, each correlation keeps at most MAX_GROUPS groups (least recently
// used dropped first) and each match carries at most MAX_EVENTS events.
//
// Firing policy (docs/rules.md):
//  - event_count / value_count with only gt/gte: sliding window, fires as
//    soon as the condition holds, then the group starts again.
//  - event_count / value_count using lt/lte/eq: a window opens at the group's
//    first event and is judged when it closes (event time passes its end).
//  - temporal: fires when enough distinct rules matched within timespan.
//  - temporal_ordered: fires when the rules matched in the listed order
//    within timespan.
import type { EcsEvent } from '../model/ecs-event';
import type { CorrelationDef, CountCondition } from './types';

export const MAX_GROUPS = 10_000;
export const MAX_EVENTS = 100;
const MAX_ITEMS = 100_000;

export interface Hit {
  /** Positions in def.rules this hit stands for. */
  positions: number[];
  ts: number;
  events: EcsEvent[];
  /** value_count: the counted value, null when the field is absent. */
  value?: string | null;
}

export interface Fired {
  ts: number;
  events: EcsEvent[];
}

interface Group {
  last: number;
  items: { ts: number; events: EcsEvent[]; value?: string }[];
  start: number;
  count: number;
  values: Set<string>;
  byRule: Map<number, { ts: number; events: EcsEvent[] }>;
  chain: ({ start: number; lastTs: number; events: EcsEvent[] } | undefined)[];
}

export function holds(c: CountCondition, n: number): boolean {
  return (c.gt === undefined || n > c.gt) && (c.gte === undefined || n >= c.gte) && (c.lt === undefined || n < c.lt)
    && (c.lte === undefined || n <= c.lte) && (c.eq === undefined || n === c.eq);
}

const cap = (evs: EcsEvent[]): EcsEvent[] => (evs.length > MAX_EVENTS ? evs.slice(evs.length - MAX_EVENTS) : evs);
const newGroup = (ts: number): Group => ({ last: ts, items: [], start: ts, count: 0, values: new Set(), byRule: new Map(), chain: [] });

export class CorrelationState {
  private groups = new Map<string, Group>();
  constructor(public def: CorrelationDef) {}

  /** Same id and same shape: state can carry over a reload. */
  fingerprint(): string {
    const d = this.def;
    return JSON.stringify([d.meta.id, d.type, d.rules, d.groupBy, d.field]);
  }

  get groupCount(): number {
    return this.groups.size;
  }

  adopt(old: CorrelationState): void {
    this.groups = old.groups;
  }

  private atClose(): boolean {
    const c = this.def.condition;
    return (this.def.type === 'event_count' || this.def.type === 'value_count') && (c.lt !== undefined || c.lte !== undefined || c.eq !== undefined);
  }

  feed(key: string, hit: Hit): Fired[] {
    const out: Fired[] = [];
    let g = this.groups.get(key);
    if (g && this.atClose() && hit.ts > g.start + this.def.timespanMs) {
      const f = this.judge(g);
      if (f) out.push(f);
      g = undefined;
    }
    if (!g) g = newGroup(hit.ts);
    this.groups.delete(key); // re-insert: Map order is least recently used first
    g.last = Math.max(g.last, hit.ts);
    const fired = this.step(g, hit);
    if (fired) out.push(fired);
    else this.groups.set(key, g);
    if (this.groups.size > MAX_GROUPS) this.groups.delete(this.groups.keys().next().value as string);
    return out;
  }

  private step(g: Group, hit: Hit): Fired | undefined {
    const d = this.def;
    const span = d.timespanMs;
    const horizon = hit.ts - span;
    if (this.atClose()) {
      g.count++;
      if (hit.value != null) g.values.add(hit.value);
      g.items.push({ ts: hit.ts, events: hit.events });
      if (g.items.length > MAX_EVENTS) g.items.shift();
      return undefined;
    }
    switch (d.type) {
      case 'event_count':
      case 'value_count': {
        if (d.type === 'value_count') {
          if (hit.value == null) return undefined; // absent values are not counted
          const i = g.items.findIndex((x) => x.value === hit.value);
          if (i >= 0) g.items.splice(i, 1);
        }
        g.items.push({ ts: hit.ts, events: hit.events, value: hit.value ?? undefined });
        while (g.items.length && (g.items[0].ts < horizon || g.items.length > MAX_ITEMS)) g.items.shift();
        if (!holds(d.condition, g.items.length)) return undefined;
        return { ts: hit.ts, events: cap(g.items.flatMap((x) => x.events)) };
      }
      case 'temporal': {
        for (const p of hit.positions) g.byRule.set(p, { ts: hit.ts, events: hit.events });
        for (const [p, x] of g.byRule) if (x.ts < horizon) g.byRule.delete(p);
        if (!holds(d.condition, g.byRule.size)) return undefined;
        const parts = [...g.byRule.values()].sort((a, b) => a.ts - b.ts);
        return { ts: hit.ts, events: cap(parts.flatMap((x) => x.events)) };
      }
      case 'temporal_ordered': {
        const n = d.rules.length;
        for (let i = 0; i < n; i++) if (g.chain[i] && (g.chain[i] as { start: number }).start < horizon) g.chain[i] = undefined;
        // Highest position first, so one event never fills two steps.
        for (const p of [...hit.positions].sort((a, b) => b - a)) {
          if (p === 0) {
            g.chain[0] = { start: hit.ts, lastTs: hit.ts, events: hit.events };
            continue;
          }
          const prev = g.chain[p - 1];
          if (!prev || hit.ts < prev.lastTs) continue;
          const cur = g.chain[p];
          if (!cur || prev.start >= cur.start) g.chain[p] = { start: prev.start, lastTs: hit.ts, events: cap([...prev.events, ...hit.events]) };
        }
        const done = g.chain[n - 1];
        return done ? { ts: hit.ts, events: done.events } : undefined;
      }
    }
  }

  private judge(g: Group): Fired | undefined {
    const n = this.def.type === 'value_count' ? g.values.size : g.count;
    if (!holds(this.def.condition, n)) return undefined;
    return { ts: g.start + this.def.timespanMs, events: cap(g.items.flatMap((x) => x.events)) };
  }

  /** Close and judge windows that event time has passed; drop stale groups. */
  sweep(watermark: number): Fired[] {
    const out: Fired[] = [];
    const span = this.def.timespanMs;
    const atClose = this.atClose();
    for (const [k, g] of this.groups) {
      if (atClose && watermark > g.start + span) {
        const f = this.judge(g);
        if (f) out.push(f);
        this.groups.delete(k);
      } else if (!atClose && g.last < watermark - span) this.groups.delete(k);
    }
    return out;
  }
}
