// Default execution rules (rules/execution) fired by the real behaviour on
// the real kernel, seen as alerts in the shared agent's JSONL. Each test
// checks the rule, the triggering process and that its ancestry reaches
// this test process.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, chmodSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findEvents, tempDir, uniqueCopy, uniqueName, type EcsEvent } from './harness';
import { expectRuleAlert, isAlert, ruleId } from './rule-alerts';
import { startProbe } from './sysprobe';

const dir = tempDir('vigil-e2e-rules-exec-');
// Outside /tmp, so a dropped binary there is only a dropped binary.
const homeDir = mkdtempSync('/root/.vigil-e2e-');
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(homeDir, { recursive: true, force: true });
});

const COPY_RULES = ['execution/exec_from_tmp', 'execution/dropped_binary_executed'];

/** A loopback listener that holds every accepted socket until closed. */
async function listener(): Promise<{ server: Server; port: number; close: () => void }> {
  const peers: Socket[] = [];
  const server = createServer((s) => { peers.push(s); s.on('error', () => {}); s.resume(); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return { server, port, close: () => { peers.forEach((p) => p.destroy()); server.close(); } };
}

/** A copy of `binary` named exactly `name` in a fresh subdirectory of dir. */
function namedCopy(binary: string, name: string): string {
  const sub = join(dir, uniqueName('d'));
  mkdirSync(sub);
  const path = join(sub, name);
  copyFileSync(binary, path);
  chmodSync(path, 0o755);
  return path;
}

describe('default rules: execution', () => {
  it('reverse shell: a shell whose stdin/stdout is a TCP socket', async () => {
    const l = await listener();
    try {
      const sock = await new Promise<Socket>((ok, fail) => { const s = connect(l.port, '127.0.0.1', () => ok(s)); s.on('error', fail); });
      const sh = namedCopy('/bin/sh', 'sh');
      const child = spawn(sh, ['-c', 'sleep 0.3'], { stdio: [sock, sock, 'ignore'] });
      const exited = new Promise((r) => child.on('exit', r));
      await expectRuleAlert('execution/reverse_shell_stdio_socket', { pid: child.pid, exe: sh }, {
        // Wiring the socket to fd 0/1 is itself a dup2 of a TCP socket onto stdio.
        also: [...COPY_RULES, 'execution/reverse_shell_dup_stdio'],
      });
      await exited;
      sock.destroy();
    } finally {
      l.close();
    }
  });

  it('reverse shell: dup2 of a connected TCP socket onto stdout', async () => {
    const l = await listener();
    try {
      const run = startProbe('dup2-socket', String(l.port));
      const alert = expectRuleAlert('execution/reverse_shell_dup_stdio', { pid: run.pid });
      await run.done;
      const a = await alert;
      expect((a.vigil.alert as { events: { vigil: { dup: { newfd: number } } }[] }).events[0].vigil.dup.newfd).toBe(1);
    } finally {
      l.close();
    }
  });

  it('reverse shell: /dev/tcp on the command line', async () => {
    const l = await listener();
    try {
      const r = spawnSync('/bin/bash', ['-c', `echo ${uniqueName('hi')} >/dev/tcp/127.0.0.1/${l.port}`]);
      expect(r.status).toBe(0);
      await expectRuleAlert('execution/reverse_shell_command_line', { pid: r.pid, exe: '/usr/bin/bash' }, {
        also: ['execution/reverse_shell_dup_stdio'], // bash dup2s the /dev/tcp socket onto stdout
      });
    } finally {
      l.close();
    }
  });

  it('reverse shell: python one-liner with socket and pty.spawn (never run)', async () => {
    const r = spawnSync('/usr/bin/python3', ['-c', "import socket,pty;0 and pty.spawn('/bin/sh')"]);
    expect(r.status).toBe(0);
    await expectRuleAlert('execution/reverse_shell_interpreter', { pid: r.pid, where: (e) => /python3/.test(e.process.executable ?? '') },
      { also: ['execution/python_pty_spawn', 'execution/inline_code_starts_shell'] });
  });

  it('shell spawned by a service binary named nginx', async () => {
    const nginx = namedCopy('/bin/sh', 'nginx');
    // `; exit 0` keeps the outer shell from exec-ing the inner one in place.
    const r = spawnSync(nginx, ['-c', '/bin/sh -c "exit 0"; exit 0']);
    expect(r.status).toBe(0);
    const a = await expectRuleAlert('execution/shell_spawned_by_service', { where: (e) => e.process.parent?.pid === r.pid });
    expect(a.process.parent.executable).toBe(nginx);
    expect(a.process.executable).toMatch(/\/(da|ba)?sh$/);
  });

  it('exec from /tmp', async () => {
    const exe = uniqueCopy('/bin/true', dir, 'vigil-tmp-exec');
    const r = spawnSync(exe);
    expect(r.status).toBe(0);
    await expectRuleAlert('execution/exec_from_tmp', { pid: r.pid, exe }, { also: ['execution/dropped_binary_executed'] });
  });

  it('dropped binary executed (written seconds ago, outside /tmp); one a linker just wrote is a build, not a drop', async () => {
    const src = join(homeDir, 'built.c');
    writeFileSync(src, 'int main(void) { return 0; }\n');
    const built = join(homeDir, 'vigil-built');
    expect(spawnSync('cc', ['-o', built, src]).status).toBe(0);
    const b = spawnSync(built);
    expect(b.status).toBe(0);
    const exe = uniqueCopy('/bin/true', homeDir, 'vigil-dropped');
    const r = spawnSync(exe);
    expect(r.status).toBe(0);
    const a = await expectRuleAlert('execution/dropped_binary_executed', { pid: r.pid, exe });
    const trigger = (a as unknown as { vigil: { alert: { events: EcsEvent[] } } }).vigil.alert.events[0];
    expect((trigger.vigil.context as { exec_written_by?: string }).exec_written_by).toBe(realpathSync(process.execPath)); // uniqueCopy writes it from this process
    // The copy's alert is the marker: the built program's exec came before it, seen and not matched.
    const builtExec = findEvents((e) => e.event?.action === 'exec' && e.process?.pid === b.pid && e.event.kind !== 'alert');
    expect(builtExec).toHaveLength(1);
    expect((builtExec[0].vigil.context as { exec_written_by?: string }).exec_written_by).toMatch(/\/x86_64-linux-gnu-ld\.bfd$/);
    const id = ruleId('execution/dropped_binary_executed');
    expect(findEvents((e) => isAlert(e) && (e as unknown as { rule: { id: string } }).rule.id === id && e.process?.pid === b.pid)).toEqual([]);
  });

  it('fileless: exec of a memfd', async () => {
    const script = "import os;fd=os.memfd_create('vigil-fileless');os.write(fd,open('/bin/true','rb').read());os.execv(f'/proc/self/fd/{fd}',['x'])";
    const r = spawnSync('/usr/bin/python3', ['-c', script]);
    expect(r.status).toBe(0);
    const a = await expectRuleAlert('execution/fileless_execution', { pid: r.pid, where: (e) => (e.process.executable ?? '').includes('memfd:') });
    expect(a.process.executable).toContain('vigil-fileless');
  });

  it('base64 decoded and piped to a shell', async () => {
    const r = spawnSync('/bin/sh', ['-c', `echo ${Buffer.from('exit 0').toString('base64')} | base64 -d | sh`]);
    expect(r.status).toBe(0);
    await expectRuleAlert('execution/base64_piped_to_shell', { pid: r.pid });
  });
});
