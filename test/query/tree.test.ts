import type Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueryFilterError, QueryNotFoundError } from '../../agent/src/query/errors';
import { buildProcessTree, type TreeNode } from '../../agent/src/query/tree';
import { EventStore } from '../../agent/src/store/event-store';
import { openReadOnlyDb } from '../../agent/src/store/open-db';
import { makeEvent } from '../store/fixtures/make-event';
import { buildFixtureDb, NOW, T0 } from './fixtures/build-db';

let dir: string;
let db: Database.Database;
const actions = (n: TreeNode) => n.events.map((r) => (r.kind === 'alert' ? 'ALERT' : r.doc.event.action));

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-tree-'));
  buildFixtureDb(join(dir, 'events.db'));
  db = openReadOnlyDb(join(dir, 'events.db'));
});
afterAll(() => { db.close(); rmSync(dir, { recursive: true, force: true }); });

describe('buildProcessTree', () => {
  it('finds the subtree through exec/fork parentage, with each process activity oldest first', () => {
    const t = buildProcessTree(db, 'ent-nginx', {}, { now: NOW });
    expect(t).toMatchObject({ truncated: false, timedOut: false });
    expect(t.root).toMatchObject({ entityId: 'ent-nginx', pid: 100, executable: '/usr/sbin/nginx', commandLine: '/usr/sbin/nginx -g daemon off;' });
    expect(actions(t.root)).toEqual(['exec']);
    expect(t.root.children.map((c) => c.entityId)).toEqual(['ent-sh']);
    const sh = t.root.children[0];
    // The exec image wins over the forked nginx image for the label.
    expect(sh).toMatchObject({ pid: 200, executable: '/bin/sh' });
    expect(actions(sh)).toEqual(['fork', 'exec', 'open', 'rename', 'ALERT']);
    expect(sh.children.map((c) => c.entityId)).toEqual(['ent-curl']);
    const curl = sh.children[0];
    expect(actions(curl)).toEqual(['fork', 'exec', 'connect', 'exit']);
    expect(curl.children).toEqual([]);
  });

  it('applies the other filters to the activity, not to the shape', () => {
    const t = buildProcessTree(db, 'ent-nginx', { action: 'connect' }, { now: NOW });
    expect(actions(t.root)).toEqual([]);
    expect(actions(t.root.children[0])).toEqual([]);
    expect(t.root.children[0].children[0].events.map((r) => r.doc.destination)).toEqual([{ ip: '10.0.0.5', port: 4444 }]);
  });

  it('roots at an entity seen only as a parent, labelled from its children', () => {
    const t = buildProcessTree(db, 'ent-systemd', { since: '1h' }, { now: NOW });
    expect(t.root).toMatchObject({ pid: 1, executable: '/lib/systemd/systemd', events: [] });
    // Every process whose stored image names systemd as its parent, including sshd, which
    // has no exec or fork in the history (it started before the agent).
    expect(t.root.children.map((c) => c.entityId)).toEqual(['ent-cron', 'ent-nginx', 'ent-sshd']);
    expect(t.root.children[0].events).toEqual([]); // cron ran 3 days ago, outside --since 1h
  });

  it('rejects unknown roots and conflicting filters with typed errors', () => {
    expect(() => buildProcessTree(db, 'ent-ghost')).toThrow(QueryNotFoundError);
    expect(() => buildProcessTree(db, 'ent-nginx', { entityId: 'x' })).toThrow(QueryFilterError);
    expect(() => buildProcessTree(db, 'ent-nginx', { since: 'later' })).toThrow(/accepted|duration/);
  });

  it('survives parentage cycles from pid reuse or bad data', () => {
    const path = join(dir, 'cycle.db');
    const s = new EventStore({ path });
    s.append(makeEvent({ ts: T0, action: 'fork', pid: 2, entityId: 'a', exe: '/x', parentEntityId: 'b' }));
    s.append(makeEvent({ ts: T0 + 1, action: 'fork', pid: 3, entityId: 'b', exe: '/y', parentEntityId: 'a' }));
    s.close();
    const c = openReadOnlyDb(path);
    const t = buildProcessTree(c, 'a', {}, { now: NOW });
    expect(t.root.children.map((n) => n.entityId)).toEqual(['b']);
    expect(t.root.children[0].children).toEqual([]);
    c.close();
  });
});
