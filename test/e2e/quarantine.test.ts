// Real kernel: file quarantine. A tool (a copy of /bin/sleep made unique by
// trailing bytes) is quarantined through the running agent: it is gone from
// its path, kept 0400 in a 0700 directory with its hash. The same content
// dropped elsewhere and run is killed at once and then blocked in the kernel;
// restore puts the file back exactly and it runs again.
import { spawnSync } from 'node:child_process';
import { appendFileSync, chmodSync, copyFileSync, existsSync, readFileSync, rmSync, statSync, utimesSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from './harness';
import { CLI, startAgent, until, type PrivateAgent } from './private-agent';

const dir = tempDir('vigil-quar-');
const db = join(dir, 'history.db');
const qdir = join(dir, 'quarantine');
let agent: PrivateAgent | undefined;
afterAll(() => {
  agent?.child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const sha = (p: string): string => createHash('sha256').update(readFileSync(p)).digest('hex');
const vigil = (...args: string[]) => spawnSync(CLI, [...args, '--db', db], { encoding: 'utf8' });

describe('file quarantine', () => {
  it('quarantines, kills and blocks re-drops of the content, restores exactly', async () => {
    agent = startAgent(dir, ['--no-default-rules', '--no-baseline', '--db', db, '--quarantine-dir', qdir]);
    await agent.marker('quar-up');
    const tool = join(dir, 'dropper-tool');
    copyFileSync('/bin/sleep', tool);
    appendFileSync(tool, randomBytes(64)); // trailing bytes: still runs, unique content
    chmodSync(tool, 0o751);
    utimesSync(tool, new Date('2020-01-02T03:04:05Z'), new Date('2021-02-03T04:05:06Z'));
    const before = statSync(tool);
    const hash = sha(tool);
    expect(spawnSync(tool, ['0']).status).toBe(0);

    const q = vigil('respond', 'quarantine', '--path', tool, '--comment', 'e2e');
    expect(q.stderr).toBe('');
    expect(q.stdout).toMatch(new RegExp(`^quarantined ${tool} as id (\\d+) \\(sha256 ${hash}\\) in ${qdir}/${hash}-\\d+\\n$`));
    const id = /as id (\d+)/.exec(q.stdout)![1];
    expect(existsSync(tool)).toBe(false);
    expect(statSync(qdir).mode & 0o777).toBe(0o700);
    const stored = /in (\S+)\n$/.exec(q.stdout)![1];
    expect(statSync(stored).mode & 0o777).toBe(0o400);
    expect(sha(stored)).toBe(hash);

    // The same content under another name: killed on its first run, by the agent (it would sleep 30 s).
    const again = join(dir, 'innocent-name');
    copyFileSync(stored, again);
    chmodSync(again, 0o755);
    const t0 = Date.now();
    const run1 = spawnSync(again, ['30']);
    expect(run1.signal).toBe('SIGKILL');
    expect(Date.now() - t0).toBeLessThan(5000);
    const alert = await until('the quarantined-exec alert', () => agent!.lines().find((l) => l.rule?.id === 'vigil-quarantined-exec' && l.process?.executable === again));
    expect(alert.vigil.alert.sha256).toBe(hash);
    expect(alert.vigil.response).toEqual([expect.objectContaining({ action: 'kill', ok: true })]);
    // From then on the kernel kills it at exec: 20 more runs, all SIGKILL.
    for (let i = 0; i < 20; i++) expect(spawnSync(again, ['30']).signal).toBe('SIGKILL');
    const denied = await until('denied exec events', () => {
      const d = agent!.lines().filter((l) => l.event?.action === 'exec' && l.process?.executable === again && l.event?.type?.includes('denied'));
      return d.length >= 1 ? d : undefined;
    });
    expect(denied.length).toBeGreaterThanOrEqual(1);

    const list = vigil('respond', 'quarantined');
    expect(list.stdout).toContain(`${id}  ${tool}  sha256 ${hash}`);

    const r = vigil('respond', 'restore', '--id', id);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`restored ${tool}\n`);
    const after = statSync(tool);
    expect(sha(tool)).toBe(hash);
    expect(after.mode & 0o7777).toBe(before.mode & 0o7777);
    expect(after.mtimeMs).toBe(before.mtimeMs);
    expect([after.uid, after.gid]).toEqual([before.uid, before.gid]);
    expect(existsSync(stored)).toBe(false);
    // Restored content runs again, and the re-dropped copy's kernel block is lifted too.
    expect(spawnSync(tool, ['0']).status).toBe(0);
    await until('the re-dropped copy running again', () => (spawnSync(again, ['0']).status === 0 ? true : undefined), 10_000, 100);

    const audit = vigil('respond', 'audit', '--json').stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l));
    expect(audit.map((a) => [a.action, a.ok])).toEqual(expect.arrayContaining([['quarantine-file', 1], ['kill', 1], ['restore-file', 1]]));
  }, 120_000);

  it('refuses what it cannot or must not take, changing nothing', async () => {
    const missing = vigil('respond', 'quarantine', '--path', join(dir, 'nope'));
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/^vigil respond: quarantine failed: cannot quarantine .*nope: ENOENT\n$/);
    const runtime = vigil('respond', 'quarantine', '--path', process.execPath);
    expect(runtime.status).toBe(1);
    expect(runtime.stderr).toContain("it is the agent's own runtime");
    expect(existsSync(process.execPath)).toBe(true);
    const bad = vigil('respond', 'restore', '--id', '999');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('no file in quarantine with id 999');
    expect(await agent!.stop()).toBe(0);
  }, 60_000);
});
