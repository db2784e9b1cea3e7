// Real kernel: the privilege probes (bpf/priv.bpf.c) seen through the running
// agent. Each test triggers one syscall with build/helpers/sysprobe and
// asserts the exact normalized event, matched on the helper's pid.
import { mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { EcsEvent } from '../../agent/src/model/ecs-event';
import { errnoName } from '../../agent/src/normalize/errno';
import { uniqueName, waitForEvent, useCapture } from './harness';
import { startProbe, type ProbeLine } from './sysprobe';

// Every probe's exact events, including those the default profile filters.
useCapture('all');

const TIMEOUT = 10_000;
const dir = mkdtempSync(join(tmpdir(), 'vigil-priv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const by = (pid: number, action: string) => (e: EcsEvent) => e.process.pid === pid && e.event.action === action;

type Dup = { file_type: string; socket_family?: string; newfd: number };

/** Run the helper and wait for its event of `action` (that also passes `also`). */
async function trigger(action: string, args: string[], also: (e: EcsEvent) => boolean = () => true): Promise<{ ev: EcsEvent; out: ProbeLine[] }> {
  const run = startProbe(...args);
  const ev = waitForEvent((e: EcsEvent) => by(run.pid, action)(e) && also(e), TIMEOUT);
  const out = await run.done;
  return { ev: await ev, out };
}

/** outcome/errno/ret as the helper saw the syscall end. */
function expectResult(ev: EcsEvent, out: ProbeLine): void {
  if (out.ret < 0) {
    expect(ev.event.outcome).toBe('failure');
    expect(ev.vigil.errno).toBe(errnoName(out.errno));
    expect(ev.vigil.ret).toBe(-out.errno);
  } else {
    expect(ev.event.outcome).toBe('success');
    expect(ev.vigil.ret).toBe(out.ret);
  }
}

// 64-bit capability mask of this process, from /proc.
const capEff = (): bigint => BigInt(`0x${/CapEff:\s*([0-9a-f]+)/.exec(readFileSync('/proc/self/status', 'utf8'))![1]}`);

describe('priv probes (real kernel)', () => {
  it('setgid then setuid to 65534', async () => {
    const run = startProbe('setid', '65534', '65534');
    const gid = waitForEvent(by(run.pid, 'setgid'), TIMEOUT);
    const uid = waitForEvent(by(run.pid, 'setuid'), TIMEOUT);
    const [out] = await run.done;
    expect(out).toMatchObject({ ret: 0, setgid: 0, uid: 65534, euid: 65534 });
    const g = await gid;
    expect(g.event).toMatchObject({ category: ['iam'], outcome: 'success' });
    expect(g.vigil.setgid).toEqual({ real: 65534, effective: -1, saved: -1, syscall: 'setgid' });
    const u = await uid;
    expect(u.vigil.setuid).toEqual({ real: 65534, effective: -1, saved: -1, syscall: 'setuid' });
    // The header is read after the call: the process already runs as 65534.
    expect(u.user.id).toBe('65534');
    expect(u.user.effective?.id).toBe('65534');
  });

  it('capset: the sets after the call, CAP_NET_RAW dropped', async () => {
    const { ev, out } = await trigger('capset', ['capset']);
    expectResult(ev, out[0]);
    const caps = ev.vigil.capset as { effective: string[]; permitted: string[]; target_pid: number };
    expect(caps.effective).not.toContain('CAP_NET_RAW');
    expect(caps.permitted).not.toContain('CAP_NET_RAW');
    const expected = capEff() & ~(1n << 13n);
    expect(caps.effective.length).toBe(expected.toString(2).split('').filter((c) => c === '1').length);
    expect(caps.effective).toContain('CAP_SYS_ADMIN');
    expect(caps.target_pid).toBe(0);
  });

  it('ptrace(PTRACE_ATTACH) of a child', async () => {
    const { ev, out } = await trigger('ptrace', ['ptrace-attach']);
    expectResult(ev, out[0]);
    expect(ev.event.category).toEqual(['process']);
    expect(ev.vigil.ptrace).toMatchObject({ request: 'PTRACE_ATTACH', request_code: 16, target_pid: out[0].child });
  });

  it('init_module of a garbage image fails and is reported', async () => {
    const params = uniqueName('vigil_param');
    const { ev, out } = await trigger('module-load', ['init-module', params]);
    expect(out[0].ret).toBe(-1);
    expectResult(ev, out[0]);
    expect(ev.event.category).toEqual(['driver']);
    expect(ev.vigil.module).toEqual({ fd: -1, size: 512, flags: [], params, syscall: 'init_module' });
  });

  it('finit_module of a non-module file fails with its path', async () => {
    const path = join(dir, `${uniqueName('mod')}.ko`);
    writeFileSync(path, 'not a module');
    const params = uniqueName('p');
    const { ev, out } = await trigger('module-load', ['finit-module', path, params]);
    expect(out[0].ret).toBe(-1);
    expectResult(ev, out[0]);
    expect(ev.file?.path).toBe(path);
    expect(ev.vigil.module).toMatchObject({ params, syscall: 'finit_module', size: 12 });
  });

  it('delete_module of a module that does not exist', async () => {
    const name = uniqueName('vigil_nomod').replace(/-/g, '_').slice(0, 50);
    const { ev, out } = await trigger('module-unload', ['delete-module', name]);
    expect(out[0].ret).toBe(-1);
    expectResult(ev, out[0]); // ENOENT, or ENOSYS on a kernel built without modules
    expect(ev.vigil.module).toEqual({ name, flags: ['O_NONBLOCK'] });
  });

  it('bpf(BPF_PROG_LOAD) with the program type and name', async () => {
    const name = `vg${Date.now().toString(36).slice(-8)}`;
    const { ev, out } = await trigger('bpf', ['bpf-prog-load', name]);
    expectResult(ev, out[0]);
    expect(ev.vigil.bpf).toEqual({ cmd: 'BPF_PROG_LOAD', cmd_code: 5, attr_size: expect.any(Number), prog_type: 'BPF_PROG_TYPE_SOCKET_FILTER', prog_name: name });
    expect((ev.vigil.bpf as { attr_size: number }).attr_size).toBeGreaterThanOrEqual(64);
  });

  it('memfd_create with its name', async () => {
    const name = uniqueName('vigil-memfd');
    const { ev, out } = await trigger('memfd-create', ['memfd', name]);
    expectResult(ev, out[0]);
    expect(ev.vigil.memfd).toEqual({ name, flags: ['MFD_CLOEXEC'] });
  });

  it('mount of a tmpfs and its umount', async () => {
    const target = mkdtempSync(join(dir, 'mnt-'));
    const source = uniqueName('vigilsrc');
    const run = startProbe('mount-tmpfs', target, source);
    const mnt = waitForEvent(by(run.pid, 'mount'), TIMEOUT);
    const um = waitForEvent(by(run.pid, 'umount'), TIMEOUT);
    const [out] = await run.done;
    expect(out).toMatchObject({ ret: 0, umount: 0 });
    const m = await mnt;
    expect(m.event.outcome).toBe('success');
    expect(m.vigil.mount).toEqual({ source, target, fstype: 'tmpfs', flags: ['MS_NOSUID', 'MS_NODEV'] });
    expect(m.file?.path).toBe(target);
    const u = await um;
    expect(u.vigil.mount).toEqual({ target, flags: ['MNT_DETACH'] });
    expect(u.event.outcome).toBe('success');
  });

  it('unshare(CLONE_NEWNS|CLONE_NEWUTS)', async () => {
    const { ev, out } = await trigger('unshare', ['unshare']);
    expectResult(ev, out[0]);
    expect(ev.vigil.unshare).toEqual({ flags: ['CLONE_NEWNS', 'CLONE_NEWUTS'], flags_raw: 0x04020000 });
  });

  it('setns into its own uts namespace names the namespace', async () => {
    const { ev, out } = await trigger('setns', ['setns-uts']);
    expectResult(ev, out[0]);
    expect(ev.vigil.setns).toEqual({ fd: out[0].fd, nstype: ['CLONE_NEWUTS'], target: readlinkSync('/proc/self/ns/uts') });
  });

  // Before exec, the child's stdio is set up by dup2 too (AF_UNIX socketpairs
  // from node): those are real events of the same pid, so match on the kind.
  it('dup2 of a connected TCP socket onto stdout: the reverse-shell shape', async () => {
    const { createServer } = await import('node:net');
    const srv = createServer((s) => s.on('error', () => undefined).resume());
    const port = await new Promise<number>((ok) => srv.listen(0, '127.0.0.1', () => ok((srv.address() as { port: number }).port)));
    try {
      const { ev, out } = await trigger('dup-stdio', ['dup2-socket', String(port)], (e) => (e.vigil.dup as Dup).socket_family === 'AF_INET');
      expect(ev.event).toMatchObject({ category: ['process'], outcome: 'success' });
      expect(ev.vigil.ret).toBe(1);
      expect(ev.vigil.dup).toEqual({ oldfd: out[0].fd, newfd: 1, file_type: 'socket', socket_family: 'AF_INET', socket_type: 'SOCK_STREAM', syscall: 'dup2', socket_origin: 'other' });
    } finally {
      await new Promise((ok) => srv.close(ok));
    }
  });

  it('dup2 of a regular file onto stderr carries its path', async () => {
    const path = join(dir, uniqueName('dup'));
    const { ev, out } = await trigger('dup-stdio', ['dup2-file', path], (e) => (e.vigil.dup as Dup).file_type === 'file');
    expect(ev.vigil.dup).toEqual({ oldfd: out[0].fd, newfd: 2, file_type: 'file', syscall: 'dup2', path });
  });
});
