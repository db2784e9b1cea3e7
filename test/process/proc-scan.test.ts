// Real /proc: the scan must find this very process and its ancestry as the
// kernel sees it, with entity ids matching the kernel-derived ones.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { ProcessModel } from '../../agent/src/process';
import { entityId } from '../../agent/src/process/entity-id';
import { readProc, scanProc } from '../../agent/src/process/proc-scan';

// Independent of proc-parse: field 22 and field 4 of /proc/<pid>/stat.
function statFields(pid: number | 'self'): { ppid: number; ticks: bigint } {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { ppid: Number(f[1]), ticks: BigInt(f[19]) };
}

const cleanup: (() => void)[] = [];
afterAll(() => cleanup.forEach((f) => f()));

function sleeper(args: string[], stdio: ('pipe' | 'ignore' | Socket)[]): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)', ...args], { cwd: tmpdir(), stdio });
  cleanup.push(() => child.kill('SIGKILL'));
  return new Promise((resolve, reject) => {
    child.once('spawn', () => setTimeout(() => resolve(child), 200));
    child.once('error', reject);
  });
}

describe('proc-scan on the real /proc', () => {
  it('finds the test process with its exe, title args and kernel-equal entity id', () => {
    const me = scanProc().find((s) => s.pid === process.pid);
    expect(me).toBeDefined();
    expect(me!.executable).toBe(realpathSync(process.execPath));
    expect(me!.args).toEqual([process.title]); // vitest rewrites the title
    expect(me!.cwd).toBe(process.cwd());
    expect(me!.ppid).toBe(process.ppid);
    expect(me!.entityId).toBe(entityId(process.pid, statFields('self').ticks));
    expect(me!.uids?.effective).toBe(process.geteuid!());
  });

  it('reads a child exactly: argv split on NUL, cwd, and which stdio fds are inet sockets', async () => {
    const server: Server = createServer((s) => cleanup.push(() => s.destroy()));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanup.push(() => server.close());
    const sock = connect((server.address() as { port: number }).port, '127.0.0.1');
    await new Promise((r) => sock.once('connect', r));
    cleanup.push(() => sock.destroy());

    const child = await sleeper(['marker arg', '--x=1'], [sock, 'pipe', 'ignore']);
    const s = readProc(child.pid!);
    expect(s).toBeDefined();
    expect(s!.args).toEqual([process.execPath, '-e', 'setTimeout(() => {}, 30000)', 'marker arg', '--x=1']);
    expect(s!.executable).toBe(realpathSync(process.execPath));
    expect(s!.cwd).toBe(realpathSync(tmpdir()));
    expect(s!.ppid).toBe(process.pid);
    expect(s!.entityId).toBe(entityId(child.pid!, statFields(child.pid!).ticks));
    // fd 0: TCP socket; fd 1: node's "pipe" is an AF_UNIX socketpair; fd 2: /dev/null.
    expect(s!.stdioSockets).toEqual([0, 1]);
    expect(s!.stdioInetSockets).toEqual([0]);
  });

  it('tolerates a process that is gone', async () => {
    const child = await sleeper([], ['ignore', 'ignore', 'ignore']);
    const pid = child.pid!;
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    await new Promise((r) => setTimeout(r, 50));
    expect(readProc(pid)).toBeUndefined();
  });
});

describe('ProcessModel.seed on the real /proc', () => {
  it('seeds this process and its ancestor chain up to pid 1', () => {
    const m = new ProcessModel();
    expect(m.seed()).toBeGreaterThan(3);
    const myId = entityId(process.pid, statFields('self').ticks);
    const me = m.lookup(myId);
    expect(me).toMatchObject({ pid: process.pid, executable: realpathSync(process.execPath), source: 'seed' });

    const expected: number[] = [];
    for (let pid = process.ppid; pid > 0; pid = statFields(pid).ppid) expected.push(pid);
    expect(expected[expected.length - 1]).toBe(1);
    const chain = m.ancestors(myId);
    expect(chain.map((a) => a.pid)).toEqual(expected);
    for (const a of chain) {
      expect(a.entity_id).toBe(entityId(a.pid, statFields(a.pid).ticks));
      let exe: string | undefined;
      try { exe = readlinkSync(`/proc/${a.pid}/exe`).replace(/ \(deleted\)$/, ''); } catch { exe = undefined; }
      expect(a.executable).toBe(exe);
    }
  });

  it('seeds on a miss: an event from a process started after seed() is enriched from /proc', async () => {
    const m = new ProcessModel({ cgroupRoot: false });
    m.seed();
    const child = await sleeper(['late'], ['ignore', 'ignore', 'ignore']);
    const ticks = statFields(child.pid!).ticks;
    const out = m.ingest({
      '@timestamp': new Date().toISOString(),
      event: { kind: 'event', category: ['network'], action: 'socket' },
      process: { pid: child.pid!, entity_id: entityId(child.pid!, ticks), name: 'node', thread: { id: child.pid! }, parent: { pid: process.pid } },
      user: { id: '0' },
      host: { name: 'test' },
      vigil: { cgroup_id: '1', mnt_ns: 0, pid_ns: 0, start_boottime_ns: (ticks * 10_000_000n).toString(), ts_boot_ns: '0' },
    });
    expect(out).toHaveLength(1);
    expect(out[0].process.args?.slice(-1)).toEqual(['late']);
    expect(out[0].process.parent.entity_id).toBe(entityId(process.pid, statFields('self').ticks));
    expect(m.stats()).toMatchObject({ seededOnMiss: 1, waited: 0 });
  });
});
