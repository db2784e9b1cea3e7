// Helpers over the protocol enums: the event type of an Event (from its
// oneof member) and the ordering of severities for min_severity filters.
import type { Event, EventType, Severity } from './types';
import { SEVERITIES } from './types';

export function eventTypeOf(event: Pick<Event, 'action'>): EventType {
  return event.action ? (`EVENT_TYPE_${event.action.toUpperCase()}` as EventType) : 'EVENT_TYPE_UNSPECIFIED';
}

/** Short lowercase names, as Sigma `level` and REST filters spell them. */
export const SEVERITY_NAMES = ['unspecified', 'informational', 'low', 'medium', 'high', 'critical'] as const;
export type SeverityName = (typeof SEVERITY_NAMES)[number];

export function severityRank(s: Severity | SeverityName): number {
  const i = s.startsWith('SEVERITY_') ? SEVERITIES.indexOf(s as Severity) : SEVERITY_NAMES.indexOf(s as SeverityName);
  return i < 0 ? 0 : i;
}

export function severityFromName(name: string): Severity {
  const i = SEVERITY_NAMES.indexOf(name.toLowerCase() as SeverityName);
  return SEVERITIES[i < 0 ? 0 : i];
}
