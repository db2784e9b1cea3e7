// An EcsEvent is stored as two parts: the process image (who ran: the
// process's own fields and its parent, stored once per image in
// `processes`) and the event body (what happened: everything else, one
// narrow row per event). Ancestors are not stored with either: the query
// side walks processes.parent_pk. render() puts the document back
// together, so the ECS shape users see does not change.
import type { EcsAncestor, EcsEvent, EcsProcess } from '../model/ecs-event';
import { ANCESTOR_ARGS_MAX } from '../process/process-table';

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
  /** The image as stored (its JSON is the dedup key). */
  imageJson: string;
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

const derivedId = (entityId: string, tid: unknown, tsBoot: unknown): string => `${entityId}-${String(tid)}-${String(tsBoot)}`;
const msPrefix = (ts: number): string => new Date(ts).toISOString().slice(0, -1);

export function splitEvent(ev: EcsEvent, ts = Date.parse(ev['@timestamp'])): SplitEvent | undefined {
  const p = ev.process;
  if (!p || typeof p.entity_id !== 'string' || p.entity_id === '') return undefined;
  const { ancestors, name, thread, exit_code: exitCode, ...imageProcess } = p;
  const { process: _p, host, user, container, vigil, event, ...rest } = ev;
  const own: Body['process'] = {};
  if (name !== undefined) own.name = name;
  if (thread !== undefined) own.thread = thread;
  if (exitCode !== undefined) own.exit_code = exitCode;
  if (Array.isArray(ancestors)) own._anc = ancestors.length;

  const image: ProcessImage = { process: imageProcess };
  if (host) image.host = host;
  if (user) image.user = user;
  if (container) image.container = container;
  let bodyVigil = vigil;
  if (vigil && typeof vigil === 'object') {
    const mine: Record<string, unknown> = {};
    const left: Record<string, unknown> = { ...vigil };
    for (const k of VIGIL_OF_PROCESS) if (k in left) { mine[k] = left[k]; delete left[k]; }
    if (Object.keys(mine).length) image.vigil = mine as ProcessImage['vigil'];
    bodyVigil = left as EcsEvent['vigil'];
  }
  let bodyEvent = event;
  if (event && event.id === derivedId(p.entity_id, thread?.id, vigil?.ts_boot_ns)) {
    const { id: _id, ...e } = event;
    bodyEvent = e as EcsEvent['event'];
    own._id = 1;
  }
  const body = { ...rest, event: bodyEvent, vigil: bodyVigil, process: own } as Body;
  const stamp = ev['@timestamp'];
  if (typeof stamp === 'string' && Number.isFinite(ts)) {
    const prefix = msPrefix(ts);
    if (stamp.startsWith(prefix)) body['@timestamp'] = `~${stamp.slice(prefix.length)}`;
  }
  const parent = p.parent;
  const chain = Array.isArray(ancestors) && ancestors.length ? ancestors
    : parent && typeof parent.entity_id === 'string' && parent.entity_id !== p.entity_id
      ? [{ pid: parent.pid, entity_id: parent.entity_id, executable: parent.executable, args: parent.args }]
      : [];
  return { entityId: p.entity_id, imageJson: JSON.stringify(image), image, chain, bodyJson: JSON.stringify(body) };
}

/** An ancestor as the process table renders it: args capped at ANCESTOR_ARGS_MAX bytes. */
export function ancestorOf(image: ProcessImage): EcsAncestor {
  const p = image.process;
  const out: EcsAncestor = { pid: p.pid, entity_id: p.entity_id, executable: p.executable, args: p.args };
  if ((p as { args_truncated?: true }).args_truncated) out.args_truncated = true; // a stub made from a capped ancestor
  const args = p.args;
  let total = 0;
  for (const a of args ?? []) total += a.length;
  if (!args || total <= ANCESTOR_ARGS_MAX) return out;
  const kept: string[] = [];
  let left = ANCESTOR_ARGS_MAX;
  for (const a of args) {
    if (a.length > left) {
      if (left > 0) kept.push(a.slice(0, left));
      break;
    }
    kept.push(a);
    left -= a.length;
  }
  return { ...out, args: kept, args_truncated: true };
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
  if (_id) ev.event = { ...body.event, id: derivedId(process.entity_id, process.thread?.id, ev.vigil?.ts_boot_ns) };
  return ev;
}
