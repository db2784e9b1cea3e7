// The responder's records in the agent's database: an audit row for every
// action, automatic or manual (who or what asked, why, what was done, the
// outcome), and an inbox through which `vigil respond` asks the running
// agent for what only it can do (isolation needs its loader).
import type Database from 'better-sqlite3';
import { openWritableDb } from '../store/open-db';

const DDL = `
CREATE TABLE IF NOT EXISTS response_audit (
  id INTEGER PRIMARY KEY, ts INTEGER NOT NULL, action TEXT NOT NULL, target TEXT NOT NULL,
  requested_by TEXT NOT NULL, reason TEXT, ok INTEGER NOT NULL, error TEXT, pids TEXT, latency_ms REAL, ref TEXT);
CREATE INDEX IF NOT EXISTS response_audit_ts ON response_audit (ts);
CREATE TABLE IF NOT EXISTS response_requests (
  id INTEGER PRIMARY KEY, action TEXT NOT NULL, target TEXT NOT NULL, comment TEXT, requested_by TEXT NOT NULL,
  created INTEGER NOT NULL, state TEXT NOT NULL DEFAULT 'pending', result TEXT);
`;

export interface AuditEntry {
  action: string;
  target: Record<string, unknown>;
  requestedBy: string;
  reason?: string;
  ok: boolean;
  error?: string;
  pids?: number[];
  latencyMs?: number;
  /** Isolation id, alert id: what later records refer to. */
  ref?: string;
}

export interface AuditRow {
  id: number; ts: number; action: string; target: string; requested_by: string; reason: string | null;
  ok: number; error: string | null; pids: string | null; latency_ms: number | null; ref: string | null;
}

export interface ResponseRequest {
  id: number;
  action: string;
  target: string;
  comment: string | null;
  requested_by: string;
}

export class ResponseDb {
  readonly db: Database.Database;

  constructor(path: string) {
    this.db = openWritableDb(path);
    this.db.pragma('busy_timeout = 1000');
    this.db.exec(DDL);
  }

  audit(e: AuditEntry): void {
    this.db.prepare(`INSERT INTO response_audit (ts, action, target, requested_by, reason, ok, error, pids, latency_ms, ref)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(Date.now(), e.action, JSON.stringify(e.target), e.requestedBy, e.reason ?? null,
      e.ok ? 1 : 0, e.error ?? null, e.pids ? JSON.stringify(e.pids) : null, e.latencyMs ?? null, e.ref ?? null);
  }

  auditRows(limit = 100): AuditRow[] {
    return this.db.prepare('SELECT * FROM response_audit ORDER BY id DESC LIMIT ?').all(limit) as AuditRow[];
  }

  request(action: string, target: Record<string, unknown>, requestedBy: string, comment?: string): number {
    return Number(this.db.prepare('INSERT INTO response_requests (action, target, comment, requested_by, created) VALUES (?, ?, ?, ?, ?)')
      .run(action, JSON.stringify(target), comment ?? null, requestedBy, Date.now()).lastInsertRowid);
  }

  pending(): ResponseRequest[] {
    return this.db.prepare("SELECT id, action, target, comment, requested_by FROM response_requests WHERE state = 'pending' ORDER BY id").all() as ResponseRequest[];
  }

  finish(id: number, ok: boolean, result: unknown): void {
    this.db.prepare('UPDATE response_requests SET state = ?, result = ? WHERE id = ?').run(ok ? 'done' : 'failed', JSON.stringify(result), id);
  }

  outcome(id: number): { state: string; result: string | null } | undefined {
    return this.db.prepare('SELECT state, result FROM response_requests WHERE id = ?').get(id) as { state: string; result: string | null } | undefined;
  }

  close(): void {
    this.db.close();
  }
}
