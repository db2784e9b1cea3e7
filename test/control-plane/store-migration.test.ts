// Migration v5 on a database written by an earlier control plane: the user
// and tag filters' indexed columns are filled from the stored documents, so
// old alerts stay findable by user and by tag.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS, openDb } from '../../control-plane/src/store/db';
import { AlertStore } from '../../control-plane/src/store/alert-store';

describe('control-plane store migration v5', () => {
  it('backfills user and tags of alerts stored before it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-cpdb-'));
    const path = join(dir, 'cp.db');
    const old = new Database(path);
    for (let v = 0; v < 4; v++) old.exec(MIGRATIONS[v]);
    old.pragma('user_version = 4');
    const row = (seq: number, user: object, tags: string[]) => old.prepare(`INSERT INTO alerts (seq, host_id, agent_seq, alert_id, rule_id, rule_name, severity,
      severity_rank, tags, ts, ts_ms, received_at, source, alert, doc) VALUES (?, 'h1', ?, ?, 'r', 'R', 'high', 4, ?, '2026-12-01T00:00:00Z', 0, '2026-12-01T00:00:00Z', 'agent', '{}', ?)`)
      .run(seq, seq, `a${seq}`, JSON.stringify(tags), JSON.stringify({ user }));
    row(1, { name: 'alice', id: '1000' }, ['T1059.004', 'Execution']);
    row(2, { id: '0' }, ['Persistence']);
    old.close();

    const db = openDb(path);
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    const store = new AlertStore(db);
    const seqs = (f: object) => store.page(f, { order: 'asc', limit: 10 }).map((a) => a.seq);
    expect(seqs({ user: 'alice' })).toEqual([1]);
    expect(seqs({ user: '0' })).toEqual([2]);
    expect(seqs({ tag: 'execution' })).toEqual([1]);
    expect(seqs({ tag: 't1059.004' })).toEqual([1]);
    expect(seqs({ tag: 'PERSISTENCE' })).toEqual([2]);
    expect(seqs({ tag: 'Discovery' })).toEqual([]);
    expect(store.severityCounts({ user: 'alice' })).toEqual({ high: 1 });
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
