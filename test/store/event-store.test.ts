import Database from 'better-sqlite3';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventStore } from '../../agent/src/store/event-store';
import { StoreConfigError, StoreSchemaError } from '../../agent/src/store/errors';
import { SCHEMA_VERSION } from '../../agent/src/store/schema';
import { runQuery } from '../../agent/src/query/run-query';
import { BlockReader } from '../../agent/src/store/block-reader';
import { makeAlert, makeEvent } from './fixtures/make-event';

let dir: string;
let stores: EventStore[] = [];
const T0 = Date.parse('2024-05-01T12:00:00.000Z');

function open(opts: ConstructorParameters<typeof EventStore>[0] = {}): EventStore {
  const s = new EventStore({ path: join(dir, 'events.db'), flushIntervalMs: 60_000, ...opts });
  stores.push(s);
  return s;
}
const reader = () => new Database(join(dir, 'events.db'), { readonly: true });
const count = (db: Database.Database, t = 'events') => (db.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n;
const ev = (i: number, action: 'open' | 'umount' = 'open') =>
  makeEvent({ ts: T0 + i, action, pid: 1000 + (i % 7), entityId: `e${i % 7}`, exe: '/usr/bin/cat', file: { path: `/tmp/f${i}` } });

beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'vigil-store-')); });
afterEach(() => {
  for (const s of stores) s.close();
  stores = [];
  rmSync(dir, { recursive: true, force: true });
});

