// Local event history. append() only queues (the hot path never touches
// SQLite and never throws); a flush writes each batch of up to `batchSize`
// documents in ONE transaction with prepared statements. Flushes run every
// `flushIntervalMs` on an unref'd timer, or soon after `batchSize` are queued.
import type Database from 'better-sqlite3';
import pino, { type Logger } from 'pino';
import type { EcsEvent } from '../model/ecs-event';
import { StoreConfigError } from './errors';
import { addRow, ImagesSent, type RowBatch } from './event-row';
import { EventRowWriter } from './event-writer';
import { DEFAULT_DB_PATH, openWritableDb } from './open-db';
import { Retention, type RetentionPolicy } from './retention';

export interface EventStoreOptions {
  path?: string;                 // default /var/lib/vigil/events.db
  flushIntervalMs?: number;      // default 200
  batchSize?: number;            // default 2000: flush when this many are queued, and rows per transaction
  maxQueue?: number;             // default 100000: beyond this append() drops and counts
  retention?: RetentionPolicy;   // from parseRetention()
  retentionIntervalMs?: number;  // default 60000: full age + size pass
  sizeCheckIntervalMs?: number;  // default 5000: cheap size check after flushes, at most this often
  logger?: Logger;
  /** Called after each committed transaction (metrics, tests). Must not throw. */
  onBatchCommitted?: (info: { rows: number; inserted: number; batches: number }) => void;
}

/** Why the last write failed (SQLITE_FULL on a full disk, SQLITE_IOERR...), for the fault alert. */
export interface WriteFault {
  code: string;
  message: string;
}

export interface EventStoreStats {
  inserted: number;      // rows committed (events + alerts)
  alerts: number;        // of which alerts
  batches: number;       // committed transactions
  dropped: number;       // queue full, store closed, or batch lost to a write error
  rejected: number;      // documents that could not be serialised
  flushErrors: number;
  queueDepth: number;
  lastFlushMs: number;
  maxFlushMs: number;
  totalFlushMs: number;
  pruned: number;        // rows removed by retention
}

function positiveInt(name: string, v: number | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  if (!Number.isInteger(v) || v <= 0) throw new StoreConfigError(name, `must be a positive integer, got ${v}`);
  return v;
}

export class EventStore {
  readonly db: Database.Database;
  private readonly batchSize: number;
  private readonly maxQueue: number;
  private readonly log: Logger;
  private readonly retention: Retention | undefined;
  private readonly sizeCheckIntervalMs: number;
  private readonly onBatchCommitted: EventStoreOptions['onBatchCommitted'];
  private readonly writeBatch: (rows: RowBatch) => void;
  private readonly events: EventRowWriter;
  private readonly sent = new ImagesSent();
  private readonly timers: NodeJS.Timeout[] = [];
  private queue: EcsEvent[] = [];
  private flushScheduled = false;
  private flushing = false;
  private closed = false;
  private lastSizeCheck = 0;
  /** Set while writes fail; cleared by the next commit. */
  lastFault?: WriteFault;
  /** The image cache was dropped (retention, a failed write): whoever sends rows must resend images. */
  imagesForgotten = false;
  private readonly s: Omit<EventStoreStats, 'queueDepth'> = {
    inserted: 0, alerts: 0, batches: 0, dropped: 0, rejected: 0, flushErrors: 0,
    lastFlushMs: 0, maxFlushMs: 0, totalFlushMs: 0, pruned: 0,
  };

