// Processes by entity_id, with a pid -> current entity index. Bounded by an
// LRU; exited processes stay resolvable for a grace period so late events
// still find them. An exited process is kept past that while any child
// entry in the table references it (refs), so the lineage of a long-lived
// descendant (a daemon's worker, a reverse shell left running) stays whole;
// it goes once its last child entry has gone.
import type { EcsAncestor } from '../model/ecs-event';
import type { ContainerInfo } from './container';
import { LruMap } from './lru';

export interface ExecImage {
  executable?: string;
  args?: string[];
  atMs: number;
}

export interface ProcessEntry {
  entityId: string;
  pid: number;
  ppid: number;
  /** The parent at fork time (original lineage, kept across re-parenting). */
  parentEntityId?: string;
  name?: string;
  executable?: string;
  /** Seeded: /proc/<pid>/exe said "(deleted)" (unlinked file or memfd). */
  exeDeleted?: boolean;
  args?: string[];
  cwd?: string;
  /** Watched environment variables of the current image (exec). */
  envVars?: string[];
  uid?: number;
  /** cgroup path from /proc (seeded processes) and the container it implies. */
  cgroupPath?: string;
  container?: ContainerInfo;
  /**
   * exec keeps the kernel's start_boottime, so a process keeps its entity_id
   * across exec: one entry per process, not per image. execCount counts the
   * images since we first saw it; execHistory holds the previous images
   * (bounded), and executable/args always show the latest one.
   */
  execCount: number;
  execHistory: ExecImage[];
  /** Inode of the pipe on its stdin / stdout (pipelines.ts). */
  pipeIn?: number;
  pipeOut?: number;
  /** fds among 0/1/2 that are AF_INET/AF_INET6 sockets. */
  stdioSockets: Set<number>;
  /** fds holding a socket this process (or an ancestor, before the fork) accepted: the server side. */
  acceptedFds?: Set<number>;
  source: 'seed' | 'fork' | 'exec' | 'event';
  firstSeenMs: number;
  exitedAtMs?: number;
  exitCode?: number;
  /** Child entries in the table whose parent link points here: pins an exited entry. */
  refs: number;
  /** The parent whose refs this entry holds (set once, when first linked). */
  refParent?: string;
}

export interface ProcessTableOptions {
  maxEntries?: number;
  exitGraceMs?: number;
  maxAncestors?: number;
  maxExecHistory?: number;
  /** Called when an entry leaves the table (evicted or expired). */
  onDrop?: (entry: ProcessEntry) => void;
}

export interface ProcessTableStats {
  size: number;
  live: number;
  exited: number;
  /** Exited entries kept because a child entry still references them. */
  pinned: number;
  evicted: number;
  expired: number;
}

/** Bytes of args each ancestor carries. Every event repeats its whole chain,
 *  so one ancestor with a huge argv (an env blob, or an attacker padding
 *  argv to flood the collector) would inflate every descendant's event. The
 *  ancestor's own exec event keeps its full args. */
export const ANCESTOR_ARGS_MAX = 256;

/** args cut to ANCESTOR_ARGS_MAX bytes in all; undefined when they fit as they are. */
export function cappedArgs(args: string[] | undefined): string[] | undefined {
  let total = 0;
  for (const a of args ?? []) total += a.length;
  if (!args || total <= ANCESTOR_ARGS_MAX) return undefined;
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
  return kept;
}

function ancestorOf(p: ProcessEntry): EcsAncestor {
  const capped = cappedArgs(p.args);
  return capped
    ? { pid: p.pid, entity_id: p.entityId, executable: p.executable, args: capped, args_truncated: true }
    : { pid: p.pid, entity_id: p.entityId, executable: p.executable, args: p.args };
}

export class ProcessTable {
  readonly exitGraceMs: number;
  readonly maxAncestors: number;
  readonly maxExecHistory: number;
  private expired = 0;
  private readonly entries: LruMap<string, ProcessEntry>;
  private readonly byPidIndex = new Map<number, string>();
  private readonly onDrop?: (entry: ProcessEntry) => void;

  constructor(opts: ProcessTableOptions = {}) {
    this.exitGraceMs = opts.exitGraceMs ?? 60_000;
    this.maxAncestors = opts.maxAncestors ?? 64;
    this.maxExecHistory = opts.maxExecHistory ?? 8;
    this.onDrop = opts.onDrop;
    this.entries = new LruMap(opts.maxEntries ?? 32_768, (_k, e) => this.forget(e));
  }

  has(entityId: string): boolean {
    return this.entries.has(entityId);
  }

  /** Lookup that counts as use (keeps the entry from LRU eviction). */
  get(entityId: string): ProcessEntry | undefined {
    return this.entries.get(entityId);
  }

  peek(entityId: string): ProcessEntry | undefined {
    return this.entries.peek(entityId);
  }

  /** The entity currently (or most recently) holding `pid`. */
  byPid(pid: number): ProcessEntry | undefined {
    const id = this.byPidIndex.get(pid);
    return id === undefined ? undefined : this.entries.get(id);
  }

