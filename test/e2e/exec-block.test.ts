// Real kernel: `vigil agent --block-exec PATH` kills every exec of that file
// (by inode) in the kernel, at sched_process_exec, before the new image runs
// one instruction, and reports it as an exec event of type denied. A hard
// link is the same file and is killed; a copy is another file and runs.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, linkSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir, uniqueCopy } from './harness';

const CLI = resolve(__dirname, '../../bin/vigil');
const dir = tempDir('vigil-block-');
const jsonl = join(dir, 'events.jsonl');
let agent: ChildProcess | undefined;
afterAll(() => {
  agent?.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));
const events = (): Record<string, any>[] =>
  existsSync(jsonl) ? readFileSync(jsonl, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];

async function until<T>(what: string, fn: () => T | undefined, ms = 30_000): Promise<T> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(50)) {
    const v = fn();
    if (v !== undefined) return v;
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('exec block (in-kernel response)', () => {
  it('kills the blocked file and its hard link before they run, reports denied; a copy runs', async () => {
    const blocked = uniqueCopy('/bin/echo', dir, 'blocked');
    const marker = uniqueCopy('/bin/true', dir, 'marker');
    agent = spawn(CLI, ['agent', '--jsonl', jsonl, '--no-db', '--no-default-rules', '--block-exec', blocked, '--log-level', 'info'],
      { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    agent.stderr!.on('data', (d: Buffer) => { log += d.toString(); });
    await until('the block in the kernel', () => (log.includes('exec blocked: inode') ? true : undefined));
    await until('capture live', () => {
      spawnSync(marker);
      return events().some((e) => e.process?.executable === marker) ? true : undefined;
    });

    const t0 = process.hrtime.bigint();
    const r = spawnSync(blocked, ['hello-from-blocked']);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    expect(r.signal).toBe('SIGKILL');
    expect(r.stdout.toString()).toBe(''); // not one instruction of echo ran
    const denied = await until('the denied exec event', () =>
      events().find((e) => e.event?.action === 'exec' && e.process?.executable === blocked && e.event?.kind === 'event'));
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

    agent.kill('SIGTERM');
    expect(await new Promise((ok) => agent!.on('exit', ok))).toBe(0);
  }, 90_000);

  it('refuses a --block-exec path that is not an existing file, in one line', () => {
    const r = spawnSync(CLI, ['agent', '--jsonl', '/dev/null', '--block-exec', join(dir, 'nope')], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n').filter((l) => !l.includes('"rules loaded"'))).toEqual([
      `vigil agent: --block-exec ${join(dir, 'nope')}: ENOENT; give the path of an existing executable`,
    ]);
  });
});
