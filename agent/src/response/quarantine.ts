// File quarantine: the file moves into a root-only directory (0700, the copy
// 0400 and never executable), its metadata and SHA-256 are recorded, and the
// original is removed. Restore puts it back exactly (content checked against
// the hash, mode, owner, times). While quarantined, an exec of any file with
// that content is killed: the agent hashes each new executable it sees exec
// (cached by device, inode, size and mtime) and blocks that inode in the
// kernel, so later execs of the same copy never run an instruction.
import { createHash } from 'node:crypto';
import { chmodSync, chownSync, copyFileSync, existsSync, lstatSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, utimesSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type Database from 'better-sqlite3';

export const DEFAULT_QUARANTINE_DIR = '/var/lib/vigil/quarantine';

const DDL = `CREATE TABLE IF NOT EXISTS quarantine (
  id INTEGER PRIMARY KEY, sha256 TEXT NOT NULL, original_path TEXT NOT NULL, stored_path TEXT NOT NULL,
  mode INTEGER NOT NULL, uid INTEGER NOT NULL, gid INTEGER NOT NULL, size INTEGER NOT NULL,
  atime_ms REAL NOT NULL, mtime_ms REAL NOT NULL, quarantined_at INTEGER NOT NULL, reason TEXT,
  restored_at INTEGER);`;

export class QuarantineError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QuarantineError';
  }
}

export interface QuarantineEntry {
  id: number; sha256: string; original_path: string; stored_path: string; mode: number; uid: number; gid: number;
  size: number; atime_ms: number; mtime_ms: number; quarantined_at: number; reason: string | null; restored_at: number | null;
}

export const sha256File = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

export class Quarantine {
  constructor(private readonly db: Database.Database, private readonly dir = DEFAULT_QUARANTINE_DIR, private readonly refuse: (path: string) => string | undefined = () => undefined) {
    db.exec(DDL);
  }

  /** SHA-256 of every file quarantined now. */
  hashes(): Set<string> {
    return new Set((this.db.prepare('SELECT sha256 FROM quarantine WHERE restored_at IS NULL').all() as { sha256: string }[]).map((r) => r.sha256));
  }

  list(): QuarantineEntry[] {
    return this.db.prepare('SELECT * FROM quarantine WHERE restored_at IS NULL ORDER BY id').all() as QuarantineEntry[];
  }

  add(path: string, reason: string): QuarantineEntry {
    const abs = resolve(path);
    let st;
    try {
      st = lstatSync(abs);
    } catch (err) {
      throw new QuarantineError(`cannot quarantine ${abs}: ${(err as NodeJS.ErrnoException).code ?? 'cannot stat'}`);
    }
    if (!st.isFile()) throw new QuarantineError(`cannot quarantine ${abs}: not a regular file`);
    const why = this.refuse(abs) ?? (abs.startsWith(`${resolve(this.dir)}/`) ? 'it is in the quarantine already' : undefined);
    if (why) throw new QuarantineError(`refusing to quarantine ${abs}: ${why}`);
    const sha = sha256File(abs);
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    chmodSync(this.dir, 0o700);
    const stored = join(this.dir, `${sha}-${Date.now()}`);
    // Copy, then remove: the quarantine may be on another filesystem.
    copyFileSync(abs, stored);
    chmodSync(stored, 0o400);
    if (sha256File(stored) !== sha) {
      rmSync(stored, { force: true });
      throw new QuarantineError(`copy of ${abs} does not match its hash; the original was left in place`);
    }
    unlinkSync(abs);
    const id = Number(this.db.prepare(`INSERT INTO quarantine (sha256, original_path, stored_path, mode, uid, gid, size, atime_ms, mtime_ms, quarantined_at, reason)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(sha, abs, stored, st.mode & 0o7777, st.uid, st.gid, st.size, st.atimeMs, st.mtimeMs, Date.now(), reason).lastInsertRowid);
    return this.get(id)!;
  }

  restore(id: number): QuarantineEntry {
    const e = this.get(id);
    if (!e || e.restored_at !== null) throw new QuarantineError(`no file in quarantine with id ${id}: list them with \`vigil respond quarantined\``);
    if (existsSync(e.original_path)) throw new QuarantineError(`cannot restore to ${e.original_path}: something is there now; move it away first`);
    if (sha256File(e.stored_path) !== e.sha256) throw new QuarantineError(`the stored copy ${e.stored_path} no longer matches its hash; not restored`);
    mkdirSync(dirname(e.original_path), { recursive: true });
    const tmp = `${e.original_path}.vigil-restore`;
    copyFileSync(e.stored_path, tmp);
    chownSync(tmp, e.uid, e.gid);
    chmodSync(tmp, e.mode);
    utimesSync(tmp, e.atime_ms / 1000, e.mtime_ms / 1000);
    renameSync(tmp, e.original_path);
    rmSync(e.stored_path, { force: true });
    this.db.prepare('UPDATE quarantine SET restored_at = ? WHERE id = ?').run(Date.now(), id);
    return this.get(id)!;
  }

  get(id: number): QuarantineEntry | undefined {
    return this.db.prepare('SELECT * FROM quarantine WHERE id = ?').get(id) as QuarantineEntry | undefined;
  }
}

/** Executables larger than this are not hashed (the exec path must stay cheap). */
const MAX_HASHED_BYTES = 64n << 20n;

/** Hashes of executables by identity, so each file is read once however often it runs. */
export class ExecHashCache {
  private readonly cache = new Map<string, string>();

  constructor(private readonly max = 4096) {}

  /** undefined when the file is gone or over MAX_HASHED_BYTES. */
  hashOf(path: string): { sha256: string; ino: bigint; dev: bigint } | undefined {
    let st;
    try {
      st = statSync(path, { bigint: true });
    } catch {
      return undefined;
    }
    if (st.size > MAX_HASHED_BYTES) return undefined;
    const key = `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}`;
    let sha = this.cache.get(key);
    if (sha === undefined) {
      try {
        sha = sha256File(path);
      } catch {
        return undefined;
      }
      if (this.cache.size >= this.max) this.cache.clear();
      this.cache.set(key, sha);
    }
    return { sha256: sha, ino: st.ino, dev: st.dev };
  }
}
