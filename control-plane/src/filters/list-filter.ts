// The filter an analyst sets on the alert feed or the incident list, parsed
// once from the query string into typed values the stores turn into SQL.
import { VigilError } from '../errors';
import { SEVERITY_NAMES, severityRank, type SeverityName } from '../../../proto/src/enums';
import type { ListFilterQuery } from '../schemas/list-filters';
import { parseTime } from '../time-range';

export interface ListFilter {
  since_ms?: number; until_ms?: number; host?: string; rule?: string;
  /** Compared case-insensitively: tag=execution matches the tactic "Execution". */
  tag?: string;
  user?: string;
  /** Free text: a case-insensitive substring of the rule name, host id or the alert document. */
  q?: string;
  min_severity_rank?: number;
  /** Any of these ranks (severity=high,critical). */
  severity_ranks?: number[];
}

const NAMES = SEVERITY_NAMES.slice(1);

export function parseSeverityList(value: string): number[] {
  const names = value.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  const bad = names.filter((n) => !NAMES.includes(n as SeverityName));
  if (names.length === 0 || bad.length) {
    throw new VigilError('BAD_REQUEST', `severity must be a comma-separated list of ${NAMES.join(', ')}; got "${value}"`);
  }
  return [...new Set(names.map((n) => severityRank(n as SeverityName)))].sort();
}

export function parseListFilter(q: ListFilterQuery, now = Date.now()): ListFilter {
  const f: ListFilter = {
    since_ms: q.since ? parseTime(q.since, 'since', now) : undefined,
    until_ms: q.until ? parseTime(q.until, 'until', now) : undefined,
    host: q.host, rule: q.rule, tag: q.tag, user: q.user, q: q.q,
    min_severity_rank: q.min_severity ? severityRank(q.min_severity as SeverityName) : undefined,
    severity_ranks: q.severity ? parseSeverityList(q.severity) : undefined,
  };
  if (f.since_ms !== undefined && f.until_ms !== undefined && f.since_ms > f.until_ms) {
    throw new VigilError('BAD_REQUEST', `since (${q.since}) is later than until (${q.until}); swap them`);
  }
  return f;
}

/** The same filter without its severity parts: severity counts show what each severity would add. */
export const withoutSeverity = <F extends ListFilter>(f: F): F => ({ ...f, min_severity_rank: undefined, severity_ranks: undefined });
