// PATCH body of an incident or an alert: state, close reason, assignee, comment.
import { VigilError } from '../errors';
import { CLOSE_REASONS, INCIDENT_STATES, type CloseReason, type IncidentState } from '../store/incident-store';

export const MAX_TRIAGE_COMMENT = 4000;

export interface TriageBody { state?: IncidentState; close_reason?: CloseReason; assignee?: string | null; comment?: string }

export const triageBody = {
  type: 'object', additionalProperties: false, minProperties: 1,
  properties: {
    state: { type: 'string', enum: INCIDENT_STATES },
    close_reason: { type: 'string', enum: CLOSE_REASONS },
    assignee: { type: ['string', 'null'], maxLength: 128 },
    comment: { type: 'string', minLength: 1, maxLength: MAX_TRIAGE_COMMENT },
  },
} as const;

/** The rules the schema cannot say: closing needs a reason, and a reason needs closing. */
export function checkTriage(b: TriageBody): void {
  if (b.state === 'closed' && !b.close_reason) throw new VigilError('BAD_REQUEST', `closing needs close_reason: one of ${CLOSE_REASONS.join(', ')}`);
  if (b.close_reason && b.state !== 'closed') throw new VigilError('BAD_REQUEST', 'close_reason goes with "state": "closed"');
}
