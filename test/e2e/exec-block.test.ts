// Real kernel: `vigil agent --block-exec PATH` kills every exec of that file
// (by inode) in the kernel, at sched_process_exec, before the new image runs
// one instruction, and reports it as an exec event of type denied. A hard
// link is the same file and is killed; a copy is another file and runs.
import { spawnSync } from 'node:child_process';
import { copyFileSync, linkSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir, uniqueCopy } from './harness';
import { CLI, startAgent, until, type PrivateAgent } from './private-agent';

const dir = tempDir('vigil-block-');
let agent: PrivateAgent | undefined;
afterAll(() => {
  agent?.child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('exec block (in-kernel response)', () => {
  it('kills the blocked file and its hard link before they run, reports denied; a copy runs', async () => {
    const blocked = uniqueCopy('/bin/echo', dir, 'blocked');
    agent = startAgent(dir, ['--no-db', '--no-default-rules', '--block-exec', blocked, '--log-level', 'info']);
    await until('the block in the kernel', () => (agent!.log().includes('exec blocked: inode') ? true : undefined));
    await agent.marker('marker');

    const t0 = process.hrtime.bigint();
    const r = spawnSync(blocked, ['hello-from-blocked']);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    expect(r.signal).toBe('SIGKILL');
    expect(r.stdout.toString()).toBe(''); // not one instruction of echo ran
    const denied = await until('the denied exec event', () =>
      agent!.lines().find((e) => e.event?.action === 'exec' && e.process?.executable === blocked && e.event?.kind === 'event'));
    expect(denied.event).toMatchObject({ type: ['start', 'denied'], outcome: 'failure' });
    expect(denied.vigil.response).toEqual({ action: 'kill', signal: 9, reason: 'exec-block', policy: 'agent --block-exec' });
    expect(denied.process.args).toEqual([blocked, 'hello-from-blocked']);
    console.log(`blocked exec: spawn to SIGKILL exit ${ms.toFixed(2)} ms (the kill itself is in the exec path, no user-space round trip)`);

    const link = join(dir, 'hard-link');
    linkSync(blocked, link);
    expect(spawnSync(link, ['x']).signal).toBe('SIGKILL');
    const copy = join(dir, 'a-copy');
    copyFileSync(blocked, copy);
    expect(spawnSync(copy, ['runs']).stdout.toString()).toBe('runs\n');
    expect(await agent.stop()).toBe(0);
  }, 90_000);

  it('refuses a --block-exec path that is not an existing file, in one line', () => {
    const r = spawnSync(CLI, ['agent', '--jsonl', '/dev/null', '--block-exec', join(dir, 'nope')], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n').filter((l) => !l.includes('"rules loaded"'))).toEqual([
      `vigil agent: --block-exec ${join(dir, 'nope')}: ENOENT; give the path of an existing executable`,
    ]);
  });

  it('refuses a --response-allow path that is not an existing regular file, in one line', () => {
    for (const [path, why] of [[join(dir, 'nope'), 'ENOENT; give the path of an existing executable'], [dir, 'not a regular file; give the path of an executable']]) {
      const r = spawnSync(CLI, ['agent', '--jsonl', '/dev/null', '--response-allow', path], { encoding: 'utf8' });
      expect(r.status).toBe(2);
      expect(r.stderr.trim().split('\n').filter((l) => !l.includes('"rules loaded"'))).toEqual([`vigil agent: --response-allow ${path}: ${why}`]);
    }
  });
});
