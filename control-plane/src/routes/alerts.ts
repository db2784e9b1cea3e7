// GET /v1/alerts (filters + seq cursor pagination) and GET /v1/alerts/:id
// (one alert with its process tree and events).
import type { FastifyInstance } from 'fastify';
import { alertDetail } from '../alerts/alert-doc';
import { requireAccess } from '../auth/rest-auth';
import { VigilError } from '../errors';
import { severityRank, type SeverityName } from '../../../proto/src/enums';
import { alertIdParams, listAlertsQuery, type ListAlertsQuery } from '../schemas/alerts';
import type { Services } from '../services';
import type { AlertFilter } from '../store/alert-store';
import { toRecord } from '../store/alert-store';
import { parseTime } from '../time-range';

export async function alertRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const { alerts, tokens } = opts.services;
  const onRequest = requireAccess(tokens, 'read');

  app.get<{ Querystring: ListAlertsQuery }>('/v1/alerts', { onRequest, schema: { querystring: listAlertsQuery } }, async (req) => {
    const q = req.query;
    const filter: AlertFilter = {
      since_ms: q.since ? parseTime(q.since, 'since') : undefined,
      until_ms: q.until ? parseTime(q.until, 'until') : undefined,
      host: q.host, rule: q.rule, tag: q.tag,
      min_severity_rank: q.min_severity ? severityRank(q.min_severity as SeverityName) : undefined,
    };
    const page = alerts.page(filter, { cursor: q.cursor, order: q.order, limit: q.limit });
    return {
      alerts: page.map(toRecord),
      next_cursor: page.length === q.limit ? page[page.length - 1].seq : null,
    };
  });

  app.get<{ Params: { id: number } }>('/v1/alerts/:id', { onRequest, schema: { params: alertIdParams } }, async (req) => {
    const stored = alerts.get(req.params.id);
    if (!stored) throw new VigilError('NOT_FOUND', `no alert with seq ${req.params.id}`);
    return { alert: toRecord(stored), message: stored.alert, ...alertDetail(stored.alert, stored.doc) };
  });
}
