// Real kernel: the default shared agent's Prometheus endpoint (started with
// --metrics and --bpf-stats by global-setup) after real opens.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { inject } from 'vitest';

const metric = (text: string, name: string): number => {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`) );
  if (!line) throw new Error(`metric ${name} missing`);
  return Number(line.slice(line.lastIndexOf(' ') + 1));
};

describe('agent metrics endpoint', () => {
  it('exports kernel counters, BPF program run time and collector lag', async () => {
    for (let i = 0; i < 200; i++) spawnSync('/bin/cat', ['/etc/hostname']); // execs, and read-only opens the kernel drops
    await new Promise((r) => setTimeout(r, 2500)); // a STATS frame (1 s) after the burst
    const res = await fetch(inject('vigilMetricsUrl'));
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(metric(text, 'vigil_kernel_events_total')).toBeGreaterThan(200);
    expect(metric(text, 'vigil_kernel_filtered_total')).toBeGreaterThan(200);
    expect(metric(text, 'vigil_kernel_read_watch_names')).toBeGreaterThan(0);
    const openRuns = /^vigil_bpf_program_runs_total\{program="exit_openat",family="file"\} (\d+)$/m.exec(text);
    expect(Number(openRuns?.[1])).toBeGreaterThan(200);
    const openSecs = /^vigil_bpf_program_run_seconds_total\{program="exit_openat",family="file"\} ([\d.e-]+)$/m.exec(text);
    expect(Number(openSecs?.[1])).toBeGreaterThan(0);
    expect(metric(text, 'vigil_collector_lag_seconds_count')).toBeGreaterThan(0);
    expect(metric(text, 'vigil_agent_process_resident_memory_bytes')).toBeGreaterThan(10 << 20);
  });
});
