// Kernel rule responses at exec (bpf/lib/respond.h), driven through the
// loader's control channel with no agent. Once `respond N kill-tree ...
// NAME` is committed, the exec of a file named NAME is killed before its
// new image runs, with every descendant of the exec'ing process, by the
// kernel alone; the exec record says so (VIGIL_F_RESPONDED) and counts the
// processes signalled. A bystander, another name, a rate-limited rule and
// a tree that holds the loader are left alone.
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FrameKind } from '../../agent/src/decode/frame-reader';
import { CONSTANTS } from '../../agent/src/decode/layout';
import { decodeRecord } from '../../agent/src/decode/record-decoder';
import type { RawRecord } from '../../agent/src/normalize/types';
import { LoaderRun, killAll, records, requireLoader } from './loader-harness';
import { execBlockOf } from '../../agent/src/agent/exec-block';

beforeAll(requireLoader);
const dir = mkdtempSync(join(tmpdir(), 'vigil-respond-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const kids: ChildProcess[] = [];
afterEach(() => {
  for (const k of kids) try { process.kill(-k.pid!, 'SIGKILL'); } catch { /* gone */ }
  kids.length = 0;
  killAll();
});

const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));
const exited = (c: ChildProcess) => new Promise<string | null>((ok) => (c.exitCode !== null || c.signalCode ? ok(c.signalCode) : c.once('exit', (_code, sig) => ok(sig))));

/** Live (not zombie) processes of a process group, from /proc. */
function group(pgid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const s = readFileSync(`/proc/${name}/stat`, 'utf8');
      const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
      if (Number(f[2]) === pgid && f[0] !== 'Z' && f[0] !== 'X') out.push(Number(name));
    } catch { /* exited */ }
  }
  return out;
}

async function until<T>(fn: () => T | undefined | false, ms: number, what: string): Promise<T> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(10)) {
    const v = fn();
    if (v) return v;
  }
  throw new Error(`timed out: ${what}`);
}

/** An executable copy of /bin/sleep whose file name is unique to this run. */
function binary(tag: string): string {
  const p = join(dir, `vigil-rx-${process.pid}-${tag}`);
  copyFileSync('/bin/sleep', p);
  return p;
}

/**
 * A tree in its own process group: the root, `sleeps` children sleeping,
 * and a subshell with one sleeping child of its own (a grandchild). Once all
 * run, the root spins (no fork) until `go` exists, then execs `exe`.
 */
async function tree(exe: string, sleeps: number, go: string): Promise<{ root: ChildProcess; members: number }> {
  const script = `for i in $(seq ${sleeps}); do sleep 600 & done; ( sleep 600 & wait ) & while [ ! -e ${go} ]; do :; done; exec ${exe} 600`;
  const root = spawn('bash', ['-c', script], { stdio: 'ignore', detached: true });
  kids.push(root);
  const members = sleeps + 3;
  await until(() => group(root.pid!).length >= members, 10_000, `${members} processes in the tree`);
  return { root, members };
}

/** The exec record of `exe` by `pid`, decoded. */
async function execRecord(run: LoaderRun, pid: number, exe: string): Promise<RawRecord> {
  const needle = Buffer.from(exe);
  let found: RawRecord | undefined;
  await run.waitFor((f) => {
    if (f.kind !== FrameKind.Events) return false;
    for (const r of records(f.payload)) {
      if (r.readUInt16LE(0) !== 1 || !r.includes(needle)) continue;
      const d = decodeRecord(r);
      // The executable itself: the shell that execs it has its path in its own argv.
      if (!(d instanceof Error) && d.tgid === pid && d.body.ret === 0 && d.strings[0]?.toString() === exe) found = d;
    }
    return found !== undefined;
  }, 10_000);
  return found!;
}

function respond(run: LoaderRun, lines: string[]): void {
  run.child.stdin!.write(['respond-begin', ...lines, 'respond-commit', ''].join('\n'));
}

const RESPONDED = CONSTANTS.VIGIL_F_RESPONDED;

