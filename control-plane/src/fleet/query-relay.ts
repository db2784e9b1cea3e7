// --nats: live queries reach an agent on any replica over NATS
// request/reply. A replica subscribes to vigil.query.<host> while that
// host's session is attached here and answers with the session's outcome;
// a replica asked for a host it does not hold sends the request there. No
// subscriber means no replica holds the agent now (answered at once).
import type { Msg, Subscription } from 'nats';
import type { Logger } from 'pino';
import type { QueryFilters } from '../agents/query-fanout';
import type { AgentRegistry, RegistryListener } from '../agents/agent-registry';
import type { QueryOutcome } from '../agents/agent-session';
import type { NatsLink } from './nats-link';

export const querySubject = (hostId: string): string => `vigil.query.${hostId}`;

interface QueryAsk { filters: QueryFilters & { limit: number }; timeout_ms: number }

/** Extra time for the hop between replicas, on top of the agent's own timeout. */
const RELAY_SLACK_MS = 1000;

export class QueryRelay implements RegistryListener {
  private readonly subs = new Map<string, Subscription>();

  constructor(private readonly link: NatsLink, private readonly registry: AgentRegistry, private readonly log: Logger) {
    registry.listen(this);
  }

  attached(hostId: string): void {
    if (this.subs.has(hostId)) return;
    this.subs.set(hostId, this.link.nc.subscribe(querySubject(hostId), { callback: (err, m) => {
      if (!err) void this.answer(hostId, m);
    } }));
  }

  detached(hostId: string): void {
    this.subs.get(hostId)?.unsubscribe();
    this.subs.delete(hostId);
  }

  private async answer(hostId: string, m: Msg): Promise<void> {
    const session = this.registry.get(hostId);
    let out: QueryOutcome = { status: 'disconnected' };
    try {
      if (session) {
        const ask = m.json<QueryAsk>();
        out = await session.query(ask.filters, ask.timeout_ms);
      }
      const body = JSON.stringify(out);
      const max = this.link.nc.info?.max_payload ?? 1024 * 1024;
      if (Buffer.byteLength(body) > max - 1024) {
        out = { status: 'ok', result: { query_id: '', rows: [], truncated: true,
          error: `result larger than NATS max_payload (${max} bytes); lower "limit" or query this host on its own replica` } };
      }
      m.respond(JSON.stringify(out));
    } catch (err) {
      this.log.error({ err, host_id: hostId }, 'relayed query failed');
    }
  }

  /** The agent's outcome from whichever replica holds it; undefined when none does. */
  async ask(hostId: string, filters: QueryAsk['filters'], timeoutMs: number): Promise<QueryOutcome | undefined> {
    try {
      const reply = await this.link.nc.request(querySubject(hostId), JSON.stringify({ filters, timeout_ms: timeoutMs }),
        { timeout: timeoutMs + RELAY_SLACK_MS });
      return reply.json<QueryOutcome>();
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === '503') return undefined;  // no responders: no replica holds this agent
      if (code === 'TIMEOUT') return { status: 'timeout' };
      this.log.warn({ err: (err as Error).message, host_id: hostId }, 'query relay failed');
      return { status: 'disconnected' };
    }
  }

  stop(): void {
    for (const s of this.subs.values()) s.unsubscribe();
    this.subs.clear();
  }
}
