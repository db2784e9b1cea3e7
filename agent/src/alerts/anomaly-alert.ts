// A baseline finding -> alert document: the same shape as a rule's alert,
// with the score as severity, the storyline's contributing events, and the
// sentences that explain it.
import { randomUUID } from 'node:crypto';
import type { BaselineFinding } from '../baseline/baseline-engine';
import type { AlertEvent } from './types';

export const ANOMALY_RULE_ID = 'vigil-anomaly';

function uniqueObservations(f: BaselineFinding): { profile: string; context: string; value: string }[] {
  const seen = new Map<string, { profile: string; context: string; value: string }>();
  for (const c of f.chain.contributions) {
    for (const o of c.scored) seen.set(`${o.profile}\u0000${o.context}\u0000${o.value}`, { profile: o.profile, context: o.context, value: o.value });
  }
  return [...seen.values()];
}

export function anomalyAlert(f: BaselineFinding, opts: { host: string; now?: () => Date }): AlertEvent {
  const ev = f.event;
  const created = (opts.now?.() ?? new Date()).toISOString();
  const score = Math.round(f.risk);
  const contributions = f.chain.contributions.map((c) => ({
    '@timestamp': c.event['@timestamp'], entity_id: c.entityId, pid: c.event.process?.pid, executable: c.event.process?.executable,
    profile: c.profile, context: c.context, value: c.value, score: Math.round(c.score), explanation: c.explanation,
  }));
  return {
    '@timestamp': ev['@timestamp'] ?? created,
    event: { kind: 'alert', id: randomUUID(), created, category: ev.event?.category ?? [], action: ev.event?.action ?? 'unknown', severity: score, risk_score: score },
    rule: {
      id: ANOMALY_RULE_ID,
      name: `Behavioural anomaly (${f.level})`,
      description: f.explanation,
      level: f.level,
      ruleset: 'vigil',
      tags: [],
      reference: ['docs/baseline.md'],
    },
    process: ev.process,
    user: ev.user,
    host: ev.host ?? { name: opts.host },
    container: ev.container,
    vigil: {
      alert: {
        events: f.chain.contributions.map((c) => c.event),
        related: [],
        count: contributions.length,
        first_seen: contributions[0]?.['@timestamp'] ?? created,
        last_seen: ev['@timestamp'] ?? created,
      },
      anomaly: {
        score,
        level: f.level,
        explanation: f.explanation,
        root: { entity_id: f.chain.rootEntityId, pid: f.chain.rootPid, executable: f.chain.rootExecutable },
        contributions,
        // What `vigil baseline allow` folds in: every scored observation of the contributing events.
        observations: uniqueObservations(f),
      },
    } as AlertEvent['vigil'],
  };
}
