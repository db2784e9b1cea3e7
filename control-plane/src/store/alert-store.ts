// Alerts with a global, monotonic seq. Agent alerts are idempotent on
// (host_id, agent_seq): a re-sent batch inserts nothing new.
import type { Alert } from '../../../proto/src';
import { alertClauses } from '../filters/alert-filter-sql';
import type { ListFilter } from '../filters/list-filter';
import type { Db } from './db';

export interface NewAlert {
  seq?: number;                   // explicit global seq (--nats: the stream sequence); else the next one
  host_id: string;
  agent_seq: number | null;       // null for control-plane alerts
  source: 'agent' | 'control-plane';
  alert: Omit<Alert, 'json'>;     // the message; global_seq is filled on read
  doc: Record<string, unknown>;   // the ECS alert document
}

/** One stored alert: what REST returns and JSON feed frames carry. */
export interface AlertRecord {
  seq: number; host_id: string; agent_seq: number | null; id: string; rule_id: string; rule_name: string;
  severity: string; severity_rank: number; tags: string[]; timestamp: string; received_at: string;
  source: string; doc: Record<string, unknown>;
  /** The incident the alert belongs to, and whether it opened it (absent before grouping). */
  incident_id?: number; incident_opened?: boolean;
}

export interface StoredAlert extends AlertRecord { alert: Omit<Alert, 'json'> }

/** Alerts are filtered like the feed's filter bar (filters/list-filter.ts). */
export type AlertFilter = ListFilter;

interface Row {
  seq: number; host_id: string; agent_seq: number | null; alert_id: string; rule_id: string; rule_name: string;
  severity: string; severity_rank: number; tags: string; ts: string; received_at: string; source: string;
  alert: string; doc: string;
  incident_id?: number | null; incident_opened?: number | null;
}

/** Alert columns plus its incident and whether it opened it. */
const WITH_INCIDENT = `SELECT a.*, ia.incident_id AS incident_id,
  (ia.seq IS NOT NULL AND NOT EXISTS (SELECT 1 FROM incident_alerts x WHERE x.incident_id = ia.incident_id AND x.seq < a.seq)) AS incident_opened
  FROM alerts a LEFT JOIN incident_alerts ia ON ia.seq = a.seq`;

const toStored = (r: Row): StoredAlert => ({
  seq: r.seq, host_id: r.host_id, agent_seq: r.agent_seq, id: r.alert_id, rule_id: r.rule_id,
  rule_name: r.rule_name, severity: r.severity, severity_rank: r.severity_rank, tags: JSON.parse(r.tags),
  timestamp: r.ts, received_at: r.received_at, source: r.source, doc: JSON.parse(r.doc),
  alert: { ...JSON.parse(r.alert), global_seq: r.seq },
  ...(r.incident_id != null ? { incident_id: r.incident_id, incident_opened: r.incident_opened === 1 } : {}),
});

export function toRecord(s: StoredAlert): AlertRecord {
  const { alert: _alert, ...rec } = s;
  return rec;
}

/** user.name and user.id of the ECS document, as the user filter matches them. */
function userOf(doc: Record<string, unknown>): [string | null, string | null] {
  const u = doc.user as { name?: unknown; id?: unknown } | undefined;
  const str = (x: unknown) => (typeof x === 'string' || typeof x === 'number' ? String(x) : null);
  return [str(u?.name), str(u?.id)];
}

export class AlertStore {
  private readonly insertStmt;
  private readonly insertAtStmt;
  private readonly existsStmt;
  private readonly tagStmt;
  // Prepared once: they run for every stored alert and every ack.
  private readonly maxAgentSeqStmt;
  private readonly maxSeqStmt;
  private readonly getStmt;
  private readonly insertedStmt;

  constructor(private readonly db: Db) {
    this.existsStmt = db.prepare('SELECT 1 FROM alerts WHERE host_id = ? AND agent_seq = ?');
    this.insertStmt = db.prepare(
      `INSERT INTO alerts (host_id, agent_seq, alert_id, rule_id, rule_name, severity, severity_rank, tags, ts, ts_ms,
         received_at, source, alert, doc, user_name, user_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (host_id, agent_seq) DO NOTHING`,
    );
    this.insertAtStmt = db.prepare(
      `INSERT INTO alerts (seq, host_id, agent_seq, alert_id, rule_id, rule_name, severity, severity_rank, tags, ts, ts_ms,
         received_at, source, alert, doc, user_name, user_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (host_id, agent_seq) DO NOTHING`,
    );
    this.tagStmt = db.prepare('INSERT OR IGNORE INTO alert_tags (tag, seq) VALUES (?, ?)');
    this.maxAgentSeqStmt = db.prepare('SELECT MAX(agent_seq) AS m FROM alerts WHERE host_id = ?');
    // Stream changes (triage, exceptions) take stream seqs too: a replica resumes after both.
    this.maxSeqStmt = db.prepare('SELECT MAX(m) AS m FROM (SELECT MAX(seq) AS m FROM alerts UNION ALL SELECT MAX(seq) FROM stream_changes)');
    this.getStmt = db.prepare(`${WITH_INCIDENT} WHERE a.seq = ?`);
    // A row just inserted has no incident yet (grouping comes after): no join on the ingest path.
    this.insertedStmt = db.prepare('SELECT * FROM alerts WHERE seq = ?');
  }