describe('kernel rule responses at exec', () => {
  it('kill-tree: the exec of the named file dies with every descendant, signalled by the kernel alone; a bystander and another name run on', async () => {
    const run = new LoaderRun(['--disable', 'file,net,priv', '--exec-wakeup']);
    await run.ready();
    const doomedExe = binary('doomed');
    const otherExe = binary('other');
    respond(run, [`respond 3 kill-tree 100 ${doomedExe.slice(doomedExe.lastIndexOf('/') + 1)}`]);
    await until(() => /kernel responses live: 1 names/.test(run.stderr), 5000, 'the commit');

    const go = join(dir, 'go-1');
    const doomed = await tree(doomedExe, 10, go);
    const spared = await tree(otherExe, 3, go);
    const bystander = spawn('bash', ['-c', 'sleep 600 & sleep 600 & wait'], { stdio: 'ignore', detached: true });
    kids.push(bystander);
    await until(() => group(bystander.pid!).length >= 3, 5000, 'the bystander');
    writeFileSync(go, '');

    expect(await exited(doomed.root)).toBe('SIGKILL');
    const rec = await execRecord(run, doomed.root.pid!, doomedExe);
    expect(rec.flags & RESPONDED).toBe(RESPONDED);
    expect(rec.body).toMatchObject({ respond_rule: 3, respond_action: CONSTANTS.VIGIL_RESPOND_KILL_TREE, respond_refused: 0, respond_signalled: doomed.members });
    expect(rec.body.respond_ns as number).toBeGreaterThan(0);
    expect(rec.body.respond_ns as number).toBeLessThan(50_000_000);
    // Every member got SIGKILL from the kernel; none is left.
    await until(() => group(doomed.root.pid!).length === 0, 5000, 'the doomed tree gone');

    // The other name ran its image (sleep 600), untouched, and so did its children and the bystander.
    const other = await execRecord(run, spared.root.pid!, otherExe);
    expect(other.flags & RESPONDED).toBe(0);
    expect(other.body.respond_signalled).toBe(0);
    expect(spared.root.exitCode).toBeNull();
    expect(group(spared.root.pid!)).toHaveLength(spared.members);
    expect(group(bystander.pid!)).toHaveLength(3);

    // An empty commit lifts it: the same name runs.
    respond(run, []);
    await until(() => /kernel responses live: 0 names/.test(run.stderr), 5000, 'the empty commit');
    const go2 = join(dir, 'go-2');
    const again = await tree(doomedExe, 1, go2);
    writeFileSync(go2, '');
    const rec2 = await execRecord(run, again.root.pid!, doomedExe);
    expect(rec2.flags & RESPONDED).toBe(0);
    await sleep(100);
    expect(group(again.root.pid!)).toHaveLength(again.members);
  }, 60_000);

  it('kill: only the exec\'ing process dies, its children run on; past the rate limit the kernel refuses and says so', async () => {
    const run = new LoaderRun(['--disable', 'file,net,priv']);
    await run.ready();
    const exe = binary('kill');
    respond(run, [`respond 0 kill 1 ${exe.slice(exe.lastIndexOf('/') + 1)}`]);
    await until(() => /kernel responses live: 1 names/.test(run.stderr), 5000, 'the commit');

    const go = join(dir, 'go-kill');
    const first = await tree(exe, 2, go);
    writeFileSync(go, '');
    expect(await exited(first.root)).toBe('SIGKILL');
    const rec = await execRecord(run, first.root.pid!, exe);
    expect(rec.body).toMatchObject({ respond_action: CONSTANTS.VIGIL_RESPOND_KILL, respond_refused: 0, respond_signalled: 1 });
    expect(group(first.root.pid!)).toHaveLength(first.members - 1);

    // One per minute: the second exec of the name runs, and its record says why.
    const go2 = join(dir, 'go-kill-2');
    const second = await tree(exe, 1, go2);
    writeFileSync(go2, '');
    const rec2 = await execRecord(run, second.root.pid!, exe);
    expect(rec2.flags & RESPONDED).toBe(RESPONDED);
    expect(rec2.body).toMatchObject({ respond_refused: 2, respond_signalled: 0 });
    expect(second.root.exitCode).toBeNull();
  }, 60_000);

  it('two rules naming one file: the first answers for it, with the widest action either asked', async () => {
    const run = new LoaderRun(['--disable', 'file,net,priv']);
    await run.ready();
    const exe = binary('shared');
    const name = exe.slice(exe.lastIndexOf('/') + 1);
    respond(run, [`respond 5 kill 100 ${name}`, `respond 6 kill-tree 100 ${name}`]);
    await until(() => /kernel responses live: 1 names/.test(run.stderr), 5000, 'the commit');
    const go = join(dir, 'go-shared');
    const t = await tree(exe, 2, go);
    writeFileSync(go, '');
    expect(await exited(t.root)).toBe('SIGKILL');
    const rec = await execRecord(run, t.root.pid!, exe);
    expect(rec.body).toMatchObject({ respond_rule: 5, respond_action: CONSTANTS.VIGIL_RESPOND_KILL_TREE, respond_signalled: t.members });
    await until(() => group(t.root.pid!).length === 0, 5000, 'the tree gone');
  }, 60_000);

  it('the response allow-list: a member running an allowed file is spared; an allowed exec is refused', async () => {
    const run = new LoaderRun(['--disable', 'file,net,priv']);
    await run.ready();
    const exe = binary('spare-trigger');
    const kept = binary('spared');
    const st = statSync(kept, { bigint: true });
    const dev = execBlockOf(kept, st.ino, st.dev);
    run.child.stdin!.write(`respond-spare ${dev.ino} ${dev.major} ${dev.minor}\n`);
    await until(() => /response allow-list holds/.test(run.stderr), 5000, 'the allow-list');
    respond(run, [`respond 0 kill-tree 100 ${exe.slice(exe.lastIndexOf('/') + 1)}`, `respond 1 kill-tree 100 ${kept.slice(kept.lastIndexOf('/') + 1)}`]);
    await until(() => /kernel responses live: 2 names/.test(run.stderr), 5000, 'the commit');

    // The tree: the root, two sleeps, one allowed process (and the subshell with its sleep).
    const go = join(dir, 'go-spare');
    const script = `for i in 1 2; do sleep 600 & done; ${kept} 600 & ( sleep 600 & wait ) & while [ ! -e ${go} ]; do :; done; exec ${exe} 600`;
    const root = spawn('bash', ['-c', script], { stdio: 'ignore', detached: true });
    kids.push(root);
    await until(() => group(root.pid!).length >= 6, 10_000, 'six processes in the tree');
    writeFileSync(go, '');
    expect(await exited(root)).toBe('SIGKILL');
    const rec = await execRecord(run, root.pid!, exe);
    expect(rec.body).toMatchObject({ respond_refused: 0, respond_signalled: 5 });
    await until(() => group(root.pid!).length === 1, 5000, 'all but the allowed process gone');
    const [left] = group(root.pid!);
    expect(readFileSync(`/proc/${left}/cmdline`, 'utf8')).toContain(kept);

    // An exec of the allowed file itself: a rule names it, the kernel refuses, it runs.
    const go2 = join(dir, 'go-spare-2');
    const t = await tree(kept, 1, go2);
    writeFileSync(go2, '');
    const rec2 = await execRecord(run, t.root.pid!, kept);
    expect(rec2.body).toMatchObject({ respond_refused: 3, respond_signalled: 0 });
    await sleep(100);
    expect(group(t.root.pid!)).toHaveLength(t.members);
    try { process.kill(left, 'SIGKILL'); } catch { /* gone */ }
  }, 60_000);

  it('never kills a tree that holds the loader: the exec runs and the record says why', async () => {
    const exe = binary('holder');
    const go = join(dir, 'go-holder');
    // The root's child is a subshell that runs the loader (the loader puts its parent, the
    // subshell, in self_tgids: the root is not the agent's, but its tree holds it).
    const pidFile = join(dir, 'holder-loader.pid');
    // fd 3: a background job's stdin is /dev/null, and the loader's must stay the control pipe.
    const script = `exec 3<&0; ( "$@" <&3 & echo $! > ${pidFile}; wait ) & while [ ! -e ${go} ]; do :; done; exec ${exe} 600`;
    const run = new LoaderRun(['--disable', 'file,net,priv'], { prefix: ['bash', '-c', script, 'root'] });
    await run.ready();
    const loaderPid = Number(readFileSync(pidFile, 'utf8'));
    kids.push({ pid: -loaderPid } as ChildProcess); // afterEach: process.kill(loaderPid)
    respond(run, [`respond 1 kill-tree 100 ${exe.slice(exe.lastIndexOf('/') + 1)}`]);
    await until(() => /kernel responses live: 1 names/.test(run.stderr), 5000, 'the commit');
    writeFileSync(go, '');
    const rec = await execRecord(run, run.child.pid!, exe);
    expect(rec.body).toMatchObject({ respond_refused: 1, respond_signalled: 0 });
    await sleep(100);
    expect(run.child.exitCode).toBeNull();
    run.child.stdin!.write('watch-off\n');
    await until(() => /read watch off/.test(run.stderr), 5000, 'the loader still answering');
  }, 60_000);

  it('refuses malformed lines with a message and keeps running', async () => {
    const run = new LoaderRun(['--disable', 'file,net,priv']);
    await run.ready();
    run.child.stdin!.write([
      'respond 0 kill 1 x', // before respond-begin
      'respond-commit', // without respond-begin
      'respond-begin',
      'respond 256 kill 1 x', // rule index out of range
      'respond 0 kill-all 1 x', // unknown action
      'respond 0 kill 1 a/b', // not a file name
      `respond 0 kill 1 ${'n'.repeat(CONSTANTS.VIGIL_RESPOND_NAME_MAX)}`, // too long
      'respond 0 kill',
      'respond 0 kill many x', // not a number per minute
      'respond-commit',
      '',
    ].join('\n'));
    await until(() => /kernel responses live: 0 names/.test(run.stderr), 5000, 'the commit');
    expect(run.stderr.match(/ignored a respond line/g)).toHaveLength(7);
    expect(run.stderr).toMatch(/respond-commit without respond-begin ignored/);
    expect(run.child.exitCode).toBeNull();
  }, 30_000);
});
