// ECS alert document <-> vigil.v1.Alert. The summary fields the control
// plane indexes (severity, technique ids, tactic names) are derived from the
// document and left in it; the rest is taken into typed fields, with
// triggering and related events as Event messages. alertFromProto gives back
// the document alertToProto was given (test/proto/ecs-map.test.ts).
import { Putter, Taker, isObject, jsonCopy, legacyDoc, type Doc, type FieldTable } from './ecs-fields';
import { eventFromCopy, eventFromProto, processFromCopy, processFromProto } from './ecs-event-map';
import { severityFromName } from './enums';
import type { Alert, DeepPartial, Event } from './types';

const strs = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : []);

/** ECS threat (an object, or a list of them) -> technique and sub-technique ids, tactic names. */
function threatSummary(threat: unknown): { technique_ids: string[]; tactic_names: string[] } {
  const list = Array.isArray(threat) ? threat : [threat];
  const ids = new Set<string>();
  const tactics = new Set<string>();
  for (const t of list) {
    if (!isObject(t)) continue;
    const techniques = Array.isArray(t.technique) ? t.technique : [t.technique];
    for (const tech of techniques) {
      if (!isObject(tech)) continue;
      for (const id of strs(tech.id)) ids.add(id);
      const subs = Array.isArray(tech.subtechnique) ? tech.subtechnique : [tech.subtechnique];
      for (const s of subs) if (isObject(s)) for (const id of strs(s.id)) ids.add(id);
    }
    const tacticList = Array.isArray(t.tactic) ? t.tactic : [t.tactic];
    for (const tac of tacticList) if (isObject(tac)) for (const n of strs(tac.name)) tactics.add(n);
  }
  return { technique_ids: [...ids], tactic_names: [...tactics] };
}

// On the alert's own copy: each event is taken apart in place, not copied again.
const eventList = (v: unknown): DeepPartial<Event>[] | undefined =>
  (Array.isArray(v) && v.length > 0 && v.every(isObject) ? v.map((e) => eventFromCopy(e as Doc)) : undefined);

const ALERT: FieldTable = [
  ['id', ['event', 'id'], 'str'], ['created', ['event', 'created'], 'str'],
  ['rule_id', ['rule', 'id'], 'str'], ['rule_name', ['rule', 'name'], 'str'], ['description', ['rule', 'description'], 'str'],
  ['rule_level', ['rule', 'level'], 'str'], ['rule_tags', ['rule', 'tags'], 'strs'],
  ['hostname', ['host', 'name'], 'str'], ['timestamp', ['@timestamp'], 'str'],
  ['first_seen', ['vigil', 'alert', 'first_seen'], 'str'], ['last_seen', ['vigil', 'alert', 'last_seen'], 'str'],
  ['count', ['vigil', 'alert', 'count'], 'u32'],
];

/** An ECS alert document as an Alert message (no `json`). seq, host_id and global_seq are the caller's. */
export function alertToProto(v: unknown): DeepPartial<Alert> {
  const doc = isObject(v) ? (jsonCopy(v) as Doc) : {};
  const summary = threatSummary(doc.threat);
  const t = new Taker(doc);
  const level = t.object(['rule'])?.level;
  const hasProcess = isObject(doc.process);
  const out: DeepPartial<Alert> = {
    ...t.fields(ALERT),
    severity: severityFromName(typeof level === 'string' ? level : ''),
    ...summary,
    triggering_events: t.mapped(['vigil', 'alert', 'events'], eventList) ?? [],
    related_events: t.mapped(['vigil', 'alert', 'related'], eventList) ?? [],
    process: hasProcess ? processFromCopy(doc.process as Doc) : null,
  };
  if (hasProcess) t.drop(['process']);
  out.extensions = t.rest();
  return out;
}

/** The ECS document an Alert carries: its `json` from a 1.2 agent, else the typed fields. */
export function alertFromProto(a: Alert): Doc {
  const legacy = legacyDoc(a.json);
  if (legacy) return legacy;
  const o = new Putter();
  o.fields(ALERT, a);
  o.set(['vigil', 'alert', 'events'], (a.triggering_events ?? []).map(eventFromProto));
  o.set(['vigil', 'alert', 'related'], (a.related_events ?? []).map(eventFromProto));
  if (a.process) o.doc.process = processFromProto(a.process);
  o.merge(a.extensions);
  return o.doc;
}

/** True when the message carries a document in its typed fields (a 1.3 agent), not only a summary. */
export const hasTypedDocument = (a: Pick<Alert, 'extensions' | 'triggering_events' | 'created'>): boolean =>
  Boolean(a.extensions?.fields.length || a.triggering_events?.length || a.created);
