// API tokens. Only the sha256 of a token is stored; the plaintext is
// returned once by create() and never again.
import { createHash, randomBytes } from 'node:crypto';
import { VigilError } from '../errors';
import type { AuditStore } from './audit-store';
import type { Db } from './db';

export const ROLES = ['agent', 'viewer', 'responder', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface TokenInfo { id: string; name: string; role: Role; created_at: string; revoked_at: string | null }

/** A token row as replicas share it (--nats): never the plaintext, only its hash. */
export interface TokenRecord extends TokenInfo { hash: string; bound_host: string | null }

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function isRole(x: unknown): x is Role {
  return typeof x === 'string' && (ROLES as readonly string[]).includes(x);
}

export class TokenStore {
  private readonly byHash;
  private readonly revokedListeners: ((id: string) => void)[] = [];
  private readonly changedListeners: ((rec: TokenRecord) => void)[] = [];

  /** Called after this replica creates, revokes or binds a token (not for applyReplicated). */
  onChanged(fn: (rec: TokenRecord) => void): void {
    this.changedListeners.push(fn);
  }

  private changed(id: string): void {
    const rec = this.record(id);
    if (rec) for (const fn of this.changedListeners) fn(rec);
  }

  /** Called with the id of each token revoked: live sessions that used it must end now. */
  onRevoked(fn: (id: string) => void): void {
    this.revokedListeners.push(fn);
  }

  constructor(private readonly db: Db, private readonly audit: AuditStore) {
    this.byHash = db.prepare('SELECT id, name, role, created_at, revoked_at FROM tokens WHERE hash = ?');
  }

  create(role: Role, name = '', actor = 'cli'): { token: string; info: TokenInfo } {
    if (!isRole(role)) throw new VigilError('BAD_REQUEST', `role must be one of ${ROLES.join(', ')}`);
    const id = 'tok_' + randomBytes(6).toString('hex');
    const token = `vigil_${role}_${randomBytes(32).toString('base64url')}`;
    const created = new Date().toISOString();
    this.db.prepare('INSERT INTO tokens (id, name, role, hash, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(id, name || id, role, hashToken(token), created);
    this.audit.record(actor, 'token.create', { id, role, name: name || id });
    this.changed(id);
    return { token, info: { id, name: name || id, role, created_at: created, revoked_at: null } };
  }

  revoke(id: string, actor = 'cli'): TokenInfo {
    const res = this.db.prepare('UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL')
      .run(new Date().toISOString(), id);
    const info = this.db.prepare('SELECT id, name, role, created_at, revoked_at FROM tokens WHERE id = ?').get(id) as TokenInfo | undefined;
    if (!info) throw new VigilError('TOKEN_NOT_FOUND', id);
    if (res.changes > 0) {
      this.audit.record(actor, 'token.revoke', { id });
      for (const fn of this.revokedListeners) fn(id);
      this.changed(id);
    }
    return info;
  }

  list(): TokenInfo[] {
    return this.db.prepare('SELECT id, name, role, created_at, revoked_at FROM tokens ORDER BY created_at, id').all() as TokenInfo[];
  }

  /**
   * Binds an agent token to the first host that says hello with it; returns
   * the host it is bound to (this one, or the one before).
   */
  bindHost(id: string, hostId: string): string {
    const res = this.db.prepare('UPDATE tokens SET bound_host = ? WHERE id = ? AND bound_host IS NULL').run(hostId, id);
    const row = this.db.prepare('SELECT bound_host FROM tokens WHERE id = ?').get(id) as { bound_host: string | null } | undefined;
    if (res.changes > 0) {
      this.audit.record('control-plane', 'token.bind', { id, host_id: hostId });
      this.changed(id);
    }
    return row?.bound_host ?? hostId;
  }

  record(id: string): TokenRecord | undefined {
    return this.db.prepare('SELECT id, name, role, hash, created_at, revoked_at, bound_host FROM tokens WHERE id = ?').get(id) as TokenRecord | undefined;
  }

  records(): TokenRecord[] {
    return this.db.prepare('SELECT id, name, role, hash, created_at, revoked_at, bound_host FROM tokens ORDER BY id').all() as TokenRecord[];
  }

  /**
   * Applies a token another replica shared (--nats). Revocation and binding
   * only ever move one way (set, never cleared), so applying in any order
   * converges; a newly revoked token ends its live sessions here too.
   */
  applyReplicated(rec: TokenRecord): void {
    if (!isRole(rec.role) || !/^[0-9a-f]{64}$/.test(rec.hash)) return;
    const before = this.record(rec.id);
    this.db.prepare(
      `INSERT INTO tokens (id, name, role, hash, created_at, revoked_at, bound_host) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET revoked_at = COALESCE(tokens.revoked_at, excluded.revoked_at),
         bound_host = COALESCE(tokens.bound_host, excluded.bound_host)`,
    ).run(rec.id, rec.name, rec.role, rec.hash, rec.created_at, rec.revoked_at, rec.bound_host);
    if (rec.revoked_at && !before?.revoked_at) for (const fn of this.revokedListeners) fn(rec.id);
  }

  /** The live (not revoked) token with this plaintext, if any. */
  verify(token: string): TokenInfo | undefined {
    const info = this.byHash.get(hashToken(token)) as TokenInfo | undefined;
    return info && !info.revoked_at ? info : undefined;
  }
}
