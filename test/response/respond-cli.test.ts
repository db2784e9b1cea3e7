// `vigil respond` on a real process tree: suspend-tree stops every process
// (state T), resume-tree lets them run again, kill-tree leaves none.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const CLI = resolve(__dirname, '../../bin/vigil');
const shell = spawn('/bin/sh', ['-c', 'sleep 100.1 & sleep 100.2 & wait'], { stdio: 'ignore' });
afterAll(() => { try { process.kill(shell.pid!, 'SIGKILL'); } catch { /* gone */ } });

const state = (pid: number): string | undefined => {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return s.slice(s.lastIndexOf(')') + 2, s.lastIndexOf(')') + 3);
  } catch {
    return undefined;
  }
};
const children = (pid: number): number[] => readdirSync('/proc').filter((n) => /^\d+$/.test(n)).map(Number).filter((p) => {
  try {
    const s = readFileSync(`/proc/${p}/stat`, 'utf8');
    return Number(s.slice(s.lastIndexOf(')') + 2).split(' ')[1]) === pid;
  } catch {
    return false;
  }
});
const respond = (action: string, pid: number) => spawnSync(CLI, ['respond', action, '--pid', String(pid)], { encoding: 'utf8' });
const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

describe('vigil respond', () => {
  it('suspends, resumes and kills a whole tree', async () => {
    const pid = shell.pid!;
    for (let i = 0; i < 100 && children(pid).length < 2; i++) await sleep(20);
    const kids = children(pid);
    expect(kids).toHaveLength(2);

    const s = respond('suspend-tree', pid);
    expect(s.status).toBe(0);
    expect(s.stdout).toMatch(/^suspend-tree: 3 process\(es\)/);
    for (const p of [pid, ...kids]) expect(state(p)).toBe('T');

    expect(respond('resume-tree', pid).status).toBe(0);
    for (const p of [pid, ...kids]) expect(state(p)).not.toBe('T');

    const k = respond('kill-tree', pid);
    expect(k.stdout).toMatch(/^kill-tree: 3 process\(es\)/);
    const exit = await new Promise<string | null>((ok) => (shell.exitCode !== null || shell.signalCode !== null ? ok(shell.signalCode) : shell.on('exit', (_c, sig) => ok(sig))));
    expect(exit).toBe('SIGKILL');
    for (let i = 0; i < 100 && kids.some((p) => existsSync(`/proc/${p}`) && state(p) !== 'Z'); i++) await sleep(20);
    expect(kids.filter((p) => existsSync(`/proc/${p}`) && state(p) !== 'Z')).toEqual([]);
  });

  it('refuses pid 1 and bad pids in one line', () => {
    const r = spawnSync(CLI, ['respond', 'kill-tree', '--pid', '1'], { encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/a process id above 1/);
  });
});
