// Real kernel: network isolation of a process tree. Inside a network
// namespace the test makes (10.200.0.1 and fd00:200::1 on its loopback), a
// TCP and UDP echo server runs on both families; a rule with `response: isolate-tree` fires on the exec of a
// copy of bash, whose tree then keeps trying to reach the server. After the
// isolation its TCP connects and UDP sends fail with EPERM, while a sibling
// tree in the same namespace keeps working, and so does the one endpoint the
// agent was told to allow (--isolation-allow); `vigil respond release` gives
// the network back; the audit log has both.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from './harness';
import { CLI, startAgent, until, type PrivateAgent } from './private-agent';

const dir = tempDir('vigil-iso-');
const db = join(dir, 'history.db');
const rules = join(dir, 'rules');
let agent: PrivateAgent | undefined;
let ns: ChildProcess | undefined;
afterAll(() => {
  writeFileSync(join(dir, 'stop'), '');
  // The namespace's processes (the server runs until killed) are one process group.
  if (ns?.pid) try { process.kill(-ns.pid, 'SIGKILL'); } catch { /* gone */ }
  agent?.child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const SERVER = `
import socket, threading, sys
t = socket.socket(); t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); t.bind(("10.200.0.1", 7000)); t.listen(64)
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("10.200.0.1", 7001))
def udp():
    while True:
        d, a = u.recvfrom(100); u.sendto(d, a)
threading.Thread(target=udp, daemon=True).start()
t6 = socket.socket(socket.AF_INET6); t6.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); t6.bind(("fd00:200::1", 7000)); t6.listen(64)
u6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); u6.bind(("fd00:200::1", 7001))
def udp6():
    while True:
        d, a = u6.recvfrom(100); u6.sendto(d, a)
def tcp6():
    while True:
        c, _ = t6.accept(); c.close()
threading.Thread(target=udp6, daemon=True).start()
threading.Thread(target=tcp6, daemon=True).start()
open(sys.argv[1], "w").write("ready")
while True:
    c, _ = t.accept(); c.close()
`;
// One line per attempt: "<ms> tcp|udp|udp-other|tcp6|udp6 ok|<errno name>". udp and
// udp6 go to the allow-listed echo ports; udp-other is a bare sendto to a port
// nobody allowed; tcp6 goes to an IPv6 port nobody allowed.
const PROBE = `
import socket, sys, time, os, errno
log, stop = sys.argv[1], sys.argv[2]
with open(log, "a", buffering=1) as f:
    while not os.path.exists(stop):
        for kind in ("tcp", "udp", "udp-other", "tcp6", "udp6"):
            try:
                if kind == "tcp":
                    s = socket.create_connection(("10.200.0.1", 7000), timeout=1); s.close()
                elif kind == "udp":
                    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(1)
                    s.sendto(b"x", ("10.200.0.1", 7001)); s.recvfrom(10); s.close()
                elif kind == "udp-other":
                    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                    s.sendto(b"x", ("10.200.0.1", 7002)); s.close()
                elif kind == "tcp6":
                    s = socket.create_connection(("fd00:200::1", 7000), timeout=1); s.close()
                else:
                    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); s.settimeout(1)
                    s.sendto(b"x", ("fd00:200::1", 7001)); s.recvfrom(10); s.close()
                r = "ok"
            except OSError as e:
                r = errno.errorcode.get(e.errno, str(e))
            f.write("%d %s %s\\n" % (time.time() * 1000, kind, r))
        time.sleep(0.05)
`;

type Attempt = { ms: number; kind: string; result: string };
const attempts = (file: string): Attempt[] => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => {
  const [ms, kind, result] = l.split(' ');
  return { ms: Number(ms), kind, result };
}) : []);

