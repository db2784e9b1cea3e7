// Feed filters from the stream URL, applied in SQL for replay
// (AlertStore.page) and here for live alerts: the two must agree.
import { VigilError } from '../errors';
import { SEVERITY_NAMES, severityRank } from '../../../proto/src';
import type { AlertFilter, StoredAlert } from '../store/alert-store';

export interface FeedParams { after?: number; filter: AlertFilter }

export function parseFeedParams(q: URLSearchParams): FeedParams {
  const filter: AlertFilter = {};
  const after = q.get('after');
  let afterSeq: number | undefined;
  if (after !== null) {
    if (!/^\d{1,15}$/.test(after)) throw new VigilError('BAD_REQUEST', `after must be a non-negative integer seq, got "${after}"`);
    afterSeq = Number(after);
  }
  if (q.get('host')) filter.host = q.get('host')!;
  if (q.get('rule')) filter.rule = q.get('rule')!;
  if (q.get('tag')) filter.tag = q.get('tag')!;
  const sev = q.get('min_severity');
  if (sev) {
    if (!(SEVERITY_NAMES as readonly string[]).includes(sev)) {
      throw new VigilError('BAD_REQUEST', `min_severity must be one of ${SEVERITY_NAMES.slice(1).join(', ')}`);
    }
    filter.min_severity_rank = severityRank(sev as (typeof SEVERITY_NAMES)[number]);
  }
  return { after: afterSeq, filter };
}

export function matches(a: StoredAlert, f: AlertFilter): boolean {
  const tsMs = Date.parse(a.timestamp);
  if (f.since_ms !== undefined && !(tsMs >= f.since_ms)) return false;
  if (f.until_ms !== undefined && !(tsMs <= f.until_ms)) return false;
  if (f.host && a.host_id !== f.host) return false;
  if (f.rule && a.rule_id !== f.rule) return false;
  if (f.min_severity_rank && a.severity_rank < f.min_severity_rank) return false;
  if (f.severity_ranks?.length && !f.severity_ranks.includes(a.severity_rank)) return false;
  if (f.tag && !a.tags.some((t) => t.toLowerCase() === f.tag!.toLowerCase())) return false;
  return true;
}
