// The baseline's home: tables in the agent's SQLite database, next to the
// history. The running agent owns the tables and saves what changed every
// minute; CLI commands (learn, import, allow) post to an inbox that the
// owner drains, so two writers never overwrite each other. When no agent
// owns the baseline, the CLI applies its own inbox entry at once.
import type Database from 'better-sqlite3';
import { existsSync, readFileSync } from 'node:fs';
import { DEFAULT_DB_PATH, openWritableDb } from '../store/open-db';
import type { FrequencyTable } from './frequency-table';
import { PROFILES, type ProfileName } from './observations';

export const BASELINE_SCHEMA_VERSION = 1;

export class BaselineDbError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BaselineDbError';
  }
}

const DDL = `
CREATE TABLE IF NOT EXISTS baseline_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS baseline_entries (
  profile TEXT NOT NULL, context TEXT NOT NULL, value TEXT NOT NULL,
  n REAL NOT NULL, first INTEGER NOT NULL, last INTEGER NOT NULL,
  PRIMARY KEY (profile, context, value)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS baseline_allowed (
  profile TEXT NOT NULL, context TEXT NOT NULL, value TEXT NOT NULL, alert_id TEXT, ts INTEGER NOT NULL,
  PRIMARY KEY (profile, context, value)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS baseline_inbox (id INTEGER PRIMARY KEY, op TEXT NOT NULL, payload TEXT NOT NULL, ts INTEGER NOT NULL);
`;

export interface InboxItem {
  id: number;
  op: 'merge' | 'allow';
  payload: string;
}

export interface AllowedKey {
  profile: ProfileName;
  context: string;
  value: string;
}

const isProfile = (x: unknown): x is ProfileName => (PROFILES as readonly unknown[]).includes(x);

export class BaselineDb {
  readonly db: Database.Database;

  /** `create`: the agent's side (creates the file with the history schema); the CLI's reads need it to exist. */
  constructor(path: string, create = true) {
    if (!create && !existsSync(path)) throw new BaselineDbError(`no Vigil database at ${path}: give the agent's --db (default ${DEFAULT_DB_PATH})`);
    try {
      // The history's own opener: its pragmas (auto_vacuum) must come before any table.
      this.db = openWritableDb(path);
      this.db.pragma('busy_timeout = 1000'); // the agent's main thread: a busy save waits for the next round
    } catch (err) {
      throw new BaselineDbError((err as Error).message);
    }
    try {
      this.db.exec(DDL);
    } catch (err) {
      this.db.close();
      throw new BaselineDbError(`cannot create the baseline tables in ${path}: ${(err as Error).message}`);
    }
    const v = this.meta('schema_version');
    if (v === undefined) this.setMeta('schema_version', String(BASELINE_SCHEMA_VERSION));
    else if (Number(v) > BASELINE_SCHEMA_VERSION) {
      this.db.close();
      throw new BaselineDbError(`the baseline in ${path} was written by a newer Vigil (baseline schema ${v}, this one reads ${BASELINE_SCHEMA_VERSION}); upgrade Vigil, or point --db elsewhere. It was left untouched.`);
    }
  }

  meta(key: string): string | undefined {
    return (this.db.prepare('SELECT value FROM baseline_meta WHERE key = ?').get(key) as { value: string } | undefined)?.value;
  }

  setMeta(key: string, value: string): void {
    this.db.prepare('INSERT INTO baseline_meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  load(table: FrequencyTable): number {
    let n = 0;
    for (const r of this.db.prepare('SELECT profile, context, value, n, first, last FROM baseline_entries').iterate() as Iterable<{ profile: string; context: string; value: string; n: number; first: number; last: number }>) {
      if (!isProfile(r.profile)) continue; // a profile this version does not know
      table.restore(r.profile, r.context, r.value, { n: r.n, first: r.first, last: r.last });
      n++;
    }
    table.dirty.clear();
    table.removed.clear();
    return n;
  }

  /** Writes the entries that changed since the last save. */
  save(table: FrequencyTable): number {
    const up = this.db.prepare(`INSERT INTO baseline_entries (profile, context, value, n, first, last) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT(profile, context, value) DO UPDATE SET n = excluded.n, first = excluded.first, last = excluded.last`);
    const del = this.db.prepare('DELETE FROM baseline_entries WHERE profile = ? AND context = ? AND value = ?');
    const dirty = [...table.dirty];
    const removed = [...table.removed];
    this.db.transaction(() => {
      for (const k of dirty) {
        const e = table.entry(k);
        if (e) up.run(e.profile, e.context, e.value, e.stat.n, e.stat.first, e.stat.last);
      }
      for (const k of removed) del.run(...k.split('\u0000'));
      this.setMeta('saved_at', String(Date.now()));
    })();
    table.dirty.clear();
    table.removed.clear();
    return dirty.length + removed.length;
  }

  /** Replaces every entry (import into an unowned baseline, tests). */
  replaceAll(table: FrequencyTable): void {
    this.db.transaction(() => {
      this.db.exec('DELETE FROM baseline_entries');
      for (const e of table.all()) table.dirty.add(`${e.profile}\u0000${e.context}\u0000${e.value}`);
      this.save(table);
    })();
  }

  allowed(): AllowedKey[] {
    return (this.db.prepare('SELECT profile, context, value FROM baseline_allowed').all() as AllowedKey[]).filter((r) => isProfile(r.profile));
  }

  addAllowed(keys: AllowedKey[], alertId: string | null): void {
    const ins = this.db.prepare('INSERT OR REPLACE INTO baseline_allowed (profile, context, value, alert_id, ts) VALUES (?, ?, ?, ?, ?)');
    this.db.transaction(() => {
      for (const k of keys) ins.run(k.profile, k.context, k.value, alertId, Date.now());
    })();
  }

  post(op: InboxItem['op'], payload: unknown): number {
    return Number(this.db.prepare('INSERT INTO baseline_inbox (op, payload, ts) VALUES (?, ?, ?)').run(op, JSON.stringify(payload), Date.now()).lastInsertRowid);
  }

  inbox(): InboxItem[] {
    return this.db.prepare('SELECT id, op, payload FROM baseline_inbox ORDER BY id').all() as InboxItem[];
  }

  done(id: number): void {
    this.db.prepare('DELETE FROM baseline_inbox WHERE id = ?').run(id);
  }

  /** The pid of a live agent that owns this baseline, if any. */
  owner(): number | undefined {
    const pid = Number(this.meta('owner_pid'));
    if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return undefined;
    try {
      process.kill(pid, 0);
    } catch {
      return undefined;
    }
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('agent')) return undefined;
    } catch {
      return undefined;
    }
    return pid;
  }

  close(): void {
    this.db.close();
  }
}
