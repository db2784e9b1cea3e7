// normalizePriv on hand-built records: kernel bytes -> decoder -> normalizer.
import { describe, expect, it } from 'vitest';
import { decodeRecord } from '../../agent/src/decode/record-decoder';
import type { EcsEvent } from '../../agent/src/model/ecs-event';
import { EventNormalizer } from '../../agent/src/normalize';
import { buildRecord } from '../decode/record-builder';

const normalizer = new EventNormalizer({ hostName: 'h', bootId: 'b', names: { userName: () => undefined, groupName: () => undefined } });

function args(...vals: bigint[]): Buffer {
  const b = Buffer.alloc(48);
  vals.forEach((v, i) => b.writeBigUInt64LE(BigInt.asUintN(64, v), i * 8));
  return b;
}

function norm(type: number, ret: number, arg: Buffer, strings: string[] = []): EcsEvent {
  const rec = decodeRecord(buildRecord({ type, body: { ret, arg }, strings }));
  if (rec instanceof Error) throw rec;
  const ev = normalizer.normalize(rec);
  if (!ev) throw new Error('record dropped');
  return ev;
}

describe('normalizePriv', () => {
  it('setuid: ids with -1 for unchanged, syscall name, iam category', () => {
    const ev = norm(40, 0, args(65534n, 0xffffffffn, 0xffffffffn, 105n));
    expect(ev.event).toMatchObject({ action: 'setuid', category: ['iam'], outcome: 'success' });
    expect(ev.vigil.setuid).toEqual({ real: 65534, effective: -1, saved: -1, syscall: 'setuid' });
    const res = norm(41, -1, args(1n, 2n, 3n, 119n));
    expect(res.vigil.setgid).toEqual({ real: 1, effective: 2, saved: 3, syscall: 'setresgid' });
    expect(res.event.outcome).toBe('failure');
    expect(res.vigil.errno).toBe('EPERM');
  });

  it('capset: decodes capability masks', () => {
    const ev = norm(42, 0, args((1n << 21n) | (1n << 39n), 1n << 21n, 0n, 0n));
    expect(ev.vigil.capset).toEqual({ effective: ['CAP_SYS_ADMIN', 'CAP_BPF'], permitted: ['CAP_SYS_ADMIN'], inheritable: [], target_pid: 0 });
  });

  it('ptrace: request name, target pid, addr', () => {
    const ev = norm(43, 0, args(16n, 4242n, 0x1000n));
    expect(ev.event.category).toEqual(['process']);
    expect(ev.vigil.ptrace).toEqual({ request: 'PTRACE_ATTACH', request_code: 16, target_pid: 4242, addr: '0x1000' });
  });

  it('module load (init and finit) and unload', () => {
    const init = norm(44, -8, args(-1n, 512n, 0n), ['', 'debug=1']);
    expect(init.event).toMatchObject({ action: 'module-load', category: ['driver'], outcome: 'failure' });
    expect(init.vigil.errno).toBe('ENOEXEC');
    expect(init.vigil.module).toEqual({ fd: -1, size: 512, flags: [], params: 'debug=1', syscall: 'init_module' });
    const finit = norm(44, 0, args(3n, 4096n, 2n), ['/lib/modules/x.ko', '']);
    expect(finit.file?.path).toBe('/lib/modules/x.ko');
    expect(finit.vigil.module).toMatchObject({ fd: 3, syscall: 'finit_module', flags: ['MODULE_INIT_IGNORE_VERMAGIC'] });
    const del = norm(45, -2, args(0o4000n), ['nosuch']);
    expect(del.vigil.module).toEqual({ name: 'nosuch', flags: ['O_NONBLOCK'] });
    expect(del.vigil.errno).toBe('ENOENT');
  });

  it('bpf: command, program type and name for PROG_LOAD only', () => {
    const load = norm(46, 7, args(5n, 1n, 144n), ['my_filter']);
    expect(load.vigil.bpf).toEqual({ cmd: 'BPF_PROG_LOAD', cmd_code: 5, attr_size: 144, prog_type: 'BPF_PROG_TYPE_SOCKET_FILTER', prog_name: 'my_filter' });
    const map = norm(46, 4, args(0n, 0n, 72n), ['']);
    expect(map.vigil.bpf).toEqual({ cmd: 'BPF_MAP_CREATE', cmd_code: 0, attr_size: 72 });
  });

  it('memfd, mount and umount', () => {
    expect(norm(47, 3, args(1n), ['payload']).vigil.memfd).toEqual({ name: 'payload', flags: ['MFD_CLOEXEC'] });
    const m = norm(48, 0, args(6n), ['none', '/mnt/x', 'tmpfs']);
    expect(m.vigil.mount).toEqual({ source: 'none', target: '/mnt/x', fstype: 'tmpfs', flags: ['MS_NOSUID', 'MS_NODEV'] });
    expect(m.file?.path).toBe('/mnt/x');
    expect(norm(49, 0, args(2n), ['/mnt/x']).vigil.mount).toEqual({ target: '/mnt/x', flags: ['MNT_DETACH'] });
  });

  it('unshare and setns namespace flags', () => {
    const u = norm(50, 0, args(0x04020000n));
    expect(u.vigil.unshare).toEqual({ flags: ['CLONE_NEWNS', 'CLONE_NEWUTS'], flags_raw: 0x04020000 });
    const s = norm(51, 0, args(3n, 0x04000000n), ['uts:[4026531838]']);
    expect(s.vigil.setns).toEqual({ fd: 3, nstype: ['CLONE_NEWUTS'], target: 'uts:[4026531838]' });
  });

  it('dup-stdio: a socket on stdout, and a file on stderr', () => {
    const sock = norm(52, 1, args(3n, 1n, 0o140000n, 2n, 1n, 33n), ['']);
    expect(sock.vigil.dup).toEqual({ oldfd: 3, newfd: 1, file_type: 'socket', socket_family: 'AF_INET', socket_type: 'SOCK_STREAM', syscall: 'dup2' });
    const file = norm(52, 2, args(4n, 2n, 0o100000n, 0n, 0n, 292n), ['/tmp/log']);
    expect(file.vigil.dup).toEqual({ oldfd: 4, newfd: 2, file_type: 'file', syscall: 'dup3', path: '/tmp/log' });
    const pipe = norm(52, 0, args(4n, 0n, 0o010000n, 123456n, 0n, 33n), ['']);
    expect(pipe.vigil.dup).toEqual({ oldfd: 4, newfd: 0, file_type: 'pipe', pipe_inode: 123456, syscall: 'dup2' });
  });

  it('drops a record whose arg array is malformed', () => {
    const rec = decodeRecord(buildRecord({ type: 43, body: { ret: 0, arg: args(16n) } }));
    if (rec instanceof Error) throw rec;
    rec.body.arg = Buffer.alloc(8);
    expect(normalizer.normalize(rec)).toBeUndefined();
  });
});
