// EcsEvent -> column values, on the collector thread. Reads defensively: a
// malformed document gets NULL columns, not an exception. An event becomes
// a narrow row plus a reference to its process image (event-split.ts); the
// image and the ancestors travel to the writer only when they changed for
// that process, which `ImagesSent` remembers.
import type { EcsEvent } from '../model/ecs-event';
import { createHash } from 'node:crypto';
import { LruMap } from '../process/lru';
import { imageSignature, splitEvent, type ProcessImage } from './event-split';

export type EventRow = {
  ts: number; action: string; entity_id: string;
  /** The process image JSON, or null: unchanged since the last row of this process. */
  image: string | null;
  /** The ancestors JSON (nearest first) with a new image, else null. */
  ancestors: string | null;
  file_path: string | null; target_path: string | null; remote_ip: string | null;
  remote_port: number | null; body: string;
};

/** Which image the writer last received per process (bounded; a miss just resends). */
export class ImagesSent {
  private readonly last = new LruMap<string, { sig: unknown[]; digest: string }>(16_384);
  reset(): void {
    this.last.clear();
  }

  /** The image's JSON when it is news for this process (and remembers it), else null. */
  changed(entityId: string, image: ProcessImage): string | null {
    const sig = imageSignature(image);
    const prev = this.last.get(entityId);
    if (prev && sameLeaves(prev.sig, sig)) return null;
    const json = JSON.stringify(image);
    const digest = createHash('sha1').update(json).digest('base64');
    this.last.set(entityId, { sig, digest });
    return prev?.digest === digest ? null : json;
  }
}

function sameLeaves(a: unknown[], b: unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

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

export function toEventRow(ev: EcsEvent, now: number, sent: ImagesSent): EventRow | undefined {
  const parsed = timestampMs(ev, Number.NaN);
  const ts = Number.isFinite(parsed) ? parsed : now;
  const split = splitEvent(ev, Number.isFinite(parsed));
  if (!split) return undefined;
  const e = obj(ev.event);
  const file = obj(ev.file);
  const dst = obj(ev.destination);
  const src = obj(ev.source);
  // The remote end: the source for inbound connections, the destination otherwise.
  const ingress = obj(ev.network).direction === 'ingress';
  const remote = ingress ? (str(src.ip) ? src : dst) : (str(dst.ip) ? dst : src);
  const fresh = sent.changed(split.entityId, split.image);
  return {
    ts,
    action: str(e.action) ?? 'unknown',
    entity_id: split.entityId,
    image: fresh,
    ancestors: fresh ? JSON.stringify(split.chain) : null,
    file_path: str(file.path),
    target_path: str(file.target_path),
    remote_ip: str(remote.ip),
    remote_port: int(remote.port),
    body: split.bodyJson,
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
 * serialized (a BigInt, a cycle, no process entity): the caller counts it,
 * the batch goes on.
 */
export function addRow(batch: RowBatch, ev: EcsEvent, now: number, sent: ImagesSent): boolean {
  try {
    if (isAlert(ev)) {
      batch.alerts.push(toAlertRow(ev, JSON.stringify(ev), now));
      return true;
    }
    const row = toEventRow(ev, now, sent);
    if (!row) return false;
    batch.events.push(row);
    return true;
  } catch {
    return false;
  }
}
