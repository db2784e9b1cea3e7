// Changes analysts make to shared control-plane state: incident triage and
// rule exceptions. In the embedded default they apply at once; with --nats
// they go through VIGIL_ALERTS, so every replica applies them at the same
// place in the alert order (a closed incident takes no new alert on any
// replica, and every replica numbers incidents and exceptions alike).
import type { CloseReason, IncidentState } from '../store/incident-store';
import type { NewException } from '../store/exception-store';

export type Change =
  | { kind: 'triage'; actor: string; incident_id: number; state?: IncidentState; close_reason?: CloseReason; assignee?: string | null; comment?: string }
  | { kind: 'alert-triage'; actor: string; seq: number; state?: IncidentState; close_reason?: CloseReason; assignee?: string | null; comment?: string }
  | { kind: 'exception.create'; actor: string; exception: NewException }
  | { kind: 'exception.delete'; actor: string; id: number };

export const CHANGE_KINDS: readonly Change['kind'][] = ['triage', 'alert-triage', 'exception.create', 'exception.delete'];

/** A change read back from the stream: anything else is not applied. */
export function parseChange(bytes: Uint8Array): Change {
  const c = JSON.parse(Buffer.from(bytes).toString('utf8')) as Change;
  if (!c || typeof c !== 'object' || !CHANGE_KINDS.includes(c.kind) || typeof c.actor !== 'string') {
    throw new Error('not a control-plane change');
  }
  return c;
}
