// The collector's process model: a table of processes seeded from /proc and
// kept current from fork/exec/exit, enrichment of every event with process,
// ancestry, container and correlation context, and a short retry queue for
// events that overtake their process's fork/exec record.
//
// Usage: seed() once, then for each normalized event emit ingest(ev)'s
// result in order; call flushDue() from a timer (nextDueInMs() says when).
import type { EcsEvent } from '../model/ecs-event';
import { ActivityTracker, type ActivityItem } from './activity';
import { CgroupResolver } from './container';
import { enrich, type EnrichDeps } from './enrich';
import { eventMs } from './event-fields';
import { FileWriteTracker } from './file-writes';
import { PipeIndex } from './pipelines';
import { LruMap } from './lru';
import { resolveOptions, type ProcessModelOptions, type ResolvedOptions } from './options';
import { ProcessTable, type ProcessEntry, type ProcessTableStats } from './process-table';
import { RetryQueue } from './retry-queue';
import { seedAll, seedOne } from './seed';
import { applyEvent, type ModelState } from './state-update';

export type { ActivityItem } from './activity';
export type { VigilContext } from './enrich';
export type { ProcessEntry } from './process-table';
export { ProcessModelConfigError, type ProcessModelOptions } from './options';

export interface ProcessModelStats extends ProcessTableStats {
  /** Events waiting now for their process's fork/exec. */
  pending: number;
  /** Events that had to wait at all. */
  waited: number;
  /** Waiting events emitted while their process was still unknown: time ran out,
   *  the queue was full, or an exec arrived with no fork before it. */
  releasedWithoutContext: number;
  /** Of those, released early because the queue was full. */
  releasedOverflow: number;
  seeded: number;
  seededOnMiss: number;
  /** Events without a usable process.pid/entity_id, passed through untouched. */
  malformed: number;
  /** Events whose enrichment threw on unexpected field types (emitted un-enriched). */
  enrichFailed: number;
  cgroupRescans: number;
  trackedWrites: number;
}

export class ProcessModel {
  readonly options: ResolvedOptions;
  readonly table: ProcessTable;
  private readonly activity: ActivityTracker;
  private readonly writes: FileWriteTracker;
  private readonly cgroups?: CgroupResolver;
  private readonly queue = new RetryQueue();
  private readonly deps: EnrichDeps;
  private readonly state: ModelState;
  private readonly seedMisses = new LruMap<string, true>(4096);
  private lastSweepMs = -Infinity;
  private counters = { waited: 0, releasedWithoutContext: 0, releasedOverflow: 0, seeded: 0, seededOnMiss: 0, malformed: 0, enrichFailed: 0 };

  constructor(opts: ProcessModelOptions = {}) {
    const o = (this.options = resolveOptions(opts));
    this.activity = new ActivityTracker({ ringSize: o.activityRingSize, maxProcesses: o.maxProcesses });
    this.table = new ProcessTable({
      maxEntries: o.maxProcesses,
      exitGraceMs: o.exitGraceMs,
      maxAncestors: o.maxAncestors,
      onDrop: (e) => this.activity.drop(e.entityId),
    });
    this.writes = new FileWriteTracker(o.maxTrackedWrites);
    if (o.cgroupRoot !== false) {
      this.cgroups = new CgroupResolver({ root: o.cgroupRoot || undefined, procRoot: o.procRoot, minRescanMs: o.cgroupRescanMs, clock: o.clock });
    }
    this.state = { table: this.table, activity: this.activity, writes: this.writes, pipes: new PipeIndex() };
    this.deps = { ...this.state, cgroups: this.cgroups, outboundWindowMs: o.outboundWindowMs, maxPeers: o.maxPeers };
  }

  /** Loads every running process from /proc. Returns how many were added. */
  seed(): number {
    const n = seedAll(this.table, this.options.procRoot, this.options.clock());
    this.counters.seeded += n;
    return n;
  }

