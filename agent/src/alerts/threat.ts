// Sigma level -> ECS severity/risk score, and Sigma `attack.*` tags -> ECS
// threat.* (MITRE ATT&CK). Scores follow Elastic's defaults per level.
import type { SigmaLevel } from '../rules/types';

export const LEVEL_SCORE: Readonly<Record<SigmaLevel, number>> = {
  informational: 1,
  low: 21,
  medium: 47,
  high: 73,
  critical: 99,
};

const TACTICS: Readonly<Record<string, [id: string, name: string]>> = {
  reconnaissance: ['TA0043', 'Reconnaissance'],
  resource_development: ['TA0042', 'Resource Development'],
  initial_access: ['TA0001', 'Initial Access'],
  execution: ['TA0002', 'Execution'],
  persistence: ['TA0003', 'Persistence'],
  privilege_escalation: ['TA0004', 'Privilege Escalation'],
  defense_evasion: ['TA0005', 'Defense Evasion'],
  credential_access: ['TA0006', 'Credential Access'],
  discovery: ['TA0007', 'Discovery'],
  lateral_movement: ['TA0008', 'Lateral Movement'],
  collection: ['TA0009', 'Collection'],
  command_and_control: ['TA0011', 'Command and Control'],
  exfiltration: ['TA0010', 'Exfiltration'],
  impact: ['TA0040', 'Impact'],
};

export interface EcsThreat {
  framework: 'MITRE ATT&CK';
  tactic: { id: string[]; name: string[] };
  technique: { id: string[]; subtechnique: { id: string[] } };
}

/**
 * `attack.t1059.004` -> technique T1059 + subtechnique T1059.004;
 * `attack.privilege-escalation` (or _escalation) -> tactic TA0004.
 * Returns undefined when the tags carry no ATT&CK reference.
 */
export function threatFromTags(tags: readonly string[]): EcsThreat | undefined {
  const t: EcsThreat = { framework: 'MITRE ATT&CK', tactic: { id: [], name: [] }, technique: { id: [], subtechnique: { id: [] } } };
  const add = (list: string[], v: string): void => {
    if (!list.includes(v)) list.push(v);
  };
  for (const raw of tags) {
    const tag = raw.toLowerCase();
    if (!tag.startsWith('attack.')) continue;
    const rest = tag.slice(7);
    const tech = /^t(\d{4})(?:\.(\d{3}))?$/.exec(rest);
    if (tech) {
      add(t.technique.id, `T${tech[1]}`);
      if (tech[2]) add(t.technique.subtechnique.id, `T${tech[1]}.${tech[2]}`);
      continue;
    }
    const tactic = TACTICS[rest.replace(/-/g, '_')];
    if (tactic) {
      add(t.tactic.id, tactic[0]);
      add(t.tactic.name, tactic[1]);
    }
  }
  return t.tactic.id.length || t.technique.id.length ? t : undefined;
}
