import { describe, expect, it } from 'vitest';
import { LoaderStatsError, parseLoaderStats, probeCounts } from '../../agent/src/agent/loader-stats';
import { loaderExitMessage } from '../../agent/src/agent/loader-exit';

describe('parseLoaderStats', () => {
  it('parses the loader JSON, keeping realtime_offset_ns as a string', () => {
    const s = parseLoaderStats(Buffer.from(JSON.stringify({
      events: 5, drops: 1, truncated: 0, filtered: 2, ringbuf_bytes: 8388608, realtime_offset_ns: '1795422666355661330',
      probes: [{ name: 'handle_exec', family: 'process', section: 'tp/sched/sched_process_exec', attached: true, error: '' }],
    })));
    expect(s).toEqual({
      events: 5, drops: 1, truncated: 0, filtered: 2, ringbuf_bytes: 8388608, realtime_offset_ns: '1795422666355661330',
      abandoned: { scratch: 0, size: 0 }, // a frame without the keys: nothing counted
      probes: [{ name: 'handle_exec', family: 'process', section: 'tp/sched/sched_process_exec', attached: true, error: '' }],
    });
  });

  it('returns a typed error for bad JSON or missing counters', () => {
    expect(parseLoaderStats(Buffer.from('{not json'))).toBeInstanceOf(LoaderStatsError);
    expect(parseLoaderStats(Buffer.from('[1,2]'))).toBeInstanceOf(LoaderStatsError);
    const e = parseLoaderStats(Buffer.from('{"events":1,"drops":"x","truncated":0,"filtered":0}'));
    expect((e as Error).message).toContain('"drops"');
  });
});

describe('loaderExitMessage', () => {
  it('tells the user what to do for each loader exit code', () => {
    expect(loaderExitMessage(3, null)).toBe('loader: not root — run vigil agent as root (needs CAP_BPF and CAP_SYS_ADMIN)');
    expect(loaderExitMessage(5, null)).toContain('mount -t tracefs');
    expect(loaderExitMessage(42, null)).toBe('loader: exited with unexpected code 42');
    expect(loaderExitMessage(null, 'SIGKILL')).toBe('loader: killed by SIGKILL');
  });
});

describe('probeCounts', () => {
  it('counts a probe switched off on purpose as neither attached nor failed', () => {
    const p = (name: string, attached: boolean, error = '') => ({ name, family: 'priv', section: `tp/syscalls/${name}`, attached, error });
    expect(probeCounts([
      p('exit_openat', true),
      p('exit_init_module', false, 'off: the kernel has no such tracepoint'),
      p('exit_module_any', false, 'off: module syscalls have their own tracepoints'),
      p('exit_bpf', false, 'attach failed: Permission denied'),
    ])).toEqual({ attached: 1, failed: 1, off: 2 });
    expect(probeCounts([])).toEqual({ attached: 0, failed: 0, off: 0 });
  });
});