  /** Stores one alert; returns it with its global seq, or null when it is a duplicate. */
  insert(a: NewAlert, severityName: string, severityRank: number): StoredAlert | null {
    // Checked first because a conflicting AUTOINCREMENT insert still burns a seq.
    if (a.agent_seq !== null && this.existsStmt.get(a.host_id, a.agent_seq)) return null;
    const tags = [...a.alert.technique_ids, ...a.alert.tactic_names];
    const ts = a.alert.timestamp || new Date().toISOString();
    const tsMs = Number.isFinite(Date.parse(ts)) ? Date.parse(ts) : Date.now();
    const stmt = a.seq === undefined ? this.insertStmt : this.insertAtStmt;
    const res = stmt.run(
      ...(a.seq === undefined ? [] : [a.seq]), a.host_id, a.agent_seq, a.alert.id, a.alert.rule_id, a.alert.rule_name, severityName, severityRank,
      JSON.stringify(tags), ts, tsMs, new Date().toISOString(), a.source, JSON.stringify(a.alert), JSON.stringify(a.doc),
      ...userOf(a.doc),
    );
    if (res.changes === 0) return null;
    const seq = Number(res.lastInsertRowid);
    for (const t of new Set(tags.map((x) => x.toLowerCase()))) this.tagStmt.run(t, seq);
    const row = this.insertedStmt.get(seq) as Row | undefined;
    return row ? toStored(row) : null;
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  maxAgentSeq(hostId: string): number {
    const r = this.maxAgentSeqStmt.get(hostId) as { m: number | null };
    return r.m ?? 0;
  }

  maxSeq(): number {
    const r = this.maxSeqStmt.get() as { m: number | null };
    return r.m ?? 0;
  }

  get(seq: number): StoredAlert | undefined {
    const r = this.getStmt.get(seq) as Row | undefined;
    return r && toStored(r);
  }

  /** A page in seq order: ascending after `cursor`, or descending before it. */
  page(f: AlertFilter, opts: { cursor?: number; order: 'asc' | 'desc'; limit: number }): StoredAlert[] {
    const params: unknown[] = [];
    const w = alertClauses(f, params);
    if (opts.cursor !== undefined) {
      w.push(opts.order === 'asc' ? 'a.seq > ?' : 'a.seq < ?');
      params.push(opts.cursor);
    }
    const sql = `${WITH_INCIDENT} ${w.length ? 'WHERE ' + w.join(' AND ') : ''}
                 ORDER BY a.seq ${opts.order === 'asc' ? 'ASC' : 'DESC'} LIMIT ?`;
    params.push(opts.limit);
    return (this.db.prepare(sql).all(...params) as Row[]).map(toStored);
  }

  /** How many alerts match `f`, by severity name. */
  severityCounts(f: AlertFilter): Record<string, number> {
    const params: unknown[] = [];
    const w = alertClauses(f, params);
    const rows = this.db.prepare(`SELECT a.severity AS severity, COUNT(*) AS n FROM alerts a
      ${w.length ? 'WHERE ' + w.join(' AND ') : ''} GROUP BY +a.severity`).all(...params) as { severity: string; n: number }[];
    return Object.fromEntries(rows.map((r) => [r.severity, r.n]));
  }

  /** Alerts of these processes on one host, oldest first (the investigation view's per-process alerts). */
  byProcesses(hostId: string, entityIds: string[], limit = 500): StoredAlert[] {
    if (entityIds.length === 0) return [];
    const sql = `SELECT * FROM alerts WHERE host_id = ? AND json_extract(doc, '$.process.entity_id') IN (${entityIds.map(() => '?').join(', ')})
      ORDER BY seq LIMIT ?`;
    return (this.db.prepare(sql).all(hostId, ...entityIds, limit) as Row[]).map(toStored);
  }
}
