// Opens the control plane's SQLite database and applies migrations in
// order (PRAGMA user_version). WAL so feed replays read while ingest writes.
import Database from 'better-sqlite3';
import { VigilError } from '../errors';

export type Db = Database.Database;

export const MIGRATIONS: readonly string[] = [
  `CREATE TABLE agents (
     host_id TEXT PRIMARY KEY,
     hostname TEXT NOT NULL,
     kernel TEXT NOT NULL,
     agent_version TEXT NOT NULL,
     capabilities TEXT NOT NULL DEFAULT '[]',
     first_seen TEXT NOT NULL,
     last_seen TEXT NOT NULL,
     last_seen_ms INTEGER NOT NULL,
     status TEXT NOT NULL CHECK (status IN ('online', 'offline')),
     heartbeat TEXT
   );
   CREATE TABLE alerts (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,   -- global, monotonic, never reused
     host_id TEXT NOT NULL,
     agent_seq INTEGER,                       -- NULL for control-plane alerts
     alert_id TEXT NOT NULL,
     rule_id TEXT NOT NULL,
     rule_name TEXT NOT NULL,
     severity TEXT NOT NULL,
     severity_rank INTEGER NOT NULL,
     tags TEXT NOT NULL,                      -- JSON array: technique ids + tactic names
     ts TEXT NOT NULL,
     ts_ms INTEGER NOT NULL,
     received_at TEXT NOT NULL,
     source TEXT NOT NULL,                    -- 'agent' | 'control-plane'
     alert TEXT NOT NULL,                     -- vigil.v1.Alert as JSON, minus its json field
     doc TEXT NOT NULL,                       -- the ECS alert document
     UNIQUE (host_id, agent_seq)
   );
   CREATE INDEX alerts_by_host ON alerts (host_id, seq);
   CREATE INDEX alerts_by_rule ON alerts (rule_id, seq);
   CREATE INDEX alerts_by_ts ON alerts (ts_ms);
   CREATE TABLE tokens (
     id TEXT PRIMARY KEY,
     name TEXT NOT NULL,
     role TEXT NOT NULL CHECK (role IN ('agent', 'viewer', 'responder', 'admin')),
     hash TEXT NOT NULL UNIQUE,               -- sha256 hex of the token; the token itself is never stored
     created_at TEXT NOT NULL,
     revoked_at TEXT
   );
   CREATE TABLE audit (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     ts TEXT NOT NULL,
     actor TEXT NOT NULL,                     -- token id, or 'cli'
     action TEXT NOT NULL,                    -- query | token.create | token.revoke
     detail TEXT NOT NULL                     -- JSON
   );`,
  // v2: incidents (alerts grouped by process subtree) and their triage.
  `CREATE TABLE incidents (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     host_id TEXT NOT NULL,
     title TEXT NOT NULL,
     severity TEXT NOT NULL,
     severity_rank INTEGER NOT NULL,
     state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'acknowledged', 'closed')),
     close_reason TEXT CHECK (close_reason IS NULL OR close_reason IN ('true_positive', 'benign', 'false_positive')),
     assignee TEXT,
     first_ms INTEGER NOT NULL,
     last_ms INTEGER NOT NULL,
     alert_count INTEGER NOT NULL DEFAULT 0,
     distinct_count INTEGER NOT NULL DEFAULT 0,
     rules TEXT NOT NULL DEFAULT '[]',
     tags TEXT NOT NULL DEFAULT '[]'
   );
   CREATE INDEX incidents_last ON incidents (last_ms);
   CREATE INDEX incidents_host ON incidents (host_id, last_ms);
   CREATE TABLE incident_alerts (
     seq INTEGER PRIMARY KEY,                 -- an alert is in one incident
     incident_id INTEGER NOT NULL,
     duplicate INTEGER NOT NULL DEFAULT 0     -- same rule and command line as an earlier alert of the incident
   );
   CREATE INDEX incident_alerts_incident ON incident_alerts (incident_id);
   CREATE TABLE incident_anchors (            -- processes whose alerts join an incident
     host_id TEXT NOT NULL,
     entity_id TEXT NOT NULL,
     incident_id INTEGER NOT NULL,
     PRIMARY KEY (host_id, entity_id)
   ) WITHOUT ROWID;
   CREATE TABLE incident_comments (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     incident_id INTEGER NOT NULL,
     ts TEXT NOT NULL,
     actor TEXT NOT NULL,
     text TEXT NOT NULL
   );`,
  // v3: an agent token belongs to the host that first used it.
  `ALTER TABLE tokens ADD COLUMN bound_host TEXT;`,
  // v4: rule exceptions managed here and pushed to agents.
  `CREATE TABLE exceptions (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     rule TEXT NOT NULL,
     match TEXT NOT NULL,                     -- JSON {field: [patterns]}
     comment TEXT NOT NULL DEFAULT '',
     host_id TEXT,                            -- NULL: every host
     incident_id INTEGER,
     expires_ms INTEGER,
     created_by TEXT NOT NULL,
     created_at TEXT NOT NULL
   );`,
  // v5: the feed's user and tag filters and severity counts by index, not by reading every document.
  `ALTER TABLE alerts ADD COLUMN user_name TEXT;
   ALTER TABLE alerts ADD COLUMN user_id TEXT;
   UPDATE alerts SET user_name = json_extract(doc, '$.user.name'), user_id = json_extract(doc, '$.user.id');
   CREATE INDEX alerts_user_name ON alerts (user_name) WHERE user_name IS NOT NULL;
   CREATE INDEX alerts_user_id ON alerts (user_id) WHERE user_id IS NOT NULL;
   CREATE INDEX alerts_severity ON alerts (severity, ts_ms);
   CREATE TABLE alert_tags (                   -- lower-cased technique ids and tactic names
     tag TEXT NOT NULL,
     seq INTEGER NOT NULL,
     PRIMARY KEY (tag, seq)
   ) WITHOUT ROWID;
   INSERT OR IGNORE INTO alert_tags SELECT lower(j.value), a.seq FROM alerts a, json_each(a.tags) j;`,
  // v6: --nats: triage and exception changes applied from VIGIL_ALERTS, by stream seq (applied once).
  `CREATE TABLE stream_changes (
     seq INTEGER PRIMARY KEY,
     kind TEXT NOT NULL,
     applied_at TEXT NOT NULL
   );`,
  // v7: triage of single alerts (PATCH /v1/alerts/:seq).
  `CREATE TABLE alert_triage (
     seq INTEGER PRIMARY KEY,
     state TEXT NOT NULL CHECK (state IN ('open', 'acknowledged', 'closed')),
     close_reason TEXT CHECK (close_reason IS NULL OR close_reason IN ('true_positive', 'benign', 'false_positive')),
     assignee TEXT,
     updated_at TEXT NOT NULL,
     updated_by TEXT NOT NULL
   );
   CREATE TABLE alert_comments (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     seq INTEGER NOT NULL,
     ts TEXT NOT NULL,
     actor TEXT NOT NULL,
     text TEXT NOT NULL
   );
   CREATE INDEX alert_comments_seq ON alert_comments (seq);`,
  // v8: fleet event history: which host ran which executable, per minute, from forwarded events.
  `CREATE TABLE fleet_execs (
     host_id TEXT NOT NULL,
     exe TEXT NOT NULL,
     minute_ms INTEGER NOT NULL,
     runs INTEGER NOT NULL,
     PRIMARY KEY (host_id, exe, minute_ms)
   ) WITHOUT ROWID;
   CREATE INDEX fleet_execs_exe ON fleet_execs (exe, minute_ms);
   CREATE INDEX fleet_execs_minute ON fleet_execs (minute_ms);`,
];

export function openDb(path: string): Db {
  let db: Db;
  try {
    db = new Database(path);
  } catch (err) {
    throw new VigilError('DB_OPEN', `${path}: ${(err as Error).message}`, { cause: err });
  }
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  const version = db.pragma('user_version', { simple: true }) as number;
  for (let v = version; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
  return db;
}
