// Process family against the real kernel, through the whole pipeline:
// probe -> loader -> decode -> normalize -> JSONL of the shared agent.
import { spawn, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir, uniqueCopy, uniqueName, waitForEvent, type EcsEvent, useCapture } from './harness';

// Every probe's exact events, including those the default profile filters.
useCapture('all');

const dir = tempDir('vigil-e2e-proc-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const isExec = (exe: string) => (e: EcsEvent) => e.event.action === 'exec' && e.process.executable === exe;

describe('process events', () => {
  it('exec: exact executable, args, cwd, parent and user', async () => {
    const exe = uniqueCopy('/bin/true', dir, 'vigil-true');
    const marker = uniqueName('marker');
    const r = spawnSync(exe, [marker, 'two words', '--flag=3'], { cwd: dir });
    expect(r.status).toBe(0);
    const ev = await waitForEvent(isExec(exe));
    expect(ev.event).toMatchObject({ kind: 'event', category: ['process'], type: ['start'], action: 'exec', code: 1, outcome: 'success' });
    expect(ev.process).toMatchObject({
      pid: r.pid,
      executable: exe,
      args: [exe, marker, 'two words', '--flag=3'],
      args_count: 4,
      command_line: `${exe} ${marker} two words --flag=3`,
      working_directory: dir,
      parent: { pid: process.pid },
      thread: { id: r.pid },
    });
    // comm is the executable's basename, cut to 15 bytes by the kernel.
    expect(ev.process.name).toBe(exe.split('/').pop()!.slice(0, 15));
    expect(ev.user).toMatchObject({ id: '0', name: 'root', effective: { id: '0', name: 'root' }, group: { id: '0', name: 'root' } });
    expect(ev.process.entity_id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(ev.vigil.exe_deleted).toBeUndefined();
    // Wall time within a few seconds of now (the realtime offset is applied).
    expect(Math.abs(Date.parse(ev['@timestamp']) - Date.now())).toBeLessThan(10_000);
  });

  it('failed exec: outcome failure, errno ENOENT, path as given', async () => {
    const missing = join(dir, uniqueName('no-such-binary'));
    const r = spawnSync(missing, ['x']);
    expect((r.error as NodeJS.ErrnoException | undefined)?.code).toBe('ENOENT');
    const ev = await waitForEvent(isExec(missing));
    expect(ev.event.outcome).toBe('failure');
    expect(ev.vigil).toMatchObject({ errno: 'ENOENT', ret: -2 });
    // The failing task is the forked child of this test process, before exec.
    expect(ev.process.parent.pid).toBe(process.pid);
  });

  it('fork: the parent reports the child pid, whose exec follows', async () => {
    const sh = uniqueCopy('/bin/sh', dir, 'vigil-sh');
    const r = spawnSync(sh, ['-c', 'sleep 0.1 & wait']);
    expect(r.status).toBe(0);
    // This process forked the shell...
    const shFork = await waitForEvent((e) => e.event.action === 'fork' && e.process.pid === process.pid && e.vigil.child !== undefined && (e.vigil.child as { pid: number }).pid === r.pid);
    const shExec = await waitForEvent(isExec(sh));
    expect((shFork.vigil.child as { entity_id: string }).entity_id).toBe(shExec.process.entity_id);
    // ...and the shell forked the background sleep.
    const fork = await waitForEvent((e) => e.event.action === 'fork' && e.process.pid === r.pid);
    const child = fork.vigil.child as { pid: number; entity_id: string };
    expect(fork.event).toMatchObject({ category: ['process'], type: ['start'] });
    expect(child.pid).toBeGreaterThan(0);
    expect(child.pid).not.toBe(r.pid);
    const sleepExec = await waitForEvent((e) => e.event.action === 'exec' && e.process.pid === child.pid);
    expect(sleepExec.process.args).toEqual(['sleep', '0.1']);
    expect(sleepExec.process.parent.pid).toBe(r.pid);
    expect(sleepExec.process.entity_id).toBe(child.entity_id);
  });

  it('exit: exit code of a process that calls exit(7)', async () => {
    const sh = uniqueCopy('/bin/sh', dir, 'vigil-exit');
    const r = spawnSync(sh, ['-c', 'exit 7']);
    expect(r.status).toBe(7);
    const exec = await waitForEvent(isExec(sh));
    const ev = await waitForEvent((e) => e.event.action === 'exit' && e.process.pid === r.pid);
    expect(ev.event).toMatchObject({ category: ['process'], type: ['end'] });
    expect(ev.process.exit_code).toBe(7);
    expect(ev.vigil).toMatchObject({ signal: 0, core_dumped: false });
    expect(ev.process.entity_id).toBe(exec.process.entity_id);
  });

  it('exit: terminating signal of a process killed with SIGKILL', async () => {
    const sleeper = uniqueCopy('/bin/sleep', dir, 'vigil-sleep');
    const child = spawn(sleeper, ['30']);
    const exec = await waitForEvent(isExec(sleeper));
    expect(exec.process.pid).toBe(child.pid);
    const gone = new Promise((r) => child.on('exit', r));
    child.kill('SIGKILL');
    await gone;
    const ev = await waitForEvent((e) => e.event.action === 'exit' && e.process.pid === child.pid);
    expect(ev.vigil.signal).toBe(9);
    expect(ev.process.exit_code).toBe(0);
    expect(ev.process.entity_id).toBe(exec.process.entity_id);
  });
});
