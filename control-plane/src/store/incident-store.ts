// Incidents: alerts that share a process subtree within a window, grouped so
// that one behaviour is one thing to triage. An alert joins an open incident
// of its host when its process, its parent, or one of its ancestors already
// anchors that incident (the processes that alerted and their parents, never
// pid 1). The same rule on an ancestor and a descendant for one command line
// counts once.
import { incidentClauses, type IncidentFilter } from '../filters/incident-filter-sql';
import type { Db } from './db';
import type { StoredAlert } from './alert-store';

export const INCIDENT_WINDOW_MS = 30 * 60_000;
export const INCIDENT_STATES = ['open', 'acknowledged', 'closed'] as const;
export const CLOSE_REASONS = ['true_positive', 'benign', 'false_positive'] as const;
export type IncidentState = (typeof INCIDENT_STATES)[number];
export type CloseReason = (typeof CLOSE_REASONS)[number];

/** Triage fields an incident and a single alert share. */
export interface Triage { state: IncidentState; close_reason: CloseReason | null; assignee: string | null }
export type TriagePatch = { state?: IncidentState; close_reason?: CloseReason | null; assignee?: string | null };

/** `cur` with `patch` applied: a reason only while closed, an absent field kept. */
export function patchTriage(cur: Triage, patch: TriagePatch): Triage {
  const state = patch.state ?? cur.state;
  return {
    state,
    close_reason: state === 'closed' ? patch.close_reason ?? cur.close_reason : null,
    assignee: patch.assignee === undefined ? cur.assignee : patch.assignee,
  };
}

export interface Incident {
  id: number; host_id: string; title: string; severity: string; severity_rank: number; state: IncidentState;
  close_reason: CloseReason | null; assignee: string | null; first: string; last: string;
  alert_count: number; distinct_count: number; rules: string[]; tags: string[];
}

interface Row {
  id: number; host_id: string; title: string; severity: string; severity_rank: number; state: IncidentState;
  close_reason: CloseReason | null; assignee: string | null; first_ms: number; last_ms: number;
  alert_count: number; distinct_count: number; rules: string; tags: string;
}

const toIncident = (r: Row): Incident => ({
  id: r.id, host_id: r.host_id, title: r.title, severity: r.severity, severity_rank: r.severity_rank, state: r.state,
  close_reason: r.close_reason, assignee: r.assignee, first: new Date(r.first_ms).toISOString(), last: new Date(r.last_ms).toISOString(),
  alert_count: r.alert_count, distinct_count: r.distinct_count, rules: JSON.parse(r.rules), tags: JSON.parse(r.tags),
});

export type { IncidentFilter } from '../filters/incident-filter-sql';

type Ancestor = { pid?: number; entity_id?: string; args?: string[] };
type Proc = { pid?: number; entity_id?: string; command_line?: string; args?: string[]; parent?: { entity_id?: string; pid?: number }; ancestors?: Ancestor[] };

const commandLine = (p: Proc | undefined): string => p?.command_line ?? (p?.args ?? []).join(' ');

export class IncidentStore {
  // The ingest path's statements, prepared once: assign() runs for every alert.
  private readonly q;

  constructor(private readonly db: Db) {
    this.q = {
      byAnchor: db.prepare('SELECT i.* FROM incident_anchors a JOIN incidents i ON i.id = a.incident_id WHERE a.host_id = ? AND a.entity_id = ?'),
      sameRule: db.prepare(`SELECT al.doc FROM incident_alerts ia JOIN alerts al ON al.seq = ia.seq
        WHERE ia.incident_id = ? AND al.rule_id = ?`),
      insert: db.prepare(`INSERT INTO incidents (host_id, title, severity, severity_rank, first_ms, last_ms, alert_count, distinct_count, rules, tags)
        VALUES (?, ?, ?, ?, ?, ?, 1, 1, ?, ?)`),
      grow: db.prepare(`UPDATE incidents SET last_ms = MAX(last_ms, ?), first_ms = MIN(first_ms, ?), alert_count = alert_count + 1,
        distinct_count = distinct_count + ?, rules = ?, tags = ?, severity = ?, severity_rank = ?, title = ? WHERE id = ?`),
      member: db.prepare('INSERT OR IGNORE INTO incident_alerts (seq, incident_id, duplicate) VALUES (?, ?, ?)'),
      anchor: db.prepare('INSERT OR REPLACE INTO incident_anchors (host_id, entity_id, incident_id) VALUES (?, ?, ?)'),
    };
  }

  /** Puts a stored alert into its incident (a new one when none matches). */
  assign(a: StoredAlert): { id: number; opened: boolean } {
    return this.db.transaction(() => this.assignTx(a))();
  }

