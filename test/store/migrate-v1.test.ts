// A v1 history (one JSON document per event, ancestors copied in) opened by
// this Vigil is converted in place to the compact v2 layout: every event
// comes back from a query as the same ECS document, ancestry included, and
// the file shrinks.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { EcsAncestor, EcsEvent } from '../../agent/src/model/ecs-event';
import { runQuery } from '../../agent/src/query/run-query';
import { buildProcessTree } from '../../agent/src/query/tree';
import { runQueryCommand } from '../../agent/src/query/cli';
import { EventStore } from '../../agent/src/store/event-store';
import { SCHEMA_VERSION, V1_DDL } from '../../agent/src/store/schema';
import { makeEvent } from './fixtures/make-event';

const dir = mkdtempSync(join(tmpdir(), 'vigil-migrate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const T0 = Date.parse('2024-05-01T12:00:00.000Z');

const init: EcsAncestor = { pid: 1, entity_id: 'ent-init', executable: '/sbin/init', args: ['/sbin/init'] };
const sshd: EcsAncestor = { pid: 90, entity_id: 'ent-sshd', executable: '/usr/sbin/sshd', args: ['sshd', '-D'] };

/** Events as the collector emits them: the ancestor chain to pid 1 copied into each. */
function history(n: number): EcsEvent[] {
  const out: EcsEvent[] = [];
  for (let i = 0; i < n; i++) {
    const shell = `ent-bash-${i % 5}`;
    const e = makeEvent({ ts: T0 + i, action: i % 3 ? 'open' : 'connect', pid: 1000 + (i % 5), entityId: shell, exe: '/bin/bash',
      args: ['bash', '-i'], ppid: 90, parentEntityId: 'ent-sshd', parentExe: '/usr/sbin/sshd',
      ...(i % 3 ? { file: { path: `/tmp/f${i}` } } : { destination: { ip: '10.0.0.5', port: 4444 }, network: { direction: 'egress' as const } }) });
    e.process.ancestors = [sshd, init];
    out.push(e);
  }
  return out;
}

function writeV1(path: string, events: EcsEvent[]): void {
  const db = new Database(path);
  db.exec(V1_DDL);
  db.pragma('user_version = 1');
  const ins = db.prepare(`INSERT INTO events (ts, action, category, pid, ppid, entity_id, parent_entity_id, executable, file_path, remote_ip, remote_port, outcome, doc)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  for (const e of events) {
    ins.run(Date.parse(e['@timestamp']), e.event.action, e.event.category.join(','), e.process.pid, e.process.parent.pid, e.process.entity_id,
      e.process.parent.entity_id ?? null, e.process.executable ?? null, e.file?.path ?? null, e.destination?.ip ?? null, e.destination?.port ?? null,
      e.event.outcome ?? null, JSON.stringify(e));
  }
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}

describe('v1 history database', () => {
  it('is converted in place: same documents back, ancestry walked from process images, fewer bytes', () => {
    const path = join(dir, 'events.db');
    const events = history(3000);
    writeV1(path, events);
    const v1Bytes = statSync(path).size;

    const s = new EventStore({ path });
    expect(s.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    const images = (s.db.prepare('SELECT count(*) AS n FROM processes').get() as { n: number }).n;
    expect(images).toBe(5 + 2); // five shells, sshd and init: once each, not once per event
    const got = runQuery(s.db, { limit: 10_000, since: '2000-01-01T00:00:00Z' }).rows.map((r) => r.doc).reverse();
    expect(got).toEqual(events);
    expect(buildProcessTree(s.db, 'ent-sshd', {}).root.children.map((c) => c.entityId)).toHaveLength(5);
    s.db.exec('VACUUM');
    s.close();
    const v2Bytes = statSync(path).size;
    expect(v2Bytes).toBeLessThan(v1Bytes / 2);
  }, 30_000); // converts thousands of rows: seconds on a loaded 2-core CI box

  it('vigil query refuses a v1 file naming the command that converts it, and --convert does', () => {
    const path = join(dir, 'cli.db');
    const events = history(50);
    writeV1(path, events);
    const io = { lines: [] as string[], errs: [] as string[] };
    const sink = { out: (t: string) => io.lines.push(t), err: (t: string) => io.errs.push(t) };
    expect(runQueryCommand({ db: path }, sink)).toBe(2);
    expect(io.errs.join('\n')).toContain(`is a v1 history; convert it to v${SCHEMA_VERSION} in place with \`vigil query --db ${path} --convert\``);
    expect(runQueryCommand({ db: path, convert: true }, sink)).toBe(0);
    expect(io.lines.at(-1)).toMatch(/^converted .* to schema v2: 50 events, \d+ -> \d+ bytes/);
    expect(runQueryCommand({ db: path, json: true, limit: '100', since: '2000-01-01T00:00:00Z' }, sink)).toBe(0);
    expect(io.lines.at(-1)!.split('\n').map((l) => JSON.parse(l)).reverse()).toEqual(events);
  }, 30_000);
});
