// GET /v1/agents: every agent ever seen, with liveness and loader stats.
import type { FastifyInstance } from 'fastify';
import { requireAccess } from '../auth/rest-auth';
import type { Services } from '../services';

export async function agentRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const { agents, registry, tokens } = opts.services;
  app.get('/v1/agents', { onRequest: requireAccess(tokens, 'read') }, async () => ({
    agents: agents.list().map((a) => ({ ...a, connected: registry.get(a.host_id) !== undefined })),
  }));
}
