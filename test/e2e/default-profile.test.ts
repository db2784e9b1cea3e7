// Real kernel: what the default profile's in-kernel filters keep and drop
// (bpf/lib/open_filter.h, docs/performance.md), seen through the shared
// `--capture default` agent with the default rules loaded. Every "dropped"
// assertion is made after a later event of the same process has arrived,
// so the dropped one had every chance to arrive first (one ring, in order).
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findEvents, tempDir, uniqueName, waitForEvent, type EcsEvent } from './harness';
import { startProbe } from './sysprobe';

const FILEOPS = resolve(__dirname, '../../build/helpers/fileops');
const TIMEOUT = 10_000;
const root = tempDir('vigil-e2e-profile-');
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface OpLine { pid: number; op: string; ret: number; errno: number }

function fileops(prefix: string[], ...args: string[]): { pid: number; lines: OpLine[] } {
  const r = spawnSync(prefix[0] ?? FILEOPS, prefix.length ? [...prefix.slice(1), FILEOPS, ...args] : args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`fileops ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return { pid: r.pid!, lines: r.stdout.trim().split('\n').map((l) => JSON.parse(l) as OpLine) };
}

const opens = (pid: number) => (e: EcsEvent) => e.event.kind === 'event' && e.event.action === 'open' && e.process.pid === pid;
/** A create of a fresh file: always shipped, so it marks "everything before it has arrived". */
const marker = (d: string) => ['+', 'open', join(d, uniqueName('marker')), 'O_WRONLY|O_CREAT', '0600'];
const created = (pid: number, path: string) => (e: EcsEvent) =>
  e.event.kind === 'event' && e.event.action === 'create' && e.process.pid === pid && e.file?.path === path;

function freshDir(): string {
  const d = join(root, uniqueName('t'));
  mkdirSync(d);
  return d;
}

describe('default profile: file opens', () => {
  it('drops a read-only open of an unwatched file, ships the write-open after it', async () => {
    const d = freshDir();
    const plain = join(d, 'notes.txt');
    writeFileSync(plain, 'x');
    const m = marker(d);
    const { pid, lines } = fileops([], 'open', plain, 'O_RDONLY', '0', ...m);
    expect(lines[0].ret).toBeGreaterThanOrEqual(3);
    await waitForEvent(created(pid, m[2]), TIMEOUT);
    expect(findEvents(opens(pid)).map((e) => e.file?.path)).toEqual([]);
  });

  it('ships a read of a file whose name a rule watches, even through a symlink named otherwise', async () => {
    const d = freshDir();
    mkdirSync(join(d, '.ssh'));
    const key = join(d, '.ssh', 'id_rsa');
    writeFileSync(key, 'k');
    const innocent = join(d, 'innocent.txt');
    symlinkSync(key, innocent);
    const { pid } = fileops([], 'open', innocent, 'O_RDONLY', '0');
    const ev = await waitForEvent((e) => opens(pid)(e) && e.file?.path === innocent, TIMEOUT);
    expect(ev.vigil).toMatchObject({ flag_names: ['O_RDONLY'] });
  });

  it('ships a read of any file directly inside a watched directory name', async () => {
    const d = freshDir();
    mkdirSync(join(d, 'sudoers.d'));
    const f = join(d, 'sudoers.d', 'extra');
    writeFileSync(f, 'x');
    const { pid } = fileops([], 'open', f, 'O_RDONLY', '0');
    await waitForEvent((e) => opens(pid)(e) && e.file?.path === f, TIMEOUT);
  });

  it('drops a failed read-only open for ENOENT, ships one refused with EACCES', async () => {
    const d = freshDir();
    const missing = join(d, 'nope.txt');
    const m = marker(d);
    const a = fileops([], 'open', missing, 'O_RDONLY', '0', ...m);
    expect(a.lines[0].errno).toBe(2);
    await waitForEvent(created(a.pid, m[2]), TIMEOUT);
    expect(findEvents((e) => opens(a.pid)(e) && e.file?.path === missing)).toEqual([]);

    const secret = join(d, 'secret.txt');
    writeFileSync(secret, 's', { mode: 0o600 });
    const b = fileops(['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'], 'open', secret, 'O_RDONLY', '0');
    expect(b.lines[0].errno).toBe(13);
    const ev = await waitForEvent((e) => opens(b.pid)(e) && e.file?.path === secret, TIMEOUT);
    expect(ev.vigil).toMatchObject({ errno: 'EACCES' });
    expect(ev.user?.id).toBe('65534');
  });

  it('drops opens of /dev/null and the tty devices by device number', async () => {
    const d = freshDir();
    const m = marker(d);
    const { pid } = fileops([], 'open', '/dev/null', 'O_WRONLY', '0', '+', 'open', '/dev/zero', 'O_RDWR', '0', ...m);
    await waitForEvent(created(pid, m[2]), TIMEOUT);
    expect(findEvents(opens(pid)).map((e) => e.file?.path)).toEqual([]);
  });

  it('folds a process\'s identical opens into one event and carries the count in the next', async () => {
    const d = freshDir();
    const f = join(d, 'log.txt');
    writeFileSync(f, ''); // every open below finds it: opens, not a create first
    const w = ['open', f, 'O_WRONLY|O_CREAT|O_APPEND', '0600'];
    const { pid } = fileops([], ...w, '+', ...w, '+', ...w, '+', ...w, '+', 'sleep', '1200', '+', ...w);
    const second = await waitForEvent((e) => opens(pid)(e) && e.file?.path === f && e.vigil.repeat !== undefined, TIMEOUT);
    expect(second.vigil.repeat).toBe(3);
    const all = findEvents((e) => opens(pid)(e) && e.file?.path === f);
    expect(all).toHaveLength(2);
    expect(all[0].vigil.repeat).toBeUndefined();
  });

  it('a new program in the same process is a new dedup key', async () => {
    const d = freshDir();
    const f = join(d, 'shared.txt');
    writeFileSync(f, '');
    // sh opens f for append, then execs fileops (same pid) which opens it the same way.
    const r = spawnSync('/bin/sh', ['-c', `exec 3>>"${f}"; exec "${FILEOPS}" open "${f}" 'O_WRONLY|O_CREAT|O_APPEND' 0`], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    const bySh = await waitForEvent((e) => opens(r.pid!)(e) && e.file?.path === f && e.process.executable !== FILEOPS, TIMEOUT);
    const byFileops = await waitForEvent((e) => opens(r.pid!)(e) && e.file?.path === f && e.process.executable === FILEOPS, TIMEOUT);
    // Same pid, file and flags: only the exec tells them apart.
    expect(bySh.vigil.flags).toBe(byFileops.vigil.flags);
    expect(byFileops.vigil.flag_names).toEqual(['O_WRONLY', 'O_CREAT', 'O_APPEND']);
  });
});

describe('default profile: network', () => {
  let server: Server | undefined;
  afterAll(() => server?.close());

  it('ships how a non-blocking connect ended, not the TCP states a blocking connect or accept already report', async () => {
    server = createServer((s) => s.end());
    await new Promise<void>((ok) => server!.listen(0, '127.0.0.1', ok));
    const port = (server.address() as { port: number }).port;
    const tcp = (e: EcsEvent) => e.event.action === 'tcp-state' && (e.destination?.port === port || e.source?.port === port);
    const state = (e: EcsEvent) => { const t = e.vigil.tcp as { old_state: string; new_state: string }; return `${t.old_state}>${t.new_state}`; };

    const nb = startProbe('tcp-connect-nb', '127.0.0.1', String(port));
    const [nbOut] = await nb.done;
    expect([0, 115]).toContain(nbOut.errno); // EINPROGRESS, or done within the call
    const est = await waitForEvent((e) => tcp(e) && e.source?.port === nbOut.sport, TIMEOUT);
    expect(state(est)).toBe('SYN_SENT>ESTABLISHED');

    const blocking = startProbe('tcp-connect', '127.0.0.1', String(port));
    const [bOut] = await blocking.done;
    expect(bOut.ret).toBe(0);
    await waitForEvent((e) => e.event.action === 'connect' && e.process.pid === blocking.pid, TIMEOUT);
    // A later connect marks the first two connections' teardown as past.
    const mark = startProbe('tcp-connect', '127.0.0.1', String(port));
    await mark.done;
    await waitForEvent((e) => e.event.action === 'connect' && e.process.pid === mark.pid, TIMEOUT);
    expect(findEvents(tcp).map(state)).toEqual(['SYN_SENT>ESTABLISHED']);
  });

  it('drops socket() of an ordinary TCP socket, ships a raw one', async () => {
    const raw = startProbe('socket', '2', '3', '1'); // AF_INET, SOCK_RAW, ICMP
    await waitForEvent((e) => e.event.action === 'socket' && e.process.pid === raw.pid, TIMEOUT);
    await raw.done;
    const tcp = startProbe('tcp-connect', '127.0.0.1', '1');
    await tcp.done;
    await waitForEvent((e) => e.event.action === 'connect' && e.process.pid === tcp.pid, TIMEOUT);
    expect(findEvents((e) => e.event.action === 'socket' && e.process.pid === tcp.pid)).toEqual([]);
  });
});
