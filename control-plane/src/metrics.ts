// Prometheus metrics on a per-app registry (tests build many apps).
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

const RATE_WINDOW_S = 10;

export interface Metrics {
  registry: Registry;
  agentsConnected: Gauge;
  alertsIngested: Counter<'source'>;
  alertDuplicates: Counter;
  eventsReceived: Counter;
  agentLoader: Gauge<'host_id' | 'counter'>;
  feedSubscribers: Gauge<'encoding'>;
  feedDisconnects: Counter<'reason'>;
  framesRejected: Counter<'reason'>;
  markIngested(): void;
}

export function createMetrics(opts: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (opts.defaultMetrics) collectDefaultMetrics({ register: registry, prefix: 'vigil_cp_' });
  const registers = [registry];
  // Per-second buckets for the ingest rate gauge.
  const buckets = new Map<number, number>();
  const markIngested = () => {
    const s = Math.floor(Date.now() / 1000);
    buckets.set(s, (buckets.get(s) ?? 0) + 1);
    for (const k of buckets.keys()) if (k < s - RATE_WINDOW_S) buckets.delete(k);
  };
  return {
    registry,
    markIngested,
    agentsConnected: new Gauge({ name: 'vigil_agents_connected', help: 'Agents with an open /v1/agent socket', registers }),
    alertsIngested: new Counter({ name: 'vigil_alerts_ingested_total', help: 'Alerts stored (duplicates excluded)', labelNames: ['source'], registers }),
    alertDuplicates: new Counter({ name: 'vigil_alert_duplicates_total', help: 'Re-sent agent alerts ignored as duplicates', registers }),
    eventsReceived: new Counter({ name: 'vigil_events_received_total', help: 'Events received in EventBatch frames', registers }),
    agentLoader: new Gauge({
      name: 'vigil_agent_loader', help: 'Latest cumulative loader counters from agent heartbeats (events, drops, truncated, filtered, probes_attached, probes_failed)',
      labelNames: ['host_id', 'counter'], registers,
    }),
    feedSubscribers: new Gauge({ name: 'vigil_feed_subscribers', help: 'Open /v1/alerts/stream subscribers', labelNames: ['encoding'], registers }),
    feedDisconnects: new Counter({ name: 'vigil_feed_disconnects_total', help: 'Feed subscribers closed by the server', labelNames: ['reason'], registers }),
    framesRejected: new Counter({ name: 'vigil_agent_frames_rejected_total', help: 'Agent connections closed for bad input', labelNames: ['reason'], registers }),
    ...rateGauge(registers, buckets),
  };
}

function rateGauge(registers: Registry[], buckets: Map<number, number>): Record<string, never> {
  new Gauge({
    name: 'vigil_alerts_ingested_per_second', help: `Alerts stored per second, averaged over ${RATE_WINDOW_S}s`, registers,
    collect() {
      const now = Math.floor(Date.now() / 1000);
      let n = 0;
      for (const [s, c] of buckets) if (s > now - RATE_WINDOW_S) n += c;
      this.set(n / RATE_WINDOW_S);
    },
  });
  return {};
}
