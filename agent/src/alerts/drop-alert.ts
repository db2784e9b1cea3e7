// An alert when the kernel side loses events: ring-buffer drops, or records
// a probe started and abandoned (bpf/events.h VIGIL_STAT_ABANDONED_*).
// Flooding the ring buffer to blind the agent is an attack in itself
// (ATT&CK T1562 Impair Defenses), so lost events are reported like any
// detection, and a loss is never silent.
import { agentAlert, type DropAlertOptions } from './agent-alert';
import type { AlertEvent } from './types';

/** The counters of the loader's STATS frame that matter here (frames.h). */
export interface DropStats {
  /** Cumulative events lost (ring buffer full). */
  drops: number;
  /** Cumulative events delivered. */
  events?: number;
  /** Cumulative records abandoned in a probe, per reason. */
  abandoned?: Record<string, number>;
}

const sum = (o?: Record<string, number>): number => Object.values(o ?? {}).reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0);

export const DROP_RULE_ID = 'vigil-events-dropped';
const DROP_RULE = { id: DROP_RULE_ID, name: 'Vigil dropped kernel events', action: 'events-dropped', tags: ['attack.defense-evasion', 'attack.t1562.001'] };

export type { DropAlertOptions } from './agent-alert';

/**
 * Returns an alert when drops or abandoned records grew since `previous`
 * (or are non-zero with no previous), else null. A counter that went
 * backwards means the loader restarted: the new value counts as fresh loss.
 */
export function dropAlert(stats: DropStats, previous?: DropStats, opts: DropAlertOptions = {}): AlertEvent | null {
  const drops = Number(stats?.drops);
  if (!Number.isFinite(drops)) return null;
  const abandonedTotal = sum(stats.abandoned);
  const total = drops + abandonedTotal;
  if (total <= 0) return null;
  const prevDrops = previous && Number.isFinite(previous.drops) && previous.drops <= drops ? previous.drops : 0;
  const prevAbandoned = previous && sum(previous.abandoned) <= abandonedTotal ? sum(previous.abandoned) : 0;
  const dropped = drops - prevDrops;
  const abandoned = abandonedTotal - prevAbandoned;
  if (dropped + abandoned <= 0) return null;
  const delivered = stats.events !== undefined && previous?.events !== undefined ? stats.events - previous.events : undefined;
  const reasons = Object.entries(stats.abandoned ?? {})
    .map(([r, v]) => [r, v - (previous?.abandoned?.[r] ?? 0)] as const)
    .filter(([, v]) => v > 0);
  const why = [
    ...(dropped > 0 ? [`${dropped} dropped (ring buffer full)`] : []),
    ...(abandoned > 0 ? [`${abandoned} abandoned in a probe (${reasons.map(([r, v]) => `${r}: ${v}`).join(', ')})`] : []),
  ].join(' and ');
  return agentAlert(DROP_RULE, `The agent lost ${dropped + abandoned} events: ${why}. An event flood can be used to hide activity from the agent.`, {
    dropped: dropped + abandoned,
    dropped_total: total,
    ...(abandoned > 0 ? { abandoned: Object.fromEntries(reasons) } : {}),
    ...(delivered !== undefined ? { delivered } : {}),
  }, opts);
}

/** What the supervisor reports when a dead loader was replaced (agent/loader-supervisor.ts). */
export interface LoaderGapInfo {
  gapMs: number;
  estimatedLost: number;
  restarts: number;
  exit: { code: number | null; signal: string | null; message: string };
}

/** The loader died and was restarted: the agent saw nothing for gapMs. Killing the loader is a way to blind it. */
export function loaderGapAlert(gap: LoaderGapInfo, opts: DropAlertOptions = {}): AlertEvent {
  const how = gap.exit.signal ? `was killed by ${gap.exit.signal}` : `exited with code ${gap.exit.code}`;
  return agentAlert(DROP_RULE, 
    `The agent's kernel loader ${how} and was restarted (restart ${gap.restarts}); the agent saw nothing for ${gap.gapMs} ms, ` +
    `about ${gap.estimatedLost} events at the rate before. Killing the loader can be used to hide activity from the agent.`,
    { dropped: gap.estimatedLost, gap_ms: gap.gapMs, loader_restarts: gap.restarts, loader_exit: gap.exit.message },
    opts,
  );
}

