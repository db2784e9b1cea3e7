// API tokens. Only the sha256 of a token is stored; the plaintext is
// returned once by create() and never again.
import { createHash, randomBytes } from 'node:crypto';
import { VigilError } from '../errors';
import type { AuditStore } from './audit-store';
import type { Db } from './db';

export const ROLES = ['agent', 'viewer', 'responder', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface TokenInfo { id: string; name: string; role: Role; created_at: string; revoked_at: string | null }

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function isRole(x: unknown): x is Role {
  return typeof x === 'string' && (ROLES as readonly string[]).includes(x);
}

export class TokenStore {
  private readonly byHash;
  private readonly revokedListeners: ((id: string) => void)[] = [];

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
    if (res.changes > 0) this.audit.record('control-plane', 'token.bind', { id, host_id: hostId });
    return row?.bound_host ?? hostId;
  }

  /** The live (not revoked) token with this plaintext, if any. */
  verify(token: string): TokenInfo | undefined {
    const info = this.byHash.get(hashToken(token)) as TokenInfo | undefined;
    return info && !info.revoked_at ? info : undefined;
  }
}
