// Opens the event database with the pragmas the store relies on.
//
// Space reuse: fresh databases are created with auto_vacuum=INCREMENTAL and
// the retention pass runs `incremental_vacuum` after it deletes rows, so the
// file really shrinks back under --retention-size instead of only keeping
// free pages for reuse. The cost (moving pages) is paid only after a prune,
// never on the insert path. Databases created without it still work: the
// size check subtracts freelist pages, so reuse alone keeps them bounded.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { StoreOpenError, StoreSchemaError } from './errors';
import { migrate, schemaVersion, SCHEMA_VERSION } from './schema';

export const DEFAULT_DB_PATH = '/var/lib/vigil/events.db';

/** SQLite's "this file is not a database" (and its encrypted/corrupt cousins) as a StoreOpenError. */
function notADatabase(path: string, err: unknown): Error {
  const code = (err as { code?: string }).code;
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
    return new StoreOpenError(path, `${(err as Error).message} (${code})`,
      'it is not a Vigil event database: pass --db with another path, or move the file away and the agent creates a new one');
  }
  return err as Error;
}

/** Writer connection: creates the file and its directory, migrates. */
export function openWritableDb(path: string = DEFAULT_DB_PATH): Database.Database {
  let db: Database.Database;
  try {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    db = new Database(path);
  } catch (err) {
    throw new StoreOpenError(path, err);
  }
  try {
    // Must precede the first CREATE TABLE; a no-op on existing databases.
    db.pragma('auto_vacuum = INCREMENTAL');
    db.pragma('journal_mode = WAL');
    // WAL + NORMAL: a commit survives a process crash (SIGKILL); only an OS
    // crash or power loss can roll back the last transactions.
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    // Checkpoint every ~16 MiB of WAL instead of 4 MiB: fewer fsyncs under load.
    db.pragma('wal_autocheckpoint = 4000');
    db.pragma('journal_size_limit = 67108864'); // keep the -wal file <= 64 MiB after checkpoints
    migrate(db);
  } catch (err) {
    db.close();
    throw notADatabase(path, err);
  }
  return db;
}

/** Reader connection for `vigil query`: never creates or migrates. */
export function openReadOnlyDb(path: string = DEFAULT_DB_PATH): Database.Database {
  let db: Database.Database;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 5000');
  } catch (err) {
    throw new StoreOpenError(path, err, 'pass --db with the path the agent writes to (it creates the file on first start)');
  }
  let v: number;
  try {
    v = schemaVersion(db);
  } catch (err) {
    db.close();
    throw notADatabase(path, err);
  }
  if (v === 0 || v > SCHEMA_VERSION) {
    db.close();
    throw new StoreSchemaError(v === 0
      ? `${path} is not a Vigil event database (no schema); pass --db with the agent's database path`
      : `${path} has schema v${v} but this Vigil knows v${SCHEMA_VERSION}; upgrade Vigil`);
  }
  if (v < SCHEMA_VERSION) {
    db.close();
    throw new StoreSchemaError(`${path} is a v${v} history; convert it to v${SCHEMA_VERSION} in place with \`vigil query --db ${path} --convert\` ` +
      '(the agent also converts it when it next starts with this --db)');
  }
  return db;
}
