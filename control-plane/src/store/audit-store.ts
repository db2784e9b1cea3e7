// Append-only audit trail: every query run and every token change.
import type { Db } from './db';

export interface AuditEntry { id: number; ts: string; actor: string; action: string; detail: unknown }

export class AuditStore {
  private readonly insert;
  private readonly recent;

  constructor(db: Db) {
    this.insert = db.prepare('INSERT INTO audit (ts, actor, action, detail) VALUES (?, ?, ?, ?)');
    this.recent = db.prepare('SELECT * FROM audit ORDER BY id DESC LIMIT ?');
  }

  record(actor: string, action: string, detail: unknown): void {
    this.insert.run(new Date().toISOString(), actor, action, JSON.stringify(detail ?? {}));
  }

  list(limit = 100): AuditEntry[] {
    return (this.recent.all(limit) as Array<Omit<AuditEntry, 'detail'> & { detail: string }>)
      .map((r) => ({ ...r, detail: JSON.parse(r.detail) }));
  }
}
