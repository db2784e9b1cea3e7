// Store-and-forward for alerts: every alert is committed to SQLite (and
// given its agent seq) BEFORE anything is sent, and a row leaves only when
// the control plane acks its seq. AUTOINCREMENT keeps seqs monotonic across
// restarts and deletes, so a seq is never reused for a different alert.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import pino, { type Logger } from 'pino';
import { AlertDocError, OutboxError, TransportClosedError, TransportConfigError } from './errors';

export interface OutboxOptions {
  /** The agent's event database, or a sibling file. */
  path: string;
  /** Bound on queued rows; beyond it the oldest are dropped (counted, logged). Default 100000. */
  maxRows?: number;
  logger?: Logger;
}

export interface OutboxRow { seq: number; kind: string; doc: string; created: number }

export interface OutboxStats { pending: number; enqueued: number; acked: number; dropped: number; lastSeq: number }

export const DEFAULT_OUTBOX_MAX_ROWS = 100_000;

const SCHEMA = `CREATE TABLE IF NOT EXISTS outbox (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL,
  doc TEXT NOT NULL,
  created INTEGER NOT NULL
)`;

function openDb(path: string): Database.Database {
  try {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    // Alerts are rare and precious: fsync every commit (per connection, so the
    // event store sharing this file keeps its own setting).
    db.pragma('synchronous = FULL');
    db.pragma('busy_timeout = 5000');
    db.exec(SCHEMA);
    return db;
  } catch (err) {
    throw new OutboxError(path, err);
  }
}

function serialise(doc: unknown): string {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new AlertDocError('it is not an object');
  try {
    return JSON.stringify(doc);
  } catch (err) {
    throw new AlertDocError((err as Error).message);
  }
}

export class Outbox {
  private readonly db: Database.Database;
  private readonly log: Logger;
  private readonly maxRows: number;
  private readonly stmt;
  private count: number;
  private enqueued = 0;
  private acked = 0;
  private dropped = 0;
  private closed = false;

  constructor(readonly opts: OutboxOptions) {
    const maxRows = opts.maxRows ?? DEFAULT_OUTBOX_MAX_ROWS;
    if (!Number.isInteger(maxRows) || maxRows < 1) throw new TransportConfigError('outbox maxRows', `must be a positive integer, got ${maxRows}`);
    this.maxRows = maxRows;
    this.log = opts.logger ?? pino({ level: 'silent' });
    this.db = openDb(opts.path);
    const db = this.db;
    this.stmt = {
      insert: db.prepare('INSERT INTO outbox (kind, doc, created) VALUES (?, ?, ?)'),
      after: db.prepare('SELECT seq, kind, doc, created FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?'),
      ack: db.prepare('DELETE FROM outbox WHERE seq <= ?'),
      dropOldest: db.prepare('DELETE FROM outbox WHERE seq IN (SELECT seq FROM outbox ORDER BY seq LIMIT ?)'),
      count: db.prepare('SELECT COUNT(*) AS n FROM outbox'),
      lastSeq: db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'outbox'"),
    };
    this.count = (this.stmt.count.get() as { n: number }).n;
  }

  /** Persists one alert document and returns its agent seq. Throws AlertDocError / OutboxError. */
  enqueue(doc: object, kind = 'alert'): number {
    if (this.closed) throw new TransportClosedError('alert outbox');
    const text = serialise(doc);
    let seq: number;
    try {
      seq = Number(this.stmt.insert.run(kind, text, Date.now()).lastInsertRowid);
    } catch (err) {
      throw new OutboxError(this.opts.path, err, 'check free disk space and permissions');
    }
    this.count++;
    this.enqueued++;
    if (this.count > this.maxRows) this.dropOldest(this.count - this.maxRows);
    return seq;
  }

  private dropOldest(n: number): void {
    const removed = this.stmt.dropOldest.run(n).changes;
    this.count -= removed;
    this.dropped += removed;
    this.log.warn({ dropped: removed, dropped_total: this.dropped, max_rows: this.maxRows },
      'alert outbox full (control plane unreachable for long?); dropped the oldest unsent alerts');
  }

  /** Rows with seq > `seq`, in seq order. */
  readAfter(seq: number, limit: number): OutboxRow[] {
    if (this.closed) return [];
    return this.stmt.after.all(seq, limit) as OutboxRow[];
  }

  /** The control plane stored everything up to `seq`: drop those rows. Returns rows removed. */
  ack(seq: number): number {
    if (this.closed || !(seq > 0)) return 0;
    const removed = this.stmt.ack.run(seq).changes;
    this.count -= removed;
    this.acked += removed;
    return removed;
  }

  /** Highest seq ever assigned by this outbox (0 when none). */
  lastSeq(): number {
    if (this.closed) return 0;
    return (this.stmt.lastSeq.get() as { seq: number } | undefined)?.seq ?? 0;
  }

  /**
   * Renumbers every queued row to follow `afterSeq`, in order, and makes new
   * seqs follow them. Used when the control plane already holds seqs this
   * outbox never issued (outbox file replaced, OS crash lost the tail): the
   * old numbers would be deduplicated away as already stored.
   */
  reseat(afterSeq: number): number {
    if (this.closed) return 0;
    return this.db.transaction(() => {
      const first = (this.db.prepare('SELECT MIN(seq) AS s FROM outbox').get() as { s: number | null }).s;
      let moved = 0;
      if (first !== null) {
        const shift = afterSeq + 1 - first;
        // Via negative keys so no intermediate UPDATE collides with a live row.
        this.db.prepare('UPDATE outbox SET seq = -seq').run();
        moved = this.db.prepare('UPDATE outbox SET seq = -seq + ?').run(shift).changes;
      }
      const top = Math.max(afterSeq, (this.db.prepare('SELECT MAX(seq) AS s FROM outbox').get() as { s: number | null }).s ?? 0);
      const upd = this.db.prepare("UPDATE sqlite_sequence SET seq = ? WHERE name = 'outbox'").run(top);
      if (upd.changes === 0) this.db.prepare("INSERT INTO sqlite_sequence (name, seq) VALUES ('outbox', ?)").run(top);
      return moved;
    })();
  }

  get pending(): number {
    return this.count;
  }

  stats(): OutboxStats {
    return { pending: this.count, enqueued: this.enqueued, acked: this.acked, dropped: this.dropped, lastSeq: this.lastSeq() };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }
}
