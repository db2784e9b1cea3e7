// ListFilter -> WHERE clauses over the alerts table. Values are always bound
// parameters. User and tag go through indexed columns (user_name, user_id,
// alert_tags, filled at insert); free text reads the stored ECS document.
import type { ListFilter } from './list-filter';

/**
 * Free text: a case-insensitive (ASCII) substring of the rule name, the host
 * id or anywhere in the stored ECS document (rule, host name, process,
 * command line, user, events). LIKE over the document's text needs no JSON
 * parsing per row, which is what keeps it fast at 100,000 alerts
 * (bench/feed-filters.mjs).
 */
export const ALERT_TEXT_MATCH = "(a.rule_name LIKE ? ESCAPE '\\' OR a.host_id LIKE ? ESCAPE '\\' OR a.doc LIKE ? ESCAPE '\\')";

/** The LIKE pattern of a free-text search: its own %, _ and \ are literal. */
export const likePattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** Seqs of the alerts whose user.name or user.id is the bound value (twice), by index. */
export const USER_ALERT_SEQS = '(SELECT seq FROM alerts WHERE user_name = ? UNION ALL SELECT seq FROM alerts WHERE user_id = ?)';
export const ALERT_USER_MATCH = `a.seq IN ${USER_ALERT_SEQS}`;

/** A technique id or tactic name of the alert, any case, by index. */
export const ALERT_TAG_MATCH = 'a.seq IN (SELECT seq FROM alert_tags WHERE tag = lower(?))';

/** A tag of a JSON array column, any case: the LIKE over its text spares json_each on most rows. */
export const TAG_MATCH = (col: string) => `(${col} LIKE ? ESCAPE '\\' AND EXISTS (SELECT 1 FROM json_each(${col}) WHERE lower(value) = lower(?)))`;

/** The alert is the first of its incident. */
export const OPENED_INCIDENT = `EXISTS (SELECT 1 FROM incident_alerts oi WHERE oi.seq = a.seq
  AND NOT EXISTS (SELECT 1 FROM incident_alerts ox WHERE ox.incident_id = oi.incident_id AND ox.seq < oi.seq))`;

/** Clauses for the alerts row aliased `a`; pushes their parameters onto `params`. */
export function alertClauses(f: ListFilter, params: unknown[]): string[] {
  const c: string[] = [];
  const add = (sql: string, ...v: unknown[]) => { c.push(sql); params.push(...v); };
  if (f.since_ms !== undefined) add('a.ts_ms >= ?', f.since_ms);
  if (f.until_ms !== undefined) add('a.ts_ms <= ?', f.until_ms);
  if (f.host) add('a.host_id = ?', f.host);
  if (f.rule) add('a.rule_id = ?', f.rule);
  if (f.min_severity_rank) add('a.severity_rank >= ?', f.min_severity_rank);
  if (f.severity_ranks?.length) add(`a.severity_rank IN (${f.severity_ranks.map(() => '?').join(', ')})`, ...f.severity_ranks);
  if (f.tag) add(ALERT_TAG_MATCH, f.tag);
  if (f.user) add(ALERT_USER_MATCH, f.user, f.user);
  if (f.opened_incident) add(OPENED_INCIDENT);
  if (f.q) add(ALERT_TEXT_MATCH, likePattern(f.q), likePattern(f.q), likePattern(f.q));
  return c;
}
