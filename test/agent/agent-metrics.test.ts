// Agent metrics from recorded loader STATS, served over real HTTP.
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { AgentMetrics } from '../../agent/src/agent/agent-metrics';
import { parseLoaderStats, type LoaderStats } from '../../agent/src/agent/loader-stats';
import { parseListenAddress, startMetricsServer } from '../../agent/src/agent/metrics-server';
import type { EcsEvent } from '../../agent/src/model/ecs-event';

const STATS = JSON.stringify({
  events: 1200, drops: 7, truncated: 1, filtered: 90000, deduped: 4000, read_watch: 19, ringbuf_bytes: 8388608,
  realtime_offset_ns: '1795422666355661330',
  probes: [
    { name: 'exit_openat', family: 'file', section: 'tp/syscalls/sys_exit_openat', attached: true, error: '', run_ns: 2500000, run_cnt: 5000 },
    { name: 'exit_module_any', family: 'priv', section: 'tp_btf/sys_exit', attached: false, error: 'off: ...' },
  ],
});

const closers: Array<() => void> = [];
afterEach(() => closers.splice(0).forEach((c) => c()));

describe('agent metrics', () => {
  it('exports the latest kernel counters, probe state and BPF run time', async () => {
    const m = new AgentMetrics({ defaultMetrics: false });
    m.onLoaderStats(parseLoaderStats(Buffer.from(STATS)) as LoaderStats);
    const text = await m.registry.metrics();
    expect(text).toMatch(/^vigil_kernel_events_total 1200$/m);
    expect(text).toMatch(/^vigil_kernel_drops_total 7$/m);
    expect(text).toMatch(/^vigil_kernel_filtered_total 90000$/m);
    expect(text).toMatch(/^vigil_kernel_deduped_total 4000$/m);
    expect(text).toMatch(/^vigil_kernel_read_watch_names 19$/m);
    expect(text).toMatch(/^vigil_probe_attached\{program="exit_openat",family="file"\} 1$/m);
    expect(text).toMatch(/^vigil_probe_attached\{program="exit_module_any",family="priv"\} 0$/m);
    expect(text).toMatch(/^vigil_bpf_program_run_seconds_total\{program="exit_openat",family="file"\} 0.0025$/m);
    expect(text).toMatch(/^vigil_bpf_program_runs_total\{program="exit_openat",family="file"\} 5000$/m);
    expect(text).not.toMatch(/program_runs_total\{program="exit_module_any"/);
  });

  it('samples collector lag from event timestamps', async () => {
    const m = new AgentMetrics({ defaultMetrics: false });
    const ev = { '@timestamp': new Date(Date.now() - 2000).toISOString() } as EcsEvent;
    for (let i = 0; i < 128; i++) m.onEvent(ev);
    const text = await m.registry.metrics();
    expect(text).toMatch(/^vigil_collector_events_total 128$/m);
    expect(text).toMatch(/^vigil_collector_lag_seconds_count 2$/m);
    expect(text).toMatch(/^vigil_collector_lag_seconds_bucket\{le="1"\} 0$/m);
    expect(text).toMatch(/^vigil_collector_lag_seconds_bucket\{le="2.5"\} 2$/m);
  });

  it('serves GET /metrics and 404s anything else', async () => {
    const m = new AgentMetrics({ defaultMetrics: false });
    const srv = await startMetricsServer(m.registry, { host: '127.0.0.1', port: 0 });
    closers.push(() => srv.close());
    const base = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
    const ok = await fetch(`${base}/metrics`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('vigil_collector_events_total 0');
    expect((await fetch(`${base}/`)).status).toBe(404);
    expect((await fetch(`${base}/metrics`, { method: 'POST' })).status).toBe(404);
  });

  it('parses listen addresses and refuses junk', () => {
    expect(parseListenAddress('127.0.0.1:9464')).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(parseListenAddress(':9464')).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(parseListenAddress('[::1]:9464')).toEqual({ host: '::1', port: 9464 });
    for (const bad of ['9464', 'host:', 'a:b', '1.2.3.4:70000', '']) expect(() => parseListenAddress(bad), bad).toThrow(/HOST:PORT/);
  });
});
