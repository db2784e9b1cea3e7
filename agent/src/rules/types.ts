// Shapes shared across the rule engine: rule metadata, matches and the
// compiled forms of plain and correlation rules.
import type { EcsEvent, EventAction } from '../model/ecs-event';
import type { EventView } from './event-view';
import type { ReadNeed } from './read-watch';

export type SigmaLevel = 'informational' | 'low' | 'medium' | 'high' | 'critical';
export type CorrelationType = 'event_count' | 'value_count' | 'temporal' | 'temporal_ordered';

/** What an alert needs to know about the rule that fired. */
export interface RuleMeta {
  id: string;
  title: string;
  name?: string;
  description?: string;
  level: SigmaLevel;
  status?: string;
  tags: string[];
  author?: string;
  references: string[];
  falsepositives: string[];
  file: string;
  line: number;
  /** Set for correlation rules. */
  correlation?: CorrelationType;
  /** Vigil extension `response:` what the agent does to the matching process, at once. */
  response?: ResponseAction[];
}

/** kill: SIGKILL the process; kill-tree: it and every descendant; suspend-tree: SIGSTOP them (for forensics). */
export type ResponseAction = 'kill' | 'kill-tree' | 'suspend-tree' | 'isolate-tree';
export const RESPONSE_ACTIONS: readonly ResponseAction[] = ['kill', 'kill-tree', 'suspend-tree', 'isolate-tree'];

export interface RuleMatch {
  rule: RuleMeta;
  /** One event for a plain rule; the contributing events for a correlation. */
  events: EcsEvent[];
  /**
   * Only with evaluate(ev, { includeSuppressed: true }): this rule is used by
   * a correlation and does not alert on its own (correlation `generate`).
   */
  suppressed?: boolean;
}

/** A compiled detection predicate over the shared per-event view. */
export type Matcher = (v: EventView) => boolean;

export interface CompiledRule {
  kind: 'rule';
  meta: RuleMeta;
  /** Actions this rule can match; null means every action. */
  actions: ReadonlySet<EventAction> | null;
  match: Matcher;
  /** Read-only opens it can match, for the kernel's read watch. */
  readNeed: ReadNeed;
  /** Set when the executable's file name alone decides a match (exec-names.ts): the kernel can respond for it. */
  execNames?: string[];
}

export type CountCondition = { gt?: number; gte?: number; lt?: number; lte?: number; eq?: number };

export interface CorrelationDef {
  kind: 'correlation';
  meta: RuleMeta;
  type: CorrelationType;
  /** Referenced rule ids/names, in the order written. */
  rules: string[];
  groupBy: string[];
  /** alias -> (rule name/id -> field) */
  aliases: Record<string, Record<string, string>>;
  timespanMs: number;
  condition: CountCondition;
  /** value_count: the field whose distinct values are counted. */
  field?: string;
  /** Referenced rules also alert on their own. */
  generate: boolean;
}
