// The ECS alert document stored with each alert: the agent's own `json`
// when it is a JSON object, otherwise one built from the message fields
// so an alert is never stored without a document.
import type { Alert, Process } from '../../../proto/src';
import { SEVERITY_NAMES, severityRank } from '../../../proto/src';

export function severityName(a: Pick<Alert, 'severity'>): string {
  return SEVERITY_NAMES[severityRank(a.severity)];
}

export function parseDoc(json: string): Record<string, unknown> | undefined {
  if (!json) return undefined;
  try {
    const v: unknown = JSON.parse(json);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function ecsProcess(p: Process | null): Record<string, unknown> | undefined {
  if (!p) return undefined;
  return {
    pid: p.pid, entity_id: p.entity_id, name: p.name, executable: p.executable, args: p.args,
    command_line: p.command_line, working_directory: p.working_directory, start: p.start || undefined,
    thread: { id: p.thread_id },
    parent: { pid: p.parent_pid, entity_id: p.parent_entity_id, executable: p.parent_executable },
    ancestors: p.ancestors,
  };
}

export function buildDoc(a: Omit<Alert, 'json'>): Record<string, unknown> {
  return {
    '@timestamp': a.timestamp || new Date().toISOString(),
    event: { kind: 'alert', severity: severityRank(a.severity), id: a.id, count: a.count },
    rule: { id: a.rule_id, name: a.rule_name, description: a.description },
    host: { id: a.host_id, name: a.hostname },
    threat: { technique: { id: a.technique_ids }, tactic: { name: a.tactic_names } },
    process: ecsProcess(a.process),
    vigil: { severity: severityName(a), first_seen: a.first_seen || undefined, last_seen: a.last_seen || undefined },
  };
}

/** Process tree and events for GET /v1/alerts/:id, preferring the message fields, then the doc. */
export function alertDetail(a: Omit<Alert, 'json'>, doc: Record<string, unknown>) {
  const docProcess = doc.process as Record<string, unknown> | undefined;
  const vigil = (doc.vigil ?? {}) as Record<string, unknown>;
  const process = ecsProcess(a.process) ?? docProcess ?? null;
  const ancestors = (process as { ancestors?: unknown[] } | null)?.ancestors ?? [];
  const events = (list: Alert['related_events'], key: string) =>
    list.length ? list.map((e) => parseDocOr(e.json, e)) : ((vigil[key] ?? doc[key] ?? []) as unknown[]);
  return {
    process,
    ancestors,
    triggering_events: events(a.triggering_events, 'triggering_events'),
    related_events: events(a.related_events, 'related_events'),
  };
}

function parseDocOr(json: string, fallback: object): unknown {
  return parseDoc(json) ?? stripJson(fallback);
}

function stripJson(o: object): object {
  const { json: _json, ...rest } = o as { json?: unknown };
  return rest;
}
