// Per-process recent activity for alert context: a ring of the last N
// exec/file/network/dup-stdio events as one-line summaries, plus bounded
// sets of outbound peers, files written and socket fds seen.
import type { EcsEvent, EventAction } from '../model/ecs-event';
import { commandLine, dupStdio, isOutboundConnect, peerOf, writtenPath } from './event-fields';
import { LruMap } from './lru';

export interface ActivityItem {
  '@timestamp': string;
  action: EventAction;
  summary: string;
}

export interface ProcessActivity {
  recent: ActivityItem[];
  /** "ip:port" -> last connect time (ms), insertion-ordered, bounded. */
  peers: Map<string, number>;
  filesWritten: Set<string>;
  /** Socket fds this process created/connected/accepted (no close tracking). */
  sockets: Set<number>;
  lastOutboundMs?: number;
}

export interface ActivityOptions {
  ringSize?: number;
  setSize?: number;
  maxProcesses?: number;
}

const SUMMARY_MAX = 240;

function addBounded<T>(set: Set<T> | Map<T, number>, key: T, max: number, value = 0): void {
  set.delete(key);
  if (set instanceof Map) set.set(key, value);
  else set.add(key);
  if (set.size > max) set.delete(set.keys().next().value as T);
}

export function summarize(ev: EcsEvent): string | undefined {
  const a = ev.event.action;
  const cats = Array.isArray(ev.event.category) ? ev.event.category : [];
  let s: string | undefined;
  if (a === 'exec') {
    s = `exec ${ev.process.executable ?? ev.process.name} ${commandLine(ev.process.args?.slice(1)) ?? ''}`;
  } else if (a === 'dup-stdio') {
    const d = dupStdio(ev);
    if (d) s = `dup-stdio ${d.oldfd ?? '?'}->${d.newfd} ${d.file_type ?? ''} ${d.family ?? ''}`;
  } else if (cats.includes('file')) {
    const target = ev.file?.target_path ? ` -> ${ev.file.target_path}` : '';
    const flags = Array.isArray(ev.vigil.flag_names) ? ` [${ev.vigil.flag_names.join('|')}]` : '';
    s = `${a} ${ev.file?.path ?? '?'}${target}${flags}`;
  } else if (cats.includes('network')) {
    const where = peerOf(ev) ?? (ev.source?.ip ? `${ev.source.ip}:${ev.source.port ?? '?'}` : '');
    s = `${a} ${ev.network?.transport ?? ''} ${where}`;
  }
  if (s === undefined) return undefined;
  if (ev.event.outcome === 'failure') s += ` (${ev.vigil.errno ?? 'failed'})`;
  s = s.replace(/\s+/g, ' ').trim();
  return s.length > SUMMARY_MAX ? `${s.slice(0, SUMMARY_MAX - 1)}…` : s;
}

export class ActivityTracker {
  private readonly ringSize: number;
  private readonly setSize: number;
  private readonly byEntity: LruMap<string, ProcessActivity>;

  constructor(opts: ActivityOptions = {}) {
    this.ringSize = opts.ringSize ?? 20;
    this.setSize = opts.setSize ?? 32;
    this.byEntity = new LruMap(opts.maxProcesses ?? 32_768);
  }

  get(entityId: string): ProcessActivity | undefined {
    return this.byEntity.peek(entityId);
  }

  drop(entityId: string): void {
    this.byEntity.delete(entityId);
  }

  record(ev: EcsEvent, atMs: number): void {
    const summary = summarize(ev);
    if (summary === undefined) return;
    const id = ev.process.entity_id;
    let act = this.byEntity.get(id);
    if (!act) {
      act = { recent: [], peers: new Map(), filesWritten: new Set(), sockets: new Set() };
      this.byEntity.set(id, act);
    }
    act.recent.push({ '@timestamp': ev['@timestamp'], action: ev.event.action, summary });
    if (act.recent.length > this.ringSize) act.recent.shift();

    const written = writtenPath(ev);
    if (written) addBounded(act.filesWritten, written, this.setSize);
    if (isOutboundConnect(ev)) {
      addBounded(act.peers, peerOf(ev) as string, this.setSize, atMs);
      act.lastOutboundMs = atMs;
    }
    const fd = ev.vigil.fd;
    if (['socket', 'connect', 'accept'].includes(ev.event.action) && typeof fd === 'number' && fd >= 0) {
      addBounded(act.sockets, fd, this.setSize);
    }
  }

  /** Peers connected to within `windowMs` before `atMs`, newest last. */
  recentPeers(entityId: string, atMs: number, windowMs: number): string[] {
    const act = this.byEntity.peek(entityId);
    if (!act) return [];
    return [...act.peers].filter(([, t]) => atMs - t <= windowMs).map(([p]) => p);
  }
}
