// Pure parsers for /proc text files, kept apart from the I/O so they can be
// tested on fixtures. Every parser returns undefined on malformed input.

export interface ProcStat {
  comm: string;
  state: string;
  ppid: number;
  /** Field 9: PF_* flags (PF_EXITING 0x4, PF_KTHREAD 0x200000). */
  flags: number;
  /** Field 22: start time after boot in USER_HZ ticks (process identity). */
  startTicks: bigint;
}

/** /proc/<pid>/stat. comm may hold spaces and ')' so split at the LAST ')'. */
export function parseStat(text: string): ProcStat | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const rest = text.slice(close + 2).trim().split(/\s+/);
  // rest[0] is field 3 (state), so field N is rest[N - 3].
  if (rest.length < 20) return undefined;
  const ppid = Number(rest[1]);
  const flags = Number(rest[6]);
  if (!/^\d+$/.test(rest[19]) || !Number.isInteger(ppid) || !Number.isInteger(flags)) return undefined;
  return { comm: text.slice(open + 1, close), state: rest[0], ppid, flags, startTicks: BigInt(rest[19]) };
}

export interface ProcIds {
  real: number;
  effective: number;
  saved: number;
  fs: number;
}

export interface ProcStatus {
  uids?: ProcIds;
  gids?: ProcIds;
}

function parseIds(line: string | undefined): ProcIds | undefined {
  if (!line) return undefined;
  const n = line.split(/\s+/).slice(1, 5).map(Number);
  if (n.length !== 4 || n.some((x) => !Number.isInteger(x))) return undefined;
  return { real: n[0], effective: n[1], saved: n[2], fs: n[3] };
}

/** /proc/<pid>/status: the Uid: and Gid: lines (real, effective, saved, fs). */
export function parseStatus(text: string): ProcStatus {
  const lines = text.split('\n');
  return {
    uids: parseIds(lines.find((l) => l.startsWith('Uid:'))),
    gids: parseIds(lines.find((l) => l.startsWith('Gid:'))),
  };
}

/**
 * /proc/<pid>/cmdline: NUL-separated argv with a trailing NUL. A process
 * that rewrote its title (setproctitle, node's process.title) leaves a run
 * of NUL padding, so all trailing empty strings go (a genuinely empty last
 * argument is lost too; the kernel gives no way to tell them apart).
 */
export function parseCmdline(buf: Buffer): string[] {
  const parts = buf.toString('utf8').split('\0');
  while (parts.length && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

export interface ProcCgroups {
  /** The cgroup v2 path (the "0::" line), if any. */
  v2?: string;
  /** Every hierarchy's path, v1 and v2, in file order. */
  paths: string[];
}

/** /proc/<pid>/cgroup: lines "hierarchy-id:controllers:path". */
export function parseCgroupFile(text: string): ProcCgroups {
  const out: ProcCgroups = { paths: [] };
  for (const line of text.split('\n')) {
    const m = /^(\d+):([^:]*):(.*)$/.exec(line);
    if (!m) continue;
    out.paths.push(m[3]);
    if (m[1] === '0' && m[2] === '') out.v2 = m[3];
  }
  return out;
}

/** "socket:[12345]" -> 12345n; anything else -> undefined. */
export function socketInode(link: string): bigint | undefined {
  const m = /^socket:\[(\d+)\]$/.exec(link);
  return m ? BigInt(m[1]) : undefined;
}

/** /proc/<pid>/net/{tcp,tcp6,udp,udp6}: the inode column of every row. */
export function parseNetInodes(text: string): bigint[] {
  const out: bigint[] = [];
  const lines = text.split('\n');
  for (let i = 1; i < lines.length; i++) {
    const cols = lines[i].trim().split(/\s+/);
    if (cols.length > 9 && /^\d+$/.test(cols[9])) out.push(BigInt(cols[9]));
  }
  return out;
}
