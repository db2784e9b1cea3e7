// Tracer: bpftrace printing one line per event for the same syscalls. Its
// output is read and thrown away by us (only "Attaching N probes" and
// "Lost N events" lines are looked for), the /dev/null of a pipe.
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { onCleanup } from '../cleanup.mjs';
import { exited, stopChild, waitFor } from '../exec.mjs';
import { ensureAptPackage } from './apt.mjs';

export const BPFTRACE_SCRIPT = [
  'tracepoint:syscalls:sys_enter_openat { printf("open %d %s %s\\n", pid, comm, str(args->filename)); }',
  'tracepoint:syscalls:sys_enter_open { printf("open %d %s %s\\n", pid, comm, str(args->filename)); }',
  'tracepoint:syscalls:sys_enter_execve { printf("exec %d %s %s\\n", pid, comm, str(args->filename)); }',
  'tracepoint:syscalls:sys_enter_connect { printf("connect %d %s %d\\n", pid, comm, args->fd); }',
].join('\n');

/** Scan bpftrace output chunks for its status lines without keeping the rest. */
export class BpftraceOutputScanner {
  attached = false;
  lost = 0;
  tail = '';
  /** Set `needle` to look for a marker line; `seen` turns true when it passes. */
  needle = null;
  seen = false;
  push(chunk) {
    const text = this.tail + chunk.toString('latin1');
    // Keep a partial last line so a status line split over chunks is seen.
    const cut = text.lastIndexOf('\n');
    this.tail = text.slice(cut + 1).slice(-200);
    const done = text.slice(0, cut + 1);
    if (!this.attached && /^Attaching \d+ probes?/m.test(done)) this.attached = true;
    if (this.needle && !this.seen && done.includes(this.needle)) this.seen = true;
    if (done.includes('Lost ')) for (const m of done.matchAll(/^Lost (\d+) events/gm)) this.lost += Number(m[1]);
  }
}

export function bpftraceTracer() {
  return {
    id: 'bpftrace',
    label: 'bpftrace (printf per event)',
    kind: 'bpftrace',
    config: 'bpftrace: printf on sys_enter_{open,openat,execve,connect}',
    async prepare() {
      return ensureAptPackage('bpftrace', 'bpftrace');
    },
    async start() {
      const child = spawn('bpftrace', ['-e', BPFTRACE_SCRIPT], { stdio: ['ignore', 'pipe', 'pipe'] });
      const out = new BpftraceOutputScanner();
      let stderr = '';
      child.stdout.on('data', (d) => out.push(d));
      child.stderr.on('data', (d) => { stderr = (stderr + d).slice(-2000); });
      const undo = onCleanup('stop bpftrace', () => stopChild(child, 'SIGINT', 10_000));
      const ok = await Promise.race([waitFor(() => out.attached, { timeoutMs: 60_000 }), exited(child, 60_000).then(() => false)]);
      if (!ok) {
        await undo();
        throw new Error(`bpftrace did not attach: ${stderr.trim().split('\n').pop() ?? `exit ${child.exitCode}`}`);
      }
      // "Attaching" comes before the attach: wait for a marker open to be printed.
      out.needle = `vigilbench-marker-${process.pid}-${Date.now()}`;
      const seen = await waitFor(() => {
        try { closeSync(openSync(`/tmp/${out.needle}`, 'r')); } catch { /* ENOENT is the point: the syscall ran */ }
        return out.seen;
      }, { timeoutMs: 20_000, everyMs: 200 });
      if (!seen) {
        await undo();
        throw new Error('bpftrace attached but never printed the marker open');
      }
      return {
        pids: () => [child.pid],
        counters: () => ({ events: null, drops: out.lost }),
        alive: () => child.exitCode === null && child.signalCode === null,
        stop: undo,
      };
    },
  };
}
