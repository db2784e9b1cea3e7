// Rule exceptions: GET /v1/exceptions (viewer), POST /v1/exceptions and
// DELETE /v1/exceptions/:id (responder; audited). Each change is pushed to
// the connected agents it concerns.
import type { FastifyInstance } from 'fastify';
import { matchesEverything } from '../../../proto/src';
import { requireAccess } from '../auth/rest-auth';
import { VigilError } from '../errors';
import { createExceptionBody, type CreateExceptionBody } from '../schemas/exceptions';
import type { Services } from '../services';

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'integer', minimum: 1 } } } as const;

export async function exceptionRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const { exceptions, incidents, tokens, changes } = opts.services;
  const respond = requireAccess(tokens, 'respond');

  app.get('/v1/exceptions', { onRequest: requireAccess(tokens, 'read') }, async () => ({ exceptions: exceptions.list() }));

  app.post<{ Body: CreateExceptionBody }>('/v1/exceptions', { onRequest: respond, schema: { body: createExceptionBody } }, async (req, reply) => {
    const b = req.body;
    for (const [field, values] of Object.entries(b.match)) {
      const all = values.find(matchesEverything);
      if (all) throw new VigilError('BAD_REQUEST', `match.${field}: '${all}' matches everything; name a value, or the rule is silenced everywhere`);
    }
    if (b.incident_id !== undefined && !incidents.get(b.incident_id)) throw new VigilError('NOT_FOUND', `no incident ${b.incident_id}`);
    // Applied here, or through the fleet stream on every replica; each pushes it to its agents.
    const r = await changes.submit({
      kind: 'exception.create', actor: req.token?.id ?? 'unknown',
      exception: {
        rule: b.rule.trim(), match: b.match, comment: b.comment ?? '', host: b.host ?? null, incident_id: b.incident_id ?? null,
        expires_ms: b.expires_in_hours ? Date.now() + b.expires_in_hours * 3_600_000 : null, created_by: req.token?.id ?? 'unknown',
      },
    });
    const created = r.kind === 'exception.create' ? r.exception : undefined;
    reply.code(201);
    return { exception: created };
  });

  app.delete<{ Params: { id: number } }>('/v1/exceptions/:id', { onRequest: respond, schema: { params: idParams } }, async (req) => {
    const gone = exceptions.get(req.params.id);
    if (!gone) throw new VigilError('NOT_FOUND', `no exception ${req.params.id}`);
    await changes.submit({ kind: 'exception.delete', actor: req.token?.id ?? 'unknown', id: gone.id });
    return { deleted: gone };
  });
}
