// Fastify onRequest hook factory: `{ onRequest: requireAccess(tokens, 'read') }`: the token is checked before the body or query is validated.
// Sets request.token for audit; replies 401/403 with a VIGIL_ERR_* body.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ERRORS, errorBody } from '../errors';
import type { TokenInfo, TokenStore } from '../store/token-store';
import { authorize, tokenFromHeaders } from './authenticate';
import type { Access } from './roles';

declare module 'fastify' {
  interface FastifyRequest {
    token: TokenInfo | null;
  }
}

export function requireAccess(tokens: TokenStore, access: Access) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const res = authorize(tokens, tokenFromHeaders(request.headers), access);
    if (!res.ok) {
      const code = res.status === 401 ? ERRORS.UNAUTHENTICATED.code : ERRORS.FORBIDDEN.code;
      if (res.status === 401) reply.header('www-authenticate', 'Bearer realm="vigil"');
      await reply.code(res.status).send(errorBody(code, res.message));
      return;
    }
    request.token = res.token;
  };
}

export function decorateAuth(app: FastifyInstance): void {
  app.decorateRequest('token', null);
}
