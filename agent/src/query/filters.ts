// Query filters: the same shape arrives from the CLI and from the control
// plane, so everything is validated here, once, into a frozen ValidFilters.
import { isIP } from 'node:net';
import { EVENT_ACTIONS, type EventAction } from '../model/ecs-event';
import { DURATION_FORMS, parseDuration } from '../store/units';
import { QueryFilterError } from './errors';

export interface QueryFilters {
  since?: string;          // "15m" (ago) or an ISO timestamp
  until?: string;
  pid?: number | string;
  entityId?: string;
  exe?: string;            // exact, or a glob with * ? [..]
  path?: string;           // prefix, or a glob; matches file.path or file.target_path
  dst?: string;            // "10.0.0.5", "10.0.0.5:4444", "[::1]:443", "::1"
  action?: string;
  rule?: string;           // rule id or name, exact or glob (alerts only)
  severity?: number | string; // minimum alert severity (alerts only)
  kind?: 'event' | 'alert' | 'any';
  limit?: number | string;
  timeoutMs?: number | string;
}

/** A string match: exact text, or a SQLite GLOB pattern. */
export type Match = { op: '='; value: string } | { op: 'GLOB'; value: string };

export interface ValidFilters {
  sinceMs?: number;
  untilMs?: number;
  pid?: number;
  entityId?: string;
  exe?: Match;
  path?: Match;
  dst?: { ip: string; port?: number };
  action?: EventAction;
  rule?: Match;
  minSeverity?: number;
  kind: 'event' | 'alert' | 'any';
  limit: number;
  timeoutMs: number;
}

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 10_000;
export const DEFAULT_TIMEOUT_MS = 5_000;
export const MAX_TIMEOUT_MS = 60_000;
const KEYS = ['since', 'until', 'pid', 'entityId', 'exe', 'path', 'dst', 'action', 'rule', 'severity', 'kind', 'limit', 'timeoutMs'];
const GLOB_CHARS = /[*?[]/;
const MAX_TEXT = 4096;

const escapeGlob = (s: string) => s.replace(/[*?[]/g, (c) => `[${c}]`);

function text(field: string, v: unknown): string {
  if (typeof v !== 'string' || v.length === 0) throw new QueryFilterError(field, 'must be a non-empty string');
  if (v.length > MAX_TEXT) throw new QueryFilterError(field, `must be at most ${MAX_TEXT} characters`);
  return v;
}

function integer(field: string, v: unknown, min: number, max: number): number {
  const n = typeof v === 'string' && /^\s*-?\d+\s*$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
    throw new QueryFilterError(field, `must be an integer from ${min} to ${max}, got ${JSON.stringify(v)}`);
  }
  return n;
}

/** Durations count back from `now`; anything else must be an ISO-8601 timestamp. */
export function parseTime(field: string, v: unknown, now: number): number {
  const s = text(field, v);
  const ago = parseDuration(s);
  if (ago !== undefined) return now - ago;
  const ms = /^\d{4}-\d{2}-\d{2}/.test(s) ? Date.parse(s) : NaN;
  if (!Number.isFinite(ms)) {
    throw new QueryFilterError(field, `"${s}" is not ${DURATION_FORMS} (meaning that long ago) or an ISO timestamp like 2024-05-01T12:00:00Z`);
  }
  return ms;
}

function match(field: string, v: unknown, prefix: boolean): Match {
  const s = text(field, v);
  if (GLOB_CHARS.test(s)) return { op: 'GLOB', value: s };
  return prefix ? { op: 'GLOB', value: `${escapeGlob(s)}*` } : { op: '=', value: s };
}

export function parseDst(v: unknown): { ip: string; port?: number } {
  const s = text('dst', v).trim();
  let ip = s;
  let port: string | undefined;
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(s);
  if (bracket) [, ip, port] = bracket;
  else if (s.split(':').length === 2) [ip, port] = s.split(':');
  if (isIP(ip) === 0) {
    throw new QueryFilterError('dst', `"${s}" is not an address; use an IP or IP:PORT, e.g. 10.0.0.5, 10.0.0.5:4444 or [::1]:443`);
  }
  return port === undefined ? { ip } : { ip, port: integer('dst port', port, 0, 65535) };
}

export function validateFilters(input: unknown, now = Date.now()): ValidFilters {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new QueryFilterError('filters', 'must be an object');
  }
  const f = input as Record<string, unknown>;
  for (const k of Object.keys(f)) {
    if (!KEYS.includes(k)) throw new QueryFilterError(k, `unknown filter; accepted filters are ${KEYS.join(', ')}`);
  }
  const has = (k: string) => f[k] !== undefined && f[k] !== null;
  const out: ValidFilters = {
    kind: 'any',
    limit: has('limit') ? integer('limit', f.limit, 1, MAX_LIMIT) : DEFAULT_LIMIT,
    timeoutMs: has('timeoutMs') ? integer('timeoutMs', f.timeoutMs, 1, MAX_TIMEOUT_MS) : DEFAULT_TIMEOUT_MS,
  };
  if (has('since')) out.sinceMs = parseTime('since', f.since, now);
  if (has('until')) out.untilMs = parseTime('until', f.until, now);
  if (out.sinceMs !== undefined && out.untilMs !== undefined && out.sinceMs > out.untilMs) {
    throw new QueryFilterError('since', 'is later than until; swap them');
  }
  if (has('pid')) out.pid = integer('pid', f.pid, 0, 2 ** 31 - 1);
  if (has('entityId')) out.entityId = text('entityId', f.entityId);
  if (has('exe')) out.exe = match('exe', f.exe, false);
  if (has('path')) out.path = match('path', f.path, true);
  if (has('dst')) out.dst = parseDst(f.dst);
  if (has('action')) {
    const a = text('action', f.action);
    if (!(EVENT_ACTIONS as readonly string[]).includes(a)) {
      throw new QueryFilterError('action', `unknown action "${a}"; use one of ${EVENT_ACTIONS.join(', ')}`);
    }
    out.action = a as EventAction;
  }
  if (has('rule')) out.rule = match('rule', f.rule, false);
  if (has('severity')) out.minSeverity = integer('severity', f.severity, 0, 100);
  if (has('kind')) {
    if (f.kind !== 'event' && f.kind !== 'alert' && f.kind !== 'any') {
      throw new QueryFilterError('kind', 'must be "event", "alert" or "any"');
    }
    out.kind = f.kind;
  }
  return Object.freeze(out);
}
