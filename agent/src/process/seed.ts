// Turns /proc snapshots into table entries: at start-up for every process,
// later for one process (and its missing ancestors) on a miss.
import { containerFromCgroupPath } from './container';
import { readProc, scanProc, type ProcSnapshot } from './proc-scan';
import { newEntry, type ProcessEntry, type ProcessTable } from './process-table';

function entryFromSnapshot(s: ProcSnapshot, parentEntityId: string | undefined, atMs: number): ProcessEntry {
  const paths = s.cgroup ? [s.cgroup.v2, ...s.cgroup.paths].filter((x): x is string => x !== undefined) : [];
  const container = paths.map(containerFromCgroupPath).find((c) => c !== undefined);
  return newEntry({
    entityId: s.entityId,
    pid: s.pid,
    ppid: s.ppid,
    parentEntityId,
    name: s.comm,
    executable: s.executable,
    exeDeleted: s.exeDeleted,
    args: s.args?.length ? s.args : undefined,
    cwd: s.cwd,
    uid: s.uids?.real,
    cgroupPath: s.cgroup?.v2 ?? s.cgroup?.paths[0],
    container,
    stdioSockets: new Set(s.stdioInetSockets),
    source: 'seed',
    firstSeenMs: atMs,
  });
}

/** Seeds every process in /proc not already known. Returns how many were added. */
export function seedAll(table: ProcessTable, procRoot: string, atMs: number): number {
  const snaps = scanProc(procRoot);
  const byPid = new Map(snaps.map((s) => [s.pid, s.entityId]));
  const put: ProcessEntry[] = [];
  for (const s of snaps) {
    if (table.has(s.entityId)) continue;
    put.push(table.put(entryFromSnapshot(s, byPid.get(s.ppid), atMs)));
  }
  for (const e of put) table.relink(e); // /proc order is not parents-first
  return put.length;
}

/**
 * Seeds one process if /proc still holds the same execution (its entity id
 * matches), plus any ancestors the table lacks. Returns how many were added.
 */
export function seedOne(table: ProcessTable, procRoot: string, pid: number, entityId: string, atMs: number, maxDepth = 64): number {
  const s = readProc(pid, procRoot);
  if (!s || s.entityId !== entityId) return 0;
  const chain: ProcSnapshot[] = [s];
  for (let cur = s; cur.ppid > 0 && chain.length < maxDepth; ) {
    const known = table.byPid(cur.ppid);
    if (known) break;
    const parent = readProc(cur.ppid, procRoot);
    if (!parent) break;
    chain.push(parent);
    cur = parent;
  }
  // Oldest first so each child finds its parent's entry.
  for (let i = chain.length - 1; i >= 0; i--) {
    const c = chain[i];
    const parentId = i + 1 < chain.length ? chain[i + 1].entityId : table.byPid(c.ppid)?.entityId;
    table.put(entryFromSnapshot(c, parentId, atMs));
  }
  return chain.length;
}
