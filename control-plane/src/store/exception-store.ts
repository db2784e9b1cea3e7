// Rule exceptions created over REST (or when an incident is closed as benign
// or false positive). Agents receive the ones for their host as an
// ExceptionSet (proto/vigil/v1/exception.proto) and apply them locally.
import type { Db } from './db';

export interface StoredException {
  id: number;
  rule: string;
  match: Record<string, string[]>;
  comment: string;
  host: string | null;
  incident_id: number | null;
  expires_ms: number | null;
  created_by: string;
  created_at: string;
}

export type NewException = Omit<StoredException, 'id' | 'created_at'>;

interface Row extends Omit<StoredException, 'match' | 'host'> { match: string; host_id: string | null }

const fromRow = (r: Row): StoredException => ({
  id: r.id, rule: r.rule, match: JSON.parse(r.match), comment: r.comment, host: r.host_id,
  incident_id: r.incident_id, expires_ms: r.expires_ms, created_by: r.created_by, created_at: r.created_at,
});

export class ExceptionStore {
  private readonly insert;
  private readonly byId;
  private readonly all;
  private readonly forHostStmt;
  private readonly del;

  constructor(db: Db) {
    this.insert = db.prepare(`INSERT INTO exceptions (rule, match, comment, host_id, incident_id, expires_ms, created_by, created_at)
      VALUES (@rule, @match, @comment, @host, @incident_id, @expires_ms, @created_by, @created_at)`);
    this.byId = db.prepare('SELECT * FROM exceptions WHERE id = ?');
    this.all = db.prepare('SELECT * FROM exceptions ORDER BY id');
    this.forHostStmt = db.prepare('SELECT * FROM exceptions WHERE host_id IS NULL OR host_id = ? ORDER BY id');
    this.del = db.prepare('DELETE FROM exceptions WHERE id = ?');
  }

  add(x: NewException): StoredException {
    const info = this.insert.run({ ...x, match: JSON.stringify(x.match), created_at: new Date().toISOString() });
    return this.get(Number(info.lastInsertRowid))!;
  }

  get(id: number): StoredException | undefined {
    const r = this.byId.get(id) as Row | undefined;
    return r && fromRow(r);
  }

  list(): StoredException[] {
    return (this.all.all() as Row[]).map(fromRow);
  }

  /** What one host's agent applies: global exceptions and its own. */
  forHost(hostId: string): StoredException[] {
    return (this.forHostStmt.all(hostId) as Row[]).map(fromRow);
  }

  remove(id: number): boolean {
    return this.del.run(id).changes > 0;
  }
}
