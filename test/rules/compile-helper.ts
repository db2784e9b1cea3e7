// Compile one rule from YAML text (no files) and match events against it.
import { parseDocument } from 'yaml';
import { compileDoc } from '../../agent/src/rules/rule-compiler';
import { EventView } from '../../agent/src/rules/event-view';
import type { CompiledRule } from '../../agent/src/rules/types';
import type { EcsEvent } from '../../agent/src/model/ecs-event';

export function compileRule(yaml: string): CompiledRule {
  const r = compileDoc(parseDocument(yaml).toJS(), 'inline.yml', 1, 'inline');
  if (r.kind !== 'rule') throw new Error('expected a detection rule');
  return r;
}

/** Does the rule's detection (and logsource gate) match the event? */
export function matches(rule: CompiledRule, ev: EcsEvent): boolean {
  if (rule.actions && !rule.actions.has(ev.event.action)) return false;
  return rule.match(new EventView(ev));
}

/** Shorthand: a process_creation rule whose detection is `det` (YAML, indented 2). */
export function det(body: string, category = 'process_creation'): CompiledRule {
  return compileRule(`title: t\nlogsource:\n  product: linux\n  category: ${category}\ndetection:\n${body}\n`);
}
