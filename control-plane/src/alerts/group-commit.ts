// Agent alert batches that arrive in one turn of the event loop are stored
// in one transaction (AlertIngest.fromAgentBatches) and each is acked after
// that commit. Nothing waits for a timer: the flush runs on setImmediate,
// right after the socket reads of the current turn.
import type { Alert } from '../../../proto/src';
import type { AlertIngest } from './alert-ingest';

interface Pending {
  hostId: string;
  items: Array<{ seq: number; alert: Alert }>;
  /** Called after the commit, or with the error that rolled it back. */
  done(err?: unknown): void;
}

export class GroupCommit {
  private pending: Pending[] = [];
  private scheduled = false;
  /** Transactions and batches since start, for the metrics. */
  readonly counters = { commits: 0, batches: 0 };

  constructor(private readonly ingest: AlertIngest) {}

  add(hostId: string, items: Pending['items'], done: Pending['done']): void {
    this.pending.push({ hostId, items, done });
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  flush(): void {
    this.scheduled = false;
    const batch = this.pending;
    this.pending = [];
    if (!batch.length) return;
    try {
      this.ingest.fromAgentBatches(batch);
    } catch (err) {
      for (const b of batch) b.done(err);
      return;
    }
    this.counters.commits++;
    this.counters.batches += batch.length;
    for (const b of batch) b.done();
  }
}
