// Results -> Markdown (stdout and latest.md) and JSON (latest.json).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const fmt = (x, d = 0) => (x === null || x === undefined ? 'n/a' : Number(x).toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }));

export function renderMarkdown(r) {
  const m = r.machine;
  const L = [];
  L.push('# Vigil benchmark', '');
  L.push(`Machine: Linux ${m.kernel}, ${m.nproc} vCPU, ${m.cpu_model}, ${m.mem_gib} GiB; node ${m.node}; commit ${m.git_commit ?? '?'}; ${m.date}.`);
  L.push(`Load average at start ${m.loadavg_start.join(' ')}, at end ${r.loadavg_end.join(' ')} (other work on the VM moves every figure).`);
  L.push(`Method: per tracer, ${r.config.reps} rounds of [baseline run of each storm, tracer started and attached, traced run of each workload, tracer stopped]; each run ~${r.config.seconds} s. Slowdown = baseline rate / traced rate per pair, median of pairs. Tracer CPU = run time of the tracer's processes (/proc/<pid>/task/*/schedstat, ns; utime+stime fallback) over the traced run, % of one core (auditd row includes kauditd). RSS = largest sum of VmRSS seen at the end of a run. Drops: kernel ring-buffer drops (Vigil), audit "lost" (auditd), "Lost N events" (bpftrace).`, '');
  L.push('| Workload | Tracer | Baseline | Traced | Slowdown (median) | Pairs | Tracer CPU % | RSS MB | Drops |');
  L.push('|---|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const row of r.results) {
    const t = r.tracers.find((x) => x.id === row.tracer);
    const slow = row.median_ratio === null ? '—' : `${fmt(row.median_ratio, 2)}×`;
    L.push(`| ${row.workload} (${row.unit}) | ${t?.label ?? row.tracer} | ${fmt(row.baseline_median)} | ${fmt(row.traced_median)} | ${slow} | ${row.pairs}/${row.runs} | ${fmt(row.cpu_pct_median, 1)} | ${fmt(row.rss_mib_max, 1)} | ${fmt(row.drops_total)} |`);
  }
  const complete = r.results.filter((row) => row.calls_made_total !== undefined);
  if (complete.length) {
    L.push('', '## Completeness (events the agent stored for the workload, against calls the workload made)', '');
    L.push('| Workload | Tracer | Calls made | Events seen | Seen % | Drops |', '|---|---|---:|---:|---:|---:|');
    for (const row of complete) {
      const t = r.tracers.find((x) => x.id === row.tracer);
      L.push(`| ${row.workload} | ${t?.label ?? row.tracer} | ${fmt(row.calls_made_total)} | ${fmt(row.events_seen_total)} | ${fmt(100 * row.events_seen_total / row.calls_made_total, 2)} | ${fmt(row.drops_total)} |`);
    }
  }
  const base = r.reference_baselines;
  if (Object.keys(base).length) L.push('', `Untraced reference for the paced workloads: ${Object.entries(base).map(([k, v]) => `${k} ${fmt(v)}/s`).join(', ')}.`);
  L.push('', '## Tracers', '');
  for (const t of r.tracers) L.push(`- **${t.label}** (${t.id}): ${t.status}${t.reason ? ` — ${t.reason}` : ''}${t.config ? `. Config: \`${t.config}\`` : ''}${t.notes?.length ? `. ${t.notes.join('; ')}` : ''}`);
  if (r.max_rate) {
    L.push('', `## Max sustained rate (${r.max_rate.tracer})`, '');
    if (r.max_rate.error) L.push(`Not measured: ${r.max_rate.error}`);
    else {
      L.push(`Highest event_gen open rate with zero drops and backlog drained within 5 s: **${r.max_rate.max_sustained_rate === null ? 'below the first step' : `${fmt(r.max_rate.max_sustained_rate)}/s`}** (${r.max_rate.seconds} s per step).`, '');
      L.push('| Target/s | Achieved/s | Drops | Kernel events | Tracer CPU % | Caught up |', '|---:|---:|---:|---:|---:|---|');
      for (const s of r.max_rate.steps) L.push(`| ${fmt(s.target)} | ${fmt(s.achieved)} | ${fmt(s.drops)} | ${fmt(s.kernel_events)} | ${fmt(s.cpu_pct, 1)} | ${s.caught_up_within_5s ? 'yes' : 'no'} |`);
    }
  }
  if (r.drain) {
    L.push('', '## Loader-only drain (vigil-loader -> counting Node reader)', '');
    const d = r.drain;
    if (d.error) L.push(`Not measured: ${d.error}`);
    else L.push(`${d.workload} at ${fmt(d.workload_rate)} opens/s for ${fmt(d.seconds, 1)} s: **${fmt(d.drained_per_s)} records/s drained** (${fmt(d.records_drained)} records, ${fmt(d.bytes_per_s / 2 ** 20, 1)} MiB/s, caught up ${fmt(d.catch_up_s, 2)} s after the workload), kernel events ${fmt(d.kernel_events)}, drops ${fmt(d.drops)}, bad payloads ${fmt(d.bad_payloads)}.`);
  }
  L.push('', `Total bench time ${fmt(r.duration_s)} s.`);
  return `${L.join('\n')}\n`;
}

export function writeResults(outDir, results) {
  mkdirSync(outDir, { recursive: true });
  const md = renderMarkdown(results);
  writeFileSync(join(outDir, 'latest.md'), md);
  writeFileSync(join(outDir, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
  return md;
}
