import Database from 'better-sqlite3';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AlertDocError, Outbox, TransportClosedError, TransportConfigError } from '../../agent/src/transport';
import { EventStore } from '../../agent/src/store/event-store';
import { tempDir } from './helpers/control-plane';

let tmp: ReturnType<typeof tempDir>;
let path: string;
beforeEach(() => { tmp = tempDir(); path = join(tmp.dir, 'sub', 'agent.db'); });
afterEach(() => tmp.cleanup());

const docsOf = (ob: Outbox) => ob.readAfter(0, 1000).map((r) => [r.seq, JSON.parse(r.doc).n]);

describe('Outbox', () => {
  it('assigns increasing seqs, persists before returning, and reads in seq order', () => {
    const ob = new Outbox({ path });
    expect([1, 2, 3].map((n) => ob.enqueue({ n }))).toEqual([1, 2, 3]);
    // Another connection sees the rows at once: they are committed.
    const peek = new Database(path, { readonly: true });
    expect(peek.prepare('SELECT seq, kind FROM outbox ORDER BY seq').all()).toEqual([
      { seq: 1, kind: 'alert' }, { seq: 2, kind: 'alert' }, { seq: 3, kind: 'alert' }]);
    expect(peek.pragma('journal_mode', { simple: true })).toBe('wal');
    peek.close();
    expect(ob.readAfter(1, 10).map((r) => r.seq)).toEqual([2, 3]);
    expect(ob.readAfter(0, 2).map((r) => r.seq)).toEqual([1, 2]);
    ob.close();
  });

  it('ack removes rows up to the seq only', () => {
    const ob = new Outbox({ path });
    for (let n = 1; n <= 5; n++) ob.enqueue({ n });
    expect(ob.ack(3)).toBe(3);
    expect(ob.ack(2)).toBe(0);
    expect(docsOf(ob)).toEqual([[4, 4], [5, 5]]);
    expect(ob.stats()).toMatchObject({ pending: 2, enqueued: 5, acked: 3, dropped: 0, lastSeq: 5 });
    ob.close();
  });

  it('survives a restart: rows stay, seqs continue after acked ones and are never reused', () => {
    const a = new Outbox({ path });
    for (let n = 1; n <= 4; n++) a.enqueue({ n });
    a.ack(4);
    a.enqueue({ n: 5 });
    a.close();
    const b = new Outbox({ path });
    expect(b.pending).toBe(1);
    expect(b.enqueue({ n: 6 })).toBe(6);
    b.ack(6);
    b.close();
    const c = new Outbox({ path });
    expect(c.pending).toBe(0);
    expect(c.enqueue({ n: 7 })).toBe(7);
    c.close();
  });

  it('is bounded: the oldest rows are dropped, counted and logged', () => {
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (s: string) => lines.push(s) });
    const ob = new Outbox({ path, maxRows: 3, logger });
    for (let n = 1; n <= 5; n++) ob.enqueue({ n });
    expect(docsOf(ob)).toEqual([[3, 3], [4, 4], [5, 5]]);
    expect(ob.stats()).toMatchObject({ pending: 3, dropped: 2 });
    expect(lines.join('')).toContain('alert outbox full');
    ob.close();
  });

  it('reseat renumbers queued rows after a given seq, in order, and new seqs follow', () => {
    const ob = new Outbox({ path });
    for (let n = 1; n <= 3; n++) ob.enqueue({ n });
    ob.ack(1);
    expect(ob.reseat(10)).toBe(2);
    expect(docsOf(ob)).toEqual([[11, 2], [12, 3]]);
    expect(ob.enqueue({ n: 4 })).toBe(13);
    ob.ack(13);
    expect(ob.reseat(20)).toBe(0);
    expect(ob.enqueue({ n: 5 })).toBe(21);
    ob.close();
  });

  it('rejects non-objects and unserialisable documents with a typed error', () => {
    const ob = new Outbox({ path });
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(() => ob.enqueue(circular)).toThrow(AlertDocError);
    expect(() => ob.enqueue([1, 2] as unknown as object)).toThrow(AlertDocError);
    expect(() => ob.enqueue({ big: 10n } as unknown as object)).toThrow(AlertDocError);
    expect(ob.pending).toBe(0);
    ob.close();
    expect(() => ob.enqueue({})).toThrow(TransportClosedError);
    expect(() => new Outbox({ path, maxRows: 0 })).toThrow(TransportConfigError);
  });

  it('shares a database file with the event store', () => {
    const store = new EventStore({ path, flushIntervalMs: 60_000 });
    const ob = new Outbox({ path });
    expect(ob.enqueue({ n: 1 })).toBe(1);
    store.close();
    expect(ob.enqueue({ n: 2 })).toBe(2);
    ob.close();
    const db = new Database(path, { readonly: true });
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>).map((t) => t.name);
    expect(tables).toEqual(expect.arrayContaining(['events', 'alerts', 'outbox']));
    db.close();
  });
});
