// Query-string filters shared by GET /v1/alerts and GET /v1/incidents (and
// their /counts): what the dashboard's filter bar sends.
import { hostId, severityName, timeString } from './common';

const text = { type: 'string', minLength: 1, maxLength: 256 } as const;

export const listFilterProperties = {
  since: timeString,
  until: timeString,
  host: hostId,
  rule: text,
  tag: text,
  user: text,
  q: text,
  min_severity: severityName,
  // "high,critical": checked by parseListFilter so a bad name gets a message naming the good ones.
  severity: { type: 'string', minLength: 1, maxLength: 128 },
} as const;

export interface ListFilterQuery {
  since?: string; until?: string; host?: string; rule?: string; tag?: string; user?: string; q?: string;
  min_severity?: string; severity?: string;
}
