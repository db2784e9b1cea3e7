// Event history schema. The version lives in PRAGMA user_version; each entry
// of MIGRATIONS moves the database up one version inside one transaction, so
// a crash mid-migration leaves the old version intact.
import type Database from 'better-sqlite3';
import type { EcsEvent } from '../model/ecs-event';
import { StoreSchemaError } from './errors';
import { ImagesSent, toEventRow, type EventRow } from './event-row';
import { EventRowWriter } from './event-writer';

// `rowid INTEGER PRIMARY KEY` names the rowid explicitly so a VACUUM can never
// renumber rows (query cursors and the control plane may hold rowids).
// Partial indexes skip the rows that can never match (most events have no
// file path or remote address) and cut insert cost noticeably.
export const V1_DDL = `
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

// v2: the compact model. A process image is stored once in `processes`
// (its doc: the ECS process fields and host); an event row holds its own
// fields (body), a reference to the image (proc) and the indexed columns.
// Ancestry is processes.parent_pk, walked at query time. ~8x less disk.
const V2_TABLES = `
CREATE TABLE processes (
  pk         INTEGER PRIMARY KEY,
  entity_id  TEXT    NOT NULL,
  parent_pk  INTEGER,                     -- the parent's image when this one was first stored
  pid        INTEGER,
  executable TEXT,
  ts         INTEGER NOT NULL,            -- first stored, ms since epoch
  doc        BLOB    NOT NULL             -- event-split.ts ProcessImage, JSON packed by compress.ts
);
CREATE INDEX processes_entity ON processes (entity_id);
CREATE INDEX processes_parent ON processes (parent_pk) WHERE parent_pk IS NOT NULL;
CREATE INDEX processes_pid    ON processes (pid);
CREATE INDEX processes_exe    ON processes (executable);

-- Event bodies (the event without its process image, event-split.ts), up
-- to 64 per block, newline-joined and packed by compress.ts.
CREATE TABLE blocks (
  id   INTEGER PRIMARY KEY,
  data BLOB NOT NULL
);

CREATE TABLE events_v2 (
  rowid       INTEGER PRIMARY KEY,
  ts          INTEGER NOT NULL,
  action      TEXT    NOT NULL,
  proc        INTEGER NOT NULL,           -- processes.pk
  block       INTEGER NOT NULL,           -- blocks.id
  slot        INTEGER NOT NULL,           -- body index in the block
  file_path   TEXT,
  target_path TEXT,
  remote_ip   TEXT,
  remote_port INTEGER
);
`;

const V2_INDEXES = `
CREATE INDEX events_ts     ON events (ts);
CREATE INDEX events_proc   ON events (proc, ts);
CREATE INDEX events_file   ON events (file_path) WHERE file_path IS NOT NULL;
CREATE INDEX events_target ON events (target_path) WHERE target_path IS NOT NULL;
CREATE INDEX events_remote ON events (remote_ip, ts) WHERE remote_ip IS NOT NULL;
`;

/** 1 -> 2: every v1 document is split into its image and its body, in rowid order. */
function toV2(db: Database.Database): void {
  db.exec(V2_TABLES);
  db.exec('ALTER TABLE events RENAME TO events_v1');
  db.exec('ALTER TABLE events_v2 RENAME TO events');
  const writer = new EventRowWriter(db);
  const sent = new ImagesSent();
  const read = db.prepare('SELECT rowid, ts, doc FROM events_v1 WHERE rowid > ? ORDER BY rowid LIMIT 5000');
  for (let last = 0; ;) {
    const rows = read.all(last) as { rowid: number; ts: number; doc: string }[];
    if (!rows.length) break;
    last = rows[rows.length - 1].rowid;
    const out: EventRow[] = [];
    for (const r of rows) {
      try {
        const row = toEventRow(JSON.parse(r.doc) as EcsEvent, r.ts, sent);
        if (row) out.push(row);
      } catch {
        // a damaged v1 row has nothing to keep
      }
    }
    writer.write(out);
  }
  db.exec('DROP TABLE events_v1');
  db.exec(V2_INDEXES);
}

const MIGRATIONS: ReadonlyArray<(db: Database.Database) => void> = [
  (db) => db.exec(V1_DDL), // 0 -> 1
  toV2, // 1 -> 2
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
