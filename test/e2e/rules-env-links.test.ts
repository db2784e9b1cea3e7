// The exec's environment on the real kernel: the watched variables arrive as
// process.env_vars (and nothing else of the environment does), LD_PRELOAD
// from a non-system path raises its rule; a symlink to /etc/shadow raises
// the credential-link rule; prctl(PR_SET_NAME) by a main thread is a
// set-name event and raises the rename rule, by another thread it is not
// shipped (shared agent's JSONL).
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findEvents, tempDir, waitForEvent } from './harness';
import { expectRuleAlert, isAlert, ruleId } from './rule-alerts';

const dir = tempDir('vigil-e2e-env-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const PATH = '/usr/sbin:/usr/bin:/sbin:/bin';
const execOf = (pid: number | undefined) => (e: { event?: { action?: string }; process?: { pid?: number } }): boolean =>
  e.event?.action === 'exec' && e.process?.pid === pid;

describe('exec environment', () => {
  it('keeps only the watched variables of an exec, in order', async () => {
    const r = spawnSync('/usr/bin/true', [], { env: { HISTFILE: '/dev/null', VIGIL_SECRET_TOKEN: 'hunter2', PATH, LD_LIBRARY_PATH: '/opt/x/lib' } });
    expect(r.status).toBe(0);
    const ev = await waitForEvent(execOf(r.pid), 10_000);
    expect(ev.process.env_vars).toEqual(['HISTFILE=/dev/null', 'LD_LIBRARY_PATH=/opt/x/lib']);
    expect(JSON.stringify(ev)).not.toContain('hunter2');
  });

  it('reads only the head: a variable past 2 KiB of environment is not seen', async () => {
    const r = spawnSync('/usr/bin/true', [], { env: { PAD: 'x'.repeat(3000), PATH, LD_PRELOAD: '/usr/lib/x86_64-linux-gnu/libc.so.6' } });
    expect(r.status).toBe(0);
    const ev = await waitForEvent(execOf(r.pid), 10_000);
    expect(ev.process.env_vars).toBeUndefined();
  });

  it('LD_PRELOAD from a scratch dir raises the preload rule; one from the system libraries does not', async () => {
    const system = spawnSync('/usr/bin/true', [], { env: { LD_PRELOAD: '/usr/lib/x86_64-linux-gnu/libc.so.6', PATH } });
    expect(system.status).toBe(0);
    const lib = join(dir, 'libhook.so'); // need not exist: ld.so warns and runs the program, the exec is what counts
    const r = spawnSync('/usr/bin/true', [], { env: { LD_PRELOAD: lib, PATH } });
    expect(r.status).toBe(0);
    const a = await expectRuleAlert('defense_evasion/ld_preload_exec', { pid: r.pid, exe: '/usr/bin/true' });
    expect(a.process.env_vars).toEqual([`LD_PRELOAD=${lib}`]);
    // The later run's alert is the marker: the system preload's would have come before it.
    const id = ruleId('defense_evasion/ld_preload_exec');
    expect(findEvents(execOf(system.pid)).map((e) => e.process.env_vars)).toEqual([['LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libc.so.6']]);
    expect(findEvents((e) => isAlert(e) && (e as unknown as { rule: { id: string } }).rule.id === id && e.process?.pid === system.pid)).toEqual([]);
  });

  it('a symlink to /etc/shadow raises the credential-link rule; one to /etc/hostname does not', async () => {
    const quiet = spawnSync('/usr/bin/ln', ['-s', '/etc/hostname', join(dir, 'h')]);
    expect(quiet.status).toBe(0);
    const r = spawnSync('/usr/bin/ln', ['-s', '/etc/shadow', join(dir, '.s')]);
    expect(r.status).toBe(0);
    const a = await expectRuleAlert('credential_access/link_to_credential_file', { pid: r.pid, exe: '/usr/bin/ln' });
    expect((a as unknown as { vigil: { alert: { events: { file?: { path?: string; target_path?: string } }[] } } }).vigil.alert.events[0].file)
      .toMatchObject({ path: join(dir, '.s'), target_path: '/etc/shadow' });
    const id = ruleId('credential_access/link_to_credential_file');
    expect(findEvents((e) => e.event?.action === 'symlink' && e.process?.pid === quiet.pid)).toHaveLength(1);
    expect(findEvents((e) => isAlert(e) && (e as unknown as { rule: { id: string } }).rule.id === id && e.process?.pid === quiet.pid)).toEqual([]);
  });

  it('prctl(PR_SET_NAME) by the main thread: one set-name event and the rename rule; by a thread: nothing', async () => {
    const script = [
      'import ctypes, threading',
      'libc = ctypes.CDLL(None)',
      't = threading.Thread(target=lambda: libc.prctl(15, b"worker-1", 0, 0, 0)); t.start(); t.join()',
      'assert libc.prctl(15, b"kworker/0:2", 0, 0, 0) == 0',
    ].join('\n');
    const r = spawnSync('/usr/bin/python3', ['-c', script]);
    expect(r.status).toBe(0);
    const a = await expectRuleAlert('defense_evasion/process_renamed_prctl', { pid: r.pid });
    const renames = findEvents((e) => !isAlert(e) && e.event?.action === 'set-name' && e.process?.pid === r.pid);
    // The thread's rename came first: had it been shipped, it would be here before the main thread's.
    expect(renames.map((e) => (e.vigil as { set_name?: { name?: string } }).set_name?.name)).toEqual(['kworker/0:2']);
    expect(renames[0].process.name).toBe('kworker/0:2');
    expect((a as unknown as { vigil: { alert: { events: { event?: { action?: string } }[] } } }).vigil.alert.events[0].event?.action).toBe('set-name');
  });
});
