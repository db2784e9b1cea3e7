// GET /v1/alerts/:id/investigation[?entity_id=]: the process tree around an
// alert's process (or another process of that tree, to walk it) with each
// process's events from the agent's history and its alerts. It reads the
// host's history like POST /v1/query, so it needs the same role and is
// audited the same way.
import type { FastifyInstance } from 'fastify';
import { requireAccess } from '../auth/rest-auth';
import { VigilError } from '../errors';
import { investigate } from '../investigation/investigate';
import { alertIdParams } from '../schemas/alerts';
import type { Services } from '../services';

const query = { type: 'object', additionalProperties: false, properties: { entity_id: { type: 'string', minLength: 1, maxLength: 128 } } } as const;

export async function investigationRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const { alerts, agents, registry, config, audit, tokens } = opts.services;
  app.get<{ Params: { id: number }; Querystring: { entity_id?: string } }>('/v1/alerts/:id/investigation', {
    onRequest: requireAccess(tokens, 'query'), schema: { params: alertIdParams, querystring: query },
  }, async (req) => {
    const alert = alerts.get(req.params.id);
    if (!alert) throw new VigilError('NOT_FOUND', `no alert with seq ${req.params.id}`);
    audit.record(req.token?.id ?? 'unknown', 'investigate', { alert: alert.seq, host_id: alert.host_id, entity_id: req.query.entity_id ?? null });
    return investigate(alert, req.query.entity_id, { alerts, agents, registry, config });
  });
}
