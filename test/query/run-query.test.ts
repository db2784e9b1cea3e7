import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EcsEvent } from '../../agent/src/model/ecs-event';
import { QueryFilterError } from '../../agent/src/query/errors';
import type { QueryFilters } from '../../agent/src/query/filters';
import { runQuery } from '../../agent/src/query/run-query';
import { EventStore } from '../../agent/src/store/event-store';
import { openReadOnlyDb } from '../../agent/src/store/open-db';
import { makeEvent } from '../store/fixtures/make-event';
import { buildFixtureDb, NOW, T0 } from './fixtures/build-db';

let dir: string;
let db: Database.Database;
let ev: Record<string, EcsEvent>;
const nameOf = new Map<string, string>();

/** JSON with keys sorted: a rendered document equals the one stored whatever its key order. */
const canonical = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) =>
  (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : 1))) : x));

/** Names of the fixture documents a query returns, in result order (the whole document must match). */
function q(filters: QueryFilters, windowRows?: number): string[] {
  const r = runQuery(db, filters, { now: NOW, windowRows });
  return r.rows.map((row) => nameOf.get(canonical(row.doc)) ?? '?');
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-query-'));
  ev = buildFixtureDb(join(dir, 'events.db'));
  for (const [name, doc] of Object.entries(ev)) nameOf.set(canonical(doc), name);
  db = openReadOnlyDb(join(dir, 'events.db'));
});
afterAll(() => { db.close(); rmSync(dir, { recursive: true, force: true }); });

describe('runQuery filters', () => {
  it('returns events and alerts together, newest first', () => {
    expect(q({})).toEqual(['credAlert', 'catPasswd', 'sshdDns', 'sshdAccept', 'shellAlert', 'tmpRename', 'tmpWrite',
      'curlExit', 'curlConnect', 'curlExec', 'curlFork', 'shExec', 'shFork', 'nginxExec', 'cronExec']);
    const r = runQuery(db, {}, { now: NOW });
    expect(r.rows.map((x) => x.kind).filter((k) => k === 'alert')).toHaveLength(2);
    expect(r).toMatchObject({ limited: false, timedOut: false });
  });

  it('since/until accept durations and ISO timestamps', () => {
    expect(q({ since: '1h' })).not.toContain('cronExec');
    expect(q({ since: '1h' })).toHaveLength(14);
    expect(q({ since: '4d' })).toHaveLength(15);
    expect(q({ since: new Date(T0 + 6000).toISOString() })).toEqual(['credAlert', 'catPasswd', 'sshdDns', 'sshdAccept']);
    expect(q({ until: new Date(T0 + 1100).toISOString(), since: '2h' })).toEqual(['shExec', 'shFork', 'nginxExec']);
    // T0 = now-30m: until 1798s ago is T0+2s.
    expect(q({ since: '31m', until: '1798s' })).toEqual(['curlFork', 'shExec', 'shFork', 'nginxExec']);
  });

  it('pid and entity_id', () => {
    expect(q({ pid: 200 })).toEqual(['shellAlert', 'tmpRename', 'tmpWrite', 'shExec', 'shFork']);
    expect(q({ pid: '201' })).toEqual(['curlExit', 'curlConnect', 'curlExec', 'curlFork']);
    expect(q({ entityId: 'ent-curl' })).toEqual(['curlExit', 'curlConnect', 'curlExec', 'curlFork']);
    expect(q({ entityId: 'nope' })).toEqual([]);
  });

  it('exe exact or glob', () => {
    expect(q({ exe: '/usr/bin/curl' })).toEqual(['curlExit', 'curlConnect', 'curlExec']);
    expect(q({ exe: '/usr/bin' })).toEqual([]); // exact, not prefix
    expect(q({ exe: '*/sh' })).toEqual(['shellAlert', 'tmpRename', 'tmpWrite', 'curlFork', 'shExec']);
    expect(q({ exe: '/usr/sbin/*', since: '1h' })).toEqual(['sshdDns', 'sshdAccept', 'shFork', 'nginxExec']);
  });

  it('path prefix or glob, matching rename targets too', () => {
    expect(q({ path: '/tmp' })).toEqual(['tmpRename', 'tmpWrite']);
    expect(q({ path: '/tmp/x' })).toEqual(['tmpRename', 'tmpWrite']);
    expect(q({ path: '/usr/local/bin' })).toEqual(['tmpRename']);
    expect(q({ path: '/etc/pass*' })).toEqual(['catPasswd']);
    expect(q({ path: '*/x' })).toEqual(['tmpRename', 'tmpWrite']);
    expect(q({ path: '/var' })).toEqual([]);
  });

  it('dst by ip or ip:port; inbound connections match on their remote source', () => {
    expect(q({ dst: '10.0.0.5' })).toEqual(['sshdDns', 'curlConnect']);
    expect(q({ dst: '10.0.0.5:4444' })).toEqual(['curlConnect']);
    expect(q({ dst: '10.0.0.5:80' })).toEqual([]);
    expect(q({ dst: '192.168.1.9' })).toEqual(['sshdAccept']);
  });

  it('action, rule, severity and kind', () => {
    expect(q({ action: 'connect' })).toEqual(['sshdDns', 'curlConnect']);
    expect(q({ action: 'exec', since: '1h' })).toEqual(['curlExec', 'shExec', 'nginxExec']);
    expect(q({ rule: 'vigil-exec-001' })).toEqual(['shellAlert']);
    expect(q({ rule: 'Sensitive file read' })).toEqual(['credAlert']);
    expect(q({ rule: 'vigil-*' })).toEqual(['credAlert', 'shellAlert']);
    expect(q({ severity: 50 })).toEqual(['shellAlert']);
    expect(q({ kind: 'alert' })).toEqual(['credAlert', 'shellAlert']);
    expect(q({ kind: 'event', pid: 400 })).toEqual(['catPasswd']);
    expect(q({ kind: 'alert', pid: 400 })).toEqual(['credAlert']);
  });

  it('limit keeps the newest rows and says more matched', () => {
    const r = runQuery(db, { limit: 3 }, { now: NOW });
    expect(r.rows.map((x) => nameOf.get(canonical(x.doc)))).toEqual(['credAlert', 'catPasswd', 'sshdDns']);
    expect(r.limited).toBe(true);
    expect(runQuery(db, { limit: 15 }, { now: NOW }).limited).toBe(false);
  });

  it('gives the same answers when scanning in tiny windows', () => {
    const cases: QueryFilters[] = [{}, { pid: 200 }, { exe: '*/sh' }, { dst: '10.0.0.5' }, { since: '31m', until: '1798s' }, { limit: 4 }, { kind: 'alert' }];
    for (const f of cases) for (const w of [1, 2, 3, 7]) expect(q(f, w)).toEqual(q(f));
  });
});

