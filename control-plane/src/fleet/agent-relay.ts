// --nats: live queries and response actions reach an agent on any replica
// over NATS request/reply. A replica subscribes to vigil.agent.<host> while
// that host's session is attached here and answers with the session's
// outcome; a replica asked about a host it does not hold sends the request
// there. No subscriber means no replica holds the agent now (answered at
// once). A request is sent once and never retried, so an action cannot run
// twice; a lost reply reads as a timeout, as it would locally.
import type { Msg, Subscription } from 'nats';
import type { Logger } from 'pino';
import type { ActionRequest } from '../../../proto/src';
import type { QueryFilters } from '../agents/query-fanout';
import type { AgentRegistry, RegistryListener } from '../agents/agent-registry';
import type { ActionOutcome, QueryOutcome } from '../agents/agent-session';
import type { NatsLink } from './nats-link';

export const agentSubject = (hostId: string): string => `vigil.agent.${hostId}`;

type RelayAsk =
  | { kind: 'query'; filters: QueryFilters & { limit: number }; timeout_ms: number }
  | { kind: 'action'; request: Omit<ActionRequest, 'action_id'>; timeout_ms: number };

/** Extra time for the hop between replicas, on top of the agent's own timeout. */
const RELAY_SLACK_MS = 1000;

export class AgentRelay implements RegistryListener {
  private readonly subs = new Map<string, Subscription>();

  constructor(private readonly link: NatsLink, private readonly registry: AgentRegistry, private readonly log: Logger) {
    registry.listen(this);
  }

  attached(hostId: string): void {
    if (this.subs.has(hostId)) return;
    this.subs.set(hostId, this.link.nc.subscribe(agentSubject(hostId), { callback: (err, m) => {
      if (!err) void this.answer(hostId, m);
    } }));
  }

  /**
   * Drained, not dropped: a request the server routed here before it saw the
   * unsubscribe still gets its answer ('disconnected', the session is gone)
   * instead of waiting out its timeout on the asking replica.
   */
  detached(hostId: string): void {
    const sub = this.subs.get(hostId);
    this.subs.delete(hostId);
    sub?.drain().catch((err: Error) => this.log.warn({ err: err.message, host_id: hostId }, 'agent subject not drained'));
  }

  private async answer(hostId: string, m: Msg): Promise<void> {
    try {
      const ask = m.json<RelayAsk>();
      const session = this.registry.get(hostId);
      let out: QueryOutcome | ActionOutcome = { status: 'disconnected' };
      if (session && ask.kind === 'query') out = await session.query(ask.filters, ask.timeout_ms);
      if (session && ask.kind === 'action') out = await session.action(ask.request, ask.timeout_ms);
      m.respond(JSON.stringify(this.fit(out)));
    } catch (err) {
      this.log.error({ err, host_id: hostId }, 'relayed request failed');
    }
  }

  /** A query result over the server's max_payload becomes an error the user can act on. */
  private fit(out: QueryOutcome | ActionOutcome): QueryOutcome | ActionOutcome {
    const max = this.link.nc.info?.max_payload ?? 1024 * 1024;
    if (Buffer.byteLength(JSON.stringify(out)) <= max - 1024) return out;
    return { status: 'ok', result: { query_id: '', rows: [], events: [], truncated: true,
      error: `result larger than NATS max_payload (${max} bytes); lower "limit" or query this host on its own replica` } };
  }

  /** The agent's query outcome from whichever replica holds it; undefined when none does. */
  query(hostId: string, filters: QueryFilters & { limit: number }, timeoutMs: number): Promise<QueryOutcome | undefined> {
    return this.ask<QueryOutcome>(hostId, { kind: 'query', filters, timeout_ms: timeoutMs }, timeoutMs);
  }

  /** The agent's action outcome from whichever replica holds it; undefined when none does. */
  action(hostId: string, request: Omit<ActionRequest, 'action_id'>, timeoutMs: number): Promise<ActionOutcome | undefined> {
    return this.ask<ActionOutcome>(hostId, { kind: 'action', request, timeout_ms: timeoutMs }, timeoutMs);
  }

  private async ask<O>(hostId: string, body: RelayAsk, timeoutMs: number): Promise<O | { status: 'timeout' | 'disconnected' } | undefined> {
    try {
      const reply = await this.link.nc.request(agentSubject(hostId), JSON.stringify(body), { timeout: timeoutMs + RELAY_SLACK_MS });
      return reply.json<O>();
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === '503') return undefined;  // no responders: no replica holds this agent
      if (code === 'TIMEOUT') return { status: 'timeout' };
      this.log.warn({ err: (err as Error).message, host_id: hostId }, 'agent relay failed');
      return { status: 'disconnected' };
    }
  }

  stop(): void {
    for (const s of this.subs.values()) s.unsubscribe();
    this.subs.clear();
  }
}
