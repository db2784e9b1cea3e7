import { describe, expect, it } from 'vitest';
import { decodeRecord } from '../../agent/src/decode/record-decoder';
import type { EcsEvent } from '../../agent/src/model/ecs-event';
import { BootClock } from '../../agent/src/normalize/boot-clock';
import { EventNormalizer } from '../../agent/src/normalize';
import { splitArgs } from '../../agent/src/normalize/process';
import type { RawRecord } from '../../agent/src/normalize/types';
import { entityIdFromNs } from '../../agent/src/process/entity-id';
import { buildRecord, type RecordSpec } from '../decode/record-builder';

const names = { userName: (id: number) => (id === 0 ? 'root' : undefined), groupName: (id: number) => (id === 0 ? 'root' : undefined) };
const normalizer = () => new EventNormalizer({ hostName: 'h1', bootId: 'boot-1', clock: new BootClock(0n), names });
const norm = (spec: RecordSpec): EcsEvent => normalizer().normalize(decodeRecord(buildRecord(spec)) as RawRecord)!;

describe('splitArgs', () => {
  it('splits on NUL without inventing a trailing empty arg', () => {
    expect(splitArgs(Buffer.from('ls\0-la\0'))).toEqual({ args: ['ls', '-la'], count: 2, capped: false });
    expect(splitArgs(Buffer.from('a\0\0'))).toEqual({ args: ['a', ''], count: 2, capped: false });
    expect(splitArgs(Buffer.from('a\0bc'))).toEqual({ args: ['a', 'bc'], count: 2, capped: false });
    expect(splitArgs(Buffer.from('\0'))).toEqual({ args: [], count: 0, capped: false });
  });

  it('caps the list and reports it', () => {
    const blob = Buffer.from(Array.from({ length: 40 }, (_, i) => `a${i}\0`).join(''));
    const r = splitArgs(blob);
    expect(r.args).toHaveLength(32);
    expect(r.args[31]).toBe('a31');
    expect(r.count).toBe(40);
    expect(r.capped).toBe(true);
  });
});

describe('process normalizer', () => {
  it('maps a successful exec', () => {
    const ev = norm({
      type: 1, comm: 'ls', hdr: { tgid: 50, tid: 50, ppid: 40, uid: 0, euid: 0, gid: 0, start_boottime: 2_000_000_000n, ts_ns: 3_000_000_001n },
      body: { ret: 0, args_size: 7, exe_ino: 12, exe_nlink: 1 },
      strings: ['/usr/bin/ls', 'ls\0-la\0', '/root'],
    });
    expect(ev['@timestamp']).toBe('1970-01-01T00:00:03.000000001Z');
    expect(ev.event).toMatchObject({ kind: 'event', category: ['process'], type: ['start'], action: 'exec', code: 1, outcome: 'success' });
    expect(ev.process).toMatchObject({
      pid: 50, name: 'ls', executable: '/usr/bin/ls', args: ['ls', '-la'], args_count: 2, command_line: 'ls -la',
      working_directory: '/root', thread: { id: 50 }, parent: { pid: 40 }, start: '1970-01-01T00:00:02.000000000Z',
      entity_id: entityIdFromNs(50, 2_000_000_000n, 'boot-1'),
    });
    expect(ev.user).toEqual({ id: '0', name: 'root', effective: { id: '0', name: 'root' }, group: { id: '0', name: 'root' } });
    expect(ev.host).toEqual({ name: 'h1', boot: { id: 'boot-1' } });
    expect(ev.vigil).toMatchObject({ ret: 0, start_boottime_ns: '2000000000', ts_boot_ns: '3000000001', loginuid: 4294967295 });
    expect(ev.vigil.exe_deleted).toBeUndefined();
    expect(ev.vigil.truncated).toBeUndefined();
  });

  it('maps a failed exec with errno, joining a relative filename with the cwd', () => {
    const ev = norm({ type: 1, body: { ret: -2 }, strings: ['./nope', '', '/srv'] });
    expect(ev.event.outcome).toBe('failure');
    expect(ev.vigil).toMatchObject({ ret: -2, errno: 'ENOENT' });
    expect(ev.process.executable).toBe('/srv/nope');
    expect(ev.process.args).toBeUndefined();
  });

  it('flags deleted executables, kernel truncation and capped args', () => {
    const many = Array.from({ length: 33 }, (_, i) => `x${i}`).join('\0') + '\0';
    const ev = norm({ type: 1, body: { ret: 0, exe_nlink: 0 }, strings: ['/memfd:x (deleted)', many, '/'] });
    expect(ev.vigil.exe_deleted).toBe(true);
    expect(ev.vigil.truncated).toBe(true);
    expect(ev.process.args_count).toBe(33);
    const kernelCut = norm({ type: 1, flags: 1, body: { ret: 0, exe_nlink: 1 }, strings: ['/bin/a', 'a\0b', '/'] });
    expect(kernelCut.vigil.truncated).toBe(true);
  });

  it('maps fork to vigil.child with the child entity_id', () => {
    const ev = norm({ type: 2, hdr: { tgid: 10 }, body: { child_pid: 11, child_tid: 11, child_start_boottime: 77_000_000_000n } });
    expect(ev.event).toMatchObject({ action: 'fork', type: ['start'] });
    expect(ev.vigil.child).toEqual({ pid: 11, tid: 11, entity_id: entityIdFromNs(11, 77_000_000_000n, 'boot-1'), start_boottime_ns: '77000000000' });
  });

  it('maps exit code, signal and core dump', () => {
    const code = norm({ type: 3, body: { exit_code: 7, signal: 0, core_dumped: 0 } });
    expect(code.event).toMatchObject({ action: 'exit', type: ['end'] });
    expect(code.process.exit_code).toBe(7);
    expect(code.vigil).toMatchObject({ signal: 0, core_dumped: false });
    const sig = norm({ type: 3, body: { exit_code: 0, signal: 11, core_dumped: 1 } });
    expect(sig.vigil).toMatchObject({ signal: 11, core_dumped: true });
  });

  it('sets header flags and gives each event a distinct id', () => {
    const ev = norm({ type: 3, flags: 2 | 4, body: {} });
    expect(ev.vigil.path_unresolved).toBe(true);
    expect(ev.vigil.no_task_context).toBe(true);
    const n = normalizer();
    const a = n.normalize(decodeRecord(buildRecord({ type: 3, hdr: { ts_ns: 1n } })) as RawRecord)!;
    const b = n.normalize(decodeRecord(buildRecord({ type: 3, hdr: { ts_ns: 2n } })) as RawRecord)!;
    expect(a.event.id).not.toBe(b.event.id);
  });
});
