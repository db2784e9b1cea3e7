// Applies a Change to this replica's stores, inside the caller's
// transaction, and says what to do once it commits (push exceptions to the
// agents connected here). Changes from the stream are applied once: their
// stream seq is recorded in the same transaction.
import type { AgentRegistry } from '../agents/agent-registry';
import { broadcastExceptions } from '../exceptions/exception-push';
import type { AuditStore } from '../store/audit-store';
import type { Db } from '../store/db';
import type { ExceptionStore, StoredException } from '../store/exception-store';
import type { Incident, IncidentStore } from '../store/incident-store';
import type { AlertTriage, AlertTriageStore } from '../store/alert-triage-store';
import type { Change } from './change';

export type ChangeResult =
  | { kind: 'triage'; incident: Incident | undefined }
  | { kind: 'alert-triage'; triage: AlertTriage }
  | { kind: 'exception.create'; exception: StoredException }
  | { kind: 'exception.delete'; deleted: StoredException | undefined };

/** Results kept for the replica's own callers (FleetChangeLog) until taken; bounded. */
const RECENT_MAX = 1000;

export class ChangeApplier {
  private readonly recent = new Map<number, ChangeResult>();
  private readonly markApplied;
  private readonly maxAppliedStmt;

  constructor(db: Db, private readonly incidents: IncidentStore, private readonly exceptions: ExceptionStore,
    private readonly audit: AuditStore, private readonly registry: AgentRegistry, private readonly alertTriage: AlertTriageStore) {
    this.markApplied = db.prepare('INSERT OR IGNORE INTO stream_changes (seq, kind, applied_at) VALUES (?, ?, ?)');
    this.maxAppliedStmt = db.prepare('SELECT MAX(seq) AS m FROM stream_changes');
  }

  /** Keeps the result of the change at stream `seq` for whoever submitted it here. */
  remember(seq: number, result: ChangeResult): void {
    this.recent.set(seq, result);
    if (this.recent.size > RECENT_MAX) this.recent.delete(this.recent.keys().next().value as number);
  }

  takeResult(seq: number): ChangeResult | undefined {
    const r = this.recent.get(seq);
    if (r) this.recent.delete(seq);
    return r;
  }

  /** Highest stream seq of a change applied here (0: none). */
  maxApplied(): number {
    return (this.maxAppliedStmt.get() as { m: number | null }).m ?? 0;
  }

  /**
   * Applies `c` (call inside a transaction). With `streamSeq`, a change
   * already applied is skipped (null). `after` runs once the transaction commits.
   */
  apply(c: Change, streamSeq?: number): { result: ChangeResult; after: () => void } | null {
    if (streamSeq !== undefined && this.markApplied.run(streamSeq, c.kind, new Date().toISOString()).changes === 0) return null;
    switch (c.kind) {
      case 'triage': {
        const before = this.incidents.get(c.incident_id);
        if (!before) return { result: { kind: 'triage', incident: undefined }, after: () => {} };
        const incident = this.incidents.update(before.id, { state: c.state, close_reason: c.close_reason, assignee: c.assignee });
        if (c.comment) this.incidents.comment(before.id, c.actor, c.comment);
        const { kind: _k, actor: _a, incident_id: _i, ...to } = c;
        this.audit.record(c.actor, 'incident.update', { id: before.id, from: { state: before.state, assignee: before.assignee }, to });
        return { result: { kind: 'triage', incident }, after: () => {} };
      }
      case 'alert-triage': {
        const before = this.alertTriage.get(c.seq);
        const triage = this.alertTriage.update(c.seq, c.actor, { state: c.state, close_reason: c.close_reason, assignee: c.assignee });
        if (c.comment) this.alertTriage.comment(c.seq, c.actor, c.comment);
        const { kind: _k, actor: _a, seq: _s, ...to } = c;
        this.audit.record(c.actor, 'alert.update', { seq: c.seq, from: { state: before.state, assignee: before.assignee }, to });
        return { result: { kind: 'alert-triage', triage }, after: () => {} };
      }
      case 'exception.create': {
        const exception = this.exceptions.add(c.exception);
        this.audit.record(c.actor, 'exception.create', exception);
        return { result: { kind: 'exception.create', exception }, after: () => broadcastExceptions(this.registry, this.exceptions, exception.host) };
      }
      case 'exception.delete': {
        const gone = this.exceptions.get(c.id);
        if (gone) {
          this.exceptions.remove(gone.id);
          this.audit.record(c.actor, 'exception.delete', gone);
        }
        return { result: { kind: 'exception.delete', deleted: gone }, after: () => { if (gone) broadcastExceptions(this.registry, this.exceptions, gone.host); } };
      }
    }
  }
}
