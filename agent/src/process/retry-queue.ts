// Events whose process we have not met yet (its fork/exec record is still
// in flight on another CPU) wait here, in arrival order, until the process
// becomes known or their time is up. Nothing is ever dropped from here:
// callers release, never discard.
import type { EcsEvent } from '../model/ecs-event';

export interface PendingEvent {
  ev: EcsEvent;
  arrivedMs: number;
}

export class RetryQueue {
  private seq = 0;
  private readonly items = new Map<number, PendingEvent>();
  private readonly byEntity = new Map<string, number[]>();

  get size(): number {
    return this.items.size;
  }

  has(entityId: string): boolean {
    return this.byEntity.has(entityId);
  }

  push(ev: EcsEvent, arrivedMs: number): void {
    const n = this.seq++;
    this.items.set(n, { ev, arrivedMs });
    const list = this.byEntity.get(ev.process.entity_id);
    if (list) list.push(n);
    else this.byEntity.set(ev.process.entity_id, [n]);
  }

  /** Removes and returns every waiting event of one process, oldest first. */
  take(entityId: string): PendingEvent[] {
    const seqs = this.byEntity.get(entityId) ?? [];
    this.byEntity.delete(entityId);
    const out: PendingEvent[] = [];
    for (const n of seqs) {
      const it = this.items.get(n);
      if (it) out.push(it);
      this.items.delete(n);
    }
    return out;
  }

  /** The event that has waited longest. */
  oldest(): PendingEvent | undefined {
    for (const it of this.items.values()) return it;
    return undefined;
  }
}
