// Alerts with a global, monotonic seq. Agent alerts are idempotent on
// (host_id, agent_seq): a re-sent batch inserts nothing new.
import type { Alert } from '../../../proto/src';
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
}

export interface StoredAlert extends AlertRecord { alert: Omit<Alert, 'json'> }

export interface AlertFilter {
  since_ms?: number; until_ms?: number; host?: string; rule?: string; min_severity_rank?: number; tag?: string;
}

interface Row {
  seq: number; host_id: string; agent_seq: number | null; alert_id: string; rule_id: string; rule_name: string;
  severity: string; severity_rank: number; tags: string; ts: string; received_at: string; source: string;
  alert: string; doc: string;
}

const toStored = (r: Row): StoredAlert => ({
  seq: r.seq, host_id: r.host_id, agent_seq: r.agent_seq, id: r.alert_id, rule_id: r.rule_id,
  rule_name: r.rule_name, severity: r.severity, severity_rank: r.severity_rank, tags: JSON.parse(r.tags),
  timestamp: r.ts, received_at: r.received_at, source: r.source, doc: JSON.parse(r.doc),
  alert: { ...JSON.parse(r.alert), global_seq: r.seq },
});

export function toRecord(s: StoredAlert): AlertRecord {
  const { alert: _alert, ...rec } = s;
  return rec;
}

function where(f: AlertFilter, params: unknown[]): string {
  const c: string[] = [];
  const add = (sql: string, v: unknown) => { c.push(sql); params.push(v); };
  if (f.since_ms !== undefined) add('ts_ms >= ?', f.since_ms);
  if (f.until_ms !== undefined) add('ts_ms <= ?', f.until_ms);
  if (f.host) add('host_id = ?', f.host);
  if (f.rule) add('rule_id = ?', f.rule);
  if (f.min_severity_rank) add('severity_rank >= ?', f.min_severity_rank);
  if (f.tag) add('EXISTS (SELECT 1 FROM json_each(alerts.tags) WHERE value = ?)', f.tag);
  return c.join(' AND ');
}

export class AlertStore {
  private readonly insertStmt;
  private readonly insertAtStmt;
  private readonly existsStmt;
  private readonly bySeqStmt;
  private readonly maxSeqStmt;
  private readonly maxAgentSeqStmt;

  constructor(private readonly db: Db) {
    this.existsStmt = db.prepare('SELECT 1 FROM alerts WHERE host_id = ? AND agent_seq = ?');
    // Prepared once: these run for every alert stored (get) or every hello/ack.
    this.bySeqStmt = db.prepare('SELECT * FROM alerts WHERE seq = ?');
    this.maxSeqStmt = db.prepare('SELECT MAX(seq) AS m FROM alerts');
    this.maxAgentSeqStmt = db.prepare('SELECT MAX(agent_seq) AS m FROM alerts WHERE host_id = ?');
    this.insertStmt = db.prepare(
      `INSERT INTO alerts (host_id, agent_seq, alert_id, rule_id, rule_name, severity, severity_rank, tags, ts, ts_ms,
         received_at, source, alert, doc)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (host_id, agent_seq) DO NOTHING`,
    );
    this.insertAtStmt = db.prepare(
      `INSERT INTO alerts (seq, host_id, agent_seq, alert_id, rule_id, rule_name, severity, severity_rank, tags, ts, ts_ms,
         received_at, source, alert, doc)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (host_id, agent_seq) DO NOTHING`,
    );
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
    );
    return res.changes === 0 ? null : this.get(Number(res.lastInsertRowid)) ?? null;
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
    const r = this.bySeqStmt.get(seq) as Row | undefined;
    return r && toStored(r);
  }

  /** A page in seq order: ascending after `cursor`, or descending before it. */
  page(f: AlertFilter, opts: { cursor?: number; order: 'asc' | 'desc'; limit: number }): StoredAlert[] {
    const params: unknown[] = [];
    const w = [where(f, params)].filter(Boolean);
    if (opts.cursor !== undefined) {
      w.push(opts.order === 'asc' ? 'seq > ?' : 'seq < ?');
      params.push(opts.cursor);
    }
    const sql = `SELECT * FROM alerts ${w.length ? 'WHERE ' + w.join(' AND ') : ''}
                 ORDER BY seq ${opts.order === 'asc' ? 'ASC' : 'DESC'} LIMIT ?`;
    params.push(opts.limit);
    return (this.db.prepare(sql).all(...params) as Row[]).map(toStored);
  }
}
