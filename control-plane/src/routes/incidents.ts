// Incidents: GET /v1/incidents (filters, paged newest first), GET
// /v1/incidents/:id (with its alerts and comments), PATCH /v1/incidents/:id
// (triage: state, close reason, assignee, comment; responder; audited).
import type { FastifyInstance } from 'fastify';
import { requireAccess } from '../auth/rest-auth';
import { VigilError } from '../errors';
import { severityRank, type SeverityName } from '../../../proto/src/enums';
import { hostId, severityName, timeString } from '../schemas/common';
import type { Services } from '../services';
import { toRecord } from '../store/alert-store';
import { CLOSE_REASONS, INCIDENT_STATES, type CloseReason, type IncidentState } from '../store/incident-store';
import { parseTime } from '../time-range';

const MAX_COMMENT = 4000;

interface ListQuery { since?: string; until?: string; host?: string; min_severity?: string; state?: IncidentState; before?: number; limit?: number }
interface PatchBody { state?: IncidentState; close_reason?: CloseReason; assignee?: string | null; comment?: string }

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'integer', minimum: 1 } } } as const;

export async function incidentRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const { incidents, alerts, audit, tokens } = opts.services;
  const read = requireAccess(tokens, 'read');

  app.get<{ Querystring: ListQuery }>('/v1/incidents', {
    onRequest: read,
    schema: {
      querystring: {
        type: 'object', additionalProperties: false,
        properties: {
          since: timeString, until: timeString, host: hostId, min_severity: severityName,
          state: { type: 'string', enum: INCIDENT_STATES }, before: { type: 'integer', minimum: 1 },
          limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
        },
      },
    },
  }, async (req) => {
    const q = req.query;
    const page = incidents.page({
      since_ms: q.since ? parseTime(q.since, 'since') : undefined,
      until_ms: q.until ? parseTime(q.until, 'until') : undefined,
      host: q.host, state: q.state, before_id: q.before,
      min_severity_rank: q.min_severity ? severityRank(q.min_severity as SeverityName) : undefined,
    }, q.limit ?? 100);
    return { incidents: page, next_before: page.length === (q.limit ?? 100) ? page[page.length - 1].id : null };
  });

  app.get<{ Params: { id: number } }>('/v1/incidents/:id', { onRequest: read, schema: { params: idParams } }, async (req) => {
    const inc = incidents.get(req.params.id);
    if (!inc) throw new VigilError('NOT_FOUND', `no incident ${req.params.id}`);
    const members = incidents.alertSeqs(inc.id);
    return {
      incident: inc,
      alerts: members.map((m) => ({ ...toRecord(alerts.get(m.seq)!), duplicate: m.duplicate })),
      comments: incidents.comments(inc.id),
    };
  });

  app.patch<{ Params: { id: number }; Body: PatchBody }>('/v1/incidents/:id', {
    onRequest: requireAccess(tokens, 'respond'),
    schema: {
      params: idParams,
      body: {
        type: 'object', additionalProperties: false, minProperties: 1,
        properties: {
          state: { type: 'string', enum: INCIDENT_STATES },
          close_reason: { type: 'string', enum: CLOSE_REASONS },
          assignee: { type: ['string', 'null'], maxLength: 128 },
          comment: { type: 'string', minLength: 1, maxLength: MAX_COMMENT },
        },
      },
    },
  }, async (req) => {
    const b = req.body;
    if (b.state === 'closed' && !b.close_reason) throw new VigilError('BAD_REQUEST', `closing needs close_reason: one of ${CLOSE_REASONS.join(', ')}`);
    if (b.close_reason && b.state !== 'closed') throw new VigilError('BAD_REQUEST', 'close_reason goes with "state": "closed"');
    const before = incidents.get(req.params.id);
    if (!before) throw new VigilError('NOT_FOUND', `no incident ${req.params.id}`);
    const actor = req.token?.id ?? 'unknown';
    const after = incidents.update(before.id, { state: b.state, close_reason: b.close_reason, assignee: b.assignee });
    if (b.comment) incidents.comment(before.id, actor, b.comment);
    audit.record(actor, 'incident.update', { id: before.id, from: { state: before.state, assignee: before.assignee }, to: b });
    return { incident: after, comments: incidents.comments(before.id) };
  });
}
