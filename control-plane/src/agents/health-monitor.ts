// Marks agents offline after 3 silent heartbeat intervals and raises a
// high-severity `vigil-agent-offline` alert into the normal alert stream.
import type { Logger } from 'pino';
import type { AlertRaiser } from '../alerts/alert-ingest';
import type { AgentStore } from '../store/agent-store';
import { CLOSE } from '../../../proto/src/close-codes';
import type { AgentRegistry } from './agent-registry';

export const OFFLINE_RULE_ID = 'vigil-agent-offline';
export const MISSED_HEARTBEATS = 3;

export class HealthMonitor {
  private timer: NodeJS.Timeout | undefined;
  /**
   * Heartbeats before this control plane started say nothing about now: an
   * agent gets the full grace from the start (a restart used to flag every
   * agent at the first sweep, before it could reconnect).
   */
  private startedAt = Date.now();

  constructor(
    private readonly intervalMs: number,
    private readonly agents: AgentStore,
    private readonly registry: AgentRegistry,
    private readonly ingest: AlertRaiser,
    private readonly log: Logger,
  ) {}

  start(): void {
    if (this.timer) return;
    this.startedAt = Date.now();
    this.timer = setInterval(() => this.check(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One sweep; returns the host ids it marked offline. */
  check(now = Date.now()): string[] {
    const silentFor = MISSED_HEARTBEATS * this.intervalMs;
    const marked: string[] = [];
    if (now - this.startedAt < silentFor) return marked;
    try {
      for (const agent of this.agents.silentSince(now - silentFor)) {
        if (!this.agents.markOffline(agent.host_id)) continue;
        marked.push(agent.host_id);
        this.registry.get(agent.host_id)?.close(CLOSE.HEARTBEAT_TIMEOUT, `no frame for ${silentFor} ms; reconnect and heartbeat every ${this.intervalMs} ms`);
        this.ingest.raise({
          rule_id: OFFLINE_RULE_ID,
          rule_name: 'Vigil agent offline',
          description: `Agent on ${agent.hostname} (${agent.host_id}) sent nothing for ${silentFor / 1000}s; last seen ${agent.last_seen}. It may have crashed, lost its network, or been stopped.`,
          severity: 'SEVERITY_HIGH',
          technique_ids: ['T1562.001'],
          tactic_names: ['defense-evasion'],
          host_id: agent.host_id,
          hostname: agent.hostname,
          first_seen: agent.last_seen,
          last_seen: agent.last_seen,
        });
        this.log.warn({ host_id: agent.host_id, last_seen: agent.last_seen }, 'agent offline');
      }
    } catch (err) {
      this.log.error({ err }, 'agent health sweep failed');
    }
    return marked;
  }
}
