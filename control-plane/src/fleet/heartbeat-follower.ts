// --nats: every replica follows VIGIL_HEARTBEATS, so an agent heartbeating
// to replica B counts as alive on replica A too. Without this, an agent
// that moved (failover, rolling restart) would be flagged offline by the
// replica it left. It also remembers the stream seq of each host's last
// heartbeat: replicas that raise the same alert about a silent host agree
// on that number, which makes their alerts one (see Fleet.raise).
import { DeliverPolicy, type ConsumerMessages } from 'nats';
import type { Logger } from 'pino';
import type { AgentStore } from '../store/agent-store';
import type { NatsLink } from './nats-link';
import { HEARTBEATS_STREAM } from './streams';

const PREFIX = 'vigil.heartbeats.';

export class HeartbeatFollower {
  private messages: ConsumerMessages | undefined;
  private readonly lastSeq = new Map<string, number>();

  constructor(private readonly link: NatsLink, private readonly agents: AgentStore, private readonly log: Logger) {}

  async start(): Promise<void> {
    // The last heartbeat of each host seeds lastSeq; older ones say nothing about now.
    const consumer = await this.link.js.consumers.get(HEARTBEATS_STREAM, { deliver_policy: DeliverPolicy.LastPerSubject });
    this.messages = await consumer.consume({ max_messages: 1000, expires: 5000 });
    const startedAt = Date.now();
    void (async () => {
      try {
        for await (const m of this.messages!) {
          const host = m.subject.slice(PREFIX.length);
          this.lastSeq.set(host, Math.max(this.lastSeq.get(host) ?? 0, m.seq));
          // Only heartbeats sent after this replica started refresh liveness.
          if (m.info.timestampNanos / 1e6 >= startedAt) this.agents.touch(host);
        }
      } catch (err) {
        this.log.error({ err }, 'heartbeat follower stopped');
      }
    })();
  }

  /** Stream seq of the newest heartbeat of `hostId` seen here, or 0. */
  lastSeqOf(hostId: string): number {
    return this.lastSeq.get(hostId) ?? 0;
  }

  /** Hosts that have heartbeated to any replica (within the stream's retention). */
  hosts(): string[] {
    return [...this.lastSeq.keys()];
  }

  stop(): void {
    this.messages?.stop();
  }
}
