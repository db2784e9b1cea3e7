// GET /v1/alerts (filters + seq cursor pagination), GET /v1/alerts/counts
// (severity counts for a filter) and GET /v1/alerts/:id (one alert with its
// process tree and events).
import type { FastifyInstance } from 'fastify';
import { alertDetail } from '../alerts/alert-doc';
import { requireAccess } from '../auth/rest-auth';
import { VigilError } from '../errors';
import { parseListFilter, withoutSeverity } from '../filters/list-filter';
import { alertCountsQuery, alertIdParams, listAlertsQuery, type ListAlertsQuery } from '../schemas/alerts';
import type { ListFilterQuery } from '../schemas/list-filters';
import type { Services } from '../services';
import { toRecord } from '../store/alert-store';
import { severityCountsBody } from './severity-counts';

export async function alertRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const { alerts, tokens } = opts.services;
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
    return { alert: toRecord(stored), message: stored.alert, ...alertDetail(stored.alert, stored.doc) };
  });
}
