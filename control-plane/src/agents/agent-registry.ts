// Connected agents by host_id. A newer connection for a host replaces the
// older one (closed with 4410), so there is at most one session per host.
import type { Metrics } from '../metrics';
import { CLOSE } from '../../../proto/src/close-codes';
import type { AgentSession } from './agent-session';

export class AgentRegistry {
  private readonly byHost = new Map<string, AgentSession>();

  constructor(private readonly metrics: Metrics) {}

  attach(hostId: string, session: AgentSession): void {
    const old = this.byHost.get(hostId);
    this.byHost.set(hostId, session);
    if (old && old !== session) old.close(CLOSE.SUPERSEDED, 'superseded by a newer connection for the same host_id');
    this.metrics.agentsConnected.set(this.byHost.size);
  }

  detach(hostId: string, session: AgentSession): void {
    if (this.byHost.get(hostId) === session) this.byHost.delete(hostId);
    this.metrics.agentsConnected.set(this.byHost.size);
  }

  get(hostId: string): AgentSession | undefined {
    return this.byHost.get(hostId);
  }

  hostIds(): string[] {
    return [...this.byHost.keys()];
  }

  get size(): number {
    return this.byHost.size;
  }
}