describe('network isolation (isolate-tree)', () => {
  it('cuts the matching tree off, leaves the rest working, and release gives the network back', async () => {
    mkdirSync(rules);
    writeFileSync(join(rules, 'isolate.yml'), [
      'title: Test isolate me', 'id: test-isolate-me', 'level: high', 'response: isolate-tree',
      'logsource: {product: linux, category: process_creation}',
      'detection:', '  sel:', '    Image|endswith: /isolate-me', '  condition: sel', '',
    ].join('\n'));
    writeFileSync(join(dir, 'server.py'), SERVER);
    writeFileSync(join(dir, 'probe.py'), PROBE);
    copyFileSync('/bin/bash', join(dir, 'isolate-me'));
    agent = startAgent(dir, ['--no-default-rules', '--rules', rules, '--db', db, '--no-baseline', '--isolation-allow', '10.200.0.1:7001', '--isolation-allow', '[fd00:200::1]:7001']);
    await agent.marker('iso-up');

    const victimLog = join(dir, 'victim.log');
    const controlLog = join(dir, 'control.log');
    const stop = join(dir, 'stop');
    const script = [
      'set -e', 'ip link set lo up', 'ip addr add 10.200.0.1/32 dev lo', 'ip -6 addr add fd00:200::1/128 dev lo nodad',
      `python3 ${dir}/server.py ${dir}/ready &`,
      `while [ ! -e ${dir}/ready ]; do sleep 0.05; done`,
      // The victim: a shell whose exec the rule matches, probing from a child it forks.
      `${dir}/isolate-me -c 'python3 ${dir}/probe.py ${victimLog} ${stop}; true' &`,
      `python3 ${dir}/probe.py ${controlLog} ${stop} &`,
      'wait',
    ].join('\n');
    ns = spawn('unshare', ['-n', 'bash', '-c', script], { stdio: 'ignore', detached: true });

    const alert = await until('the rule alert with its isolation', () => agent!.lines().find((l) => l.rule?.id === 'test-isolate-me' && l.vigil?.response), 30_000);
    const [resp] = alert.vigil.response;
    expect(resp).toMatchObject({ action: 'isolate-tree', ok: true });
    expect(resp.id).toMatch(/^iso-/);
    expect(resp.pids.length).toBeGreaterThanOrEqual(1);

    // Once the victim's first refusal shows, every later attempt of its tree is refused; the sibling keeps working.
    const firstRefusal = await until('the victim refused', () => attempts(victimLog).find((a) => a.result === 'EPERM'), 20_000);
    await until('20 more victim attempts', () => (attempts(victimLog).filter((a) => a.ms > firstRefusal.ms).length >= 20 ? true : undefined), 20_000);
    const after = attempts(victimLog).filter((a) => a.ms > firstRefusal.ms);
    expect(after.filter((a) => a.kind === 'tcp').every((a) => a.result === 'EPERM')).toBe(true);
    expect(after.filter((a) => a.kind === 'udp-other').every((a) => a.result === 'EPERM')).toBe(true);
    expect(after.filter((a) => a.kind === 'tcp6').every((a) => a.result === 'EPERM')).toBe(true);
    // The allow-listed endpoints stay reachable, replies included (ingress), on both families.
    expect(after.filter((a) => a.kind === 'udp').every((a) => a.result === 'ok')).toBe(true);
    expect(after.filter((a) => a.kind === 'udp6').every((a) => a.result === 'ok')).toBe(true);
    expect(after.filter((a) => a.kind === 'tcp6').length).toBeGreaterThanOrEqual(4);
    expect(after.filter((a) => a.kind === 'udp6').length).toBeGreaterThanOrEqual(4);
    await until('control attempts after the isolation', () => (attempts(controlLog).filter((a) => a.ms > firstRefusal.ms).length >= 10 ? true : undefined), 20_000);
    expect(attempts(controlLog).filter((a) => a.ms > firstRefusal.ms).every((a) => a.result === 'ok')).toBe(true);

    const rel = spawnSync(CLI, ['respond', 'release', '--id', resp.id, '--db', db], { encoding: 'utf8' });
    expect(rel.stderr).toBe('');
    expect(rel.stdout).toMatch(new RegExp(`^released ${resp.id}: \\d+ process\\(es\\) back on the network`));
    const releasedAt = Date.now();
    await until('the victim reaching the server again', () => {
      const later = attempts(victimLog).filter((a) => a.ms > releasedAt);
      const ok = (kind: string) => later.filter((a) => a.kind === kind && a.result === 'ok').length >= 3;
      return ok('tcp') && ok('udp-other') && ok('tcp6') ? true : undefined;
    }, 20_000);

    const audit = spawnSync(CLI, ['respond', 'audit', '--json', '--db', db], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l));
    expect(audit.map((a) => [a.action, a.ok, a.ref])).toEqual([['release', 1, resp.id], ['isolate-tree', 1, resp.id]]);
    expect(audit[1].requested_by).toBe('rule:test-isolate-me');
    writeFileSync(stop, '');
  }, 120_000);

  it('refuses a protected target and an unknown isolation, changing nothing', async () => {
    const one = spawnSync(CLI, ['respond', 'isolate-tree', '--pid', String(agent!.child.pid), '--db', db], { encoding: 'utf8' });
    expect(one.status).toBe(1);
    expect(one.stderr).toMatch(/^vigil respond: isolate-tree failed: pid \d+ is protected \(the agent itself\); no response acts on it\n$/);
    const gone = spawnSync(CLI, ['respond', 'release', '--id', 'iso-nope', '--db', db], { encoding: 'utf8' });
    expect(gone.status).toBe(1);
    expect(gone.stderr).toContain('no live isolation iso-nope');
    const list = spawnSync(CLI, ['respond', 'isolations', '--db', db], { encoding: 'utf8' });
    expect(list.stdout).toBe('');
    expect(await agent!.stop()).toBe(0);
  }, 60_000);
});
