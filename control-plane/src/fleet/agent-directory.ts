// --nats: the agents every replica has said hello to, in the JetStream KV
// bucket VIGIL_AGENTS (one key per host, the value its AgentHello and when
// it was received). Each replica mirrors the bucket into its agent table,
// so GET /v1/agents on any replica lists the whole fleet; liveness then
// comes from VIGIL_HEARTBEATS (heartbeat-follower.ts).
import type { KV } from 'nats';
import type { Logger } from 'pino';
import type { AgentHello } from '../../../proto/src';
import { MISSED_HEARTBEATS } from '../agents/health-monitor';
import type { AgentStore } from '../store/agent-store';
import type { NatsLink } from './nats-link';
import { followPuts } from './kv-follow';

export const AGENTS_BUCKET = 'VIGIL_AGENTS';

export interface AgentEntry { hello: AgentHello; hello_ms: number }

/** KV keys allow [-/_=.A-Za-z0-9]; host ids may also hold ':'. */
export const agentKey = (hostId: string): string => Buffer.from(hostId, 'utf8').toString('base64url');

export class AgentDirectory {
  private stopWatch: (() => void) | undefined;

  private constructor(private readonly kv: KV, private readonly agents: AgentStore, private readonly intervalMs: number,
    private readonly log: Logger) {}

  static async open(link: NatsLink, agents: AgentStore, intervalMs: number, log: Logger): Promise<AgentDirectory> {
    return new AgentDirectory(await link.js.views.kv(AGENTS_BUCKET, { history: 1 }), agents, intervalMs, log);
  }

  async start(): Promise<void> {
    this.stopWatch = await followPuts(this.kv, (e) => {
      const { hello, hello_ms } = e.json<AgentEntry>();
      this.agents.applyReplicated(hello, hello_ms, Date.now() - hello_ms < MISSED_HEARTBEATS * this.intervalMs);
    }, this.log, 'agent entry in VIGIL_AGENTS');
  }

  /** Shares a hello this replica received. */
  announce(hello: AgentHello): void {
    const entry: AgentEntry = { hello, hello_ms: Date.now() };
    this.kv.put(agentKey(hello.host_id), JSON.stringify(entry))
      .catch((err: Error) => this.log.warn({ err: err.message, host_id: hello.host_id }, 'agent hello not shared with other replicas'));
  }

  stop(): void {
    this.stopWatch?.();
  }
}
