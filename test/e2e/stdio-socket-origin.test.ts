// Real kernel: a server handing an accepted connection to stdio (inetd, a CGI
// script) is not a reverse shell; a process that connects out and puts that
// socket on its stdio is. The dup-stdio event says which (vigil.dup.socket_origin)
// and the default rule alerts only on the second.
import { spawnSync } from 'node:child_process';
import { copyFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from './harness';
import { startAgent, until, type PrivateAgent } from './private-agent';

const dir = tempDir('vigil-origin-');
let agent: PrivateAgent | undefined;
afterAll(() => {
  agent?.child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const RULE = '66838b3f-9c4d-54af-b934-2779f4b4ac97';
// The server accepts, forks, and the child puts the connection on fd 0 and 1 (as CGI does),
// then the client side connects out and does the same with its own socket.
const SCRIPT = `
import os, socket, sys, time
srv = socket.socket(); srv.bind(("127.0.0.1", 0)); srv.listen(1)
port = srv.getsockname()[1]
cli = socket.create_connection(("127.0.0.1", port))
conn, _ = srv.accept()
pid = os.fork()
if pid == 0:
    os.dup2(conn.fileno(), 0); os.dup2(conn.fileno(), 1)
    os._exit(0)
os.waitpid(pid, 0)
pid = os.fork()
if pid == 0:
    os.dup2(cli.fileno(), 0); os.dup2(cli.fileno(), 1)
    os._exit(0)
os.waitpid(pid, 0)
sys.stderr.write("done\\n")
`;

describe('stdio socket origin', () => {
  it('tells an accepted connection on stdio from a connected one, and alerts only on the connected', async () => {
    agent = startAgent(dir, ['--no-db', '--no-baseline']);
    await agent.marker('origin-up');
    const py = join(dir, 'origin-probe');
    copyFileSync('/usr/bin/python3', py);
    writeFileSync(join(dir, 'probe.py'), SCRIPT);
    const r = spawnSync(py, [join(dir, 'probe.py')], { encoding: 'utf8', timeout: 30_000 });
    expect(r.stderr).toContain('done');
    const dups = await until('four dup-stdio events', () => {
      const d = agent!.lines().filter((l) => l.event?.action === 'dup-stdio' && l.process?.executable === py && l.vigil?.dup?.file_type === 'socket');
      return d.length >= 4 ? d : undefined;
    });
    const byPid = new Map<number, string[]>();
    for (const d of dups) byPid.set(d.process.pid, [...(byPid.get(d.process.pid) ?? []), d.vigil.dup.socket_origin]);
    const origins = [...byPid.values()];
    expect(origins).toHaveLength(2);
    expect(origins[0]).toEqual(['accepted', 'accepted']);
    expect(origins[1]).toEqual(['other', 'other']);
    const [serverPid, clientPid] = [...byPid.keys()];
    await agent.marker('origin-after');
    const alerts = agent.lines().filter((l) => l.event?.kind === 'alert' && l.rule?.id === RULE);
    expect(alerts.some((a) => a.process?.pid === clientPid)).toBe(true);
    expect(alerts.some((a) => a.process?.pid === serverPid)).toBe(false);
    expect(await agent.stop()).toBe(0);
  }, 120_000);
});
