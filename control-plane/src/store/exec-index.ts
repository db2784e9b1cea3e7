// Fleet event history, the part an analyst asks first: which hosts ran an
// executable, when. Every forwarded exec event is folded into one row per
// (host, executable, minute); the rest of each event stays in the agent's
// own history (reached by fan-out) and, with --nats, in VIGIL_EVENTS.
import type { Event } from '../../../proto/src';
import type { Db } from './db';

export interface ExecRow { host_id: string; exe: string; runs: number; first_ms: number; last_ms: number }

const MINUTE = 60_000;
/** Rows older than this are pruned (a few MB for a thousand hosts). */
export const EXEC_INDEX_RETENTION_MS = 7 * 24 * 3_600_000;
const PRUNE_EVERY_MS = 10 * MINUTE;

export class ExecIndex {
  private readonly upsert;
  private readonly prune;
  private readonly addTx;
  private lastPrune = 0;

  constructor(private readonly db: Db) {
    this.upsert = db.prepare(`INSERT INTO fleet_execs (host_id, exe, minute_ms, runs) VALUES (?, ?, ?, ?)
      ON CONFLICT (host_id, exe, minute_ms) DO UPDATE SET runs = runs + excluded.runs`);
    this.prune = db.prepare('DELETE FROM fleet_execs WHERE minute_ms < ?');
    this.addTx = db.transaction((hostId: string, counts: Map<string, number>) => {
      for (const [key, n] of counts) {
        const cut = key.indexOf('\u0000');
        this.upsert.run(hostId, key.slice(cut + 1), Number(key.slice(0, cut)), n);
      }
    });
  }

  /** Folds the exec events of one forwarded batch in; returns how many it saw. */
  add(hostId: string, events: readonly Event[], now = Date.now()): number {
    const counts = new Map<string, number>();
    for (const e of events) {
      if (!e.exec || !e.process?.executable) continue;
      const t = Date.parse(e.timestamp);
      const minute = Math.floor((Number.isFinite(t) ? t : now) / MINUTE) * MINUTE;
      const key = `${minute}\u0000${e.process.executable}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    if (counts.size) this.addTx(hostId, counts);
    if (now - this.lastPrune > PRUNE_EVERY_MS) {
      this.lastPrune = now;
      this.prune.run(now - EXEC_INDEX_RETENTION_MS);
    }
    return counts.size;
  }

  /** Hosts that ran an executable matching `glob` (`*`, `?`) between since and until. */
  hostsThatRan(glob: string, sinceMs: number, untilMs: number, limit: number): ExecRow[] {
    return this.db.prepare(`SELECT host_id, exe, SUM(runs) AS runs, MIN(minute_ms) AS first_ms, MAX(minute_ms) AS last_ms
      FROM fleet_execs WHERE exe GLOB ? AND minute_ms >= ? AND minute_ms <= ?
      GROUP BY host_id, exe ORDER BY last_ms DESC LIMIT ?`).all(glob, Math.floor(sinceMs / MINUTE) * MINUTE, untilMs, limit) as ExecRow[];
  }
}

/** Rows from several replicas (each indexed the batches it received) as one answer. */
export function mergeExecRows(lists: ExecRow[][]): ExecRow[] {
  const by = new Map<string, ExecRow>();
  for (const r of lists.flat()) {
    const k = `${r.host_id}\u0000${r.exe}`;
    const cur = by.get(k);
    if (!cur) by.set(k, { ...r });
    else {
      cur.runs += r.runs;
      cur.first_ms = Math.min(cur.first_ms, r.first_ms);
      cur.last_ms = Math.max(cur.last_ms, r.last_ms);
    }
  }
  return [...by.values()].sort((a, b) => b.last_ms - a.last_ms);
}
