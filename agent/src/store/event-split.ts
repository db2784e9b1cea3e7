// An EcsEvent is stored as two parts: the process image (who ran: the
// process's own fields and its parent, stored once per image in
// `processes`) and the event body (what happened: everything else, one
// narrow row per event). Ancestors are not stored with either: the query
// side walks processes.parent_pk. render() puts the document back
// together, so the ECS shape users see does not change.
import type { EcsAncestor, EcsEvent, EcsProcess } from '../model/ecs-event';
import { eventId } from '../normalize/common';
import { cappedArgs } from '../process/process-table';

/** Process fields that belong to one event, not to the process image. */
const PER_EVENT = ['name', 'thread', 'exit_code'] as const;
/** vigil fields that are the process's, not the event's: kept with the image. */
const VIGIL_OF_PROCESS = ['cgroup_id', 'mnt_ns', 'pid_ns', 'loginuid', 'start_boottime_ns'] as const;

/**
 * The process image: EcsProcess without per-event fields and ancestors,
 * plus what is the same for all of a process's events (host, user,
 * container, namespaces). Any change (setuid, setns) makes a new image.
 */
export interface ProcessImage {
  process: Omit<EcsProcess, 'ancestors' | (typeof PER_EVENT)[number]>;
  host?: EcsEvent['host'];
  user?: EcsEvent['user'];
  container?: EcsEvent['container'];
  vigil?: Partial<Pick<EcsEvent['vigil'], (typeof VIGIL_OF_PROCESS)[number]>>;
}

export interface SplitEvent {
  entityId: string;
  /** The image as stored; JSON.stringify it only when it changed (imageSignature). */
  image: ProcessImage;
  /** Nearest first: the event's ancestors, or else its parent alone. Links the image to its parent's, and
   *  creates images for ancestors the store has not seen. */
  chain: EcsAncestor[];
  /** The event without its image, as JSON. */
  bodyJson: string;
}

/**
 * What a row keeps. Private markers, stripped by render: `_anc` how many
 * ancestors the event had (absent: no ancestors field); `_id` event.id was
 * the normalizer's `<entity>-<tid>-<ts_boot_ns>` and is rebuilt; a
 * '@timestamp' starting with '~' holds only the digits past the row's ms.
 */
type Body = Omit<EcsEvent, 'process' | 'host' | 'user' | 'container'> & {
  process?: Partial<Pick<EcsProcess, (typeof PER_EVENT)[number]>> & { _anc?: number; _id?: 1 };
};

const msPrefix = (ts: number): string => new Date(ts).toISOString().slice(0, -1);

/** '@timestamp' past the millisecond ("2026-01-02T03:04:05.123456789Z" -> "456789Z"), when it has that shape. */
function subMs(stamp: unknown): string | undefined {
  return typeof stamp === 'string' && stamp.length > 24 && stamp[10] === 'T' && stamp[19] === '.' && stamp[stamp.length - 1] === 'Z'
    ? stamp.slice(23) : undefined;
}

/** compactStamp: the row's ts was parsed from this '@timestamp' (render rebuilds its millisecond prefix from ts). */
export function splitEvent(ev: EcsEvent, compactStamp = true): SplitEvent | undefined {
  const p = ev.process;
  if (!p || typeof p.entity_id !== 'string' || p.entity_id === '') return undefined;
  // Built key by key, never with `delete`: this runs for every stored event.
  const imageProcess: Record<string, unknown> = {};
  const own: NonNullable<Body['process']> = {};
  let ancestors: EcsAncestor[] | undefined;
  for (const k in p) {
    const v = (p as unknown as Record<string, unknown>)[k];
    if (k === 'ancestors') ancestors = v as EcsAncestor[];
    else if (k === 'name' || k === 'thread' || k === 'exit_code') { if (v !== undefined) (own as Record<string, unknown>)[k] = v; }
    else imageProcess[k] = v;
  }
  if (Array.isArray(ancestors)) own._anc = ancestors.length;
  const image: ProcessImage = { process: imageProcess as ProcessImage['process'] };
  const body: Record<string, unknown> = {};
  const vigil = ev.vigil;
  for (const k in ev) {
    const v = (ev as unknown as Record<string, unknown>)[k];
    if (k === 'process') continue;
    if (k === 'host' || k === 'user' || k === 'container') { if (v !== undefined) (image as unknown as Record<string, unknown>)[k] = v; }
    else if (k === 'vigil' && v && typeof v === 'object') {
      const left: Record<string, unknown> = {};
      const mine: Record<string, unknown> = {};
      let any = false;
      for (const vk in vigil) {
        if ((VIGIL_OF_PROCESS as readonly string[]).includes(vk)) { mine[vk] = vigil[vk]; any = true; } else left[vk] = vigil[vk];
      }
      if (any) image.vigil = mine as ProcessImage['vigil'];
      body.vigil = left;
    } else if (k === 'event' && v && typeof v === 'object' && (v as EcsEvent['event']).id === eventId(p.entity_id, p.thread?.id, vigil?.ts_boot_ns)) {
      const e: Record<string, unknown> = {};
      for (const ek in v) if (ek !== 'id') e[ek] = (v as Record<string, unknown>)[ek];
      body.event = e;
      own._id = 1;
    } else if (k === '@timestamp') {
      const sub = compactStamp ? subMs(v) : undefined;
      body[k] = sub === undefined ? v : `~${sub}`;
    } else body[k] = v;
  }
  body.process = own;
  const parent = p.parent;
  const chain = Array.isArray(ancestors) && ancestors.length ? ancestors
    : parent && typeof parent.entity_id === 'string' && parent.entity_id !== p.entity_id
      ? [{ pid: parent.pid, entity_id: parent.entity_id, executable: parent.executable, args: parent.args }]
      : [];
  return { entityId: p.entity_id, image, chain, bodyJson: JSON.stringify(body) };
}