  private assignTx(a: StoredAlert): { id: number; opened: boolean } {
    const doc = a.doc as { process?: Proc; '@timestamp'?: string } | null;
    const p = doc?.process;
    const ts = Date.parse(a.timestamp) || Date.now();
    const chain: string[] = [];
    if (p?.entity_id) chain.push(p.entity_id);
    for (const anc of p?.ancestors ?? []) if (anc.entity_id && anc.pid !== 1) chain.push(anc.entity_id);
    let incident: Row | undefined;
    for (const e of chain) {
      const hit = this.q.byAnchor.get(a.host_id, e) as Row | undefined;
      if (hit && hit.state !== 'closed' && ts - hit.last_ms <= INCIDENT_WINDOW_MS) {
        incident = hit;
        break;
      }
    }
    const rules = new Set<string>(incident ? JSON.parse(incident.rules) : []);
    const tags = new Set<string>(incident ? JSON.parse(incident.tags) : []);
    // One command line, one rule: once per incident (timeout bash -c '... /dev/tcp ...' alerts on both).
    const cmd = commandLine(p);
    const cmdLines = new Set<string>([cmd, ...(p?.ancestors ?? []).map((x) => (x.args ?? []).join(' '))].filter(Boolean));
    let duplicate = false;
    if (incident) {
      const earlier = this.q.sameRule.all(incident.id, a.rule_id) as { doc: string }[];
      duplicate = earlier.some((r) => {
        const q = (JSON.parse(r.doc) as { process?: Proc }).process;
        const theirs = [commandLine(q), ...(q?.ancestors ?? []).map((x) => (x.args ?? []).join(' '))].filter(Boolean);
        return theirs.some((c) => cmdLines.has(c));
      });
    }
    rules.add(a.rule_id);
    for (const t of a.tags ?? []) tags.add(t);
    let id: number;
    if (!incident) {
      id = Number(this.q.insert.run(a.host_id, a.rule_name, a.severity, a.severity_rank, ts, ts, JSON.stringify([...rules]), JSON.stringify([...tags])).lastInsertRowid);
    } else {
      id = incident.id;
      const higher = a.severity_rank > incident.severity_rank;
      this.q.grow.run(ts, ts, duplicate ? 0 : 1, JSON.stringify([...rules]), JSON.stringify([...tags]), higher ? a.severity : incident.severity,
          higher ? a.severity_rank : incident.severity_rank, higher ? a.rule_name : incident.title, id);
    }
    this.q.member.run(a.seq, id, duplicate ? 1 : 0);
    // Anchors: the alerting process and its parent (not pid 1).
    if (p?.entity_id) this.q.anchor.run(a.host_id, p.entity_id, id);
    const parent = p?.ancestors?.[0] ?? p?.parent;
    if (parent?.entity_id && parent.pid !== 1) this.q.anchor.run(a.host_id, parent.entity_id, id);
    return { id, opened: !incident };
  }

  get(id: number): Incident | undefined {
    const r = this.db.prepare('SELECT * FROM incidents WHERE id = ?').get(id) as Row | undefined;
    return r ? toIncident(r) : undefined;
  }

  alertSeqs(id: number): { seq: number; duplicate: boolean }[] {
    return (this.db.prepare('SELECT seq, duplicate FROM incident_alerts WHERE incident_id = ? ORDER BY seq').all(id) as { seq: number; duplicate: number }[])
      .map((r) => ({ seq: r.seq, duplicate: r.duplicate === 1 }));
  }

  incidentOf(seq: number): number | undefined {
    return (this.db.prepare('SELECT incident_id FROM incident_alerts WHERE seq = ?').get(seq) as { incident_id: number } | undefined)?.incident_id;
  }

  page(f: IncidentFilter, limit: number): Incident[] {
    const params: unknown[] = [];
    const where = incidentClauses(f, params);
    const sql = `SELECT i.* FROM incidents i ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY i.id DESC LIMIT ?`;
    return (this.db.prepare(sql).all(...params, limit) as Row[]).map(toIncident);
  }

  /** How many incidents match `f`, by severity name. */
  severityCounts(f: IncidentFilter): Record<string, number> {
    const params: unknown[] = [];
    const where = incidentClauses(f, params);
    const rows = this.db.prepare(`SELECT i.severity AS severity, COUNT(*) AS n FROM incidents i
      ${where.length ? `WHERE ${where.join(' AND ')}` : ''} GROUP BY i.severity`).all(...params) as { severity: string; n: number }[];
    return Object.fromEntries(rows.map((r) => [r.severity, r.n]));
  }

  update(id: number, patch: TriagePatch): Incident | undefined {
    const cur = this.get(id);
    if (!cur) return undefined;
    const t = patchTriage(cur, patch);
    this.db.prepare('UPDATE incidents SET state = ?, close_reason = ?, assignee = ? WHERE id = ?').run(t.state, t.close_reason, t.assignee, id);
    return this.get(id);
  }

  comment(id: number, actor: string, text: string): void {
    this.db.prepare('INSERT INTO incident_comments (incident_id, ts, actor, text) VALUES (?, ?, ?, ?)').run(id, new Date().toISOString(), actor, text);
  }

  comments(id: number): { ts: string; actor: string; text: string }[] {
    return this.db.prepare('SELECT ts, actor, text FROM incident_comments WHERE incident_id = ? ORDER BY id').all(id) as { ts: string; actor: string; text: string }[];
  }
}
