// ListFilter (+ triage states) -> WHERE clauses over the incidents table
// aliased `i`. Time matches overlap: an incident is in [since, until] when
// any of its activity is. User and free text look into the member alerts.
import { ALERT_TEXT_MATCH, TAG_MATCH, USER_ALERT_SEQS, likePattern } from './alert-filter-sql';
import type { ListFilter } from './list-filter';

export interface IncidentFilter extends ListFilter {
  states?: string[];
  before_id?: number;
}

const member = (cond: string) =>
  `EXISTS (SELECT 1 FROM incident_alerts ia JOIN alerts a ON a.seq = ia.seq WHERE ia.incident_id = i.id AND ${cond})`;

export function incidentClauses(f: IncidentFilter, params: unknown[]): string[] {
  const c: string[] = [];
  const add = (sql: string, ...v: unknown[]) => { c.push(sql); params.push(...v); };
  const list = (n: number) => Array.from({ length: n }, () => '?').join(', ');
  if (f.since_ms !== undefined) add('i.last_ms >= ?', f.since_ms);
  if (f.until_ms !== undefined) add('i.first_ms <= ?', f.until_ms);
  if (f.host) add('i.host_id = ?', f.host);
  if (f.rule) add('EXISTS (SELECT 1 FROM json_each(i.rules) WHERE value = ?)', f.rule);
  if (f.min_severity_rank !== undefined) add('i.severity_rank >= ?', f.min_severity_rank);
  if (f.severity_ranks?.length) add(`i.severity_rank IN (${list(f.severity_ranks.length)})`, ...f.severity_ranks);
  if (f.tag) add(TAG_MATCH('i.tags'), likePattern(JSON.stringify(f.tag)), f.tag);
  if (f.states?.length) add(`i.state IN (${list(f.states.length)})`, ...f.states);
  if (f.before_id !== undefined) add('i.id < ?', f.before_id);
  if (f.user) add(`i.id IN (SELECT incident_id FROM incident_alerts WHERE seq IN ${USER_ALERT_SEQS})`, f.user, f.user);
  if (f.q) {
    const like = likePattern(f.q);
    add(`(i.title LIKE ? ESCAPE '\\' OR i.rules LIKE ? ESCAPE '\\' OR ${member(ALERT_TEXT_MATCH)})`, like, like, like, like, like);
  }
  return c;
}