/**
 * Every leaf of an image, three levels deep, arrays by reference: equal
 * signatures mean equal images, so the image need not be serialized again.
 * (The process table hands out the same args arrays until the next exec.)
 */
export function imageSignature(image: ProcessImage): unknown[] {
  const out: unknown[] = [];
  const walk = (o: Record<string, unknown>, depth: number): void => {
    for (const k in o) {
      const v = o[k];
      out.push(k);
      if (v !== null && typeof v === 'object' && !Array.isArray(v) && depth < 3) {
        out.push('{');
        walk(v as Record<string, unknown>, depth + 1);
        out.push('}');
      } else out.push(v);
    }
  };
  walk(image as unknown as Record<string, unknown>, 0);
  return out;
}

/** An ancestor as the process table renders it: args capped at ANCESTOR_ARGS_MAX bytes. */
export function ancestorOf(image: ProcessImage): EcsAncestor {
  const p = image.process;
  const out: EcsAncestor = { pid: p.pid, entity_id: p.entity_id, executable: p.executable, args: p.args };
  if ((p as { args_truncated?: true }).args_truncated) out.args_truncated = true; // a stub made from a capped ancestor
  const capped = cappedArgs(p.args);
  return capped ? { ...out, args: capped, args_truncated: true } : out;
}

/** The image an ancestor implies, for ancestors the store has no events of (seeded before the agent). */
export function imageOfAncestor(a: EcsAncestor, host?: EcsEvent['host']): ProcessImage {
  const process = { pid: a.pid, entity_id: a.entity_id, executable: a.executable, args: a.args, parent: { pid: 0 },
    ...(a.args_truncated ? { args_truncated: true } : {}) } as ProcessImage['process'];
  return host ? { process, host } : { process };
}

export function parseBody(bodyJson: string): Body | undefined {
  try {
    return JSON.parse(bodyJson) as Body;
  } catch {
    return undefined; // a damaged row must not fail the whole query
  }
}

/** How many ancestors to render for this body (undefined: none, the event had no chain). */
export const ancestorCount = (body: Body): number | undefined => body.process?._anc;

/** Body + image + ancestors (nearest first, already cut to ancestorCount) -> the EcsEvent the collector emitted. */
export function renderEvent(body: Body, image: ProcessImage | undefined, ancestors: EcsAncestor[] | undefined, ts: number): EcsEvent {
  const { _anc, _id, ...own } = body.process ?? {};
  const process = { ...(image?.process ?? {}), ...own } as EcsProcess;
  if (ancestors) process.ancestors = ancestors;
  const ev = { ...body, process } as unknown as EcsEvent;
  const stamp = body['@timestamp'];
  if (typeof stamp === 'string' && stamp.startsWith('~')) ev['@timestamp'] = msPrefix(ts) + stamp.slice(1);
  if (image?.host) ev.host = image.host;
  if (image?.user) ev.user = image.user;
  if (image?.container) ev.container = image.container;
  if (image?.vigil) ev.vigil = { ...image.vigil, ...body.vigil } as EcsEvent['vigil'];
  if (_id) ev.event = { ...body.event, id: eventId(process.entity_id, process.thread?.id, ev.vigil?.ts_boot_ns) };
  return ev;
}
