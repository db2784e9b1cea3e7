// An immutable, compiled set of rules. Plain rules are indexed by
// event.action so an event is only checked against rules that can match it;
// matches of rules used by correlations are fed into correlation state.
import type { EcsEvent, EventAction } from '../model/ecs-event';
import { CorrelationState, type Fired } from './correlation-state';
import { EventView, fieldSlot } from './event-view';
import type { LoadedRule } from './loader';
import { mergeReadNeeds, type ReadNeed } from './read-watch';
import type { CompiledRule, CorrelationDef, RuleMatch } from './types';

interface CorrLink {
  state: CorrelationState;
  positions: number[];
  /** group-by field slots for events from this source rule; -1 = none. */
  slots: number[];
  valueSlot?: number;
}

export interface EvaluateOptions {
  /** Also return matches of rules that only feed correlations (for `rules test`). */
  includeSuppressed?: boolean;
}

const SWEEP_EVERY_MS = 1000;

function fieldFor(def: CorrelationDef, name: string, src: LoadedRule): number {
  const alias = def.aliases[name];
  const field = alias ? alias[src.meta.name ?? ''] ?? alias[src.meta.id] : name;
  return field === undefined ? -1 : fieldSlot(field) ?? -1;
}

export class RuleSet {
  private readonly byAction = new Map<EventAction, CompiledRule[]>();
  private readonly links = new Map<string, CorrLink[]>();
  private readonly suppressed = new Set<string>();
  readonly correlations: CorrelationState[] = [];
  private watermark = 0;
  private lastSweep = 0;

  /** What the kernel's read watch must hold for these rules (read-watch.ts). */
  readNeed(): ReadNeed & { rule?: string } {
    const needs = [];
    for (const r of this.rules) if (r.kind === 'rule') needs.push({ id: r.meta.id, need: r.readNeed });
    return mergeReadNeeds(needs);
  }

  constructor(readonly rules: readonly LoadedRule[], previous?: RuleSet) {
    const byKey = new Map<string, LoadedRule>();
    for (const r of rules) {
      byKey.set(r.meta.id, r);
      if (r.meta.name) byKey.set(r.meta.name, r);
      if (r.kind === 'rule') {
        for (const a of r.actions ?? []) {
          const list = this.byAction.get(a) ?? [];
          list.push(r);
          this.byAction.set(a, list);
        }
      }
    }
    const old = new Map(previous?.correlations.map((s) => [s.fingerprint(), s]));
    const generates = new Set<string>();
    for (const r of rules) {
      if (r.kind !== 'correlation') continue;
      const state = new CorrelationState(r);
      const prior = old.get(state.fingerprint());
      if (prior) state.adopt(prior);
      this.correlations.push(state);
      const sources = new Map<LoadedRule, number[]>();
      r.rules.forEach((ref, i) => {
        const src = byKey.get(ref);
        if (src) sources.set(src, [...(sources.get(src) ?? []), i]);
      });
      for (const [src, positions] of sources) {
        const link: CorrLink = { state, positions, slots: r.groupBy.map((g) => fieldFor(r, g, src)) };
        if (r.field) link.valueSlot = fieldFor(r, r.field, src);
        this.links.set(src.meta.id, [...(this.links.get(src.meta.id) ?? []), link]);
        this.suppressed.add(src.meta.id);
        if (r.generate) generates.add(src.meta.id);
      }
    }
    for (const id of generates) this.suppressed.delete(id);
    if (previous) {
      this.watermark = previous.watermark;
      this.lastSweep = previous.lastSweep;
    }
  }

  get size(): number {
    return this.rules.length;
  }

  /** Plain rules that could see `action` (for tests and diagnostics). */
  rulesFor(action: EventAction): readonly CompiledRule[] {
    return this.byAction.get(action) ?? [];
  }

  evaluate(ev: EcsEvent, opts: EvaluateOptions = {}): RuleMatch[] {
    const out: RuleMatch[] = [];
    const list = this.byAction.get(ev?.event?.action);
    if (!list && this.correlations.length === 0) return out;
    const view = new EventView(ev);
    if (list) {
      for (const r of list) {
        let ok = false;
        try {
          ok = r.match(view);
        } catch {
          ok = false; // a rule never takes the pipeline down
        }
        if (!ok) continue;
        this.report(r, [ev], out, opts);
        const links = this.links.get(r.meta.id);
        if (links) this.feed(links, view.timeMs(), [ev], view, out, opts, 0);
      }
    }
    if (this.correlations.length) {
      // Every event moves event time on, so windows close even on quiet rules.
      const ts = view.timeMs();
      if (view.timeValid && ts > this.watermark) this.watermark = ts;
      if (this.watermark - this.lastSweep >= SWEEP_EVERY_MS) this.sweep(this.watermark, out, opts);
    }
    return out;
  }

  /** Judge correlation windows that closed before `now` (event time, ms). */
  sweep(now: number, out: RuleMatch[] = [], opts: EvaluateOptions = {}): RuleMatch[] {
    this.lastSweep = now;
    for (const s of this.correlations) for (const f of s.sweep(now)) this.fired(s, f, out, opts, 0);
    return out;
  }

  private report(r: LoadedRule, events: EcsEvent[], out: RuleMatch[], opts: EvaluateOptions): void {
    const sup = this.suppressed.has(r.meta.id);
    if (!sup) out.push({ rule: r.meta, events });
    else if (opts.includeSuppressed) out.push({ rule: r.meta, events, suppressed: true });
  }

  private feed(links: CorrLink[], ts: number, events: EcsEvent[], view: EventView, out: RuleMatch[], opts: EvaluateOptions, depth: number): void {
    for (const l of links) {
      const key = l.slots.map((s) => (s < 0 ? '' : view.get(s)?.strs.join('\u0001') ?? '')).join('\u0000');
      const value = l.valueSlot === undefined ? undefined : l.valueSlot < 0 ? null : view.get(l.valueSlot)?.strs.join('\u0001') ?? null;
      for (const f of l.state.feed(key, { positions: l.positions, ts, events, value })) this.fired(l.state, f, out, opts, depth);
    }
  }

  private fired(s: CorrelationState, f: Fired, out: RuleMatch[], opts: EvaluateOptions, depth: number): void {
    this.report(s.def, f.events, out, opts);
    const links = this.links.get(s.def.meta.id);
    const last = f.events[f.events.length - 1];
    if (links && last && depth < 8) this.feed(links, f.ts, f.events, new EventView(last), out, opts, depth + 1);
  }
}
