// entity_id is a sha256 per (pid, start time): too slow to compute per event
// at 400k events/s. One slot per pid keeps the last process seen with that
// pid; pid reuse just replaces the slot. The map is cleared when it grows
// past `max`, which is cheaper than LRU bookkeeping on every hit.
import { entityIdFromNs } from '../process/entity-id';

export interface ProcessIdentity {
  start: bigint;
  id: string;
  /** process.start, formatted once per process (see BootClock.generation). */
  startIso?: string;
  startGen?: number;
}

export class EntityIdCache {
  private slots = new Map<number, ProcessIdentity>();

  constructor(private readonly max = 65536, private readonly boot?: string) {}

  lookup(pid: number, startBoottimeNs: bigint): ProcessIdentity {
    const s = this.slots.get(pid);
    if (s !== undefined && s.start === startBoottimeNs) return s;
    const slot: ProcessIdentity = { start: startBoottimeNs, id: entityIdFromNs(pid, startBoottimeNs, this.boot) };
    if (this.slots.size >= this.max) this.slots.clear();
    this.slots.set(pid, slot);
    return slot;
  }

  get(pid: number, startBoottimeNs: bigint): string {
    return this.lookup(pid, startBoottimeNs).id;
  }
}
