// GET /v1/fleet/execs?exe=<glob>&since=1h[&until=…][&limit=…] (viewer):
// which hosts ran an executable, when and how often, from forwarded events
// (agents started with --forward-events). With --nats every replica is
// asked and the answers merged; `replicas` says how many answered.
import type { FastifyInstance } from 'fastify';
import { matchesEverything } from '../../../proto/src';
import { requireAccess } from '../auth/rest-auth';
import { VigilError } from '../errors';
import { timeString } from '../schemas/common';
import type { Services } from '../services';
import { parseTime } from '../time-range';

interface Query { exe: string; since?: string; until?: string; limit?: number }

export async function fleetHistoryRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const { execIndex, fleet, agents, tokens } = opts.services;
  app.get<{ Querystring: Query }>('/v1/fleet/execs', {
    onRequest: requireAccess(tokens, 'read'),
    schema: {
      querystring: {
        type: 'object', additionalProperties: false, required: ['exe'],
        properties: {
          exe: { type: 'string', minLength: 1, maxLength: 4096 },
          since: timeString, until: timeString,
          limit: { type: 'integer', minimum: 1, maximum: 10_000, default: 1000 },
        },
      },
    },
  }, async (req) => {
    const q = req.query;
    if (matchesEverything(q.exe)) throw new VigilError('BAD_REQUEST', 'exe matches every executable; name one, or a glob such as */curl');
    const now = Date.now();
    const since = parseTime(q.since ?? '1h', 'since', now);
    const until = q.until ? parseTime(q.until, 'until', now) : now;
    if (since > until) throw new VigilError('BAD_REQUEST', 'since is later than until; swap them');
    const limit = q.limit ?? 1000;
    const { rows, replicas } = fleet?.execHistory
      ? await fleet.execHistory.ask(q.exe, since, until, limit)
      : { rows: execIndex.hostsThatRan(q.exe, since, until, limit), replicas: 1 };
    return {
      hosts: rows.map((r) => ({
        host_id: r.host_id, hostname: agents.get(r.host_id)?.hostname ?? null, exe: r.exe, runs: r.runs,
        first: new Date(r.first_ms).toISOString(), last: new Date(r.last_ms + 59_999).toISOString(),
      })),
      replicas,
    };
  });
}
