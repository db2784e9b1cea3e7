// ECS alert document <-> vigil.v1.Alert. The summary fields the control
// plane indexes (severity, technique ids, tactic names) are derived from the
// document and left in it; the rest is taken into typed fields, with
// triggering and related events as Event messages. alertFromProto gives back
// the document alertToProto was given (test/proto/ecs-map.test.ts).
import { Putter, Taker, isObject, jsonCopy, legacyDoc, type Doc } from './ecs-fields';
import { eventFromProto, eventToProto, processFromProto, processToProto } from './ecs-event-map';
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

const eventList = (v: unknown): DeepPartial<Event>[] | undefined =>
  (Array.isArray(v) && v.length > 0 && v.every(isObject) ? v.map(eventToProto) : undefined);

/** An ECS alert document as an Alert message (no `json`). seq, host_id and global_seq are the caller's. */
export function alertToProto(v: unknown): DeepPartial<Alert> {
  const doc = isObject(v) ? (jsonCopy(v) as Doc) : {};
  const summary = threatSummary(doc.threat);
  const t = new Taker(doc);
  const level = t.object(['rule'])?.level;
  const hasProcess = isObject(doc.process);
  const out: DeepPartial<Alert> = {
    id: t.str(['event', 'id']), created: t.str(['event', 'created']),
    rule_id: t.str(['rule', 'id']), rule_name: t.str(['rule', 'name']), description: t.str(['rule', 'description']),
    rule_level: t.str(['rule', 'level']), rule_tags: t.strs(['rule', 'tags']),
    severity: severityFromName(typeof level === 'string' ? level : ''),
    ...summary,
    hostname: t.str(['host', 'name']), timestamp: t.str(['@timestamp']),
    first_seen: t.str(['vigil', 'alert', 'first_seen']), last_seen: t.str(['vigil', 'alert', 'last_seen']),
    count: t.u32(['vigil', 'alert', 'count']),
    triggering_events: t.mapped(['vigil', 'alert', 'events'], eventList) ?? [],
    related_events: t.mapped(['vigil', 'alert', 'related'], eventList) ?? [],
    process: hasProcess ? processToProto(doc.process) : null,
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
  o.set(['@timestamp'], a.timestamp);
  o.set(['event', 'id'], a.id); o.set(['event', 'created'], a.created);
  o.set(['rule', 'id'], a.rule_id); o.set(['rule', 'name'], a.rule_name); o.set(['rule', 'description'], a.description);
  o.set(['rule', 'level'], a.rule_level); o.set(['rule', 'tags'], a.rule_tags);
  o.set(['host', 'name'], a.hostname);
  o.set(['vigil', 'alert', 'first_seen'], a.first_seen); o.set(['vigil', 'alert', 'last_seen'], a.last_seen);
  o.set(['vigil', 'alert', 'count'], a.count);
  o.set(['vigil', 'alert', 'events'], (a.triggering_events ?? []).map(eventFromProto));
  o.set(['vigil', 'alert', 'related'], (a.related_events ?? []).map(eventFromProto));
  if (a.process) o.doc.process = processFromProto(a.process);
  o.merge(a.extensions);
  return o.doc;
}

/** True when the message carries a document in its typed fields (a 1.3 agent), not only a summary. */
export const hasTypedDocument = (a: Pick<Alert, 'extensions' | 'triggering_events' | 'created'>): boolean =>
  Boolean(a.extensions?.fields.length || a.triggering_events?.length || a.created);
