// Heartbeat payload from the caller's loader counters. The provider is
// caller code: if it throws or returns junk, the heartbeat still goes out
// (liveness matters more than the numbers) with the bad counters as zero.
import type { Logger } from 'pino';
import type { Heartbeat, RiskyTree } from '../../../proto/src';
import type { HeartbeatStats } from './client-options';

const U64 = ['events', 'drops', 'truncated', 'filtered'] as const;
const U32 = ['probes_attached', 'probes_failed'] as const;

const count = (v: unknown, max: number): number =>
  (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.min(Math.floor(v), max) : 0);

export function buildHeartbeat(provider: (() => HeartbeatStats) | undefined, log: Logger, now = new Date()): Heartbeat {
  let s: Partial<HeartbeatStats> = {};
  try {
    s = provider?.() ?? {};
  } catch (err) {
    log.warn({ err: (err as Error).message }, 'statsProvider threw; heartbeat sent with zero counters');
  }
  const hb = { timestamp: now.toISOString() } as Heartbeat;
  for (const k of U64) hb[k] = count(s?.[k], Number.MAX_SAFE_INTEGER);
  for (const k of U32) hb[k] = count(s?.[k], 0xffffffff);
  hb.risky_trees = riskyTrees(s?.risky_trees);
  return hb;
}

const MAX_TREES = 5;
const MAX_SUMMARY = 1024;
const text = (v: unknown, max: number): string => (typeof v === 'string' ? v.slice(0, max) : '');

function riskyTrees(v: unknown): RiskyTree[] {
  if (!Array.isArray(v)) return [];
  return v.slice(0, MAX_TREES).filter((t) => t && typeof t === 'object').map((t) => ({
    entity_id: text(t.entity_id, 64), pid: count(t.pid, 0xffffffff), executable: text(t.executable, 4096),
    risk: Math.min(100, count(t.risk, 100)), summary: text(t.summary, MAX_SUMMARY),
  }));
}
