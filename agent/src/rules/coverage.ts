// ATT&CK coverage of a rule set, from the rules' own tags: which techniques
// and sub-techniques some rule names, under which tactics, by which rules.
// `vigil rules coverage` prints it; docs/rules.md holds a copy between
// markers that a test keeps in step, so the table cannot drift.
import type { LoadedRule } from './loader';

const TECHNIQUE = /^attack\.(t\d{4}(?:\.\d{3})?)$/i;
const TACTICS = new Set([
  'reconnaissance', 'resource_development', 'initial_access', 'execution', 'persistence', 'privilege_escalation',
  'defense_evasion', 'credential_access', 'discovery', 'lateral_movement', 'collection', 'command_and_control',
  'exfiltration', 'impact',
]);

export const COVERAGE_BEGIN = '<!-- attack-coverage:begin (generated: vigil rules coverage --update docs/rules.md) -->';
export const COVERAGE_END = '<!-- attack-coverage:end -->';

export interface CoverageRow {
  technique: string;
  tactics: string[];
  rules: string[];
}

export function attackCoverage(rules: readonly LoadedRule[]): CoverageRow[] {
  const rows = new Map<string, { tactics: Set<string>; rules: Set<string> }>();
  for (const r of rules) {
    const tags = r.meta.tags.map((t) => t.toLowerCase());
    const tactics = tags.filter((t) => t.startsWith('attack.') && TACTICS.has(t.slice(7).replace(/-/g, '_'))).map((t) => t.slice(7).replace(/_/g, '-'));
    for (const t of tags) {
      const m = TECHNIQUE.exec(t);
      if (!m) continue;
      const id = m[1].toUpperCase();
      const row = rows.get(id) ?? { tactics: new Set(), rules: new Set() };
      for (const tac of tactics) row.tactics.add(tac);
      row.rules.add(r.meta.title);
      rows.set(id, row);
    }
  }
  return [...rows].sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }))
    .map(([technique, v]) => ({ technique, tactics: [...v.tactics].sort(), rules: [...v.rules].sort() }));
}

export function coverageMarkdown(rows: readonly CoverageRow[]): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|');
  return [
    `${rows.length} techniques and sub-techniques named by the bundled rules.`,
    '',
    '| Technique | Tactics | Rules |',
    '|---|---|---|',
    ...rows.map((r) => `| [${r.technique}](https://attack.mitre.org/techniques/${r.technique.replace('.', '/')}/) | ${r.tactics.join(', ') || '—'} | ${r.rules.map(cell).join('; ')} |`),
  ].join('\n');
}

/** `doc` with its coverage block replaced by `table`; throws when the markers are missing. */
export function replaceCoverageBlock(doc: string, table: string): string {
  const i = doc.indexOf(COVERAGE_BEGIN);
  const j = doc.indexOf(COVERAGE_END);
  if (i < 0 || j < i) throw new Error(`no coverage markers in the document (${COVERAGE_BEGIN} ... ${COVERAGE_END})`);
  return `${doc.slice(0, i + COVERAGE_BEGIN.length)}\n${table}\n${doc.slice(j)}`;
}

export function coverageBlock(doc: string): string | undefined {
  const i = doc.indexOf(COVERAGE_BEGIN);
  const j = doc.indexOf(COVERAGE_END);
  return i < 0 || j < i ? undefined : doc.slice(i + COVERAGE_BEGIN.length, j).trim();
}
