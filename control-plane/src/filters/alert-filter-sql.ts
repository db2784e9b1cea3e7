// ListFilter -> WHERE clauses over the alerts table. Values are always bound
// parameters. User and free text read the stored ECS document (no extra
// columns, so no migration).
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

/**
 * user.name or user.id: the raw text must contain the value before the
 * document is parsed, so most rows never are.
 */
export const ALERT_USER_MATCH = "(instr(a.doc, ?) > 0 AND (json_extract(a.doc, '$.user.name') = ? OR json_extract(a.doc, '$.user.id') = ?))";

/** A tag of a JSON array column, any case: the LIKE over its text spares json_each on most rows. */
export const TAG_MATCH = (col: string) => `(${col} LIKE ? ESCAPE '\\' AND EXISTS (SELECT 1 FROM json_each(${col}) WHERE lower(value) = lower(?)))`;

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
  if (f.tag) add(TAG_MATCH('a.tags'), likePattern(JSON.stringify(f.tag)), f.tag);
  if (f.user) add(ALERT_USER_MATCH, JSON.stringify(f.user).slice(1, -1), f.user, f.user);
  if (f.q) add(ALERT_TEXT_MATCH, likePattern(f.q), likePattern(f.q), likePattern(f.q));
  return c;
}
