// Token extraction and role checks shared by REST routes and sockets.
// REST: "Authorization: Bearer <token>". Sockets also accept ?token=<token>
// or a "bearer.<token>" subprotocol (browsers cannot set headers on ws).
import type { IncomingHttpHeaders } from 'node:http';
import type { TokenInfo, TokenStore } from '../store/token-store';
import { ACCESS, type Access } from './roles';

export const BEARER_SUBPROTOCOL_PREFIX = 'bearer.';

export type AuthResult =
  | { ok: true; token: TokenInfo }
  | { ok: false; status: 401 | 403; message: string };

export function tokenFromHeaders(headers: IncomingHttpHeaders): string | undefined {
  const h = headers.authorization;
  if (typeof h === 'string') {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
    if (m) return m[1];
  }
  return undefined;
}

export function offeredSubprotocols(headers: IncomingHttpHeaders): string[] {
  const h = headers['sec-websocket-protocol'];
  return typeof h === 'string' ? h.split(',').map((s) => s.trim()).filter(Boolean) : [];
}

export function tokenFromUpgrade(headers: IncomingHttpHeaders, url: URL): string | undefined {
  return tokenFromHeaders(headers)
    ?? (url.searchParams.get('token') || undefined)
    ?? offeredSubprotocols(headers).find((p) => p.startsWith(BEARER_SUBPROTOCOL_PREFIX))?.slice(BEARER_SUBPROTOCOL_PREFIX.length);
}

export function authorize(tokens: TokenStore, token: string | undefined, access: Access): AuthResult {
  if (!token) {
    return { ok: false, status: 401, message: 'missing token; send "Authorization: Bearer <token>" (create one with `vigil token create --role ROLE`)' };
  }
  const info = tokens.verify(token);
  if (!info) return { ok: false, status: 401, message: 'unknown or revoked token; create a new one with `vigil token create --role ROLE`' };
  const allowed: readonly string[] = ACCESS[access];
  if (!allowed.includes(info.role)) {
    return { ok: false, status: 403, message: `token role "${info.role}" may not do this; needs one of: ${allowed.join(', ')}` };
  }
  return { ok: true, token: info };
}
