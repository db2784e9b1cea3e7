// Agents seen by the control plane: identity from AgentHello, liveness
// from last_seen, loader counters from the latest Heartbeat.
import type { AgentHello, Heartbeat } from '../../../proto/src';
import type { Db } from './db';

export type AgentStatus = 'online' | 'offline';

export interface AgentRecord {
  host_id: string; hostname: string; kernel: string; agent_version: string; capabilities: string[];
  first_seen: string; last_seen: string; status: AgentStatus; heartbeat: Heartbeat | null;
}

interface Row extends Omit<AgentRecord, 'capabilities' | 'heartbeat'> {
  capabilities: string; heartbeat: string | null; last_seen_ms: number;
}

const toRecord = (r: Row): AgentRecord => ({
  host_id: r.host_id, hostname: r.hostname, kernel: r.kernel, agent_version: r.agent_version,
  capabilities: JSON.parse(r.capabilities), first_seen: r.first_seen, last_seen: r.last_seen,
  status: r.status, heartbeat: r.heartbeat ? JSON.parse(r.heartbeat) : null,
});

/** Liveness writes are batched: one transaction a second instead of one per agent frame. */
const FLUSH_EVERY_MS = 1000;

export class AgentStore {
  private readonly touchStmt;
  private readonly heartbeatStmt;
  private readonly flushTx;
  private readonly pending = new Map<string, { ms: number; hb?: Heartbeat }>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly db: Db) {
    this.touchStmt = db.prepare("UPDATE agents SET last_seen = ?, last_seen_ms = ?, status = 'online' WHERE host_id = ?");
    this.heartbeatStmt = db.prepare("UPDATE agents SET heartbeat = ?, last_seen = ?, last_seen_ms = ?, status = 'online' WHERE host_id = ?");
    this.flushTx = db.transaction((rows: [string, { ms: number; hb?: Heartbeat }][]) => {
      for (const [host, p] of rows) {
        const iso = new Date(p.ms).toISOString();
        if (p.hb) this.heartbeatStmt.run(JSON.stringify(p.hb), iso, p.ms, host);
        else this.touchStmt.run(iso, p.ms, host);
      }
    });
    this.timer = setInterval(() => this.flush(), FLUSH_EVERY_MS);
    this.timer.unref();
  }

  /** Writes the liveness and heartbeats received since the last flush (readers call it first). */
  flush(): void {
    if (this.pending.size === 0 || !this.db.open) return;
    const rows = [...this.pending];
    this.pending.clear();
    this.flushTx(rows);
  }

  close(): void {
    clearInterval(this.timer);
    this.flush();
  }

  upsertHello(h: AgentHello, now = Date.now()): void {
    const iso = new Date(now).toISOString();
    this.db.prepare(
      `INSERT INTO agents (host_id, hostname, kernel, agent_version, capabilities, first_seen, last_seen, last_seen_ms, status)
       VALUES (@host_id, @hostname, @kernel, @agent_version, @capabilities, @iso, @iso, @now, 'online')
       ON CONFLICT (host_id) DO UPDATE SET hostname = excluded.hostname, kernel = excluded.kernel,
         agent_version = excluded.agent_version, capabilities = excluded.capabilities,
         last_seen = excluded.last_seen, last_seen_ms = excluded.last_seen_ms, status = 'online'`,
    ).run({ ...h, capabilities: JSON.stringify(h.capabilities), iso, now });
  }

  /**
   * --nats: an agent another replica said hello to. Identity is updated;
   * liveness only moves forward (a newer hello there counts as seen), and a
   * new row is online only if that hello is recent (`online`), so an agent
   * long gone is not flagged offline here all over again.
   */
  applyReplicated(h: AgentHello, helloMs: number, online: boolean): void {
    this.flush();
    const iso = new Date(helloMs).toISOString();
    this.db.prepare(
      `INSERT INTO agents (host_id, hostname, kernel, agent_version, capabilities, first_seen, last_seen, last_seen_ms, status)
       VALUES (@host_id, @hostname, @kernel, @agent_version, @capabilities, @iso, @iso, @ms, @status)
       ON CONFLICT (host_id) DO UPDATE SET hostname = excluded.hostname, kernel = excluded.kernel,
         agent_version = excluded.agent_version, capabilities = excluded.capabilities,
         status = CASE WHEN excluded.last_seen_ms > agents.last_seen_ms AND excluded.status = 'online' THEN 'online' ELSE agents.status END,
         last_seen = CASE WHEN excluded.last_seen_ms > agents.last_seen_ms THEN excluded.last_seen ELSE agents.last_seen END,
         last_seen_ms = MAX(agents.last_seen_ms, excluded.last_seen_ms)`,
    ).run({ ...h, capabilities: JSON.stringify(h.capabilities), iso, ms: helloMs, status: online ? 'online' : 'offline' });
  }

  touch(hostId: string, now = Date.now()): void {
    const p = this.pending.get(hostId);
    if (p) p.ms = Math.max(p.ms, now);
    else this.pending.set(hostId, { ms: now });
  }

  recordHeartbeat(hostId: string, hb: Heartbeat, now = Date.now()): void {
    const p = this.pending.get(hostId);
    this.pending.set(hostId, { ms: Math.max(p?.ms ?? 0, now), hb });
  }

  /** Online agents silent since before `cutoffMs`. */
  silentSince(cutoffMs: number): AgentRecord[] {
    this.flush();
    return (this.db.prepare("SELECT * FROM agents WHERE status = 'online' AND last_seen_ms < ?").all(cutoffMs) as Row[]).map(toRecord);
  }

  markOffline(hostId: string): boolean {
    this.flush();
    return this.db.prepare("UPDATE agents SET status = 'offline' WHERE host_id = ? AND status = 'online'").run(hostId).changes > 0;
  }

  get(hostId: string): AgentRecord | undefined {
    this.flush();
    const r = this.db.prepare('SELECT * FROM agents WHERE host_id = ?').get(hostId) as Row | undefined;
    return r && toRecord(r);
  }

  list(): AgentRecord[] {
    this.flush();
    return (this.db.prepare('SELECT * FROM agents ORDER BY hostname, host_id').all() as Row[]).map(toRecord);
  }
}
