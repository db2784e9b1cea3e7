// The mapped view of one event, shared by every rule that looks at it. Each
// field is resolved at most once per event (lazily, on first use) and its
// string forms and lower-cased forms are cached, so adding rules adds
// comparisons, not field extraction.
import type { EcsEvent } from '../model/ecs-event';
import { resolveField, type Getter } from './field-map';

/** A field's value, normalised: every element as a string, absent = null. */
export interface FieldValue {
  /** The value was a list (Ancestors, Flags, process.args ...). */
  list: boolean;
  strs: string[];
  nums: number[];
  lower?: string[];
}

const getters: Getter[] = [];
const slots = new Map<string, number>();

/** Slot number for a field name; undefined when the field is unknown. */
export function fieldSlot(name: string): number | undefined {
  let s = slots.get(name);
  if (s !== undefined) return s;
  const g = resolveField(name);
  if (!g) return undefined;
  s = getters.length;
  getters.push(g);
  slots.set(name, s);
  return s;
}

function scalar(x: unknown, out: FieldValue): void {
  if (typeof x === 'string') {
    out.strs.push(x);
    const n = x.trim() === '' ? NaN : Number(x);
    out.nums.push(n);
  } else if (typeof x === 'number' || typeof x === 'bigint') {
    out.strs.push(String(x));
    out.nums.push(Number(x));
  } else if (typeof x === 'boolean') {
    out.strs.push(x ? 'true' : 'false');
    out.nums.push(NaN);
  }
}

function normalise(raw: unknown): FieldValue | null {
  if (raw === undefined || raw === null) return null;
  const out: FieldValue = { list: Array.isArray(raw), strs: [], nums: [] };
  if (Array.isArray(raw)) for (const x of raw) scalar(x, out);
  else scalar(raw, out);
  return out;
}

export class EventView {
  private cache: (FieldValue | null | undefined)[] = new Array(getters.length);
  private allLower?: string[];
  private tsMs?: number;

  constructor(readonly ev: EcsEvent) {}

  get(slot: number): FieldValue | null {
    const c = this.cache[slot];
    if (c !== undefined) return c;
    let v: FieldValue | null;
    try {
      v = normalise(getters[slot](this.ev));
    } catch {
      v = null; // a malformed event never throws out of a rule
    }
    this.cache[slot] = v;
    return v;
  }

  lower(slot: number): string[] | null {
    const v = this.get(slot);
    if (!v) return null;
    return v.lower ?? (v.lower = v.strs.map((s) => s.toLowerCase()));
  }

  /** Every string/number leaf of the event, lower-cased: for keyword searches. */
  keywords(): string[] {
    if (this.allLower) return this.allLower;
    const out: string[] = [];
    const walk = (x: unknown, depth: number): void => {
      if (depth > 8) return;
      if (typeof x === 'string') out.push(x.toLowerCase());
      else if (typeof x === 'number') out.push(String(x));
      else if (Array.isArray(x)) for (const y of x) walk(y, depth + 1);
      else if (x && typeof x === 'object') for (const k in x) walk((x as Record<string, unknown>)[k], depth + 1);
    };
    walk(this.ev, 0);
    return (this.allLower = out);
  }

  /** Event time in ms since the epoch (from @timestamp; now when unusable). */
  timeMs(): number {
    if (this.tsMs !== undefined) return this.tsMs;
    const t = Date.parse(this.ev?.['@timestamp']);
    this.timeValid = Number.isFinite(t);
    return (this.tsMs = this.timeValid ? t : Date.now());
  }

  /** False when @timestamp was missing or unparsable. */
  timeValid = false;
}
