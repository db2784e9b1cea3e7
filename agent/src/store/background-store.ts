// The agent's event history with SQLite off the collector thread. append()
// serializes on the caller's thread (the doc and the indexed columns) and
// hands batches of rows to a worker that owns the writer connection
// (store-worker.ts). Queries read through their own read-only connection
// (WAL: readers never wait for the writer). append() never blocks and
// never throws: past maxQueue rows in flight, or if the worker died, rows
// are dropped and counted.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import type { Logger } from 'pino';
import type { EcsEvent } from '../model/ecs-event';
import { addRow, ImagesSent, type RowBatch } from './event-row';
import { EventStore, type EventStoreStats, type WriteFault } from './event-store';
import { openReadOnlyDb } from './open-db';
import type { RetentionPolicy } from './retention';
import type { FromWorker, StoreWorkerData, ToWorker } from './store-worker';

export interface BackgroundStoreOptions {
  path: string;
  retention?: RetentionPolicy;
  logger: Logger;
  logLevel?: string;
  batchSize?: number;       // default 2000 rows per message/transaction
  flushIntervalMs?: number; // default 200
  maxQueue?: number;        // default 100000 rows not yet committed
  /** Writes started failing (full disk...): rows are dropped until they succeed again. */
  onWriteFault?: (fault: WriteFault) => void;
  /** Writes succeed again; `dropped` rows were lost meanwhile. */
  onWriteRecovered?: (info: { fault: WriteFault; dropped: number }) => void;
}

/** The compiled worker: next to this file in dist/, or dist/ when running from TS sources (tests). */
function workerPath(): string {
  const local = join(__dirname, 'store-worker.js');
  return existsSync(local) ? local : join(__dirname, '../../../dist/agent/src/store/store-worker.js');
}

export class BackgroundEventStore {
  /** Read-only connection for queries (the distributed query handler). */
  readonly db: Database.Database;
  private readonly worker: Worker;
  private readonly log: Logger;
  private readonly batchSize: number;
  private readonly maxQueue: number;
  private readonly timer: NodeJS.Timeout;
  private batch: RowBatch = { events: [], alerts: [] };
  private inFlight = 0;
  private dead = false;
  private closing?: Promise<EventStoreStats | undefined>;
  private readonly s = { appended: 0, committed: 0, dropped: 0, rejected: 0 };
  private fault?: { fault: WriteFault; droppedAtStart: number };
  private readonly sent = new ImagesSent();

  constructor(private readonly opts: BackgroundStoreOptions) {
    this.log = opts.logger;
    this.batchSize = opts.batchSize ?? 2000;
    this.maxQueue = opts.maxQueue ?? 100_000;
    // Open, migrate and close once here: a bad path or schema fails the
    // agent's start with the store's own typed error, not later in a thread.
    new EventStore({ path: opts.path, logger: opts.logger }).close();
    this.db = openReadOnlyDb(opts.path);
    const data: StoreWorkerData = { path: opts.path, retention: opts.retention, logLevel: opts.logLevel ?? 'info' };
    this.worker = new Worker(workerPath(), { workerData: data });
    this.worker.on('message', (m: FromWorker) => {
      if (m.type === 'written') {
        this.inFlight -= m.rows;
        this.s.committed += m.committed;
        this.s.dropped += m.rows - m.committed;
        this.onWritten(m.rows - m.committed, m.committed, m.fault);
        if (m.resendImages) this.sent.reset();
      }
    });
    this.worker.on('error', (err) => {
      this.dead = true;
      this.log.error({ err: err.message }, 'event store writer failed; history is no longer kept (events still flow)');
    });
    this.worker.on('exit', () => { this.dead = true; });
    this.timer = setInterval(() => this.post(), opts.flushIntervalMs ?? 200).unref();
  }

  /** Edge-triggered: one call when writes start failing, one when they succeed again. */
  private onWritten(lost: number, committed: number, fault: WriteFault | undefined): void {
    if (fault && !this.fault) {
      this.fault = { fault, droppedAtStart: this.s.dropped - lost };
      this.opts.onWriteFault?.(fault);
    } else if (!fault && this.fault && committed > 0) {
      const was = this.fault;
      this.fault = undefined;
      this.opts.onWriteRecovered?.({ fault: was.fault, dropped: this.s.dropped - was.droppedAtStart });
    }
  }

  /** Hot path: one JSON.stringify and the column values; SQLite runs in the worker. */
  append(ev: EcsEvent): boolean {
    if (this.dead || this.closing || this.inFlight + this.pending() >= this.maxQueue) {
      this.s.dropped++;
      return false;
    }
    if (!addRow(this.batch, ev, Date.now(), this.sent)) {
      this.s.rejected++;
      return false;
    }
    this.s.appended++;
    if (this.pending() >= this.batchSize) this.post();
    return true;
  }

  private pending(): number {
    return this.batch.events.length + this.batch.alerts.length;
  }

  private post(): void {
    const n = this.pending();
    if (n === 0 || this.dead) return;
    const msg: ToWorker = { type: 'rows', ...this.batch };
    this.batch = { events: [], alerts: [] };
    this.inFlight += n;
    this.worker.postMessage(msg);
  }

  stats(): { appended: number; committed: number; dropped: number; rejected: number; inFlight: number; dead: boolean } {
    return { ...this.s, inFlight: this.inFlight, dead: this.dead };
  }

  /** Sends what is queued, lets the worker commit and checkpoint, then closes both connections. */
  close(): Promise<EventStoreStats | undefined> {
    this.closing ??= (async () => {
      clearInterval(this.timer);
      this.post();
      let writer: EventStoreStats | undefined;
      if (!this.dead) {
        writer = await new Promise<EventStoreStats | undefined>((resolve) => {
          this.worker.on('message', (m: FromWorker) => { if (m.type === 'closed') resolve(m.stats); });
          this.worker.once('exit', () => resolve(undefined));
          this.worker.postMessage({ type: 'close' } satisfies ToWorker);
        });
        await this.worker.terminate();
      }
      this.db.close();
      return writer;
    })();
    return this.closing;
  }
}
