// normalizeFile on hand-built records: kernel bytes -> decoder -> normalizer.
import { describe, expect, it } from 'vitest';
import { decodeRecord } from '../../agent/src/decode/record-decoder';
import type { EcsEvent } from '../../agent/src/model/ecs-event';
import { EventNormalizer } from '../../agent/src/normalize';
import { atFlagNames, openFlagNames, renameFlagNames } from '../../agent/src/normalize/file-names';
import { normalizeFile } from '../../agent/src/normalize/file';
import { joinPath } from '../../agent/src/normalize/paths';
import type { RawRecord } from '../../agent/src/normalize/types';
import { buildRecord, type RecordSpec } from '../decode/record-builder';

const normalizer = new EventNormalizer({ hostName: 'h', bootId: 'b', names: { userName: () => undefined, groupName: () => undefined } });

function norm(spec: RecordSpec): EcsEvent {
  const rec = decodeRecord(buildRecord(spec));
  if (rec instanceof Error) throw rec;
  const ev = normalizer.normalize(rec);
  if (!ev) throw new Error('record dropped');
  return ev;
}

const U = 0xffffffff;
const body = { ret: 0, dirfd: -100, flags: 0, mode: 0, owner_uid: U, owner_gid: U, length: 0n, syscall_nr: 0, repeat: 0 };
const rec = (type: number, b: Partial<typeof body>, strings: string[]): RecordSpec => ({ type, body: { ...body, ...b }, strings });

