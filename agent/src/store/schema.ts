// Event history schema. The version lives in PRAGMA user_version; each entry
// of MIGRATIONS moves the database up one version inside one transaction, so
// a crash mid-migration leaves the old version intact.
import type Database from 'better-sqlite3';
import { StoreSchemaError } from './errors';

// `rowid INTEGER PRIMARY KEY` names the rowid explicitly so a VACUUM can never
// renumber rows (query cursors and the control plane may hold rowids).
// Partial indexes skip the rows that can never match (most events have no
// file path or remote address) and cut insert cost noticeably.
const V1 = `
CREATE TABLE events (
  rowid            INTEGER PRIMARY KEY,
  ts               INTEGER NOT NULL,      -- ms since epoch, from @timestamp
  action           TEXT    NOT NULL,
  category         TEXT,                  -- event.category joined with ','
  pid              INTEGER,
  ppid             INTEGER,
  entity_id        TEXT,
  parent_entity_id TEXT,
  executable       TEXT,
  file_path        TEXT,
  target_path      TEXT,
  remote_ip        TEXT,
  remote_port      INTEGER,
  outcome          TEXT,
  doc              TEXT    NOT NULL       -- the EcsEvent as JSON
);
CREATE INDEX events_ts          ON events (ts);
CREATE INDEX events_entity      ON events (entity_id, ts);
CREATE INDEX events_parent      ON events (parent_entity_id) WHERE action IN ('exec', 'fork');
CREATE INDEX events_pid         ON events (pid, ts);
CREATE INDEX events_exe         ON events (executable, ts);
CREATE INDEX events_file        ON events (file_path) WHERE file_path IS NOT NULL;
CREATE INDEX events_target      ON events (target_path) WHERE target_path IS NOT NULL;
CREATE INDEX events_remote      ON events (remote_ip, ts) WHERE remote_ip IS NOT NULL; -- port is a cheap post-filter

CREATE TABLE alerts (
  rowid      INTEGER PRIMARY KEY,
  ts         INTEGER NOT NULL,
  rule_id    TEXT,
  rule_name  TEXT,
  severity   INTEGER,
  entity_id  TEXT,
  pid        INTEGER,
  executable TEXT,
  count      INTEGER,                     -- triggering events carried in the doc
  doc        TEXT    NOT NULL
);
CREATE INDEX alerts_ts       ON alerts (ts);
CREATE INDEX alerts_rule     ON alerts (rule_id, ts);
CREATE INDEX alerts_severity ON alerts (severity, ts);
CREATE INDEX alerts_entity   ON alerts (entity_id, ts);
CREATE INDEX alerts_pid      ON alerts (pid, ts);
CREATE INDEX alerts_exe      ON alerts (executable, ts);
`;

const MIGRATIONS: ReadonlyArray<(db: Database.Database) => void> = [
  (db) => db.exec(V1), // 0 -> 1
];

export const SCHEMA_VERSION = MIGRATIONS.length;

export function schemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

export function migrate(db: Database.Database): void {
  const from = schemaVersion(db);
  if (from > SCHEMA_VERSION) {
    throw new StoreSchemaError(
      `event database has schema v${from} but this agent knows v${SCHEMA_VERSION}; upgrade Vigil or point --db at another file`);
  }
  for (let v = from; v < SCHEMA_VERSION; v++) {
    db.transaction(() => {
      MIGRATIONS[v](db);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}
