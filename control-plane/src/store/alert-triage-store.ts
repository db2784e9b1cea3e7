// Triage of a single alert (PATCH /v1/alerts/:seq): the same states, close
// reasons, assignee and comments as an incident's, for teams that triage
// alert by alert. An alert never triaged is open.
import type { Db } from './db';
import { patchTriage, type CloseReason, type IncidentState, type TriagePatch } from './incident-store';

export interface AlertTriage {
  seq: number; state: IncidentState; close_reason: CloseReason | null; assignee: string | null;
  updated_at: string | null; updated_by: string | null;
}

export class AlertTriageStore {
  private readonly getStmt;
  private readonly upsertStmt;
  private readonly commentStmt;
  private readonly commentsStmt;

  constructor(db: Db) {
    this.getStmt = db.prepare('SELECT * FROM alert_triage WHERE seq = ?');
    this.upsertStmt = db.prepare(`INSERT INTO alert_triage (seq, state, close_reason, assignee, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (seq) DO UPDATE SET state = excluded.state, close_reason = excluded.close_reason, assignee = excluded.assignee,
        updated_at = excluded.updated_at, updated_by = excluded.updated_by`);
    this.commentStmt = db.prepare('INSERT INTO alert_comments (seq, ts, actor, text) VALUES (?, ?, ?, ?)');
    this.commentsStmt = db.prepare('SELECT ts, actor, text FROM alert_comments WHERE seq = ? ORDER BY id');
  }

  get(seq: number): AlertTriage {
    return (this.getStmt.get(seq) as AlertTriage | undefined)
      ?? { seq, state: 'open', close_reason: null, assignee: null, updated_at: null, updated_by: null };
  }

  update(seq: number, actor: string, patch: TriagePatch): AlertTriage {
    const t = patchTriage(this.get(seq), patch);
    this.upsertStmt.run(seq, t.state, t.close_reason, t.assignee, new Date().toISOString(), actor);
    return this.get(seq);
  }

  comment(seq: number, actor: string, text: string): void {
    this.commentStmt.run(seq, new Date().toISOString(), actor, text);
  }

  comments(seq: number): { ts: string; actor: string; text: string }[] {
    return this.commentsStmt.all(seq) as { ts: string; actor: string; text: string }[];
  }
}
