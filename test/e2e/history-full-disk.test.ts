// Real kernel, real full disk: the agent's history lives on a 4 MiB tmpfs
// that we fill. The agent must not crash or corrupt the database: it raises
// the history-write-failed alert, keeps detecting and streaming, and stores
// again (with a recovered alert) once space returns.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir, uniqueCopy } from './harness';

const CLI = resolve(__dirname, '../../bin/vigil');
const dir = tempDir('vigil-enospc-');
const mnt = join(dir, 'mnt');
const db = join(mnt, 'events.db');
const jsonl = join(dir, 'events.jsonl');
const filler = join(mnt, 'filler');
let agent: ChildProcess | undefined;

afterAll(() => {
  agent?.kill('SIGKILL');
  spawnSync('umount', ['-l', mnt]);
  rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));
const lines = (): Record<string, any>[] =>
  existsSync(jsonl) ? readFileSync(jsonl, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];

async function waitFor<T>(what: string, fn: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  for (const until = Date.now() + timeoutMs; Date.now() < until; await sleep(100)) {
    const v = fn();
    if (v !== undefined) return v;
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Exec a fresh binary until its exec shows in the JSONL. */
async function marker(name: string): Promise<string> {
  const bin = uniqueCopy('/bin/true', dir, name);
  await waitFor(`marker ${bin}`, () => {
    spawnSync(bin);
    return lines().some((l) => l.process?.executable === bin && l.event?.action === 'exec') ? true : undefined;
  });
  return bin;
}

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
    agent = spawn(CLI, ['agent', '--db', db, '--jsonl', jsonl, '--log-level', 'info'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    agent.stderr!.on('data', (d: Buffer) => { log += d.toString(); });
    await marker('before');

    fillDisk();
    // Enough new rows to need new WAL pages, which the full disk refuses.
    const fault = await waitFor('history-write-failed alert', () => {
      for (let i = 0; i < 50; i++) spawnSync('/bin/true');
      return lines().find((l) => l.rule?.id === 'vigil-history-write-failed');
    }, 60_000);
    expect(fault.rule.description).toContain('SQLITE_FULL');
    expect(fault.rule.description).toContain('free disk space');

    // Still detecting and streaming while the disk is full.
    await marker('during');
    expect(agent.exitCode).toBeNull();

    rmSync(filler);
    const recovered = await waitFor('history-write-recovered alert', () => {
      spawnSync('/bin/true');
      return lines().find((l) => l.rule?.id === 'vigil-history-write-recovered');
    }, 60_000);
    expect(recovered.vigil.alert.dropped).toBeGreaterThan(0);
    const after = await marker('after');

    agent.kill('SIGTERM');
    expect(await new Promise((ok) => agent!.on('exit', ok))).toBe(0);
    expect(log).not.toMatch(/\n\s+at /); // no stack trace

    const q = (exe: string) => spawnSync(CLI, ['query', '--db', db, '--exe', exe, '--json'], { encoding: 'utf8' });
    expect(q(after).stdout).toContain(after); // stored after recovery
    const check = new Database(db, { readonly: true });
    expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
    check.close();
  }, 180_000);
});
