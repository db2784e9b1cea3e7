// Outbox row (ECS alert document) -> vigil.v1 Alert, guaranteed to encode
// within `maxBytes`. An alert that cannot be sent would block every later
// seq, so an oversized one is slimmed step by step (related events first,
// the full document last) rather than skipped; the control plane builds a
// document from the message fields when `json` is empty.
import type { Alert, DeepPartial } from '../../../proto/src';
import { encodeAlert, severityFromName } from '../../../proto/src';
import { isWireError } from '../../../proto/src/errors';
import { obj, str, strs, toEventRef, toProtoProcess, u32, type Obj } from './ecs-to-proto';

export interface AlertMessage { alert: DeepPartial<Alert>; bytes: number; slimmed: number }

function parse(text: string): Obj {
  try {
    return obj(JSON.parse(text));
  } catch {
    return {};
  }
}

export function buildAlert(seq: number, doc: Obj, json: string): DeepPartial<Alert> {
  const rule = obj(doc.rule);
  const event = obj(doc.event);
  const threat = obj(doc.threat);
  const technique = obj(threat.technique);
  const va = obj(obj(doc.vigil).alert);
  const events = Array.isArray(va.events) ? va.events : [];
  const related = Array.isArray(va.related) ? va.related : [];
  return {
    id: str(event.id) || `seq-${seq}`, seq,
    // The control plane rejects an alert without rule_id (and would keep rejecting the resend).
    rule_id: str(rule.id) || 'unknown', rule_name: str(rule.name), description: str(rule.description),
    severity: severityFromName(str(rule.level)),
    technique_ids: [...new Set([...strs(technique.id), ...strs(obj(technique.subtechnique).id)])],
    tactic_names: strs(obj(threat.tactic).name),
    // host_id is left empty: the control plane takes it from the connection.
    hostname: str(obj(doc.host).name), timestamp: str(doc['@timestamp']),
    first_seen: str(va.first_seen), last_seen: str(va.last_seen), count: u32(va.count) || 1,
    triggering_events: events.map(toEventRef), process: toProtoProcess(doc.process),
    related_events: related.map(toEventRef), json,
  };
}

/** Each step drops more; the last sends only the message fields. */
const SLIM_STEPS: Array<(doc: Obj) => void> = [
  (doc) => { mark(doc).related = []; },
  (doc) => { mark(doc).events = []; },
  (doc) => { delete doc.process; },
];

function mark(doc: Obj): Obj {
  const vigil = (doc.vigil = obj(doc.vigil));
  const alert = (vigil.alert = obj(vigil.alert));
  alert.transport_truncated = true;
  return alert;
}

function tryEncode(alert: DeepPartial<Alert>, maxBytes: number): number | undefined {
  try {
    return encodeAlert(alert, maxBytes).length;
  } catch (err) {
    if (isWireError(err)) return undefined;
    throw err;
  }
}

export function toAlertMessage(seq: number, docText: string, maxBytes: number): AlertMessage {
  const doc = parse(docText);
  let alert = buildAlert(seq, doc, docText);
  let bytes = tryEncode(alert, maxBytes);
  let slimmed = 0;
  for (const step of SLIM_STEPS) {
    if (bytes !== undefined) return { alert, bytes, slimmed };
    step(doc);
    slimmed++;
    alert = buildAlert(seq, doc, JSON.stringify(doc));
    bytes = tryEncode(alert, maxBytes);
  }
  if (bytes !== undefined) return { alert, bytes, slimmed };
  // Last resort: identity fields only, each capped, which always fits.
  const cap = (v: unknown, n: number) => str(v).slice(0, n);
  alert = {
    id: cap(alert.id, 128), seq, rule_id: cap(alert.rule_id, 256), rule_name: cap(alert.rule_name, 1024),
    severity: alert.severity, hostname: cap(alert.hostname, 256), timestamp: cap(alert.timestamp, 64), count: alert.count,
  };
  return { alert, bytes: tryEncode(alert, maxBytes) ?? 0, slimmed: slimmed + 1 };
}
