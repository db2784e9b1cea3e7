import { Command } from 'commander';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { EcsEvent } from '../../agent/src/model/ecs-event';
import { registerQueryCommand, runQueryCommand, type QueryCliOptions } from '../../agent/src/query/cli';
import { buildFixtureDb } from './fixtures/build-db';

// The fixture is anchored at a fixed date; the CLI's relative times count from
// the real clock, so these tests use absolute filters or none.
let dir: string;
let dbPath: string;
let ev: Record<string, EcsEvent>;

function run(o: Partial<QueryCliOptions>): { code: number; out: string; err: string } {
  const out: string[] = [];
  const err: string[] = [];
  const code = runQueryCommand({ db: dbPath, ...o }, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-qcli-'));
  dbPath = join(dir, 'events.db');
  ev = buildFixtureDb(dbPath);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => { process.exitCode = undefined; });

describe('vigil query', () => {
  it('prints an aligned table: time, action, pid, exe, detail', () => {
    const { code, out, err } = run({ pid: '201' });
    expect(code).toBe(0);
    expect(err).toBe('');
    const lines = out.split('\n');
    expect(lines[0]).toMatch(/^TIME\s+ACTION\s+PID\s+ENTITY\s+EXE\s+DETAIL$/);
    expect(lines).toHaveLength(5);
    expect(lines[1]).toMatch(/^2024-05-01T11:30:03\.500Z\s+exit\s+201\s+ent-curl\s+\/usr\/bin\/curl\s+code=/);
    expect(lines[2]).toMatch(/^2024-05-01T11:30:03\.000Z\s+connect\s+201\s+ent-curl\s+\/usr\/bin\/curl\s+-> 10\.0\.0\.5:4444$/);
    expect(lines[3]).toContain('curl -s http://10.0.0.5:4444/x');
    // Every column starts at the same offset on every line.
    for (const col of ['ACTION', 'PID', 'EXE', 'DETAIL']) {
      const at = lines[0].indexOf(col);
      for (const l of lines.slice(1)) expect(l[at - 1]).toBe(' ');
      for (const l of lines.slice(1)) expect(l[at]).not.toBe(' ');
    }
  });

  it('shows alerts, failures, renames and inbound peers in the detail column', () => {
    const out = run({}).out;
    expect(out).toMatch(/ALERT\s+200\s+ent-sh\s+\/bin\/sh\s+\[high\] Web server spawned a shell \(vigil-exec-001\) id=\S+/);
    expect(out).toContain('/etc/passwd [failed EACCES]');
    expect(out).toContain('/tmp/x -> /usr/local/bin/x');
    expect(out).toContain('<- 192.168.1.9:51234');
  });

  it('--json prints the stored documents as JSON lines, newest first', () => {
    const { out } = run({ json: true, dst: '10.0.0.5' });
    expect(out.split('\n').map((l) => JSON.parse(l))).toEqual([ev.sshdDns, ev.curlConnect]);
    expect(run({ json: true, path: '/nowhere' }).out).toBe('');
  });

  it('--tree prints the process subtree with activity indented beneath each process', () => {
    const { code, out } = run({ tree: 'ent-nginx' });
    expect(code).toBe(0);
    const lines = out.split('\n');
    expect(lines[0]).toBe('/usr/sbin/nginx [pid 100] (ent-nginx)  /usr/sbin/nginx -g daemon off;');
    const shAt = lines.findIndex((l) => l.startsWith('└─ /bin/sh [pid 200] (ent-sh)'));
    const curlAt = lines.findIndex((l) => l.startsWith('   └─ /usr/bin/curl [pid 201] (ent-curl)'));
    expect(shAt).toBeGreaterThan(0);
    expect(curlAt).toBeGreaterThan(shAt);
    expect(lines.slice(1, shAt).join('\n')).toMatch(/^│ {3}\S+Z\s+exec\s+\/usr\/sbin\/nginx -g daemon off;$/);
    const shActivity = lines.slice(shAt + 1, curlAt);
    expect(shActivity.map((l) => l.trim().split(/\s+/)[2])).toEqual(['fork', 'exec', 'open', 'rename', 'ALERT']);
    for (const l of shActivity) expect(l.startsWith('   │   ')).toBe(true);
    const curlActivity = lines.slice(curlAt + 1);
    expect(curlActivity.some((l) => /^ {10}\S+\s+connect\s+-> 10\.0\.0\.5:4444$/.test(l))).toBe(true);
    // --json: the tree's ECS documents, process by process, oldest first within each.
    const docs = run({ tree: 'ent-nginx', json: true }).out.split('\n').map((l) => JSON.parse(l));
    expect(docs.map((d) => `${d.process.entity_id}:${d.event.kind === 'alert' ? 'ALERT' : d.event.action}`)).toEqual([
      'ent-nginx:exec', 'ent-sh:fork', 'ent-sh:exec', 'ent-sh:open', 'ent-sh:rename', 'ent-sh:ALERT',
      'ent-curl:fork', 'ent-curl:exec', 'ent-curl:connect', 'ent-curl:exit']);
  });

  it('--tree --depth and --hide-failed trim the tree; --alert shows what the alert\'s process did', () => {
    const shallow = run({ tree: 'ent-nginx', depth: '1' }).out;
    expect(shallow).toContain('/bin/sh [pid 200] (ent-sh)');
    expect(shallow).not.toContain('ent-curl');
    expect(shallow).not.toContain('truncated');
    expect(run({ tree: 'ent-cat' }).out).toContain('/etc/passwd [failed EACCES]');
    expect(run({ tree: 'ent-cat', hideFailed: true }).out).not.toContain('[failed');
    expect(run({ tree: 'ent-nginx', depth: '99' }).err).toMatch(/depth: must be a whole number from 0 to 32/);
    const alertId = (JSON.parse(run({ json: true, kind: 'alert', rule: 'vigil-exec-001' }).out.split('\n')[0]) as { event: { id: string } }).event.id;
    const byAlert = run({ alert: alertId }).out.split('\n');
    expect(byAlert[1]).toMatch(/ALERT\s+200\s+ent-sh\s+\/bin\/sh\s+\[high\] Web server spawned a shell/);
    expect(byAlert.slice(3).every((l) => /\sent-sh\s/.test(l))).toBe(true); // then the events of that process only
    expect(byAlert.slice(3).map((l) => l.split(/\s+/)[1])).toEqual(['ALERT', 'rename', 'open', 'exec', 'fork']);
    expect(run({ alert: alertId, tree: true as unknown as string }).out.split('\n')[2]).toMatch(/^\/bin\/sh \[pid 200\] \(ent-sh\)/);
    expect(run({ alert: 'no-such-alert' }).err).toMatch(/alert no-such-alert has no recorded events; check the id \(the ALERT rows show id=/);
  });

  it('reports bad input and unusable databases on stderr with exit code 2', () => {
    const bad = run({ since: 'yesterday' });
    expect(bad).toMatchObject({ code: 2, out: '' });
    expect(bad.err).toMatch(/^vigil query: since: "yesterday" is not a duration like .*15m.* or an ISO timestamp/);
    expect(run({ dst: 'host:port' }).err).toMatch(/IP:PORT/);
    expect(run({ tree: 'ent-ghost' }).err).toMatch(/entity ent-ghost has no recorded events/);
    const missing = run({ db: join(dir, 'missing.db') });
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/cannot open event database .*missing\.db.*pass --db/);
  });

  it('warns when the limit cut the results', () => {
    const { out, err } = run({ limit: '2' });
    expect(out.split('\n')).toHaveLength(3);
    expect(err).toMatch(/showing the newest 2; more matched/);
  });

  it('registers `query` on a commander program with every option', async () => {
    const out: string[] = [];
    const program = new Command().exitOverride();
    registerQueryCommand(program, { out: (t) => out.push(t), err: (t) => out.push(`ERR ${t}`) });
    await program.parseAsync(['query', '--db', dbPath, '--exe', '*/curl', '--action', 'connect', '--json'], { from: 'user' });
    expect(process.exitCode).toBe(0);
    expect(out.map((l) => JSON.parse(l))).toEqual([ev.curlConnect]);
    const cmd = program.commands.find((c) => c.name() === 'query')!;
    const flags = cmd.options.map((o) => o.long);
    expect(flags).toEqual(expect.arrayContaining(['--db', '--since', '--until', '--pid', '--entity-id', '--exe', '--path',
      '--dst', '--action', '--rule', '--severity', '--kind', '--limit', '--timeout', '--json', '--tree', '--alert', '--depth', '--hide-failed']));
    out.length = 0;
    await program.parseAsync(['query', '--db', dbPath, '--entity-id', 'ent-cat', '--rule', 'vigil-cred-*', '--until', '2024-05-01T12:00:00Z'], { from: 'user' });
    expect(out.join('\n')).toMatch(/ALERT\s+400\s+\S+\s+\/usr\/bin\/cat\s+\[severity 40\] Sensitive file read/);
    await program.parseAsync(['query', '--db', dbPath, '--limit', 'lots'], { from: 'user' });
    expect(process.exitCode).toBe(2);
  });
});
