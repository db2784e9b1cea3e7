// GET /healthz (no auth) and GET /metrics (Prometheus text, no auth:
// scrape it from a trusted network only).
import type { FastifyInstance } from 'fastify';
import type { Services } from '../services';

export async function healthRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const { db, registry, metrics } = opts.services;
  app.get('/healthz', async () => {
    db.prepare('SELECT 1').get();
    return { status: 'ok', agents_connected: registry.size };
  });
  app.get('/metrics', async (_req, reply) => {
    reply.header('content-type', metrics.registry.contentType);
    return metrics.registry.metrics();
  });
}
