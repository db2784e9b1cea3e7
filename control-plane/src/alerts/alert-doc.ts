// The ECS alert document stored with each alert: the one a 1.3 agent's
// typed fields carry, a 1.2 agent's `json` when it is a JSON object, and
// otherwise one built from the summary fields, so an alert is never stored
// without a document.
import type { Alert, DeepPartial, Process } from '../../../proto/src';
import { SEVERITY_NAMES, alertFromProto, alertToProto, eventFromProto, hasTypedDocument, isProtoDefault, legacyDoc, severityRank } from '../../../proto/src';

export function severityName(a: Pick<Alert, 'severity'>): string {
  return SEVERITY_NAMES[severityRank(a.severity)];
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

/** The document an agent's alert carries (see the header). */
export function agentAlertDoc(a: Alert): { doc: Record<string, unknown>; from: 'typed' | 'json' | 'summary' } {
  const fromJson = legacyDoc(a.json);
  if (fromJson) return { doc: fromJson, from: 'json' };
  if (hasTypedDocument(a)) return { doc: alertFromProto(a), from: 'typed' };
  return { doc: buildDoc(a), from: 'summary' };
}

/** What the store keeps of the message: the summary; the document has the rest. */
export function summaryOf<T extends Partial<Alert>>(a: T): Omit<T, 'json' | 'triggering_events' | 'related_events' | 'process' | 'extensions'> {
  const { json: _j, triggering_events: _t, related_events: _r, process: _p, extensions: _e, ...summary } = a;
  return summary;
}

/** A stored alert as a typed feed frame: the document's fields, then what the store's summary sets, and the seq. */
export function feedMessage(a: Omit<Alert, 'json'>, doc: Record<string, unknown>, globalSeq: number): DeepPartial<Alert> {
  const set = Object.entries(summaryOf(a)).filter(([, v]) => !isProtoDefault(v));
  return { ...alertToProto(doc), ...Object.fromEntries(set), global_seq: globalSeq };
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
  const va = (vigil.alert ?? {}) as Record<string, unknown>;
  const events = (list: Alert['related_events'] | undefined, docList: unknown) =>
    (list?.length ? list.map(eventFromProto) : Array.isArray(docList) ? docList : []);
  return {
    process,
    ancestors,
    triggering_events: events(a.triggering_events, va.events ?? vigil.triggering_events ?? doc.triggering_events),
    related_events: events(a.related_events, va.related ?? vigil.related_events ?? doc.related_events),
  };
}
