// A live rule file stopped loading (a typo, a bad edit, a swapped ConfigMap).
// Its last good version keeps running; the alert says which file and why,
// since a silently dropped rule is a detection turned off.
import { agentAlert, type DropAlertOptions } from './agent-alert';
import type { AlertEvent } from './types';

export const RULE_ERROR_RULE_ID = 'vigil-rule-file-broken';
const RULE = { id: RULE_ERROR_RULE_ID, name: 'Vigil rule file no longer loads', action: 'rule-file-broken', tags: ['attack.defense-evasion', 'attack.t1562'], level: 'medium' as const };

export function ruleErrorAlert(e: { file: string; line: number; reason: string }, opts: DropAlertOptions = {}): AlertEvent {
  return agentAlert(RULE,
    `Rule file ${e.file} no longer loads (${e.file}:${e.line}: ${e.reason}); its last good version keeps running until the file parses again.`,
    { rule_file: e.file, rule_line: e.line, rule_error: e.reason }, opts);
}