describe('normalizeFile', () => {
  it('open O_WRONLY|O_CREAT of a relative path: joined path, flag names, mode, fd result', () => {
    const ev = norm(rec(10, { ret: 3, flags: 0o1101 | 0o2000000, mode: 0o644, syscall_nr: 257 }, ['out.txt', '/tmp/work', '', '']));
    expect(ev.event).toMatchObject({ action: 'open', category: ['file'], type: ['access'], outcome: 'success', code: 10 });
    expect(ev.file).toEqual({ path: '/tmp/work/out.txt', mode: '0644' });
    expect(ev.vigil).toMatchObject({ ret: 3, dirfd: -100, syscall: 'openat', flags: 0o2001101, flag_names: ['O_WRONLY', 'O_CREAT', 'O_TRUNC', 'O_CLOEXEC'] });
    expect(ev.vigil.errno).toBeUndefined();
    expect(ev.vigil.path_unresolved).toBeUndefined();
  });

  it('failed open: outcome failure, errno name, no mode without O_CREAT', () => {
    const ev = norm(rec(10, { ret: -2, flags: 0, mode: 0o777, syscall_nr: 2 }, ['/nonexist/x', '', '', '']));
    expect(ev.event.outcome).toBe('failure');
    expect(ev.vigil).toMatchObject({ ret: -2, errno: 'ENOENT', syscall: 'open', flag_names: ['O_RDONLY'] });
    expect(ev.file).toEqual({ path: '/nonexist/x' });
  });

  it('openat with a dirfd: base is the dirfd path, dirfd kept', () => {
    const ev = norm(rec(10, { ret: 5, dirfd: 4, flags: 2, syscall_nr: 437 }, ['../b/./c', '/srv/a', '', '']));
    expect(ev.file?.path).toBe('/srv/b/c');
    expect(ev.vigil).toMatchObject({ dirfd: 4, syscall: 'openat2', flag_names: ['O_RDWR'] });
  });

  it('relative path whose base the kernel could not read is flagged unresolved', () => {
    const ev = norm({ ...rec(12, { dirfd: 9, syscall_nr: 263 }, ['x', '', '', '']), flags: 2 });
    expect(ev.file?.path).toBe('x');
    expect(ev.vigil.path_unresolved).toBe(true);
  });

  it('creat, mkdir, chmod carry a 4-digit octal mode', () => {
    expect(norm(rec(11, { ret: 4, flags: 0o1101, mode: 0o600, syscall_nr: 85 }, ['/a', '', '', ''])).file).toEqual({ path: '/a', mode: '0600' });
    const mk = norm(rec(19, { mode: 0o40750, syscall_nr: 83 }, ['d', '/t', '', '']));
    expect(mk.event.type).toEqual(['creation']);
    expect(mk.file).toEqual({ path: '/t/d', mode: '0750' });
    expect(norm(rec(14, { mode: 0o4755, syscall_nr: 90 }, ['/bin/x', '', '', ''])).file?.mode).toBe('4755');
  });

  it('unlinkat AT_REMOVEDIR: deletion with AT_ flag names', () => {
    const ev = norm(rec(12, { flags: 0x200, syscall_nr: 263 }, ['dd', '/tmp', '', '']));
    expect(ev.event).toMatchObject({ action: 'unlink', type: ['deletion'] });
    expect(ev.vigil).toMatchObject({ flags: 0x200, flag_names: ['AT_REMOVEDIR'], syscall: 'unlinkat' });
    expect(ev.file).toEqual({ path: '/tmp/dd' });
  });

  it('rename: old path in file.path, new in file.target_path, each with its own base', () => {
    const ev = norm(rec(13, { dirfd: 7, flags: 1, syscall_nr: 316 }, ['b.txt', '/w/sub', 'b2.txt', '/w']));
    expect(ev.event).toMatchObject({ action: 'rename', type: ['change'] });
    expect(ev.file).toEqual({ path: '/w/sub/b.txt', target_path: '/w/b2.txt' });
    expect(ev.vigil).toMatchObject({ flag_names: ['RENAME_NOREPLACE'], syscall: 'renameat2' });
  });

  it('chown: uid/gid as strings, unchanged (-1) omitted', () => {
    expect(norm(rec(15, { owner_uid: 1000, owner_gid: 100, syscall_nr: 92 }, ['/f', '', '', ''])).file).toEqual({ path: '/f', uid: '1000', gid: '100' });
    expect(norm(rec(15, { owner_uid: U, owner_gid: 5, syscall_nr: 92 }, ['/f', '', '', ''])).file).toEqual({ path: '/f', gid: '5' });
  });

  it('fd variants report the fd, and the resolved path from the kernel', () => {
    const ev = norm(rec(14, { dirfd: 11, mode: 0o700, syscall_nr: 91 }, ['/tmp/fe/a.txt', '', '', '']));
    expect(ev.vigil).toMatchObject({ fd: 11, syscall: 'fchmod' });
    expect(ev.vigil.dirfd).toBeUndefined();
    expect(ev.file).toEqual({ path: '/tmp/fe/a.txt', mode: '0700' });
    const bad = norm(rec(18, { ret: -9, dirfd: 99, length: 5n, syscall_nr: 77 }, ['', '', '', '']));
    expect(bad.vigil).toMatchObject({ errno: 'EBADF', fd: 99, path_unresolved: true });
    expect(bad.file).toEqual({ size: 5 });
  });

  it('link: both paths; symlink: the link is file.path, the raw target is target_path', () => {
    const ln = norm(rec(16, { syscall_nr: 265 }, ['a', '/w', 'sub/a4', '/w']));
    expect(ln.event.type).toEqual(['creation']);
    expect(ln.file).toEqual({ path: '/w/a', target_path: '/w/sub/a4' });
    const sl = norm(rec(17, { dirfd: 16, syscall_nr: 266 }, ['../target', '', 's2', '/w/sub']));
    expect(sl.file).toEqual({ path: '/w/sub/s2', target_path: '../target' });
    expect(sl.vigil.path_unresolved).toBeUndefined();
  });

  it('truncate: file.size from the s64 length', () => {
    const ev = norm(rec(18, { length: 4294967296n, syscall_nr: 76 }, ['big', '/t', '', '']));
    expect(ev.event.type).toEqual(['change']);
    expect(ev.file).toEqual({ path: '/t/big', size: 4294967296 });
  });

  it('chdir: info, the resolved new cwd', () => {
    const ev = norm(rec(20, { syscall_nr: 80 }, ['/tmp/fe/sub', '', '', '']));
    expect(ev.event).toMatchObject({ action: 'chdir', type: ['info'], outcome: 'success' });
    expect(ev.file).toEqual({ path: '/tmp/fe/sub' });
  });

  it('keeps the dedup repeat count', () => {
    expect(norm(rec(10, { ret: 3, repeat: 41, syscall_nr: 257 }, ['/x', '', '', ''])).vigil.repeat).toBe(41);
  });

  it('drops records whose body is not a file body', () => {
    const raw = { type: 10, body: { ret: 0 }, strings: [] } as unknown as RawRecord;
    const ev = { event: { action: 'open' }, vigil: {} } as unknown as EcsEvent;
    expect(normalizeFile(raw, ev, { userName: () => undefined, groupName: () => undefined, joinPath })).toBe(false);
  });
});

describe('file flag names', () => {
  it('names every open flag and prints unknown bits in hex', () => {
    expect(openFlagNames(0)).toEqual(['O_RDONLY']);
    expect(openFlagNames(0o4000 | 0o200000 | 0o400000 | 0o10000000)).toEqual(['O_RDONLY', 'O_NONBLOCK', 'O_NOFOLLOW', 'O_PATH', 'O_DIRECTORY']);
    expect(openFlagNames(0o20200000 | 2)).toEqual(['O_RDWR', 'O_TMPFILE']);
    expect(openFlagNames(0o4010000 | 0o2200)).toEqual(['O_RDONLY', 'O_EXCL', 'O_APPEND', 'O_SYNC']);
    expect(openFlagNames(1 | 0x40000000)).toEqual(['O_WRONLY', '0x40000000']);
  });

  it('names AT_ and RENAME_ flags', () => {
    expect(atFlagNames(0x1100)).toEqual(['AT_SYMLINK_NOFOLLOW', 'AT_EMPTY_PATH']);
    expect(renameFlagNames(6)).toEqual(['RENAME_EXCHANGE', 'RENAME_WHITEOUT']);
  });
});
