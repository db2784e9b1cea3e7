// POST /v1/query: live query fanned out to connected agents. Responder
// role; audited before anything is sent.
import type { FastifyInstance } from 'fastify';
import { fanOutQuery, queryTargets, type QueryBody } from '../agents/query-fanout';
import { requireAccess } from '../auth/rest-auth';
import { queryBody } from '../schemas/query';
import type { Services } from '../services';
import { parseTime } from '../time-range';

export async function queryRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const { registry, agents, config, audit, tokens, fleet } = opts.services;
  app.post<{ Body: QueryBody }>('/v1/query', { onRequest: requireAccess(tokens, 'query'), schema: { body: queryBody } }, async (req) => {
    const body = req.body;
    // Reject bad times here, not on every agent.
    if (body.filters?.since) parseTime(body.filters.since, 'filters.since');
    if (body.filters?.until) parseTime(body.filters.until, 'filters.until');
    const targets = queryTargets(body, registry, agents, fleet?.heartbeats.hosts());
    audit.record(req.token?.id ?? 'unknown', 'query', { targets, filters: body.filters ?? {}, limit: body.limit, timeout_ms: body.timeout_ms });
    const remote = fleet && { ask: fleet.relay.query.bind(fleet.relay), knows: (h: string) => fleet.heartbeats.lastSeqOf(h) > 0 };
    const res = await fanOutQuery(body, targets, registry, agents, config, remote);
    req.log.info({ query_id: res.query_id, rows: res.rows.length, ...res.hosts }, 'query done');
    return res;
  });
}