describe('runQuery validation', () => {
  const bad = (f: unknown, msg: RegExp) => {
    expect(() => runQuery(db, f as QueryFilters)).toThrow(QueryFilterError);
    expect(() => runQuery(db, f as QueryFilters)).toThrow(msg);
  };
  it('rejects malformed filters with messages that say what is accepted', () => {
    bad({ since: 'yesterday' }, /since: "yesterday" is not a duration like .*15m, 2h, 7d.* or an ISO timestamp/);
    bad({ until: '5 minutes' }, /until:/);
    bad({ since: '1h', until: '2h' }, /later than until/);
    bad({ pid: 'abc' }, /pid: must be an integer/);
    bad({ pid: -1 }, /pid/);
    bad({ dst: 'evil.example.com' }, /dst: .* use an IP or IP:PORT/);
    bad({ dst: '10.0.0.5:99999' }, /dst port/);
    bad({ action: 'hack' }, /unknown action "hack"; use one of exec, fork/);
    bad({ limit: 0 }, /limit: must be an integer from 1 to 10000/);
    bad({ limit: 100_001 }, /limit/);
    bad({ kind: 'both' }, /kind/);
    bad({ exe: '' }, /exe: must be a non-empty string/);
    bad({ pdi: 1 }, /pdi: unknown filter; accepted filters are since, until/);
    bad(null, /filters: must be an object/);
    bad({ timeoutMs: 0 }, /timeoutMs/);
  });

  it('accepts bracketed and bare IPv6 destinations', () => {
    expect(() => runQuery(db, { dst: '[::1]:443' })).not.toThrow();
    expect(() => runQuery(db, { dst: 'fe80::1' })).not.toThrow();
  });
});

describe('runQuery limits on big scans', () => {
  let big: string;
  beforeAll(() => {
    big = join(dir, 'big.db');
    const s = new EventStore({ path: big, batchSize: 5000 });
    for (let i = 0; i < 20_000; i++) {
      s.append(makeEvent({ ts: NOW - 20_000 + i, action: 'open', pid: 10 + (i % 100), entityId: `e${i % 100}`, exe: '/usr/bin/find', file: { path: `/srv/${i}` } }));
    }
    s.close();
  });

  it('stops at the deadline between windows and returns partial results', () => {
    const bigDb = openReadOnlyDb(big);
    const clockFrom = () => { let t = 0; return { clock: () => (t += 10), calls: () => t / 10 }; };
    // Every clock read costs 10 "ms". A filter matching nothing forces a scan of the whole table.
    const c1 = clockFrom();
    const r = runQuery(bigDb, { exe: '*/nomatch', timeoutMs: 45 }, { now: NOW, clock: c1.clock, windowRows: 1000 });
    expect(r).toMatchObject({ timedOut: true, rows: [] });
    expect(c1.calls()).toBeLessThan(10); // gave up after a few of the 20 windows
    // Rows found before the deadline are returned: only the first window (rows 19999..19000) was read.
    // (A leading wildcard: no index can answer it, so the time index is walked.)
    const c2 = clockFrom();
    const sparse = runQuery(bigDb, { path: '*/1999*', timeoutMs: 25 }, { now: NOW, clock: c2.clock, windowRows: 1000 });
    expect(sparse.timedOut).toBe(true);
    expect(sparse.rows.map((x) => x.doc.file?.path)).toEqual(Array.from({ length: 10 }, (_, i) => `/srv/${19999 - i}`));
    // Without the deadline the same scan reaches /srv/1999 near the start of the table.
    const done = runQuery(bigDb, { path: '*/1999*' }, { now: NOW, windowRows: 1000 });
    expect(done.timedOut).toBe(false);
    expect(done.rows.at(-1)?.doc.file?.path).toBe('/srv/1999');
    // A literal prefix goes to the path index: complete, inside the same deadline.
    const c3 = clockFrom();
    const indexed = runQuery(bigDb, { path: '/srv/1999*', timeoutMs: 25 }, { now: NOW, clock: c3.clock, windowRows: 1000 });
    expect(indexed.timedOut).toBe(false);
    expect(indexed.rows.map((x) => x.doc.file?.path)).toEqual(done.rows.map((x) => x.doc.file?.path));
    const full = runQuery(bigDb, { exe: '/usr/bin/find', limit: 10_000 }, { now: NOW });
    expect(full).toMatchObject({ timedOut: false, limited: true });
    expect(full.rows).toHaveLength(10_000);
    expect(full.rows[0].ts).toBe(NOW - 1);
    bigDb.close();
  });
});
