// since/until values as `vigil query` accepts them: RFC 3339 times or
// relative durations back from now ("90s", "15m", "2h", "7d").
import { VigilError } from './errors';

const UNIT_MS: Record<string, number> = { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3 };

export function parseTime(value: string, field: string, now = Date.now()): number {
  const rel = /^(\d+)([smhd])$/.exec(value);
  if (rel) return now - Number(rel[1]) * UNIT_MS[rel[2]];
  const ms = Date.parse(value);
  if (!Number.isFinite(ms)) {
    throw new VigilError('BAD_REQUEST', `${field} must be an RFC 3339 time or a duration like 15m, got "${value}"`);
  }
  return ms;
}
