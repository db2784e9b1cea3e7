// `vigil baseline status` as text.
import type { BaselineStatus } from './baseline-engine';

type Status = BaselineStatus & { owner_pid: number | null; pending_inbox: number; saved_at: number | null };

export function explainStatus(s: Status): string {
  const iso = (ms: number): string => new Date(ms).toISOString();
  const lines = [
    s.learning ? `learning: yes, alerts start at ${iso(s.learning_ends)} (learning since ${iso(s.learning_since)})` : `learning: done (since ${iso(s.learning_since)}, ended ${iso(s.learning_ends)})`,
    `entries: ${s.entries} of ${s.max_entries}; allowed behaviours: ${s.allowed}`,
    `owner: ${s.owner_pid ? `agent pid ${s.owner_pid}` : 'no running agent'}; last saved ${s.saved_at ? iso(s.saved_at) : 'never'}; pending inbox items: ${s.pending_inbox}`,
    '',
    'PROFILE       CONTEXTS  ENTRIES  OBSERVATIONS  OLDEST',
  ];
  for (const [p, v] of Object.entries(s.profiles).sort()) {
    lines.push(`${p.padEnd(13)} ${String(v.contexts).padStart(8)} ${String(v.entries).padStart(8)} ${String(v.observations).padStart(13)}  ${v.oldest ?? '-'}`);
  }
  if (s.top_storylines.length) {
    lines.push('', 'RISKIEST STORYLINES (this process only)');
    for (const t of s.top_storylines) lines.push(`  ${t.risk} ${t.executable ?? '?'} pid ${t.pid ?? '?'}: ${t.summary}`);
  }
  return lines.join('\n');
}
