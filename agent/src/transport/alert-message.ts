// Outbox row (ECS alert document) -> vigil.v1 Alert, typed (protocol 1.3),
// guaranteed to encode within `maxBytes`. An alert that cannot be sent would
// block every later seq, so an oversized one is slimmed step by step
// (related events first, the process last) rather than skipped, and marked
// vigil.alert.transport_truncated.
import type { Alert, DeepPartial } from '../../../proto/src';
import { alertToProto, encodeAlert } from '../../../proto/src';
import { isWireError } from '../../../proto/src/errors';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {});
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

export interface AlertMessage { alert: DeepPartial<Alert>; bytes: number; slimmed: number }

function parse(text: string): Obj {
  try {
    return obj(JSON.parse(text));
  } catch {
    return {};
  }
}

export function buildAlert(seq: number, doc: Obj): DeepPartial<Alert> {
  const alert = alertToProto(doc);
  // host_id is left empty: the control plane takes it from the connection.
  return {
    ...alert, seq, id: alert.id || `seq-${seq}`,
    // The control plane rejects an alert without rule_id (and would keep rejecting the resend).
    rule_id: alert.rule_id || 'unknown',
  };
}

/** Each step drops more; the last sends only the message fields. */
const SLIM_STEPS: Array<(doc: Obj) => void> = [
  (doc) => { mark(doc).related = []; },
  (doc) => { mark(doc).events = []; },
  (doc) => { delete doc.process; },
  (doc) => {
    for (const k of Object.keys(doc)) if (!ALERT_CORE.has(k)) delete doc[k];
    const vigil = obj(doc.vigil);
    for (const k of Object.keys(vigil)) if (k !== 'alert') delete vigil[k];
  },
];
const ALERT_CORE = new Set(['@timestamp', 'event', 'rule', 'threat', 'host', 'vigil']);

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
  let alert = buildAlert(seq, doc);
  let bytes = tryEncode(alert, maxBytes);
  let slimmed = 0;
  for (const step of SLIM_STEPS) {
    if (bytes !== undefined) return { alert, bytes, slimmed };
    step(doc);
    slimmed++;
    alert = buildAlert(seq, doc);
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
