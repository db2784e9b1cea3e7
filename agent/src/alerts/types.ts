// The alert document: an EcsEvent-shaped record with event.kind 'alert'.
import type { EcsEvent, EcsProcess, EventCategory } from '../model/ecs-event';
import type { CorrelationType, SigmaLevel } from '../rules/types';
import type { EcsThreat } from './threat';

export interface AlertEvent {
  '@timestamp': string;
  event: {
    kind: 'alert';
    id: string;
    created: string;
    category: EventCategory[];
    action: string;
    severity: number;
    risk_score: number;
  };
  rule: {
    id: string;
    name: string;
    description?: string;
    level: SigmaLevel;
    ruleset: 'sigma' | 'vigil';
    tags: string[];
    author?: string;
    reference: string[];
    correlation?: CorrelationType;
  };
  threat?: EcsThreat;
  process?: EcsProcess;
  user?: EcsEvent['user'];
  host: { name: string; boot?: { id: string } };
  container?: EcsEvent['container'];
  vigil: {
    alert: {
      /** The event(s) that triggered the rule. */
      events: EcsEvent[];
      /** Recent file/network/exec activity of the same process. */
      related: EcsEvent[];
      count: number;
      first_seen: string;
      last_seen: string;
      [extra: string]: unknown;
    };
    /** What the agent did about it (the rule's `response:`), one record per action. */
    response?: { action: string; pids: number[]; ok: boolean; error?: string; latency_ms: number }[];
  };
}
