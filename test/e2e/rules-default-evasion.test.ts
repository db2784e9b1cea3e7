// Default defense-evasion rules (rules/defense_evasion) fired by the real
// behaviour on the real kernel: masquerading, log and history tampering,
// timestomping, hidden files, kernel modules, BPF loads and ptrace.
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, rmSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir, uniqueCopy, uniqueName } from './harness';
import { expectRuleAlert } from './rule-alerts';
import { startProbe } from './sysprobe';

const dir = tempDir('vigil-e2e-rules-evasion-');
const cleanup: string[] = [dir];
afterAll(() => cleanup.forEach((p) => rmSync(p, { recursive: true, force: true })));

const HISTORY = ['defense_evasion/history_tampering', 'defense_evasion/history_file_modified', 'defense_evasion/history_file_deleted'];

/** Run a command to completion and return its pid. */
function run(cmd: string, args: string[], env?: NodeJS.ProcessEnv): number {
  const r = spawnSync(cmd, args, { env: env ?? process.env });
  expect(r.status, `${cmd} ${args.join(' ')}: ${r.stderr}`).toBe(0);
  return r.pid;
}

describe('default rules: defense evasion', () => {
  it('kernel-thread masquerade: exec -a "[kworker/0:9]"', async () => {
    const pid = run('/bin/bash', ['-c', "exec -a '[kworker/0:9]' /bin/sleep 0.1"]);
    const a = await expectRuleAlert('defense_evasion/masquerade_kernel_thread', { pid });
    expect(a.process.args?.[0]).toBe('[kworker/0:9]');
    expect(a.process.executable).toMatch(/\/sleep$/);
  });

  it('log truncation under /var/log, then log deletion', async () => {
    const log = `/var/log/${uniqueName('vigil-e2e')}.log`;
    cleanup.push(log);
    appendFileSync(log, 'line\n'); // O_APPEND, no O_TRUNC: not tampering yet
    const t = run('/usr/bin/truncate', ['-s', '0', log]);
    await expectRuleAlert('defense_evasion/log_tampering', { pid: t });
    const rm = run('/bin/rm', ['-f', log]);
    await expectRuleAlert('defense_evasion/log_delete', { pid: rm }, { also: ['defense_evasion/log_tampering'] });
    expect(existsSync(log)).toBe(false);
  });

  it('history tampering: history -c and HISTFILE=/dev/null', async () => {
    const pid = run('/bin/bash', ['-c', 'HISTFILE=/dev/null; history -c; true']);
    await expectRuleAlert('defense_evasion/history_tampering', { pid });
  });

  it('history file truncated, then deleted', async () => {
    const hist = join(dir, '.bash_history');
    writeFileSync(hist, 'ls\n');
    const t = run('/usr/bin/truncate', ['-s', '0', hist]);
    await expectRuleAlert('defense_evasion/history_file_modified', { pid: t }, { also: HISTORY });
    const rm = run('/bin/rm', [hist]);
    await expectRuleAlert('defense_evasion/history_file_deleted', { pid: rm }, { also: HISTORY });
  });

  it('timestomp: touch -d', async () => {
    const f = join(dir, uniqueName('stomp'));
    writeFileSync(f, '');
    const pid = run('/usr/bin/touch', ['-d', '2020-01-01 00:00', f]);
    await expectRuleAlert('defense_evasion/timestomp', { pid });
  });

  it('hidden file created in /usr/local/lib', async () => {
    const hidden = `/usr/local/lib/.${uniqueName('vigil-e2e')}`;
    cleanup.push(hidden);
    const pid = run('/bin/sh', ['-c', `: > '${hidden}'`]);
    const a = await expectRuleAlert('defense_evasion/hidden_file_in_system_path', { pid });
    expect((a.vigil.alert as { events: { file?: { path?: string } }[] }).events[0].file?.path).toBe(hidden);
  });

  // This kernel has CONFIG_MODULES=n: no module syscall tracepoints, so only
  // --capture all watches every syscall for module attempts (the default
  // profile does not pay ~13% on syscall-heavy loads for them). Kernels with
  // the tracepoints see them in the default profile too.
  it('kernel module load: failed init_module (full capture on this kernel)', async () => {
    const p = startProbe('init-module', '');
    const alert = expectRuleAlert('defense_evasion/kernel_module_load', { pid: p.pid }, { capture: 'all' });
    const [out] = await p.done;
    expect(out.ret).toBeLessThan(0);
    await alert;
  });

  it('kernel module unload: delete_module of a missing module (full capture on this kernel)', async () => {
    const p = startProbe('delete-module', 'vigil_e2e_no_such_module');
    const alert = expectRuleAlert('defense_evasion/kernel_module_unload', { pid: p.pid }, { capture: 'all' });
    await p.done;
    await alert;
  });

  it('bpf(BPF_PROG_LOAD) by an unknown process', async () => {
    const p = startProbe('bpf-prog-load', 'vigil_e2e');
    const alert = expectRuleAlert('defense_evasion/bpf_program_load', { pid: p.pid });
    await p.done;
    await alert;
  });

  it('ptrace(PTRACE_ATTACH) of a child', async () => {
    const p = startProbe('ptrace-attach');
    const alert = expectRuleAlert('defense_evasion/ptrace_attach', { pid: p.pid });
    const [out] = await p.done;
    expect(out.ret).toBe(0);
    await alert;
  });

  it('name mismatch: a binary in /tmp running as "sshd"', async () => {
    const exe = uniqueCopy('/bin/sleep', dir, 'vigil-masq');
    const r = spawnSync(exe, ['0.1'], { argv0: 'sshd' });
    expect(r.status).toBe(0);
    await expectRuleAlert('defense_evasion/masquerade_name_mismatch', { pid: r.pid, exe }, {
      also: ['execution/exec_from_tmp', 'execution/dropped_binary_executed'],
    });
  });

  it('/proc/<pid>/mem of a child opened for writing', async () => {
    const script = join(dir, `${uniqueName('memw')}.py`);
    writeFileSync(script, [
      'import os, subprocess',
      "c = subprocess.Popen(['/bin/sleep', '5'])",
      "os.close(os.open(f'/proc/{c.pid}/mem', os.O_RDWR))",
      'c.kill(); c.wait()',
    ].join('\n'));
    const pid = run('/usr/bin/python3', [script]);
    // The test stages the script just before running it, which is itself a dropped script.
    await expectRuleAlert('defense_evasion/proc_mem_write', { pid }, { also: ['execution/script_written_then_run'] });
  });

  it('writable tmpfs mounted under /usr', async () => {
    const target = `/usr/local/lib/${uniqueName('vigil-e2e-mnt')}`;
    mkdirSync(target);
    try {
      const p = startProbe('mount-tmpfs', target, 'vigil-e2e');
      const alert = expectRuleAlert('defense_evasion/writable_mount_over_system_dir', { pid: p.pid });
      const [out] = await p.done;
      expect(out).toMatchObject({ ret: 0, umount: 0 });
      await alert;
    } finally {
      rmdirSync(target);
    }
  });
});
