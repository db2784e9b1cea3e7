// Connected agents by host_id. A newer connection for a host replaces the
// older one (closed with 4410), so there is at most one session per host.
import type { Metrics } from '../metrics';
import { CLOSE } from '../../../proto/src/close-codes';
import type { AgentSession } from './agent-session';

export interface RegistryListener { attached(hostId: string): void; detached(hostId: string): void }

export class AgentRegistry {
  private readonly byHost = new Map<string, AgentSession>();
  private readonly listeners: RegistryListener[] = [];

  /** Told when a host gets its first session here and when its last one goes (--nats query relay). */
  listen(l: RegistryListener): void {
    this.listeners.push(l);
  }

  constructor(private readonly metrics: Metrics) {}

  attach(hostId: string, session: AgentSession): void {
    const old = this.byHost.get(hostId);
    this.byHost.set(hostId, session);
    if (!old) for (const l of this.listeners) l.attached(hostId);
    if (old && old !== session) old.close(CLOSE.SUPERSEDED, 'superseded by a newer connection for the same host_id');
    this.metrics.agentsConnected.set(this.byHost.size);
  }

  detach(hostId: string, session: AgentSession): void {
    if (this.byHost.get(hostId) === session) {
      this.byHost.delete(hostId);
      for (const l of this.listeners) l.detached(hostId);
    }
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
