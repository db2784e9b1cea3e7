// Alerts the agent raises about itself (lost events, a dead loader, a
// history it cannot write): same document shape as a rule's alert, so they
// reach every output, feed and responder the same way.
import { randomUUID } from 'node:crypto';
import { LEVEL_SCORE, threatFromTags } from './threat';
import type { AlertEvent } from './types';

export interface DropAlertOptions {
  host?: string;
  now?: () => Date;
}

export interface AgentRule {
  id: string;
  name: string;
  /** event.action of the alert. */
  action: string;
  tags: string[];
  level?: 'medium' | 'high';
}

export function agentAlert(rule: AgentRule, description: string, detail: Record<string, unknown>, opts: DropAlertOptions): AlertEvent {
  const now = (opts.now?.() ?? new Date()).toISOString();
  const level = rule.level ?? 'high';
  return {
    '@timestamp': now,
    event: { kind: 'alert', id: randomUUID(), created: now, category: ['host'], action: rule.action, severity: LEVEL_SCORE[level], risk_score: LEVEL_SCORE[level] },
    rule: { id: rule.id, name: rule.name, description, level, ruleset: 'vigil', tags: rule.tags, reference: [] },
    threat: threatFromTags(rule.tags),
    host: { name: opts.host ?? 'unknown' },
    vigil: { alert: { events: [], related: [], count: 1, first_seen: now, last_seen: now, ...detail } },
  };
}
