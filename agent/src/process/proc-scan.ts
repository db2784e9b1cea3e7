// Seeds the process model from /proc at start-up (and on a miss later).
// Processes exit while we read them, so every read tolerates ENOENT/ESRCH:
// a process whose stat is gone is skipped, a missing detail is left undefined.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { entityId } from './entity-id';
import {
  parseCgroupFile, parseCmdline, parseNetInodes, parseStat, parseStatus, socketInode,
  type ProcCgroups, type ProcIds,
} from './proc-parse';

export interface ProcSnapshot {
  pid: number;
  ppid: number;
  comm: string;
  startTicks: bigint;
  entityId: string;
  executable?: string;
  /** True when /proc/<pid>/exe ended in " (deleted)" (stripped from executable). */
  exeDeleted?: boolean;
  args?: string[];
  cwd?: string;
  uids?: ProcIds;
  gids?: ProcIds;
  cgroup?: ProcCgroups;
  /** Which of fd 0/1/2 are sockets of any family. */
  stdioSockets: number[];
  /** Which of fd 0/1/2 are AF_INET/AF_INET6 sockets (tcp/udp tables of its net ns). */
  stdioInetSockets: number[];
}

const NET_TABLES = ['tcp', 'tcp6', 'udp', 'udp6'];

function tryRead<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}

/** Inet socket inodes per network namespace, shared across one scan. */
export type NetNsCache = Map<string, Set<bigint>>;

function inetInodes(root: string, pid: number, cache: NetNsCache): Set<bigint> {
  const ns = tryRead(() => readlinkSync(`${root}/${pid}/ns/net`)) ?? `pid:${pid}`;
  let set = cache.get(ns);
  if (!set) {
    set = new Set();
    for (const t of NET_TABLES) {
      const text = tryRead(() => readFileSync(`${root}/${pid}/net/${t}`, 'utf8'));
      if (text) for (const ino of parseNetInodes(text)) set.add(ino);
    }
    cache.set(ns, set);
  }
  return set;
}

/** Reads one process; undefined if it is gone (or `pid` is not a process). */
export function readProc(pid: number, root = '/proc', cache: NetNsCache = new Map()): ProcSnapshot | undefined {
  const dir = `${root}/${pid}`;
  const stat = tryRead(() => parseStat(readFileSync(`${dir}/stat`, 'utf8')));
  if (!stat) return undefined;
  let executable = tryRead(() => readlinkSync(`${dir}/exe`));
  let exeDeleted: boolean | undefined;
  if (executable?.endsWith(' (deleted)')) {
    executable = executable.slice(0, -' (deleted)'.length);
    exeDeleted = true;
  }
  const status = tryRead(() => parseStatus(readFileSync(`${dir}/status`, 'utf8')));
  const stdioSockets: number[] = [];
  const stdioInetSockets: number[] = [];
  for (const fd of [0, 1, 2]) {
    const link = tryRead(() => readlinkSync(`${dir}/fd/${fd}`));
    if (!link?.startsWith('socket:')) continue;
    stdioSockets.push(fd);
    const ino = socketInode(link);
    if (ino !== undefined && inetInodes(root, pid, cache).has(ino)) stdioInetSockets.push(fd);
  }
  return {
    pid,
    ppid: stat.ppid,
    comm: stat.comm,
    startTicks: stat.startTicks,
    entityId: entityId(pid, stat.startTicks),
    executable,
    exeDeleted,
    args: tryRead(() => parseCmdline(readFileSync(`${dir}/cmdline`))),
    cwd: tryRead(() => readlinkSync(`${dir}/cwd`)),
    uids: status?.uids,
    gids: status?.gids,
    cgroup: tryRead(() => parseCgroupFile(readFileSync(`${dir}/cgroup`, 'utf8'))),
    stdioSockets,
    stdioInetSockets,
  };
}

/** Every process in /proc, parents not guaranteed before children. */
export function scanProc(root = '/proc'): ProcSnapshot[] {
  const names = tryRead(() => readdirSync(root)) ?? [];
  const cache: NetNsCache = new Map();
  const out: ProcSnapshot[] = [];
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    const snap = readProc(Number(name), root, cache);
    if (snap) out.push(snap);
  }
  return out;
}
