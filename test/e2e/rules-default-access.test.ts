// Default credential-access, persistence, privilege-escalation, discovery
// and command-and-control rules fired by the real behaviour on the real
// kernel. Nothing real is modified: keys and HOME are temporary, the cron
// file is a unique comment-only file removed at once.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir, uniqueCopy, uniqueName, waitForEvent, type EcsEvent } from './harness';
import { expectNoRuleAlert, expectRuleAlert, ruleId } from './rule-alerts';
import { startProbe } from './sysprobe';

const ROOT = resolve(__dirname, '../..');
const dir = tempDir('vigil-e2e-rules-access-');
const cleanup: string[] = [dir];
const cleanupServers: Server[] = [];
afterAll(() => {
  cleanup.forEach((p) => rmSync(p, { recursive: true, force: true }));
  cleanupServers.forEach((s) => s.close());
});

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): number {
  const r = spawnSync(cmd, args, { env });
  expect(r.status, `${cmd} ${args.join(' ')}: ${r.stderr}`).toBe(0);
  return r.pid;
}

describe('default rules: access, persistence, privilege, discovery, C2', () => {
  it('/etc/shadow read by a copy of cat', async () => {
    const cat = uniqueCopy('/bin/cat', dir, 'vigil-cat');
    const pid = run(cat, ['/etc/shadow']);
    await expectRuleAlert('credential_access/password_db_read', { pid, exe: cat }, {
      also: ['execution/exec_from_tmp', 'execution/dropped_binary_executed'],
    });
  });

  it('SSH private key read by cat', async () => {
    const home = join(dir, uniqueName('home'));
    mkdirSync(join(home, '.ssh'), { recursive: true });
    writeFileSync(join(home, '.ssh/id_rsa'), 'not a key\n');
    const pid = run('/bin/cat', [join(home, '.ssh/id_rsa')]);
    await expectRuleAlert('credential_access/private_key_read', { pid });
  });

  it('recursive grep for passwords', async () => {
    // Its own directory: the keys other tests plant would also (rightly) trip private_key_read.
    const notes = join(dir, uniqueName('notes'));
    mkdirSync(notes);
    writeFileSync(join(notes, 'notes.txt'), 'password=hunter2\n');
    const pid = run('/bin/grep', ['-r', 'password', notes]);
    await expectRuleAlert('credential_access/credential_search', { pid });
  });

  it('setuid bit set with chmod 4755', async () => {
    const f = join(dir, uniqueName('suid'));
    writeFileSync(f, '');
    const pid = run('/bin/chmod', ['4755', f]);
    await expectRuleAlert('privilege_escalation/setuid_bit_set', { pid });
  });

  it('authorized_keys written under a temporary HOME', async () => {
    const home = join(dir, uniqueName('home'));
    mkdirSync(join(home, '.ssh'), { recursive: true });
    const pid = run('/bin/sh', ['-c', 'echo "ssh-ed25519 AAAA vigil-e2e" >> "$HOME/.ssh/authorized_keys"'], { ...process.env, HOME: home });
    const a = await expectRuleAlert('persistence/ssh_preload_pam_write', { pid });
    expect((a.vigil.alert as { events: { file?: { path?: string } }[] }).events[0].file?.path).toBe(join(home, '.ssh/authorized_keys'));
  });

  it('cron file written under /etc/cron.d', async () => {
    // The dot makes cron ignore the file even for the moment it exists.
    const cron = `/etc/cron.d/${uniqueName('vigil-e2e')}.disabled`;
    cleanup.push(cron);
    const pid = run('/bin/sh', ['-c', `echo '# vigil e2e' > '${cron}'`]);
    rmSync(cron, { force: true });
    await expectRuleAlert('persistence/scheduled_task_or_service_write', { pid });
  });

  it('raw socket opened', async () => {
    const p = startProbe('socket', '2', '3', '255'); // AF_INET, SOCK_RAW, IPPROTO_RAW
    const alert = expectRuleAlert('command_and_control/raw_socket', { pid: p.pid });
    const [out] = await p.done;
    expect(out.ret).toBeGreaterThanOrEqual(0);
    await alert;
  });

  it('recon burst: five discovery commands from one shell', async () => {
    const pid = run('/bin/sh', ['-c', 'whoami; id; uname -a; hostname; ps; true']);
    await expectRuleAlert('discovery/recon_burst', { where: (e) => e.process.parent?.pid === pid }, {
      also: ['discovery/recon_burst_base'],
    });
  });

  it('mining pool port: loopback 127.0.0.2:3333 is filtered out; a public address fires', async () => {
    // A real listener, so the connect succeeds (the rule only sees successful connects).
    const server = createServer((s) => s.destroy());
    await new Promise<void>((ok, fail) => { server.once('error', fail); server.listen(3333, '127.0.0.2', ok); });
    cleanupServers.push(server);
    const p = startProbe('tcp-connect', '127.0.0.2', '3333');
    const ev = waitForEvent((e: EcsEvent) => e.process.pid === p.pid && e.event.action === 'connect', 20_000);
    await p.done;
    const connect = await ev;
    expect(connect.destination).toEqual({ ip: '127.0.0.2', port: 3333 });
    expect(connect.event.outcome).toBe('success');
    await expectNoRuleAlert('command_and_control/mining_pool_port', { pid: p.pid });
    // The same recorded event toward a public address must match.
    const events = join(dir, 'mining.jsonl');
    writeFileSync(events, `${JSON.stringify({ ...connect, destination: { ip: '203.0.113.7', port: 3333 } })}\n`);
    const rule = join(ROOT, 'rules/command_and_control/mining_pool_port.yml');
    const cli = spawnSync(process.execPath, [join(ROOT, 'dist/cli/vigil.js'), 'rules', 'test', rule, events], { encoding: 'utf8' });
    expect(cli.status, cli.stderr).toBe(0);
    expect(cli.stdout).toContain(ruleId('command_and_control/mining_pool_port'));
    writeFileSync(events, `${JSON.stringify(connect)}\n`);
    const neg = spawnSync(process.execPath, [join(ROOT, 'dist/cli/vigil.js'), 'rules', 'test', rule, events], { encoding: 'utf8' });
    expect(neg.stdout).not.toContain(ruleId('command_and_control/mining_pool_port'));
  });

  it('shell spawned right after an outbound connection', async () => {
    const server = createServer((c) => c.destroy());
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    cleanupServers.push(server);
    const script = join(dir, `${uniqueName('implant')}.py`);
    writeFileSync(script, [
      'import socket, subprocess, sys',
      "s = socket.create_connection(('127.0.0.1', int(sys.argv[1]))); s.close()",
      "subprocess.run(['/bin/sh', '-c', 'exit 0'], check=True)",
    ].join('\n'));
    const pid = run('/usr/bin/python3', [script, String((server.address() as { port: number }).port)]);
    const a = await expectRuleAlert('command_and_control/shell_after_outbound_connection', { where: (e) => e.process.parent?.pid === pid });
    expect(a.process.executable).toMatch(/\/(da|ba)?sh$/);
  });
});
