// Per-run records -> one row per workload x tracer, with medians.
import { max, median } from './stats.mjs';

export function summarizeRuns(workload, tracer, runs, errors) {
  const paired = runs.filter((r) => r.ratio !== null);
  const drops = runs.map((r) => r.drops).filter((d) => typeof d === 'number');
  return {
    workload: workload.id,
    what: workload.what,
    unit: workload.unit,
    tracer: tracer.id,
    runs: runs.length,
    pairs: paired.length,
    median_ratio: median(runs.map((r) => r.ratio)),
    baseline_median: median(runs.map((r) => r.baseline)),
    traced_median: median(runs.map((r) => r.traced)),
    cpu_pct_median: median(runs.map((r) => r.cpu_pct)),
    rss_mib_max: max(runs.map((r) => r.rss_mib)),
    drops_total: drops.length ? drops.reduce((a, b) => a + b, 0) : null,
    kernel_events_median: median(runs.map((r) => r.kernel_events)),
    ...(runs.some((r) => r.calls_made !== undefined) ? {
      calls_made_total: runs.reduce((a, r) => a + (r.calls_made ?? 0), 0),
      events_seen_total: runs.reduce((a, r) => a + (r.events_seen ?? 0), 0),
    } : {}),
    per_run: runs,
    errors,
  };
}