  constructor(opts: EventStoreOptions = {}) {
    const flushIntervalMs = positiveInt('flushIntervalMs', opts.flushIntervalMs, 200);
    this.batchSize = positiveInt('batchSize', opts.batchSize, 2000);
    this.maxQueue = positiveInt('maxQueue', opts.maxQueue, 100_000);
    const retentionIntervalMs = positiveInt('retentionIntervalMs', opts.retentionIntervalMs, 60_000);
    this.sizeCheckIntervalMs = positiveInt('sizeCheckIntervalMs', opts.sizeCheckIntervalMs, 5_000);
    this.log = (opts.logger ?? pino({ level: 'silent' })).child({ module: 'store' });
    this.onBatchCommitted = opts.onBatchCommitted;
    this.db = openWritableDb(opts.path ?? DEFAULT_DB_PATH);

    // Positional binding: measurably cheaper than named parameters per row.
    const events = new EventRowWriter(this.db);
    this.events = events;
    const insAlert = this.db.prepare(`INSERT INTO alerts
      (ts, rule_id, rule_name, severity, entity_id, pid, executable, count, doc)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.writeBatch = this.db.transaction((rows: RowBatch) => {
      events.write(rows.events);
      for (const r of rows.alerts) {
        insAlert.run(r.ts, r.rule_id, r.rule_name, r.severity, r.entity_id, r.pid, r.executable, r.count, r.doc);
      }
    });

    const p = opts.retention;
    if (p && (p.maxAgeMs !== undefined || p.maxBytes !== undefined)) {
      this.retention = new Retention(this.db, p, this.log);
      this.timers.push(setInterval(() => this.runRetention(), retentionIntervalMs).unref());
    }
    this.timers.push(setInterval(() => this.flush(), flushIntervalMs).unref());
  }

  /** Hot path: queue only. Returns false (and counts) when the event was dropped. */
  append(ev: EcsEvent): boolean {
    if (this.closed || this.queue.length >= this.maxQueue) {
      this.s.dropped++;
      return false;
    }
    this.queue.push(ev);
    if (this.queue.length >= this.batchSize && !this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => {
        this.flushScheduled = false;
        this.flush();
      });
    }
    return true;
  }

  /** Writes everything queued, one transaction per batch. Returns rows committed. */
  flush(): number {
    if (this.flushing || this.queue.length === 0 || !this.db.open) return 0;
    this.flushing = true;
    const pending = this.queue;
    this.queue = [];
    let committed = 0;
    try {
      for (let i = 0; i < pending.length; i += this.batchSize) {
        committed += this.commit(pending.slice(i, i + this.batchSize));
      }
    } finally {
      this.flushing = false;
    }
    const now = Date.now();
    if (this.retention && now - this.lastSizeCheck >= this.sizeCheckIntervalMs) {
      this.lastSizeCheck = now;
      this.guard('size retention', () => {
        const n = this.retention!.pruneBySize();
        if (n > 0) this.forgetImages();
        this.s.pruned += n;
      });
    }
    return committed;
  }

  private commit(batch: EcsEvent[]): number {
    const t0 = performance.now();
    const now = Date.now();
    const rows: RowBatch = { events: [], alerts: [] };
    for (const ev of batch) if (!addRow(rows, ev, now, this.sent)) this.s.rejected++;
    return this.writeRows(rows, t0);
  }

  /**
   * Writes prepared rows in one transaction (the background writer's entry:
   * rows are built on the collector thread). Returns rows committed; a
   * failed transaction is logged and counted, never thrown.
   */
  writeRows(rows: RowBatch, t0 = performance.now()): number {
    const n = rows.events.length + rows.alerts.length;
    if (n === 0 || this.closed || !this.db.open) return 0;
    try {
      this.writeBatch(rows);
    } catch (err) {
      // The rolled-back transaction may have held new images the cache now points at.
      this.forgetImages();
      this.s.flushErrors++;
      this.s.dropped += n;
      const fault = { code: String((err as { code?: string }).code ?? 'ERROR'), message: (err as Error).message };
      // One line per streak of failures (a full disk fails every batch).
      if (!this.lastFault) this.log.error({ err, rows: n }, `failed to write event batch (${fault.code}); rows are dropped until writes succeed again`);
      this.lastFault = fault;
      return 0;
    }
    if (this.lastFault) {
      this.log.warn({ fault: this.lastFault.code }, 'event history writes succeed again');
      this.lastFault = undefined;
    }
    const ms = performance.now() - t0;
    this.s.inserted += n;
    this.s.alerts += rows.alerts.length;
    this.s.batches++;
    this.s.lastFlushMs = ms;
    this.s.totalFlushMs += ms;
    if (ms > this.s.maxFlushMs) this.s.maxFlushMs = ms;
    this.onBatchCommitted?.({ rows: n, inserted: this.s.inserted, batches: this.s.batches });
    return n;
  }

  /** Full retention pass (age then size). Also runs on its own timer. */
  runRetention(now = Date.now()): number {
    let n = 0;
    if (this.retention && this.db.open) {
      this.guard('retention', () => {
        const r = this.retention!.run(now);
        n = r.byAge + r.bySize;
        if (n > 0) this.forgetImages();
      });
    }
    this.s.pruned += n;
    return n;
  }

  stats(): EventStoreStats {
    return { ...this.s, queueDepth: this.queue.length };
  }

  /** Flushes, checkpoints the WAL into the main file and closes. Idempotent. */
  close(): EventStoreStats {
    if (this.closed) return this.stats();
    for (const t of this.timers) clearInterval(t);
    this.flush();
    this.closed = true;
    this.guard('checkpoint', () => this.db.pragma('wal_checkpoint(TRUNCATE)'));
    this.db.close();
    return this.stats();
  }

  private forgetImages(): void {
    this.events.forgetImages();
    this.sent.reset();
    this.imagesForgotten = true;
  }

  private guard(what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.log.error({ err }, `${what} failed`);
    }
  }
}
