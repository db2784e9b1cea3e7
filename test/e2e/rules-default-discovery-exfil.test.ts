// Default rules for SUID discovery, ad-hoc web servers, shell escapes from
// text tools, miner command lines, ssh to odd ports and history searches,
// fired by the real behaviour on the real kernel (shared agent's JSONL);
// each alert is on the exact process that did it.
import { spawn, spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findEvents, tempDir, waitForEvent } from './harness';
import { expectRuleAlert, isAlert, ruleId } from './rule-alerts';

const dir = tempDir('vigil-e2e-rules-disc-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('default rules: discovery, exfiltration, shell escapes, impact, credentials', () => {
  it('find -perm -4000: SUID binary search', async () => {
    const r = spawnSync('/usr/bin/find', [dir, '-perm', '-4000', '-type', 'f']);
    expect(r.status).toBe(0);
    const a = await expectRuleAlert('discovery/suid_binary_search', { pid: r.pid, exe: '/usr/bin/find' });
    expect((a as unknown as { rule: { level: string } }).rule.level).toBe('medium');
  });

  it('python3 -m http.server: an ad-hoc web server', async () => {
    const child = spawn('/usr/bin/python3', ['-m', 'http.server', '0', '--bind', '127.0.0.1'], { cwd: dir, stdio: 'ignore' });
    try {
      await expectRuleAlert('exfiltration/adhoc_web_server', { pid: child.pid });
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('awk system(): a shell started by a text tool; the same tool reading a file starts none', async () => {
    const quiet = spawnSync('/usr/bin/awk', ['{ n++ } END { print n }', '/etc/hostname']);
    expect(quiet.status).toBe(0);
    const r = spawnSync('/usr/bin/awk', ['BEGIN { system("exit 0") }']);
    expect(r.status).toBe(0);
    // The later run's alert is the marker: the quiet run's would have come before it.
    await expectRuleAlert('execution/shell_escape_from_pager_or_editor', { where: (e) => e.process?.parent?.pid === r.pid });
    const id = ruleId('execution/shell_escape_from_pager_or_editor');
    expect(findEvents((e) => isAlert(e) && (e as unknown as { rule: { id: string } }).rule.id === id && e.process?.parent?.pid === quiet.pid)).toEqual([]);
  });

  it('a miner command line, whatever the binary is called', async () => {
    const r = spawnSync('/usr/bin/true', ['-o', 'stratum+tcp://pool.example.org:3333', '-u', 'wallet', '--donate-level', '1']);
    expect(r.status).toBe(0);
    await expectRuleAlert('impact/miner_command_line', { pid: r.pid, exe: '/usr/bin/true' });
  });

  it('ssh to a non-standard port', async () => {
    const r = spawnSync('/usr/bin/ssh', ['-p', '2', '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=2', '-o', 'StrictHostKeyChecking=no', '127.0.0.1', 'true'], { timeout: 10_000 });
    expect(r.status).not.toBe(0); // nothing listens there: the connect itself is the behaviour
    await expectRuleAlert('command_and_control/ssh_nonstandard_port', { pid: r.pid, exe: '/usr/bin/ssh' },
      { also: ['lateral_movement/ssh_host_key_check_disabled'] });
  });

  it('grep for passwords in a shell history file', async () => {
    const r = spawnSync('/usr/bin/grep', ['-i', 'password', '/root/.bash_history']);
    await expectRuleAlert('credential_access/shell_history_password_search', { pid: r.pid, exe: '/usr/bin/grep' }, { also: ['credential_access/shell_history_read'] });
  });

  it('PTRACE_TRACEME: anti-debugging', async () => {
    const r = spawnSync('/usr/bin/python3', ['-c', 'import ctypes, sys; sys.exit(ctypes.CDLL(None).ptrace(0, 0, 0, 0))']);
    expect(r.status).toBe(0);
    await expectRuleAlert('defense_evasion/ptrace_traceme_anti_debug', { pid: r.pid, exe: '/usr/bin/python3.11' });
  });

  it('a process renamed through /proc/self/comm; a thread naming itself is not matched', async () => {
    const thread = spawnSync('/usr/bin/python3', ['-c', 'import threading; open("/proc/self/task/%d/comm" % threading.get_native_id(), "w").write("worker-1")']);
    expect(thread.status).toBe(0);
    const r = spawnSync('/usr/bin/python3', ['-c', 'open("/proc/self/comm", "w").write("kworker/0:2")']);
    expect(r.status).toBe(0);
    // The later process's alert is the marker: the thread's would have come before it.
    const a = await expectRuleAlert('defense_evasion/process_name_overwritten', { pid: r.pid });
    expect((a as unknown as { vigil: { alert: { events: { file?: { path?: string } }[] } } }).vigil.alert.events[0].file?.path).toBe('/proc/self/comm');
    const id = ruleId('defense_evasion/process_name_overwritten');
    // Seen, and not matched.
    expect(findEvents((e) => e.event?.action === 'open' && e.process?.pid === thread.pid && /^\/proc\/self\/task\/\d+\/comm$/.test(e.file?.path ?? '')).length).toBeGreaterThanOrEqual(1);
    expect(findEvents((e) => isAlert(e) && (e as unknown as { rule: { id: string } }).rule.id === id && e.process?.pid === thread.pid)).toEqual([]);
  });

  it('a script written then run by an interpreter; an old script and inline code are not', async () => {
    // An old script (written long before this test) and a -c one-liner: seen, not matched.
    const old = spawnSync('/usr/bin/sh', ['/usr/bin/lesspipe', '/etc/hostname']);
    const inline = spawnSync('/usr/bin/bash', ['-c', 'exit 0']);
    const script = join(dir, `stage-${process.pid}.sh`);
    writeFileSync(script, 'exit 0\n');
    // Run it once the agent has seen the write (the rule needs it; on a loaded host the write can trail).
    await waitForEvent((e) => e.file?.path === script && ['open', 'create'].includes(e.event?.action ?? ''), 20_000);
    const r = spawnSync('/usr/bin/bash', [script]);
    expect(r.status).toBe(0);
    // The dropped script's alert is the marker for the two before it.
    const a = await expectRuleAlert('execution/script_written_then_run', { pid: r.pid });
    expect((a as unknown as { vigil: { alert: { events: { vigil?: { context?: { script_written_ago_ms?: number } } }[] } } }).vigil.alert.events[0].vigil?.context?.script_written_ago_ms).toBeLessThan(60_000);
    const id = ruleId('execution/script_written_then_run');
    for (const pid of [old.pid, inline.pid]) {
      expect(findEvents((e) => isAlert(e) && (e as unknown as { rule: { id: string } }).rule.id === id && e.process?.pid === pid)).toEqual([]);
    }
  });
});
