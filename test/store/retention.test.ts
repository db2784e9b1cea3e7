import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreConfigError } from '../../agent/src/store/errors';
import { EventStore } from '../../agent/src/store/event-store';
import { parseRetention, Retention } from '../../agent/src/store/retention';
import { makeAlert, makeEvent } from './fixtures/make-event';

const DAY = 86_400_000;
const NOW = Date.parse('2024-05-10T00:00:00.000Z');
let dir: string;
let logs: Record<string, unknown>[];
let store: EventStore | undefined;

const logger = () => pino({ level: 'info' }, { write: (line: string) => logs.push(JSON.parse(line)) });
const ev = (ts: number, i: number, pad = 0) => makeEvent({
  ts, action: 'open', pid: 10 + (i % 5), entityId: `e${i % 5}`, exe: '/usr/bin/cat',
  // Random padding: stored bodies are compressed, so a repeated character would take no room.
  file: { path: `/var/log/f${i}` }, extra: pad ? { pad: randomBytes(pad).toString('base64').slice(0, pad) } : undefined,
});
const allTs = (s: EventStore, t = 'events') => (s.db.prepare(`SELECT ts FROM ${t} ORDER BY ts`).all() as { ts: number }[]).map((r) => r.ts);

beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'vigil-ret-')); logs = []; });
afterEach(() => { store?.close(); store = undefined; rmSync(dir, { recursive: true, force: true }); });

describe('retention', () => {
  it('parses --retention-age / --retention-size and explains bad values', () => {
    expect(parseRetention({ age: '7d', size: '1GB' })).toEqual({ maxAgeMs: 7 * DAY, maxBytes: 1024 ** 3 });
    expect(parseRetention({ size: '512MiB' }).maxBytes).toBe(512 * 1024 ** 2);
    expect(() => parseRetention({ age: '7 days' })).toThrow(StoreConfigError);
    expect(() => parseRetention({ age: 'soon' })).toThrow(/--retention-age: "soon" is not a duration like .*15m/);
    expect(() => parseRetention({ size: '1PB' })).toThrow(/--retention-size: .*1GB/);
    expect(() => parseRetention({ size: '10KB' })).toThrow(/at least 1MB/);
  });

  it('prunes events and alerts older than the retention age, oldest only, and logs it', () => {
    store = new EventStore({ path: join(dir, 'e.db'), retention: parseRetention({ age: '7d' }), logger: logger() });
    const ages = [10, 9, 8, 6, 1, 0];
    ages.forEach((d, i) => store!.append(ev(NOW - d * DAY, i)));
    store.append(makeAlert(NOW - 8 * DAY, 'r1', 'old alert', 50, ev(NOW - 8 * DAY, 0)));
    store.append(makeAlert(NOW - DAY, 'r1', 'new alert', 50, ev(NOW - DAY, 0)));
    store.flush();
    expect(store.runRetention(NOW)).toBe(4);
    expect(allTs(store)).toEqual([NOW - 6 * DAY, NOW - DAY, NOW]);
    expect(allTs(store, 'alerts')).toEqual([NOW - DAY]);
    expect(store.stats().pruned).toBe(4);
    const ageLogs = logs.filter((l) => l.reason === 'age');
    expect(ageLogs).toEqual(expect.arrayContaining([
      expect.objectContaining({ table: 'events', rows: 3, module: 'store' }),
      expect.objectContaining({ table: 'alerts', rows: 1 }),
    ]));
    expect(store.runRetention(NOW)).toBe(0); // idempotent
  });

  it('deletes in chunks until everything past the cutoff is gone', () => {
    store = new EventStore({ path: join(dir, 'c.db') });
    for (let i = 0; i < 1000; i++) store.append(ev(NOW - 30 * DAY + i, i));
    for (let i = 0; i < 10; i++) store.append(ev(NOW - i, i));
    store.flush();
    const r = new Retention(store.db, { maxAgeMs: 7 * DAY }, logger(), 64);
    expect(r.pruneByAge(NOW)).toBe(1000);
    expect(allTs(store)).toHaveLength(10);
  });

  it('prunes the oldest rows when the database outgrows the retention size, and shrinks the file', () => {
    const maxBytes = 2 * 1024 * 1024;
    const N = 4000; // ~3 KB each after compression: ~12 MB, well over the limit
    const fill = new EventStore({ path: join(dir, 's.db'), batchSize: 500 });
    for (let i = 0; i < N; i++) fill.append(ev(NOW - (N - i) * 1000, i, 4000));
    fill.close();
    store = new EventStore({ path: join(dir, 's.db'), retention: { maxBytes }, logger: logger() });
    const r = new Retention(store.db, { maxBytes }, logger());
    expect(r.usedBytes()).toBeGreaterThan(4 * maxBytes);
    const pruned = store.runRetention(NOW);
    expect(pruned).toBeGreaterThan(N / 2);
    const left = allTs(store);
    expect(left).toHaveLength(N - pruned);
    // Exactly the newest rows survive.
    const expected = Array.from({ length: N }, (_, i) => NOW - (N - i) * 1000).slice(pruned);
    expect(left).toEqual(expected);
    // incremental_vacuum returned the pages: page_count*page_size itself is under the cap.
    const pages = store.db.pragma('page_count', { simple: true }) as number;
    const pageSize = store.db.pragma('page_size', { simple: true }) as number;
    expect(pages * pageSize).toBeLessThanOrEqual(maxBytes);
    expect(logs.some((l) => l.reason === 'size' && l.table === 'events' && l.rows === pruned)).toBe(true);
  });

  it('checks the size after flushes without waiting for the retention timer', async () => {
    const maxBytes = 1024 * 1024;
    store = new EventStore({ path: join(dir, 'f.db'), batchSize: 200, retention: { maxBytes }, sizeCheckIntervalMs: 1, logger: logger() });
    for (let i = 0; i < 2000; i++) {
      store.append(ev(NOW + i, i, 2000));
      if (i % 200 === 199) { store.flush(); await new Promise((r) => setTimeout(r, 2)); }
    }
    expect(store.stats().pruned).toBeGreaterThan(0);
    expect(new Retention(store.db, {}, logger()).usedBytes()).toBeLessThanOrEqual(maxBytes);
    expect(Math.max(...allTs(store))).toBe(NOW + 1999);
  });
});
