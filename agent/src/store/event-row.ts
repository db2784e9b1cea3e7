// EcsEvent -> column values. Runs at flush time (never in append) and reads
// defensively: a malformed document gets NULL columns, not an exception.
import type { EcsEvent } from '../model/ecs-event';

export type EventRow = {
  ts: number; action: string; category: string | null; pid: number | null; ppid: number | null;
  entity_id: string | null; parent_entity_id: string | null; executable: string | null;
  file_path: string | null; target_path: string | null; remote_ip: string | null;
  remote_port: number | null; outcome: string | null; doc: string;
};

export type AlertRow = {
  ts: number; rule_id: string | null; rule_name: string | null; severity: number | null;
  entity_id: string | null; pid: number | null; executable: string | null; count: number | null; doc: string;
};

/** Rows for one transaction: events and alerts go to their own tables. */
export interface RowBatch {
  events: EventRow[];
  alerts: AlertRow[];
}

/** Extra fields an alert carries on top of EcsEvent (written by the rules engine). */
export interface AlertFields {
  rule?: { id?: string; name?: string };
  event: EcsEvent['event'] & { severity?: number };
}
export type EcsAlert = EcsEvent & AlertFields;

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const int = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? Math.trunc(v) : null);
const obj = (v: unknown): Record<string, unknown> =>
  (typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {});

export function isAlert(ev: EcsEvent): boolean {
  return obj(ev).event !== undefined && obj(obj(ev).event).kind === 'alert';
}

export function timestampMs(ev: unknown, fallback: number): number {
  const t = obj(ev)['@timestamp'];
  const ms = typeof t === 'string' ? Date.parse(t) : NaN;
  return Number.isFinite(ms) ? ms : fallback;
}

export function toEventRow(ev: EcsEvent, doc: string, now: number): EventRow {
  const e = obj(ev.event);
  const p = obj(ev.process);
  const parent = obj(p.parent);
  const file = obj(ev.file);
  const dst = obj(ev.destination);
  const src = obj(ev.source);
  // The remote end: the source for inbound connections, the destination otherwise.
  const ingress = obj(ev.network).direction === 'ingress';
  const remote = ingress ? (str(src.ip) ? src : dst) : (str(dst.ip) ? dst : src);
  return {
    ts: timestampMs(ev, now),
    action: str(e.action) ?? 'unknown',
    category: Array.isArray(e.category) ? e.category.filter((c) => typeof c === 'string').join(',') : null,
    pid: int(p.pid),
    ppid: int(parent.pid),
    entity_id: str(p.entity_id),
    parent_entity_id: str(parent.entity_id),
    executable: str(p.executable),
    file_path: str(file.path),
    target_path: str(file.target_path),
    remote_ip: str(remote.ip),
    remote_port: int(remote.port),
    outcome: str(e.outcome),
    doc,
  };
}

export function toAlertRow(ev: EcsEvent, doc: string, now: number): AlertRow {
  const a = ev as EcsAlert;
  const rule = obj(a.rule);
  const p = obj(a.process);
  const alert = obj(obj(a.vigil).alert);
  const count = int(alert.count) ?? (Array.isArray(alert.events) ? alert.events.length : null);
  return {
    ts: timestampMs(ev, now),
    rule_id: str(rule.id),
    rule_name: str(rule.name),
    severity: int(obj(a.event).severity),
    entity_id: str(p.entity_id),
    pid: int(p.pid),
    executable: str(p.executable),
    count,
    doc,
  };
}

/**
 * Serializes `ev` and adds its row to `batch`. False when it cannot be
 * serialized (a BigInt, a cycle): the caller counts it, the batch goes on.
 */
export function addRow(batch: RowBatch, ev: EcsEvent, now: number): boolean {
  let doc: string;
  try {
    doc = JSON.stringify(ev);
  } catch {
    return false;
  }
  if (isAlert(ev)) batch.alerts.push(toAlertRow(ev, doc, now));
  else batch.events.push(toEventRow(ev, doc, now));
  return true;
}
