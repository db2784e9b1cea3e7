// Real kernel, real full disk: the agent's history lives on a 4 MiB tmpfs
// that we fill. The agent must not crash or corrupt the database: it raises
// the history-write-failed alert, keeps detecting and streaming, and stores
// again (with a recovered alert) once space returns.
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from './harness';
import { CLI, startAgent, until, type PrivateAgent } from './private-agent';

const dir = tempDir('vigil-enospc-');
const mnt = join(dir, 'mnt');
const db = join(mnt, 'events.db');
const filler = join(mnt, 'filler');
let agent: PrivateAgent | undefined;

afterAll(() => {
  agent?.child.kill('SIGKILL');
  if (existsSync(mnt)) spawnSync('umount', ['-l', mnt]);
  rmSync(dir, { recursive: true, force: true });
});

function fillDisk(): void {
  const fd = openSync(filler, 'w');
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    closeSync(fd);
  }
}

describe('event history on a full disk', () => {
  it('alerts, keeps detecting, stores again when space returns, and the database stays sound', async () => {
    mkdirSync(mnt);
    const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', mnt], { encoding: 'utf8' });
    expect(m.status, m.stderr).toBe(0);
    agent = startAgent(dir, ['--db', db, '--log-level', 'info']);
    await agent.marker('before');

    fillDisk();
    // Enough new rows to need new WAL pages, which the full disk refuses.
    const fault = await until('history-write-failed alert', () => {
      for (let i = 0; i < 50; i++) spawnSync('/bin/true');
      return agent!.lines().find((l) => l.rule?.id === 'vigil-history-write-failed');
    }, 60_000, 100);
    expect(fault.rule.description).toContain('SQLITE_FULL');
    expect(fault.rule.description).toContain('free disk space');

    // Still detecting and streaming while the disk is full.
    await agent.marker('during');
    expect(agent.child.exitCode).toBeNull();

    rmSync(filler);
    const recovered = await until('history-write-recovered alert', () => {
      spawnSync('/bin/true');
      return agent!.lines().find((l) => l.rule?.id === 'vigil-history-write-recovered');
    }, 60_000, 100);
    expect(recovered.vigil.alert.dropped).toBeGreaterThan(0);
    const after = await agent.marker('after');

    expect(await agent.stop()).toBe(0);
    expect(agent.log()).not.toMatch(/\n\s+at /); // no stack trace

    const q = (exe: string) => spawnSync(CLI, ['query', '--db', db, '--exe', exe, '--json'], { encoding: 'utf8' });
    expect(q(after).stdout).toContain(after); // stored after recovery
    const check = new Database(db, { readonly: true });
    expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
    check.close();
  }, 180_000);
});
