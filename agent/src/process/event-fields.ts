// Safe readers for the loosely typed parts of an EcsEvent (vigil extras),
// so bad input degrades to "unknown" instead of throwing.
import type { EcsEvent } from '../model/ecs-event';

export function eventMs(ev: EcsEvent, fallback: number): number {
  const t = Date.parse(ev['@timestamp']);
  return Number.isFinite(t) ? t : fallback;
}

export function succeeded(ev: EcsEvent): boolean {
  if (ev.event.outcome === 'failure') return false;
  return typeof ev.vigil.ret !== 'number' || ev.vigil.ret >= 0;
}

function obj(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : undefined;
}

export interface ForkChild {
  pid: number;
  entity_id: string;
}

/** vigil.child of a fork event; undefined for threads or malformed input. */
export function forkChild(ev: EcsEvent): ForkChild | undefined {
  const c = obj(ev.vigil.child);
  if (!c || typeof c.pid !== 'number' || typeof c.entity_id !== 'string' || !c.entity_id) return undefined;
  if (ev.vigil.thread === true || c.entity_id === ev.process.entity_id) return undefined;
  return { pid: c.pid, entity_id: c.entity_id };
}

export interface DupStdio {
  oldfd?: number;
  newfd: number;
  file_type?: string;
  family?: string;
  /** A pipe's inode (pipelines.ts). */
  pipeInode?: number;
}

export function dupStdio(ev: EcsEvent): DupStdio | undefined {
  const d = obj(ev.vigil.dup);
  if (!d || typeof d.newfd !== 'number') return undefined;
  return {
    oldfd: typeof d.oldfd === 'number' ? d.oldfd : undefined,
    newfd: d.newfd,
    file_type: typeof d.file_type === 'string' ? d.file_type : undefined,
    family: typeof d.socket_family === 'string' ? d.socket_family : typeof d.family === 'string' ? d.family : undefined,
    pipeInode: typeof d.pipe_inode === 'number' ? d.pipe_inode : undefined,
  };
}

/** "ip:port" ("[ip]:port" for IPv6) of the event's destination, if any. */
export function peerOf(ev: EcsEvent): string | undefined {
  const ip = ev.destination?.ip;
  const port = ev.destination?.port;
  if (!ip || typeof port !== 'number') return undefined;
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

const EINPROGRESS = -115;

/** A connect that reached (or is reaching, non-blocking) an IP peer. */
export function isOutboundConnect(ev: EcsEvent): boolean {
  if (ev.event.action !== 'connect' || !peerOf(ev)) return false;
  return succeeded(ev) || ev.vigil.ret === EINPROGRESS || ev.vigil.errno === 'EINPROGRESS';
}

const WRITE_FLAGS = new Set(['O_WRONLY', 'O_RDWR', 'O_CREAT', 'O_TRUNC']);

/** The path whose content this event (re)wrote, if it is such an event. */
export function writtenPath(ev: EcsEvent): string | undefined {
  if (!succeeded(ev) || !ev.file) return undefined;
  switch (ev.event.action) {
    case 'open': {
      const flags = Array.isArray(ev.vigil.flag_names) ? ev.vigil.flag_names : [];
      return flags.some((f) => WRITE_FLAGS.has(f)) ? ev.file.path : undefined;
    }
    case 'create':
    case 'truncate':
      return ev.file.path;
    case 'rename':
    case 'link':
      return ev.file.target_path;
    default:
      return undefined;
  }
}

export function commandLine(args: string[] | undefined): string | undefined {
  return args && args.length ? args.join(' ') : undefined;
}
