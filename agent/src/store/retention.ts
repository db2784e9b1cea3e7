// Retention: delete the oldest rows when they are older than --retention-age
// or when the database is bigger than --retention-size. Deletes run in chunks
// of their own small transactions so the writer lock is never held for long.
import type Database from 'better-sqlite3';
import type { Logger } from 'pino';
import { StoreConfigError } from './errors';
import { DURATION_FORMS, parseDuration, parseSize, SIZE_FORMS } from './units';

export interface RetentionPolicy {
  maxAgeMs?: number;
  maxBytes?: number;
}

export interface PruneResult {
  byAge: number;
  bySize: number;
}

const TABLES = ['events', 'alerts'] as const;
type Table = (typeof TABLES)[number];
/** Once over the size limit, prune down to this fraction so we do not prune on every flush. */
const SIZE_LOW_WATER = 0.9;
const MAX_CHUNKS_PER_RUN = 2000;

/** Validates `--retention-age` / `--retention-size` strings once, at start-up. */
export function parseRetention(opts: { age?: string; size?: string }): RetentionPolicy {
  const policy: RetentionPolicy = {};
  if (opts.age !== undefined) {
    const ms = parseDuration(opts.age);
    if (ms === undefined || ms <= 0) throw new StoreConfigError('--retention-age', `"${opts.age}" is not ${DURATION_FORMS}`);
    policy.maxAgeMs = ms;
  }
  if (opts.size !== undefined) {
    const bytes = parseSize(opts.size);
    if (bytes === undefined || bytes < 1024 * 1024) {
      throw new StoreConfigError('--retention-size', `"${opts.size}" is not ${SIZE_FORMS} of at least 1MB`);
    }
    policy.maxBytes = bytes;
  }
  return Object.freeze(policy);
}

export class Retention {
  constructor(
    private readonly db: Database.Database,
    private readonly policy: RetentionPolicy,
    private readonly log: Logger,
    private readonly chunkRows = 5000,
  ) {}

  /** Bytes held by live pages: page_count*page_size minus pages on the freelist. */
  usedBytes(): number {
    const pages = this.db.pragma('page_count', { simple: true }) as number;
    const free = this.db.pragma('freelist_count', { simple: true }) as number;
    const size = this.db.pragma('page_size', { simple: true }) as number;
    return (pages - free) * size;
  }

  /** Age and size pass. */
  run(now = Date.now()): PruneResult {
    const byAge = this.pruneByAge(now);
    const bySize = this.pruneBySize();
    return { byAge, bySize };
  }

  pruneByAge(now = Date.now()): number {
    if (this.policy.maxAgeMs === undefined) return 0;
    const cutoff = now - this.policy.maxAgeMs;
    let total = 0;
    for (const table of TABLES) {
      let n = 0;
      for (let i = 0; i < MAX_CHUNKS_PER_RUN; i++) {
        const deleted = this.deleteOldest(table, cutoff);
        n += deleted;
        if (deleted < this.chunkRows) break;
      }
      if (n > 0) this.log.info({ table, rows: n, reason: 'age', cutoff: new Date(cutoff).toISOString() }, `pruned ${n} ${table} older than retention age`);
      total += n;
    }
    if (total > 0) {
      this.pruneProcesses();
      this.reclaim();
    }
    return total;
  }

  /**
   * Process images no event and no other image references (their events
   * were pruned), children before parents; returns how many. An image
   * that still has a child's image pointing at it stays, so a kept event's
   * ancestry never breaks.
   */
  pruneProcesses(): number {
    const del = this.db.prepare(`DELETE FROM processes WHERE pk IN (
      SELECT p.pk FROM processes p
      WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.proc = p.pk)
        AND NOT EXISTS (SELECT 1 FROM processes c WHERE c.parent_pk = p.pk)
      LIMIT ?)`);
    let total = 0;
    for (let i = 0; i < MAX_CHUNKS_PER_RUN; i++) {
      const n = del.run(this.chunkRows).changes;
      total += n;
      if (n === 0) break;
    }
    if (total > 0) this.log.info({ table: 'processes', rows: total }, `pruned ${total} process images no remaining event references`);
    return total;
  }

  pruneBySize(): number {
    const max = this.policy.maxBytes;
    if (max === undefined || this.usedBytes() <= max) return 0;
    const target = max * SIZE_LOW_WATER;
    const pruned: Record<Table, number> = { events: 0, alerts: 0 };
    for (let i = 0; i < MAX_CHUNKS_PER_RUN; i++) {
      const used = this.usedBytes();
      if (used <= target) break;
      const table = this.oldestTable();
      if (table === undefined) break;
      // Delete about as many rows as the excess holds, so small databases are
      // not emptied by one coarse chunk; re-measured after every chunk.
      const rows = Math.ceil((used - target) / Math.max(1, used / this.approxRows()));
      pruned[table] += this.deleteOldest(table, Number.MAX_SAFE_INTEGER, Math.min(this.chunkRows, Math.max(1, rows)));
    }
    const total = pruned.events + pruned.alerts;
    if (pruned.events > 0) this.pruneProcesses();
    for (const table of TABLES) {
      if (pruned[table] > 0) {
        this.log.info({ table, rows: pruned[table], reason: 'size', maxBytes: max, usedBytes: this.usedBytes() },
          `pruned ${pruned[table]} oldest ${table} to stay under retention size`);
      }
    }
    if (total > 0) this.reclaim();
    return total;
  }

  private deleteOldest(table: Table, beforeTs: number, limit = this.chunkRows): number {
    // Table names come from the TABLES constant, never from input.
    const n = this.db.prepare(
      `DELETE FROM ${table} WHERE rowid IN (SELECT rowid FROM ${table} WHERE ts < ? ORDER BY ts LIMIT ?)`,
    ).run(beforeTs, limit).changes;
    if (table === 'events' && n > 0) this.pruneBlocks();
    return n;
  }

  /**
   * Body blocks below the oldest remaining event's: blocks are written in
   * rowid order, so none of their events is left. (A block whose first
   * events went early but not its last stays until they go too.)
   */
  private pruneBlocks(): number {
    const oldest = this.db.prepare('SELECT block FROM events ORDER BY rowid LIMIT 1').get() as { block: number } | undefined;
    return oldest
      ? this.db.prepare('DELETE FROM blocks WHERE id < ?').run(oldest.block).changes
      : this.db.prepare('DELETE FROM blocks').run().changes;
  }

  /** Row count without a full scan: rowids only grow and we delete the oldest. */
  private approxRows(): number {
    let n = 0;
    for (const t of TABLES) {
      const r = this.db.prepare(`SELECT max(rowid) - min(rowid) + 1 AS n FROM ${t}`).get() as { n: number | null };
      n += r.n ?? 0;
    }
    return Math.max(1, n);
  }

  /** The table whose oldest row is older (alerts lose ties: they are rarer and worth more). */
  private oldestTable(): Table | undefined {
    const min = (t: Table) => (this.db.prepare(`SELECT min(ts) AS ts FROM ${t}`).get() as { ts: number | null }).ts;
    const e = min('events');
    const a = min('alerts');
    if (e === null && a === null) return undefined;
    if (a === null) return 'events';
    if (e === null) return 'alerts';
    return a < e ? 'alerts' : 'events';
  }

  /** Give freed pages back to the file system (see open-db.ts for the choice). */
  private reclaim(): void {
    if ((this.db.pragma('auto_vacuum', { simple: true }) as number) === 2) {
      this.db.pragma('incremental_vacuum');
      this.db.pragma('wal_checkpoint(PASSIVE)');
    }
  }
}
