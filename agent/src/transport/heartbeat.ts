// Heartbeat payload from the caller's loader counters. The provider is
// caller code: if it throws or returns junk, the heartbeat still goes out
// (liveness matters more than the numbers) with the bad counters as zero.
import type { Logger } from 'pino';
import type { Heartbeat } from '../../../control-plane/src/protocol';
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
  return hb;
}
