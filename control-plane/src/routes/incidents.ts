// Incidents: GET /v1/incidents (filters, paged newest first), GET
// /v1/incidents/counts (severity counts for a filter), GET
// /v1/incidents/:id (with its alerts and comments), PATCH /v1/incidents/:id
// (triage: state, close reason, assignee, comment; responder; audited).
import type { FastifyInstance } from 'fastify';
import { requireAccess } from '../auth/rest-auth';
import { checkTriage, triageBody, type TriageBody } from '../schemas/triage';
import { VigilError } from '../errors';
import type { IncidentFilter } from '../filters/incident-filter-sql';
import { parseListFilter, withoutSeverity } from '../filters/list-filter';
import { listFilterProperties, type ListFilterQuery } from '../schemas/list-filters';
import type { Services } from '../services';
import { toRecord } from '../store/alert-store';
import { INCIDENT_STATES, type IncidentState } from '../store/incident-store';
import { severityCountsBody } from './severity-counts';


interface CountsQuery extends ListFilterQuery { state?: string }
interface ListQuery extends CountsQuery { before?: number; limit?: number }

// "open,acknowledged": checked by parseStates so a bad name gets a message naming the good ones.
const countsQuery = { type: 'object', additionalProperties: false, properties: { ...listFilterProperties, state: { type: 'string', minLength: 1, maxLength: 64 } } } as const;
const listQuery = {
  type: 'object', additionalProperties: false,
  properties: { ...countsQuery.properties, before: { type: 'integer', minimum: 1 }, limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } },
} as const;

function parseStates(value: string | undefined): IncidentState[] | undefined {
  if (value === undefined) return undefined;
  const states = value.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = states.filter((s) => !(INCIDENT_STATES as readonly string[]).includes(s));
  if (states.length === 0 || bad.length) {
    throw new VigilError('BAD_REQUEST', `state must be a comma-separated list of ${INCIDENT_STATES.join(', ')}; got "${value}"`);
  }
  return states as IncidentState[];
}

const incidentFilter = (q: CountsQuery): IncidentFilter => ({ ...parseListFilter(q), states: parseStates(q.state) });

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'integer', minimum: 1 } } } as const;

export async function incidentRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const { incidents, alerts, tokens, changes } = opts.services;
  const read = requireAccess(tokens, 'read');

  app.get<{ Querystring: ListQuery }>('/v1/incidents', { onRequest: read, schema: { querystring: listQuery } }, async (req) => {
    const q = req.query;
    const limit = q.limit ?? 100;
    const page = incidents.page({ ...incidentFilter(q), before_id: q.before }, limit);
    return { incidents: page, next_before: page.length === limit ? page[page.length - 1].id : null };
  });

  // Counts ignore the severity filter itself, so each severity chip says what selecting it would show.
  app.get<{ Querystring: CountsQuery }>('/v1/incidents/counts', { onRequest: read, schema: { querystring: countsQuery } }, async (req) =>
    severityCountsBody(incidents.severityCounts(withoutSeverity(incidentFilter(req.query)))));

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

  app.patch<{ Params: { id: number }; Body: TriageBody }>('/v1/incidents/:id', {
    onRequest: requireAccess(tokens, 'respond'),
    schema: { params: idParams, body: triageBody },
  }, async (req) => {
    const b = req.body;
    checkTriage(b);
    const before = incidents.get(req.params.id);
    if (!before) throw new VigilError('NOT_FOUND', `no incident ${req.params.id}`);
    // Applied here, or through the fleet stream on every replica (audited where applied).
    const r = await changes.submit({ kind: 'triage', actor: req.token?.id ?? 'unknown', incident_id: before.id, ...b });
    const after = r.kind === 'triage' ? r.incident : undefined;
    return { incident: after, comments: incidents.comments(before.id) };
  });
}
