// The kernel's half of kill-tree (bpf/process.bpf.c, map kill_tree), driven
// through the loader's control channel with no agent: once `kill-tree TGID`
// is in, a process of that tree dies (SIGKILL, sent by no user-space
// process) the next time it forks or execs, and so does a grandchild
// whose parent was reaped meanwhile. A bystander is untouched; after
// `kill-tree-end` the same kind of loop runs on. And --exec-wakeup: an
// exec reaches the loader's output without waiting for its poll period.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { FrameKind } from '../../agent/src/decode/frame-reader';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LoaderRun, killAll, records, requireLoader } from './loader-harness';

beforeAll(requireLoader);
const kids: ChildProcess[] = [];
afterEach(() => {
  for (const k of kids) try { process.kill(-k.pid!, 'SIGKILL'); } catch { /* gone */ }
  kids.length = 0;
  killAll();
});

/** A shell in its own process group whose child loops over /bin/true (a fork and an exec every turn). */
function looper(): ChildProcess {
  const c = spawn('bash', ['-c', '(while :; do /bin/true; done) & wait'], { stdio: 'ignore', detached: true });
  kids.push(c);
  return c;
}
const exited = (c: ChildProcess) => new Promise<string | null>((ok) => (c.exitCode !== null || c.signalCode ? ok(c.signalCode) : c.once('exit', (_code, sig) => ok(sig))));
const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));
const groupAlive = (pgid: number) => {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('kill-tree in the kernel', () => {
  it('kills every member that forks or execs once the root is armed; a bystander runs on; kill-tree-end disarms', async () => {
    const run = new LoaderRun(['--disable', 'file,net,priv', '--stats-interval-ms', '100']);
    await run.ready();
    const doomed = looper();
    const bystander = looper();
    await sleep(200);
    expect(groupAlive(doomed.pid!)).toBe(true);

    run.child.stdin!.write(`kill-tree ${doomed.pid}\n`);
    // The root only waits; its child forks and execs all the time and dies at once. The root
    // then returns from wait and exits by itself: no one sent a signal from user space.
    const t0 = Date.now();
    for (; groupAlive(doomed.pid!) && Date.now() - t0 < 5000;) await sleep(5);
    expect(groupAlive(doomed.pid!)).toBe(false);
    expect(await exited(doomed)).toBeNull(); // the root exited normally after its child was killed
    expect(groupAlive(bystander.pid!)).toBe(true);

    // Disarmed: a shell armed and ended while it waits on its stdin, then looping, runs on.
    const spared = spawn('bash', ['-c', 'read go; (while :; do /bin/true; done) & wait'], { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
    kids.push(spared);
    await sleep(100);
    run.child.stdin!.write(`kill-tree ${spared.pid}\nkill-tree-end ${spared.pid}\n`);
    await sleep(100);
    spared.stdin!.write('go\n');
    await sleep(300);
    expect(groupAlive(spared.pid!)).toBe(true);
    expect(spared.exitCode).toBeNull();

    // Junk is refused with a message and changes nothing.
    run.child.stdin!.write('kill-tree 1\nkill-tree x\nkill-tree\n');
    await sleep(200);
    expect(run.stderr.match(/control: kill-tree needs a TGID above 1/g)).toHaveLength(3);
    expect(groupAlive(bystander.pid!)).toBe(true);
    expect(run.child.exitCode).toBeNull();
  }, 30_000);
});

describe('--exec-wakeup', () => {
  it('an exec record is streamed at once, not at the next poll (up to 1 s away)', async () => {
    const run = new LoaderRun(['--disable', 'file,net,priv', '--poll-ms', '1000', '--exec-wakeup']);
    await run.ready();
    // Three execs: by the timer alone, each would wait a uniform 0-1 s for the poll, so three under 200 ms would be luck (0.8%).
    for (let i = 0; i < 3; i++) {
      await sleep(300);
      const marker = `vigil-wake-${process.pid}-${Date.now()}-${i}`;
      const from = run.frames.length;
      const t0 = Date.now();
      execFileSync('/bin/echo', [marker]);
      const needle = Buffer.from(marker);
      await run.waitFor((f) => f.kind === FrameKind.Events && records(f.payload).some((r) => r.readUInt16LE(0) === 1 && r.includes(needle)), 5000, from);
      expect(Date.now() - t0).toBeLessThan(200);
    }
  }, 30_000);
});
