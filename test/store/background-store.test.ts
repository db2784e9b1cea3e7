// BackgroundEventStore: rows built on the caller's thread, committed by the
// real worker thread (dist/agent/src/store/store-worker.js, built by tsc),
// read back through its read-only connection and a fresh one.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BackgroundEventStore } from '../../agent/src/store/background-store';
import { StoreOpenError } from '../../agent/src/store/errors';
import { runQuery } from '../../agent/src/query';
import { makeAlert, makeEvent } from './fixtures/make-event';

let dir: string;
const T0 = Date.now() - 60_000;
const logger = pino({ level: 'silent' });
const count = (db: Database.Database, t = 'events') => (db.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n;
const ev = (i: number) => makeEvent({ ts: T0 + i, action: 'open', pid: 2000 + (i % 5), entityId: `b${i % 5}`, exe: '/usr/bin/cat', file: { path: `/tmp/bg${i}` } });

beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'vigil-bgstore-')); });
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('BackgroundEventStore', () => {
  it('commits every appended event and alert in the worker, exactly once', async () => {
    const path = join(dir, 'events.db');
    const s = new BackgroundEventStore({ path, logger, batchSize: 500 });
    for (let i = 0; i < 5003; i++) expect(s.append(ev(i))).toBe(true);
    s.append(makeAlert(T0 + 1, 'r1', 'Rule one', 47, ev(1)));
    const writer = await s.close();
    expect(writer).toMatchObject({ inserted: 5004, alerts: 1, dropped: 0 });
    expect(s.stats()).toMatchObject({ appended: 5004, committed: 5004, dropped: 0, inFlight: 0 });
    const db = new Database(path, { readonly: true });
    expect(count(db)).toBe(5003);
    expect(count(db, 'alerts')).toBe(1);
    expect(db.prepare('SELECT count(DISTINCT file_path) AS n FROM events').get()).toEqual({ n: 5003 });
    db.close();
  });

  it('answers queries through its read-only connection while the worker writes', async () => {
    const s = new BackgroundEventStore({ path: join(dir, 'events.db'), logger, batchSize: 100, flushIntervalMs: 20 });
    for (let i = 0; i < 300; i++) s.append(ev(i));
    const deadline = Date.now() + 5000;
    while (s.stats().committed < 300 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const res = runQuery(s, { path: '/tmp/bg42' });
    expect(res.rows.map((r) => (r.doc as { file: { path: string } }).file.path)).toEqual(['/tmp/bg42']);
    await s.close();
  });

  it('drops and counts past maxQueue instead of blocking, and after the writer is gone', async () => {
    const s = new BackgroundEventStore({ path: join(dir, 'events.db'), logger, batchSize: 1_000_000, maxQueue: 10, flushIntervalMs: 60_000 });
    let ok = 0;
    for (let i = 0; i < 25; i++) if (s.append(ev(i))) ok++;
    expect(ok).toBe(10);
    expect(s.stats().dropped).toBe(15);
    await s.close();
    expect(s.append(ev(99))).toBe(false);
    expect(s.stats().dropped).toBe(16);
  });

  it('fails at construction with the store\'s typed error for an unusable path', () => {
    writeFileSync(join(dir, 'plainfile'), 'x');
    expect(() => new BackgroundEventStore({ path: join(dir, 'plainfile', 'events.db'), logger })).toThrow(StoreOpenError);
  });
});
