// The running loader against the real kernel: READY, periodic STATS and an
// EXEC record for a command we run. Full record decoding is tested in
// test/decode; here only hdr.type and the marker bytes are checked.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FrameKind } from '../../agent/src/decode/frame-reader';
import { KERNEL_STATS } from '../../agent/src/decode/kernel-stats';
import { LoaderRun, StatsJson, killAll, records, requireLoader } from './loader-harness';

const PROCESS_PROBES = ['handle_exec', 'handle_fork', 'handle_exit', 'exit_execve'];

describe('vigil-loader streaming', () => {
  let run: LoaderRun;
  let ready: StatsJson;

  beforeAll(async () => {
    requireLoader();
    run = new LoaderRun([]);
    ready = await run.ready();
  }, 30000);

  afterAll(killAll);

  it('sends READY listing the process probes as attached', () => {
    for (const name of PROCESS_PROBES) {
      const p = ready.probes.find((x) => x.name === name);
      expect(p, `probe ${name} in READY`).toBeDefined();
      expect(p!.family).toBe('process');
      expect(p!.attached).toBe(true);
      expect(p!.error).toBe('');
      expect(p!.section.length).toBeGreaterThan(0);
    }
    expect(ready.ringbuf_bytes).toBe(8 * 1024 * 1024);
  });

  it('reports the wall-clock offset of boot time exactly enough to convert timestamps', () => {
    const offset = BigInt(ready.realtime_offset_ns);
    const uptimeNs = BigInt(Math.round(parseFloat(readFileSync('/proc/uptime', 'utf8').split(' ')[0]) * 1e9));
    const wallNs = BigInt(Date.now()) * 1000000n;
    const err = wallNs - uptimeNs - offset;
    expect(err < 0n ? -err : err).toBeLessThan(2000000000n); // /proc/uptime is coarse; 2 s bound
  });

  it('sends STATS about once a second with numeric counters', async () => {
    const start = run.frames.length;
    const t0 = Date.now();
    await new Promise((r) => setTimeout(r, 3500));
    const stats = run.frames.slice(start).filter((f) => f.kind === FrameKind.Stats);
    const elapsed = (Date.now() - t0) / 1000;
    expect(stats.length).toBeGreaterThanOrEqual(Math.floor(elapsed) - 1);
    expect(stats.length).toBeLessThanOrEqual(Math.ceil(elapsed) + 1);
    const last = JSON.parse(stats[stats.length - 1].payload.toString()) as StatsJson;
    // Exactly the counters of bpf/events.h VIGIL_STAT_KEYS, each an integer.
    const counters = Object.keys(last).filter((k) => !['read_watch', 'ringbuf_bytes', 'realtime_offset_ns', 'probes'].includes(k));
    expect(counters).toEqual(KERNEL_STATS.map((s) => s.key));
    for (const k of counters) {
      const v = (last as unknown as Record<string, number>)[k];
      expect(Number.isInteger(v), k).toBe(true);
      expect(v).toBeGreaterThanOrEqual(0);
    }
    expect(last.probes.length).toBe(ready.probes.length);
  }, 10000);

  it('emits an EXEC record carrying the argv of a command we run', async () => {
    const marker = `vigil-marker-${process.pid}-${Date.now()}`;
    const from = run.frames.length;
    execFileSync('/bin/echo', [marker]);
    const needle = Buffer.from(marker);
    const frame = await run.waitFor(
      (f) => f.kind === FrameKind.Events && records(f.payload).some((r) => r.readUInt16LE(0) === 1 && r.includes(needle)),
      5000,
      from,
    );
    const rec = records(frame.payload).find((r) => r.readUInt16LE(0) === 1 && r.includes(needle))!;
    expect(rec.length % 8).toBe(0);
    expect(rec.includes(Buffer.from('/bin/echo')) || rec.includes(Buffer.from('/usr/bin/echo'))).toBe(true);
  }, 10000);
});
