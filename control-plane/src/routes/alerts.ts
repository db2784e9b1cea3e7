// GET /v1/alerts (filters + seq cursor pagination), GET /v1/alerts/counts
// (severity counts for a filter), GET /v1/alerts/:id (one alert with its
// process tree, events and triage) and PATCH /v1/alerts/:id (triage).
import type { FastifyInstance } from 'fastify';
import { alertDetail } from '../alerts/alert-doc';
import { requireAccess } from '../auth/rest-auth';
import { checkTriage, triageBody, type TriageBody } from '../schemas/triage';
import { VigilError } from '../errors';
import { parseListFilter, withoutSeverity } from '../filters/list-filter';
import { alertCountsQuery, alertIdParams, listAlertsQuery, type ListAlertsQuery } from '../schemas/alerts';
import type { ListFilterQuery } from '../schemas/list-filters';
import type { Services } from '../services';
import { toRecord } from '../store/alert-store';
import { severityCountsBody } from './severity-counts';

export async function alertRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const { alerts, tokens, alertTriage, changes } = opts.services;
  const onRequest = requireAccess(tokens, 'read');

  app.get<{ Querystring: ListAlertsQuery }>('/v1/alerts', { onRequest, schema: { querystring: listAlertsQuery } }, async (req) => {
    const q = req.query;
    const page = alerts.page(parseListFilter(q), { cursor: q.cursor, order: q.order, limit: q.limit });
    return {
      alerts: page.map(toRecord),
      next_cursor: page.length === q.limit ? page[page.length - 1].seq : null,
    };
  });

  // Counts ignore the severity filter itself, so each severity chip says what selecting it would show.
  app.get<{ Querystring: ListFilterQuery }>('/v1/alerts/counts', { onRequest, schema: { querystring: alertCountsQuery } }, async (req) =>
    severityCountsBody(alerts.severityCounts(withoutSeverity(parseListFilter(req.query)))));

  app.get<{ Params: { id: number } }>('/v1/alerts/:id', { onRequest, schema: { params: alertIdParams } }, async (req) => {
    const stored = alerts.get(req.params.id);
    if (!stored) throw new VigilError('NOT_FOUND', `no alert with seq ${req.params.id}`);
    return {
      alert: toRecord(stored), message: stored.alert, ...alertDetail(stored.alert, stored.doc),
      triage: alertTriage.get(stored.seq), comments: alertTriage.comments(stored.seq),
    };
  });

  // Triage one alert (responder; audited as alert.update; with --nats applied on every replica).
  app.patch<{ Params: { id: number }; Body: TriageBody }>('/v1/alerts/:id', {
    onRequest: requireAccess(tokens, 'respond'),
    schema: { params: alertIdParams, body: triageBody },
  }, async (req) => {
    checkTriage(req.body);
    const stored = alerts.get(req.params.id);
    if (!stored) throw new VigilError('NOT_FOUND', `no alert with seq ${req.params.id}`);
    const r = await changes.submit({ kind: 'alert-triage', actor: req.token?.id ?? 'unknown', seq: stored.seq, ...req.body });
    return { triage: r.kind === 'alert-triage' ? r.triage : alertTriage.get(stored.seq), comments: alertTriage.comments(stored.seq) };
  });
}
