// Real kernel: the file probes (bpf/file.bpf.c) seen through the shared
// agent. Each test runs a real command or build/helpers/fileops (one exact
// syscall per op) in a fresh temp dir and asserts the exact normalized
// event, matched on the process pid and the unique path.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findEvents, tempDir, uniqueName, waitForEvent, type EcsEvent, useCapture } from './harness';

// Every probe's exact events, including those the default profile filters.
useCapture('all');

const FILEOPS = resolve(__dirname, '../../build/helpers/fileops');
const TIMEOUT = 10_000;
const root = tempDir('vigil-e2e-file-');
afterAll(() => rmSync(root, { recursive: true, force: true }));
beforeAll(() => {
  if (!existsSync(FILEOPS)) throw new Error(`${FILEOPS} is missing: run \`make helpers\` first`);
});

interface OpLine { pid: number; op: string; ret: number; errno: number; dirfd: number }

/** A fresh dir per test, so paths never collide. */
function freshDir(): string {
  const d = join(root, uniqueName('t'));
  mkdirSync(d);
  return d;
}

function fileops(cwd: string, ...args: string[]): { pid: number; lines: OpLine[] } {
  const r = spawnSync(FILEOPS, args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`fileops ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return { pid: r.pid!, lines: r.stdout.trim().split('\n').map((l) => JSON.parse(l) as OpLine) };
}

function run(cwd: string, cmd: string, ...args: string[]): number {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.pid!;
}

const event = (pid: number, action: string, path: string) =>
  waitForEvent((e: EcsEvent) => e.process.pid === pid && e.event.action === action && e.file?.path === path, TIMEOUT);

describe('file events', () => {
  it('open O_WRONLY|O_CREAT of a new file is a create: path, flag names, mode and the fd it returned', async () => {
    const d = freshDir();
    const p = join(d, 'out.txt');
    const { pid, lines } = fileops(d, 'open', p, 'O_WRONLY|O_CREAT', '0640');
    const ev = await event(pid, 'create', p);
    expect(ev.event).toMatchObject({ category: ['file'], type: ['creation'], outcome: 'success', code: 11 });
    expect(ev.file).toEqual({ path: p, mode: '0640' });
    expect(ev.vigil).toMatchObject({ syscall: 'open', ret: lines[0].ret, dirfd: -100, flags: 0o101, flag_names: ['O_WRONLY', 'O_CREAT'] });
    expect(lines[0].ret).toBeGreaterThanOrEqual(3);
  });

  it('open of a relative path from a chdir-ed process gives the absolute path', async () => {
    const d = freshDir();
    mkdirSync(join(d, 'sub'));
    const { pid } = fileops(d, 'chdir', 'sub', '+', 'openat', '-', 'rel.txt', 'O_RDONLY|O_CREAT', '0600');
    const ev = await event(pid, 'create', join(d, 'sub', 'rel.txt'));
    expect(ev.vigil).toMatchObject({ syscall: 'openat', dirfd: -100, flag_names: ['O_RDONLY', 'O_CREAT'] });
    expect(ev.vigil.path_unresolved).toBeUndefined();
  });

  it('openat with a real dirfd resolves against that directory', async () => {
    const d = freshDir();
    mkdirSync(join(d, 'dir'));
    const { pid, lines } = fileops('/', 'openat', join(d, 'dir'), 'x.txt', 'O_RDWR|O_CREAT|O_EXCL|O_CLOEXEC', '0600');
    const ev = await event(pid, 'create', join(d, 'dir', 'x.txt'));
    expect(lines[0].dirfd).toBeGreaterThanOrEqual(3);
    expect(ev.vigil).toMatchObject({ dirfd: lines[0].dirfd, ret: lines[0].ret, flag_names: ['O_RDWR', 'O_CREAT', 'O_EXCL', 'O_CLOEXEC'] });
    expect(ev.file?.mode).toBe('0600');
  });

  it('openat2 reads flags and mode from struct open_how', async () => {
    const d = freshDir();
    const { pid } = fileops(d, 'openat2', d, 'how.txt', 'O_WRONLY|O_CREAT|O_TRUNC', '0604', 'RESOLVE_BENEATH');
    const ev = await event(pid, 'create', join(d, 'how.txt'));
    expect(ev.vigil).toMatchObject({ syscall: 'openat2', flag_names: ['O_WRONLY', 'O_CREAT', 'O_TRUNC'] });
    expect(ev.file?.mode).toBe('0604');
  });

  it('failed open (ENOENT): outcome failure with errno', async () => {
    const d = freshDir();
    const p = join(d, 'missing', 'nope.txt');
    const { pid, lines } = fileops(d, 'open', p, 'O_RDONLY', '0');
    expect(lines[0].errno).toBe(2);
    const ev = await event(pid, 'open', p);
    expect(ev.event.outcome).toBe('failure');
    expect(ev.vigil).toMatchObject({ ret: -2, errno: 'ENOENT', flag_names: ['O_RDONLY'] });
  });

  it('O_CREAT on a file that already exists is an open, not a create (FMODE_CREATED)', async () => {
    const d = freshDir();
    const p = join(d, 'there.txt');
    writeFileSync(p, 'x');
    const { pid, lines } = fileops(d, 'open', p, 'O_WRONLY|O_CREAT', '0640', '+', 'creat', p, '0600');
    expect(lines.map((l) => l.ret >= 3)).toEqual([true, true]);
    const ev = await event(pid, 'open', p);
    expect(ev.event).toMatchObject({ type: ['access'], outcome: 'success', code: 10 });
    expect(ev.vigil).toMatchObject({ syscall: 'open', flag_names: ['O_WRONLY', 'O_CREAT'] });
    const viaCreat = await waitForEvent((e) => e.process.pid === pid && e.vigil.syscall === 'creat', TIMEOUT);
    expect(viaCreat.event.action).toBe('open');
    // The creat event came last from this process: any create would be in by now.
    expect(findEvents((e) => e.process.pid === pid && e.event.action === 'create' && e.file?.path === p)).toHaveLength(0);
  });

  it('creat: action create with the effective open flags', async () => {
    const d = freshDir();
    const { pid } = fileops(d, 'creat', 'c.txt', '0600');
    const ev = await event(pid, 'create', join(d, 'c.txt'));
    expect(ev.event).toMatchObject({ type: ['creation'], outcome: 'success', code: 11 });
    expect(ev.file?.mode).toBe('0600');
    expect(ev.vigil).toMatchObject({ syscall: 'creat', flag_names: ['O_WRONLY', 'O_CREAT', 'O_TRUNC'] });
  });

  it('unlink: rm of a file', async () => {
    const d = freshDir();
    const p = join(d, 'gone.txt');
    writeFileSync(p, 'x');
    const pid = run(d, 'rm', p);
    const ev = await event(pid, 'unlink', p);
    expect(ev.event).toMatchObject({ type: ['deletion'], outcome: 'success' });
    expect(existsSync(p)).toBe(false);
  });

  it('unlinkat AT_REMOVEDIR and rmdir both report the removed directory', async () => {
    const d = freshDir();
    mkdirSync(join(d, 'a'));
    mkdirSync(join(d, 'b'));
    const { pid } = fileops(d, 'unlinkat', '-', 'a', 'AT_REMOVEDIR', '+', 'rmdir', 'b');
    const at = await event(pid, 'unlink', join(d, 'a'));
    expect(at.vigil).toMatchObject({ syscall: 'unlinkat', flags: 0x200, flag_names: ['AT_REMOVEDIR'] });
    const rm = await event(pid, 'unlink', join(d, 'b'));
    expect(rm.vigil).toMatchObject({ syscall: 'rmdir', flag_names: ['AT_REMOVEDIR'] });
  });

  it('rename: mv gives the old and new absolute paths', async () => {
    const d = freshDir();
    writeFileSync(join(d, 'old.txt'), 'x');
    mkdirSync(join(d, 'to'));
    const pid = run(join(d, 'to'), 'mv', '../old.txt', 'new.txt');
    const ev = await event(pid, 'rename', join(d, 'old.txt'));
    expect(ev.event).toMatchObject({ type: ['change'], outcome: 'success' });
    expect(ev.file?.target_path).toBe(join(d, 'to', 'new.txt'));
  });

  it('renameat2 across two dirfds, with RENAME_NOREPLACE', async () => {
    const d = freshDir();
    mkdirSync(join(d, 'src'));
    mkdirSync(join(d, 'dst'));
    writeFileSync(join(d, 'src', 'f'), 'x');
    const { pid } = fileops('/', 'renameat2', join(d, 'src'), 'f', join(d, 'dst'), 'g', 'RENAME_NOREPLACE');
    const ev = await event(pid, 'rename', join(d, 'src', 'f'));
    expect(ev.file?.target_path).toBe(join(d, 'dst', 'g'));
    expect(ev.vigil).toMatchObject({ syscall: 'renameat2', flag_names: ['RENAME_NOREPLACE'] });
  });

  it('chmod: mode 0755', async () => {
    const d = freshDir();
    const p = join(d, 'script.sh');
    writeFileSync(p, '#!/bin/sh\n');
    const pid = run(d, 'chmod', '755', p);
    const ev = await event(pid, 'chmod', p);
    expect(ev.event).toMatchObject({ type: ['change'], outcome: 'success' });
    expect(ev.file?.mode).toBe('0755');
  });

  it('fchmod: the path comes from the fd', async () => {
    const d = freshDir();
    const p = join(d, 'viafd');
    writeFileSync(p, 'x');
    const { pid, lines } = fileops(d, 'fchmod', p, '04750');
    const ev = await event(pid, 'chmod', p);
    expect(ev.file?.mode).toBe('4750');
    expect(ev.vigil).toMatchObject({ syscall: 'fchmod', fd: lines[0].dirfd });
  });

  it('chown: uid and gid', async () => {
    const d = freshDir();
    const p = join(d, 'owned');
    writeFileSync(p, 'x');
    const pid = run(d, 'chown', '1234:5678', p);
    const ev = await event(pid, 'chown', p);
    expect(ev.file).toMatchObject({ path: p, uid: '1234', gid: '5678' });
    expect(ev.event.outcome).toBe('success');
  });

  it('link: ln gives the existing and the new path', async () => {
    const d = freshDir();
    writeFileSync(join(d, 'orig'), 'x');
    const pid = run(d, 'ln', 'orig', 'hard');
    const ev = await event(pid, 'link', join(d, 'orig'));
    expect(ev.event.type).toEqual(['creation']);
    expect(ev.file?.target_path).toBe(join(d, 'hard'));
  });

  it('symlink: file.path is the new link, target_path the target as given', async () => {
    const d = freshDir();
    const pid = run(d, 'ln', '-s', '../somewhere/else', 'lnk');
    const ev = await event(pid, 'symlink', join(d, 'lnk'));
    expect(ev.file?.target_path).toBe('../somewhere/else');
    expect(ev.event).toMatchObject({ type: ['creation'], outcome: 'success' });
  });

  it('truncate: length in file.size, by path and by fd', async () => {
    const d = freshDir();
    const p = join(d, 'sized');
    writeFileSync(p, 'x');
    const { pid } = fileops(d, 'truncate', 'sized', '4096', '+', 'ftruncate', p, '10');
    const byPath = await event(pid, 'truncate', p);
    expect(byPath.file?.size).toBe(4096);
    expect(byPath.vigil.syscall).toBe('truncate');
    const byFd = await waitForEvent((e) => e.process.pid === pid && e.vigil.syscall === 'ftruncate', TIMEOUT);
    expect(byFd.file).toEqual({ path: p, size: 10 });
  });

  it('mkdir: mode', async () => {
    const d = freshDir();
    const pid = run(d, 'mkdir', '-m', '0750', 'newdir');
    const ev = await event(pid, 'mkdir', join(d, 'newdir'));
    expect(ev.file?.mode).toBe('0750');
    expect(ev.event).toMatchObject({ type: ['creation'], outcome: 'success' });
  });

  it('chdir: the resolved new working directory; failure keeps the path given', async () => {
    const d = freshDir();
    mkdirSync(join(d, 'inner'));
    const { pid } = fileops(d, 'chdir', 'inner/../inner', '+', 'chdir', 'nope');
    const ok = await event(pid, 'chdir', join(d, 'inner'));
    expect(ok.event).toMatchObject({ type: ['info'], outcome: 'success' });
    expect(ok.vigil.syscall).toBe('chdir');
    const bad = await event(pid, 'chdir', join(d, 'inner', 'nope'));
    expect(bad.vigil).toMatchObject({ errno: 'ENOENT' });
  });
});
