// The agent's Prometheus metrics: the loader's kernel counters, each BPF
// program's run time (when the loader runs with --bpf-stats), the
// collector's lag behind the kernel, and process RSS/CPU. Cumulative
// kernel counters are exported as counters set from the latest STATS frame.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { EcsEvent } from '../model/ecs-event';
import { ABANDON_REASONS } from '../decode/kernel-stats';
import type { LoaderStats, ProbeStatus } from './loader-stats';

/** Lag is sampled: parsing @timestamp for every event would cost more than it tells. */
const LAG_SAMPLE_EVERY = 64;
const KERNEL_COUNTERS = ['events', 'drops', 'truncated', 'filtered', 'deduped'] as const;

export class AgentMetrics {
  readonly registry = new Registry();
  private stats?: LoaderStats;
  private seen = 0;
  private readonly lag: Histogram;
  private readonly collected: Counter;
  private readonly alerts: Counter<'level'>;
  private readonly frames: Counter;
  private readonly restarts: Counter;
  private readonly gapSeconds: Counter;

  constructor(opts: { defaultMetrics?: boolean; suppressedByException?: () => number } = { defaultMetrics: true }) {
    const registers = [this.registry];
    // The event-loop-lag monitor wakes the thread every eventLoopMonitoringPrecision ms
    // (10 by default): 100 wake-ups a second on an idle host. 100 ms is plenty for lag.
    if (opts.defaultMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'vigil_agent_', eventLoopMonitoringPrecision: 100 });
    const latest = () => this.stats;
    for (const key of KERNEL_COUNTERS) {
      new Counter({
        name: `vigil_kernel_${key}_total`,
        help: `Loader counter '${key}' (bpf/events.h enum vigil_stat), cumulative since the loader started`,
        registers,
        collect() {
          const v = latest()?.[key];
          this.reset();
          if (typeof v === 'number') this.inc(v);
        },
      });
    }
    new Counter({
      name: 'vigil_kernel_abandoned_total',
      help: 'Records a BPF probe started and gave up on, by reason (bpf/events.h VIGIL_STAT_ABANDONED_*); any growth also raises the events-dropped alert',
      labelNames: ['reason'],
      registers,
      collect() {
        this.reset();
        const s = latest();
        for (const reason of ABANDON_REASONS) this.inc({ reason }, s?.abandoned?.[reason] ?? 0);
      },
    });
    this.restarts = new Counter({ name: 'vigil_loader_restarts_total', help: 'Times a dead loader was replaced (each also raises the events-dropped alert)', registers });
    this.gapSeconds = new Counter({ name: 'vigil_loader_gap_seconds_total', help: 'Seconds without capture between a loader dying and its replacement streaming', registers });
    this.frames = new Counter({ name: 'vigil_loader_stats_frames_total', help: 'STATS frames received from the loader (the kernel counters above are as of the latest)', registers });
    new Gauge({
      name: 'vigil_kernel_read_watch_names',
      help: 'Names in the kernel read watch (default profile); -1 while every read-only open ships',
      registers,
      collect() {
        const v = latest()?.read_watch;
        if (typeof v === 'number') this.set(v);
      },
    });
    new Gauge({
      name: 'vigil_probe_attached',
      help: '1 when the BPF program is attached, 0 when it is off or failed (see the loader log for why)',
      labelNames: ['program', 'family'],
      registers,
      collect() {
        this.reset();
        for (const p of latest()?.probes ?? []) this.set({ program: p.name, family: p.family }, p.attached ? 1 : 0);
      },
    });
    // Per-program BPF run time and runs: present only with --bpf-stats.
    const perProgram = (name: string, help: string, value: (p: ProbeStatus) => number | undefined) =>
      new Counter({
        name, help, labelNames: ['program', 'family'], registers,
        collect() {
          this.reset();
          for (const p of latest()?.probes ?? []) {
            const v = value(p);
            if (v !== undefined) this.inc({ program: p.name, family: p.family }, v);
          }
        },
      });
    perProgram('vigil_bpf_program_run_seconds_total', 'Kernel time spent in each BPF program (kernel.bpf_stats_enabled; agent --bpf-stats)',
      (p) => (p.run_ns === undefined ? undefined : p.run_ns / 1e9));
    perProgram('vigil_bpf_program_runs_total', 'Times each BPF program ran (agent --bpf-stats)', (p) => p.run_cnt);
    this.lag = new Histogram({
      name: 'vigil_collector_lag_seconds',
      help: `Kernel event time to collector ingest, sampled 1 in ${LAG_SAMPLE_EVERY} events`,
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.collected = new Counter({ name: 'vigil_collector_events_total', help: 'Events decoded and normalized by the collector', registers });
    this.alerts = new Counter({ name: 'vigil_alerts_total', help: 'Alerts raised by the rules', labelNames: ['level'], registers });
    const suppressed = opts.suppressedByException;
    new Counter({
      name: 'vigil_alerts_excepted_total',
      help: 'Rule and anomaly matches an exception silenced (docs/rules.md, Exceptions)',
      registers,
      collect() {
        this.reset();
        const v = suppressed?.();
        if (v) this.inc(v);
      },
    });
  }

  onLoaderStats(stats: LoaderStats): void {
    this.stats = stats;
    this.frames.inc();
  }

  onLoaderGap(gapMs: number): void {
    this.restarts.inc();
    this.gapSeconds.inc(gapMs / 1000);
  }

  onEvent(ev: EcsEvent): void {
    this.collected.inc();
    if (++this.seen % LAG_SAMPLE_EVERY !== 0) return;
    const t = Date.parse(ev['@timestamp']);
    if (Number.isFinite(t)) this.lag.observe(Math.max(0, Date.now() - t) / 1000);
  }

  onAlert(level: string | undefined): void {
    this.alerts.inc({ level: level ?? 'unknown' });
  }
}