  /** Takes one event; returns the events ready to go on, in order. */
  ingest(ev: EcsEvent): EcsEvent[] {
    const out: EcsEvent[] = [];
    const id = ev?.process?.entity_id;
    if (typeof id !== 'string' || !id || typeof ev.process.pid !== 'number' || !ev.event || !ev.vigil
      || typeof ev.process.parent?.pid !== 'number') {
      this.counters.malformed++;
      out.push(ev);
      return out;
    }
    const now = this.options.clock();
    if (this.queue.has(id)) {
      // Keep per-process order: later events queue behind earlier ones,
      // except exec, which makes the process known and releases them first.
      if (ev.event.action !== 'exec') return this.enqueue(ev, now, out);
      this.release(id, out);
    } else if (ev.event.action !== 'exec' && !this.known(ev)) {
      return this.enqueue(ev, now, out);
    }
    this.emit(ev, out);
    return out;
  }

  /** Releases events that waited their full time; also expires exited processes. */
  flushDue(now: number = this.options.clock()): EcsEvent[] {
    const out: EcsEvent[] = [];
    for (let it = this.queue.oldest(); it && now - it.arrivedMs >= this.options.retryMs; it = this.queue.oldest()) {
      this.release(it.ev.process.entity_id, out);
    }
    if (now - this.lastSweepMs >= this.options.sweepIntervalMs) {
      this.lastSweepMs = now;
      this.table.sweep(now);
    }
    return out;
  }

  /** ms until the oldest waiting event is due, or undefined if none waits. */
  nextDueInMs(now: number = this.options.clock()): number | undefined {
    const it = this.queue.oldest();
    return it ? Math.max(0, it.arrivedMs + this.options.retryMs - now) : undefined;
  }

  recentActivity(entityId: string): ActivityItem[] {
    return [...(this.activity.get(entityId)?.recent ?? [])];
  }

  lookup(entityId: string): ProcessEntry | undefined {
    return this.table.peek(entityId);
  }

  ancestors(entityId: string) {
    return this.table.ancestors(entityId);
  }

  stats(): ProcessModelStats {
    return {
      ...this.table.stats(),
      ...this.counters,
      pending: this.queue.size,
      cgroupRescans: this.cgroups?.rescans ?? 0,
      trackedWrites: this.writes.size,
    };
  }

  private known(ev: EcsEvent): boolean {
    const id = ev.process.entity_id;
    if (this.table.has(id)) return true;
    if (!this.options.seedOnMiss || this.seedMisses.has(id)) return false;
    const n = seedOne(this.table, this.options.procRoot, ev.process.pid, id, this.options.clock(), this.options.maxAncestors);
    if (n === 0) {
      this.seedMisses.set(id, true);
      return false;
    }
    this.counters.seededOnMiss += n;
    return true;
  }

  private enqueue(ev: EcsEvent, now: number, out: EcsEvent[]): EcsEvent[] {
    this.counters.waited++;
    this.queue.push(ev, now);
    if (this.queue.size > this.options.maxPending) {
      const oldest = this.queue.oldest() as { ev: EcsEvent };
      this.counters.releasedOverflow += this.release(oldest.ev.process.entity_id, out);
    }
    return out;
  }

  /** Emits every waiting event of one process; returns how many it emitted
   * while the process was still unknown (no fork/exec/proc context). */
  private release(entityId: string, out: EcsEvent[]): number {
    const items = this.queue.take(entityId);
    const withoutContext = this.table.has(entityId) ? 0 : items.length;
    this.counters.releasedWithoutContext += withoutContext;
    for (const it of items) this.emit(it.ev, out);
    return withoutContext;
  }

  /** Applies, enriches and outputs; a fork's child then releases its waiters. */
  private emit(ev: EcsEvent, out: EcsEvent[]): void {
    const atMs = eventMs(ev, this.options.clock());
    let created: string | undefined;
    try {
      created = applyEvent(ev, this.state, atMs);
      enrich(ev, this.deps, atMs);
    } catch {
      // A field of an unexpected type: the event still goes on, as it came.
      this.counters.enrichFailed++;
    }
    out.push(ev);
    if (created && this.queue.has(created)) this.release(created, out);
  }
}
