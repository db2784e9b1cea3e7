// POST /v1/agents/:id/actions: a response action carried out by the agent
// (kill, suspend, isolate, quarantine, block). Authenticated before the body
// is even validated; audited when asked and again with the confirmed
// outcome. An action the agent did not confirm is reported failed.
// GET /v1/audit: the audit log (queries, token changes, actions).
import type { FastifyInstance } from 'fastify';
import { requireAccess } from '../auth/rest-auth';
import { VigilError } from '../errors';
import { actionBody, TARGET_OF, type ActionBody } from '../schemas/actions';
import type { Services } from '../services';

const ACTION_TIMEOUT_MS = 5000;
const DURATION = /^(\d+)([smhd])$/;
const UNIT_MS: Record<string, number> = { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3 };

export async function actionRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const { registry, agents, audit, tokens, fleet } = opts.services;

  app.post<{ Params: { id: string }; Body: ActionBody }>('/v1/agents/:id/actions', {
    onRequest: requireAccess(tokens, 'respond'),
    schema: { body: actionBody },
  }, async (req) => {
    const { id } = req.params;
    const body = req.body;
    const need = TARGET_OF[body.action];
    const target = body.target[need];
    if (target === undefined) throw new VigilError('BAD_REQUEST', `${body.action} needs target.${need}`);
    let expiresMs = 0;
    if (body.expires_in !== undefined) {
      const m = DURATION.exec(body.expires_in);
      if (!m || (body.action !== 'isolate-process' && body.action !== 'isolate-host')) throw new VigilError('BAD_REQUEST', 'expires_in is a duration like 30m or 1h, and only for isolate-process and isolate-host');
      expiresMs = Math.min(Number(m[1]) * UNIT_MS[m[2]], 0xffffffff);
    }
    const session = registry.get(id);
    // --nats: an agent on another replica is reached through the relay; a fleet-wide "held nowhere" is offline.
    const known = agents.get(id) || (fleet && fleet.heartbeats.lastSeqOf(id) > 0);
    if (!session && !fleet) throw new VigilError(known ? 'AGENT_OFFLINE' : 'NOT_FOUND', known ? undefined : `no agent ${id}; list them with GET /v1/agents`);
    const actor = req.token?.id ?? 'unknown';
    const asked = { host_id: id, action: body.action, target: body.target, alert_ids: body.alert_ids ?? [], comment: body.comment ?? '', expires_ms: expiresMs };
    const request = {
      action: body.action, pid: body.target.pid ?? 0, path: body.target.path ?? '', isolation_id: body.target.isolation_id ?? '',
      alert_ids: body.alert_ids ?? [], comment: body.comment ?? '', expires_ms: expiresMs, requested_by: actor,
    };
    audit.record(actor, 'action.requested', asked);
    const outcome = session ? await session.action(request, ACTION_TIMEOUT_MS) : await fleet!.relay.action(id, request, ACTION_TIMEOUT_MS);
    if (!outcome) {
      audit.record(actor, 'action', { ...asked, ok: false, error: 'no replica holds this agent now' });
      throw new VigilError(known ? 'AGENT_OFFLINE' : 'NOT_FOUND', known ? undefined : `no agent ${id} on any replica; list them with GET /v1/agents`);
    }
    const result = outcome.status === 'ok'
      ? { action_id: outcome.result.action_id, ok: outcome.result.ok, error: outcome.result.error || undefined, pids: outcome.result.pids, ref: outcome.result.ref || undefined, latency_ms: outcome.result.latency_ms }
      : { ok: false, error: outcome.status === 'timeout' ? `no confirmation from the agent in ${ACTION_TIMEOUT_MS} ms: the outcome is unknown` : 'the agent disconnected before confirming: the outcome is unknown', pids: [] };
    audit.record(actor, 'action', { ...asked, ...result });
    req.log.warn({ host_id: id, action: body.action, ok: result.ok }, 'response action');
    return result;
  });

  app.get<{ Querystring: { limit?: number } }>('/v1/audit', {
    onRequest: requireAccess(tokens, 'respond'),
    schema: { querystring: { type: 'object', additionalProperties: false, properties: { limit: { type: 'integer', minimum: 1, maximum: 10_000 } } } },
  }, async (req) => ({ entries: audit.list(req.query.limit ?? 100) }));
}
