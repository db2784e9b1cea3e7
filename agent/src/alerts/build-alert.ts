// RuleMatch -> alert document. The alert carries the triggering events, the
// process (with its ancestor chain) of the last triggering event, and the
// process's recent file/network/exec activity supplied by the caller.
import { randomUUID } from 'node:crypto';
import type { EcsEvent } from '../model/ecs-event';
import type { RuleMatch } from '../rules/types';
import { LEVEL_SCORE, threatFromTags } from './threat';
import type { AlertEvent } from './types';

/** Recent events of a process (entity_id), oldest first. */
export type RecentActivity = (entityId: string) => readonly EcsEvent[];

export interface BuildAlertOptions {
  /** How many related events to keep (default 20). */
  relatedLimit?: number;
  now?: () => Date;
}

export const DEFAULT_RELATED_LIMIT = 20;

const RELATED = (ev: EcsEvent): boolean =>
  ev.event?.action === 'exec' || ev.event?.category?.includes('file') || ev.event?.category?.includes('network');

export function relatedEvents(entityId: string | undefined, recent: RecentActivity | undefined, exclude: readonly EcsEvent[], limit: number): EcsEvent[] {
  if (!recent || !entityId || limit <= 0) return [];
  let list: readonly EcsEvent[];
  try {
    list = recent(entityId) ?? [];
  } catch {
    return []; // context is best effort: never lose the alert over it
  }
  const skip = new Set(exclude);
  const out = list.filter((e) => !skip.has(e) && RELATED(e));
  return out.slice(Math.max(0, out.length - limit));
}

export function buildAlert(match: RuleMatch, recentActivity?: RecentActivity, opts: BuildAlertOptions = {}): AlertEvent {
  const r = match.rule;
  const last = match.events[match.events.length - 1];
  const first = match.events[0];
  const created = (opts.now?.() ?? new Date()).toISOString();
  const score = LEVEL_SCORE[r.level] ?? LEVEL_SCORE.medium;
  const alert: AlertEvent = {
    '@timestamp': last?.['@timestamp'] ?? created,
    event: {
      kind: 'alert',
      id: randomUUID(),
      created,
      category: last?.event?.category ?? [],
      action: last?.event?.action ?? 'unknown',
      severity: score,
      risk_score: score,
    },
    rule: {
      id: r.id,
      name: r.title,
      description: r.description,
      level: r.level,
      ruleset: 'sigma',
      tags: r.tags,
      author: r.author,
      reference: r.references,
      correlation: r.correlation,
    },
    host: last?.host ?? { name: 'unknown' },
    vigil: {
      alert: {
        events: match.events,
        related: relatedEvents(last?.process?.entity_id, recentActivity, match.events, opts.relatedLimit ?? DEFAULT_RELATED_LIMIT),
        count: 1,
        first_seen: first?.['@timestamp'] ?? created,
        last_seen: last?.['@timestamp'] ?? created,
      },
    },
  };
  const threat = threatFromTags(r.tags);
  if (threat) alert.threat = threat;
  if (last?.process) alert.process = last.process;
  if (last?.user) alert.user = last.user;
  if (last?.container) alert.container = last.container;
  if (alert.rule.description === undefined) delete alert.rule.description;
  if (alert.rule.author === undefined) delete alert.rule.author;
  if (alert.rule.correlation === undefined) delete alert.rule.correlation;
  return alert;
}