  /** Insert or replace; the entry becomes the current holder of its pid. */
  put(entry: ProcessEntry): ProcessEntry {
    const old = this.entries.peek(entry.entityId);
    if (old && old !== entry) {
      this.unlink(old);
      entry.refs = old.refs;
    }
    this.entries.set(entry.entityId, entry);
    this.byPidIndex.set(entry.pid, entry.entityId);
    this.link(entry);
    return entry;
  }

  /** Take the parent reference now that the parent may be in the table (seeding puts children first sometimes). */
  relink(entry: ProcessEntry): void {
    this.link(entry);
  }

  /** A parent learnt after insertion (a fork seen after the child's first event). */
  setParent(entry: ProcessEntry, parentEntityId: string): void {
    if (entry.parentEntityId !== undefined) return;
    entry.parentEntityId = parentEntityId;
    this.link(entry);
  }

  /** A new image in an existing process (same entity, see execCount). */
  recordExec(entry: ProcessEntry, image: { executable?: string; args?: string[]; cwd?: string; name?: string; envVars?: string[] }, atMs: number): void {
    if (entry.executable !== undefined || entry.args !== undefined) {
      entry.execHistory.push({ executable: entry.executable, args: entry.args, atMs });
      if (entry.execHistory.length > this.maxExecHistory) entry.execHistory.shift();
    }
    entry.execCount++;
    entry.executable = image.executable ?? entry.executable;
    entry.args = image.args ?? entry.args;
    entry.cwd = image.cwd ?? entry.cwd;
    entry.envVars = image.envVars; // a new image has its own environment
    entry.name = image.name ?? entry.name;
    entry.exitedAtMs = undefined;
  }

  markExited(entry: ProcessEntry, atMs: number, exitCode?: number): void {
    entry.exitedAtMs = atMs;
    entry.exitCode = exitCode;
  }

  /** Parent entry: the fork-time parent if known, else whoever holds ppid.
   *  A peek: walking ancestors for every event must not reorder the LRU
   *  (that was ~20% of the collector's busy time at 1,600 execs/s). */
  parentOf(entry: ProcessEntry): ProcessEntry | undefined {
    if (entry.parentEntityId !== undefined) return this.entries.peek(entry.parentEntityId);
    const id = this.byPidIndex.get(entry.ppid);
    const p = id === undefined ? undefined : this.entries.peek(id);
    return p && p.entityId !== entry.entityId ? p : undefined;
  }

  /** Nearest first, up to pid 1 (or the first unknown parent). Cycle-safe. */
  ancestors(entityId: string, maxDepth = this.maxAncestors): EcsAncestor[] {
    const out: EcsAncestor[] = [];
    const seen = new Set<string>([entityId]);
    let cur = this.entries.get(entityId);
    while (cur && cur.pid > 1 && out.length < maxDepth) {
      const p = this.parentOf(cur);
      if (!p || seen.has(p.entityId)) break;
      seen.add(p.entityId);
      out.push(ancestorOf(p));
      cur = p;
    }
    return out;
  }

  /** Drops exited entries older than the grace period that no child entry
   *  references; returns how many. A parent freed by this pass goes in a later one. */
  sweep(nowMs: number): number {
    const dead: ProcessEntry[] = [];
    for (const e of this.entries.values()) {
      if (e.exitedAtMs !== undefined && e.refs <= 0 && nowMs - e.exitedAtMs >= this.exitGraceMs) dead.push(e);
    }
    for (const e of dead) {
      this.entries.delete(e.entityId);
      this.forget(e);
    }
    this.expired += dead.length;
    return dead.length;
  }

  stats(): ProcessTableStats {
    let exited = 0;
    for (const e of this.entries.values()) if (e.exitedAtMs !== undefined) exited++;
    let pinned = 0;
    for (const e of this.entries.values()) if (e.exitedAtMs !== undefined && e.refs > 0) pinned++;
    return {
      size: this.entries.size,
      live: this.entries.size - exited,
      exited,
      pinned,
      evicted: this.entries.evicted,
      expired: this.expired,
    };
  }

  private forget(entry: ProcessEntry): void {
    if (this.byPidIndex.get(entry.pid) === entry.entityId) this.byPidIndex.delete(entry.pid);
    this.unlink(entry);
    this.onDrop?.(entry);
  }

  private link(entry: ProcessEntry): void {
    if (entry.refParent !== undefined || entry.parentEntityId === undefined || entry.parentEntityId === entry.entityId) return;
    const p = this.entries.peek(entry.parentEntityId);
    if (!p) return;
    p.refs++;
    entry.refParent = p.entityId;
  }

  private unlink(entry: ProcessEntry): void {
    if (entry.refParent === undefined) return;
    const p = this.entries.peek(entry.refParent);
    if (p) p.refs--;
    entry.refParent = undefined;
  }
}

export function newEntry(fields: Partial<ProcessEntry> & Pick<ProcessEntry, 'entityId' | 'pid' | 'ppid' | 'source' | 'firstSeenMs'>): ProcessEntry {
  return { execCount: 0, execHistory: [], stdioSockets: new Set(), refs: 0, ...fields };
}
