// An alert when the loader starts dropping events. Flooding the ring buffer
// to blind the agent is an attack in itself (ATT&CK T1562 Impair Defenses),
// so lost events are reported like any detection.
import { randomUUID } from 'node:crypto';
import { LEVEL_SCORE, threatFromTags } from './threat';
import type { AlertEvent } from './types';

/** The counters of the loader's STATS frame that matter here (frames.h). */
export interface DropStats {
  /** Cumulative events lost (ring buffer full). */
  drops: number;
  /** Cumulative events delivered. */
  events?: number;
}

export const DROP_RULE_ID = 'vigil-events-dropped';
const TAGS = ['attack.defense-evasion', 'attack.t1562.001'];

export interface DropAlertOptions {
  host?: string;
  now?: () => Date;
}

/**
 * Returns an alert when `stats.drops` grew since `previous` (or is non-zero
 * with no previous), else null. A counter that went backwards means the
 * loader restarted: the new value counts as fresh drops.
 */
export function dropAlert(stats: DropStats, previous?: DropStats, opts: DropAlertOptions = {}): AlertEvent | null {
  const total = Number(stats?.drops);
  if (!Number.isFinite(total) || total <= 0) return null;
  const before = previous && Number.isFinite(previous.drops) && previous.drops <= total ? previous.drops : 0;
  const dropped = total - before;
  if (dropped <= 0) return null;
  const now = (opts.now?.() ?? new Date()).toISOString();
  const delivered = stats.events !== undefined && previous?.events !== undefined ? stats.events - previous.events : undefined;
  return {
    '@timestamp': now,
    event: { kind: 'alert', id: randomUUID(), created: now, category: ['host'], action: 'events-dropped', severity: LEVEL_SCORE.high, risk_score: LEVEL_SCORE.high },
    rule: {
      id: DROP_RULE_ID,
      name: 'Vigil dropped kernel events',
      description: `The agent lost ${dropped} events (ring buffer full). An event flood can be used to hide activity from the agent.`,
      level: 'high',
      ruleset: 'vigil',
      tags: TAGS,
      reference: [],
    },
    threat: threatFromTags(TAGS),
    host: { name: opts.host ?? 'unknown' },
    vigil: {
      alert: {
        events: [],
        related: [],
        count: 1,
        first_seen: now,
        last_seen: now,
        dropped,
        dropped_total: total,
        ...(delivered !== undefined ? { delivered } : {}),
      },
    },
  };
}
