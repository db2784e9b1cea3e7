// GET /healthz (no auth) and GET /metrics (Prometheus text, no auth:
// scrape it from a trusted network only).
import type { FastifyInstance } from 'fastify';
import type { Services } from '../services';

export async function healthRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const { db, registry, metrics, fleet } = opts.services;
  app.get('/healthz', async (_req, reply) => {
    db.prepare('SELECT 1').get();
    // --nats: without JetStream this replica refuses agent batches, so it is not healthy.
    if (fleet && !fleet.healthy) return reply.code(503).send({ status: 'unhealthy', nats: 'disconnected', agents_connected: registry.size });
    return { status: 'ok', agents_connected: registry.size, ...(fleet ? { nats: 'connected', alerts_applied: fleet.consumer.applied } : {}) };
  });
  app.get('/metrics', async (_req, reply) => {
    reply.header('content-type', metrics.registry.contentType);
    return metrics.registry.metrics();
  });
}