describe('EventStore', () => {
  it('creates the directory, WAL mode, synchronous=NORMAL and the versioned schema', () => {
    const s = new EventStore({ path: join(dir, 'nested', 'deeper', 'events.db') });
    stores.push(s);
    expect(existsSync(join(dir, 'nested', 'deeper', 'events.db'))).toBe(true);
    expect(s.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(s.db.pragma('synchronous', { simple: true })).toBe(1);
    expect(s.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(s.db.pragma('auto_vacuum', { simple: true })).toBe(2);
    const idx = (s.db.prepare("SELECT name FROM sqlite_master WHERE type='index'").all() as { name: string }[]).map((r) => r.name);
    expect(idx).toEqual(expect.arrayContaining(['events_ts', 'events_proc', 'events_file', 'events_target', 'events_remote',
      'processes_entity', 'processes_parent', 'processes_pid', 'processes_exe', 'alerts_ts', 'alerts_rule', 'alerts_severity']));
  });

  it('refuses a database written by a newer schema', () => {
    const db = new Database(join(dir, 'events.db'));
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => open()).toThrow(StoreSchemaError);
    expect(() => open()).toThrow(/upgrade Vigil/);
  });

  it('round-trips events and alerts with their indexed columns', () => {
    const s = open();
    const connect = makeEvent({
      ts: T0, action: 'connect', pid: 201, entityId: 'ent-curl', exe: '/usr/bin/curl', ppid: 200,
      parentEntityId: 'ent-sh', destination: { ip: '10.0.0.5', port: 4444 }, network: { direction: 'egress' },
    });
    const rename = makeEvent({ ts: T0 + 1, action: 'rename', pid: 200, entityId: 'ent-sh', exe: '/bin/sh', file: { path: '/tmp/x', target_path: '/tmp/y' }, outcome: 'failure' });
    const alert = makeAlert(T0 + 2, 'vigil-0001', 'Web server spawns shell', 73, connect);
    s.append(connect); s.append(rename); s.append(alert);
    expect(s.flush()).toBe(3);
    const rows = s.db.prepare(`SELECT e.*, p.entity_id, p.pid, p.executable, pp.entity_id AS parent_entity_id
      FROM events e JOIN processes p ON p.pk = e.proc LEFT JOIN processes pp ON pp.pk = p.parent_pk ORDER BY e.ts`).all() as Record<string, unknown>[];
    expect(rows[0]).toMatchObject({ ts: T0, action: 'connect', pid: 201, entity_id: 'ent-curl', parent_entity_id: 'ent-sh',
      executable: '/usr/bin/curl', remote_ip: '10.0.0.5', remote_port: 4444, file_path: null });
    expect(rows[1]).toMatchObject({ action: 'rename', file_path: '/tmp/x', target_path: '/tmp/y', remote_ip: null, entity_id: 'ent-sh' });
    // Narrow rows: the body holds no process image, the image is stored once.
    expect(JSON.parse(new BlockReader(s.db).body(rows[0].block as number, rows[0].slot as number)!).process).toEqual({ name: 'curl', thread: { id: 201 } });
    const docs = runQuery(s.db, { since: '2000-01-01T00:00:00Z' }).rows.filter((r) => r.kind === 'event').map((r) => r.doc);
    expect(docs).toEqual([rename, connect]);
    const a = s.db.prepare('SELECT * FROM alerts').get() as Record<string, unknown>;
    expect(a).toMatchObject({ ts: T0 + 2, rule_id: 'vigil-0001', rule_name: 'Web server spawns shell', severity: 73, entity_id: 'ent-curl', pid: 201, count: 1 });
    expect(JSON.parse(a.doc as string)).toEqual(alert);
    expect(s.stats()).toMatchObject({ inserted: 3, alerts: 1, batches: 1, dropped: 0 });
  });

  it('append only queues: nothing reaches SQLite until a flush', () => {
    const s = open();
    for (let i = 0; i < 50; i++) s.append(ev(i));
    const r = reader();
    expect(count(r)).toBe(0);
    expect(s.stats().queueDepth).toBe(50);
    s.flush();
    expect(count(r)).toBe(50);
    expect(s.stats().queueDepth).toBe(0);
    r.close();
  });

  it('writes one transaction per batch: a failing row rolls back exactly its batch', () => {
    const seen: number[] = [];
    let r: Database.Database | undefined;
    const s = open({ batchSize: 100, onBatchCommitted: () => seen.push(count(r!)) });
    r = reader();
    // A second connection installs a trigger that aborts on 'umount' rows.
    const w = new Database(join(dir, 'events.db'));
    w.exec("CREATE TRIGGER boom BEFORE INSERT ON events WHEN NEW.action = 'umount' BEGIN SELECT RAISE(ABORT, 'boom'); END");
    w.close();
    for (let i = 0; i < 350; i++) s.append(ev(i, i === 150 ? 'umount' : 'open'));
    s.flush();
    // Batches: [0,100) ok, [100,200) aborted at row 150 -> none of it, [200,300) ok, [300,350) ok.
    expect(count(r)).toBe(250);
    expect(seen).toEqual([100, 200, 250]);
    const stats = s.stats();
    expect(stats.batches).toBe(3);
    expect(stats.flushErrors).toBe(1);
    expect(stats.dropped).toBe(100);
    expect(stats.inserted).toBe(250);
    r.close();
  });

  it('flushes on its own at batchSize queued and on the interval timer', async () => {
    const s = open({ batchSize: 100, flushIntervalMs: 60_000 });
    for (let i = 0; i < 100; i++) s.append(ev(i));
    expect(s.stats().batches).toBe(0); // not inside append
    await new Promise((res) => setImmediate(res));
    expect(s.stats()).toMatchObject({ batches: 1, inserted: 100 });
    s.close();

    const t = open({ path: join(dir, 'timer.db'), flushIntervalMs: 20 });
    for (let i = 0; i < 5; i++) t.append(ev(i));
    await new Promise((res) => setTimeout(res, 150));
    expect(t.stats()).toMatchObject({ inserted: 5, batches: 1 });
    expect(t.stats().lastFlushMs).toBeGreaterThan(0);
  });

  it('bounds the queue, counts drops and rejects, and never throws on append', () => {
    const s = open({ maxQueue: 10 });
    const results = Array.from({ length: 15 }, (_, i) => s.append(ev(i)));
    expect(results.filter((x) => !x)).toHaveLength(5);
    expect(s.stats()).toMatchObject({ dropped: 5, queueDepth: 10 });
    s.flush();
    const bad = ev(99) as unknown as Record<string, unknown>;
    bad.vigil = { big: 1n }; // JSON.stringify throws on BigInt
    s.append(bad as never);
    s.append(ev(100));
    s.flush();
    expect(s.stats()).toMatchObject({ inserted: 11, rejected: 1 });
    s.close();
    expect(s.append(ev(101))).toBe(false);
    expect(s.stats().dropped).toBe(6);
  });

  it('close flushes and checkpoints the WAL into the main file', () => {
    const s = open();
    for (let i = 0; i < 20; i++) s.append(ev(i));
    s.close();
    const wal = join(dir, 'events.db-wal');
    expect(!existsSync(wal) || statSync(wal).size === 0).toBe(true);
    const r = reader();
    expect(count(r)).toBe(20);
    r.close();
  });

  it('validates its options at construction', () => {
    expect(() => open({ batchSize: 0 })).toThrow(StoreConfigError);
    expect(() => open({ flushIntervalMs: 1.5 })).toThrow(/positive integer/);
  });
});
