// ListFilter -> WHERE clauses over the alerts table. Values are always bound
// parameters. User and free text read the stored ECS document with
// json_extract (no extra columns, so no migration).
import type { ListFilter } from './list-filter';

/** Lower-cased text the free-text search looks in, for the alerts row aliased `a`. */
export const ALERT_SEARCH_TEXT = `lower(a.rule_name || ' ' || a.rule_id || ' ' || a.host_id || ' ' ||
  coalesce(json_extract(a.doc, '$.process.executable'), '') || ' ' || coalesce(json_extract(a.doc, '$.process.command_line'), '') || ' ' ||
  coalesce(json_extract(a.doc, '$.host.name'), '') || ' ' || coalesce(json_extract(a.doc, '$.user.name'), ''))`;

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
  if (f.tag) add('EXISTS (SELECT 1 FROM json_each(a.tags) WHERE lower(value) = lower(?))', f.tag);
  if (f.user) add(`(json_extract(a.doc, '$.user.name') = ? OR json_extract(a.doc, '$.user.id') = ?)`, f.user, f.user);
  if (f.q) add(`instr(${ALERT_SEARCH_TEXT}, lower(?)) > 0`, f.q);
  return c;
}
