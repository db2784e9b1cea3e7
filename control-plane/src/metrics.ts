// Prometheus metrics on a per-app registry (tests build many apps).
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

/** Heartbeat fields that are cumulative kernel counters (the rest are gauges). */
const HEARTBEAT_COUNTERS = ['events', 'drops', 'truncated', 'filtered'] as const;

/** Latest heartbeat of each agent, read at scrape time. */
export type AgentHeartbeats = Map<string, Record<string, number>>;

export interface Metrics {
  registry: Registry;
  agentsConnected: Gauge;
  alertsIngested: Counter<'source'>;
  alertDuplicates: Counter;
  eventsReceived: Counter;
  /** host_id -> latest heartbeat counters; exported at scrape time. */
  agentHeartbeats: AgentHeartbeats;
  feedSubscribers: Gauge<'encoding'>;
  feedDisconnects: Counter<'reason'>;
  framesRejected: Counter<'reason'>;
}

export function createMetrics(opts: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (opts.defaultMetrics) collectDefaultMetrics({ register: registry, prefix: 'vigil_cp_', eventLoopMonitoringPrecision: 100 });
  const registers = [registry];
  const agentHeartbeats: AgentHeartbeats = new Map();
  // Cumulative counters from the agents' heartbeats are counters (Prometheus
  // sees a reset when an agent's loader restarts); probe counts are gauges.
  for (const key of HEARTBEAT_COUNTERS) {
    new Counter({
      name: `vigil_agent_kernel_${key}_total`, help: `Agent loader counter '${key}' from its latest heartbeat (docs/events.md, Loader status)`,
      labelNames: ['host_id'], registers,
      collect() {
        this.reset();
        for (const [host, hb] of agentHeartbeats) if (typeof hb[key] === 'number') this.inc({ host_id: host }, hb[key]);
      },
    });
  }
  new Gauge({
    name: 'vigil_agent_probes', help: 'BPF programs per agent by state, from its latest heartbeat', labelNames: ['host_id', 'state'], registers,
    collect() {
      this.reset();
      for (const [host, hb] of agentHeartbeats) {
        if (typeof hb.probes_attached === 'number') this.set({ host_id: host, state: 'attached' }, hb.probes_attached);
        if (typeof hb.probes_failed === 'number') this.set({ host_id: host, state: 'failed' }, hb.probes_failed);
      }
    },
  });
  return {
    registry,
    agentHeartbeats,
    agentsConnected: new Gauge({ name: 'vigil_agents_connected', help: 'Agents with an open /v1/agent socket', registers }),
    alertsIngested: new Counter({ name: 'vigil_alerts_ingested_total', help: 'Alerts stored (duplicates excluded)', labelNames: ['source'], registers }),
    alertDuplicates: new Counter({ name: 'vigil_alert_duplicates_total', help: 'Re-sent agent alerts ignored as duplicates', registers }),
    eventsReceived: new Counter({ name: 'vigil_events_received_total', help: 'Events received in EventBatch frames', registers }),
    feedSubscribers: new Gauge({ name: 'vigil_feed_subscribers', help: 'Open /v1/alerts/stream subscribers', labelNames: ['encoding'], registers }),
    feedDisconnects: new Counter({ name: 'vigil_feed_disconnects_total', help: 'Feed subscribers closed by the server', labelNames: ['reason'], registers }),
    framesRejected: new Counter({ name: 'vigil_agent_frames_rejected_total', help: 'Agent connections closed for bad input', labelNames: ['reason'], registers }),
  };
}
