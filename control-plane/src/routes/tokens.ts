// Token management over REST for admins (the CLI does the same locally).
import type { FastifyInstance } from 'fastify';
import { requireAccess } from '../auth/rest-auth';
import { createTokenBody, tokenIdParams } from '../schemas/tokens';
import type { Services } from '../services';
import type { Role } from '../store/token-store';

export async function tokenRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const { tokens } = opts.services;
  const onRequest = requireAccess(tokens, 'tokens');
  app.get('/v1/tokens', { onRequest }, async () => ({ tokens: tokens.list() }));
  app.post<{ Body: { role: Role; name?: string } }>('/v1/tokens', { onRequest, schema: { body: createTokenBody } }, async (req, reply) => {
    const { token, info } = tokens.create(req.body.role, req.body.name, req.token?.id);
    reply.code(201);
    return { token, ...info };
  });
  app.delete<{ Params: { id: string } }>('/v1/tokens/:id', { onRequest, schema: { params: tokenIdParams } }, async (req) =>
    tokens.revoke(req.params.id, req.token?.id));
}
