// Container identity from cgroups. The kernel only sends the cgroup v2 id,
// which is the inode number of the cgroup's directory in the v2 hierarchy,
// so ids are resolved to paths by walking that tree (cached, and rescanned
// lazily on a miss at a bounded rate), then paths are matched per runtime.
import { readdirSync, readFileSync, statSync } from 'node:fs';

export interface ContainerInfo {
  id: string;
  runtime: string;
}

const HEX64 = '[0-9a-f]{64}';
// Order does not matter: the deepest (right-most) match in the path wins, so
// nested containers resolve to the innermost one.
const PATTERNS: { re: RegExp; runtime: string }[] = [
  { re: new RegExp(`/docker/(${HEX64})(?=/|$)`, 'g'), runtime: 'docker' },
  { re: new RegExp(`docker-(${HEX64})\\.scope`, 'g'), runtime: 'docker' },
  { re: new RegExp(`cri-containerd-(${HEX64})\\.scope`, 'g'), runtime: 'containerd' },
  { re: new RegExp(`/kubepods[^\\s]*/(${HEX64})(?=/|$)`, 'g'), runtime: 'containerd' },
  { re: new RegExp(`libpod-(${HEX64})\\.scope`, 'g'), runtime: 'podman' },
  { re: new RegExp(`/libpod_parent/libpod-(${HEX64})(?=/|$)`, 'g'), runtime: 'podman' },
  { re: new RegExp(`crio-(${HEX64})\\.scope`, 'g'), runtime: 'cri-o' },
];

/** Container of a cgroup path, or undefined for a host process. */
export function containerFromCgroupPath(path: string): ContainerInfo | undefined {
  let best: { at: number; info: ContainerInfo } | undefined;
  for (const { re, runtime } of PATTERNS) {
    re.lastIndex = 0;
    for (let m = re.exec(path); m; m = re.exec(path)) {
      const at = m.index + m[0].lastIndexOf(m[1]);
      if (!best || at > best.at) best = { at, info: { id: m[1], runtime } };
    }
  }
  return best?.info;
}

/** The v2 line ("0::/path") of /proc/<pid>/cgroup: the process's cgroup2 path, or undefined once it exited. */
export function cgroupV2Of(pid: number, procRoot = '/proc'): string | undefined {
  try {
    for (const line of readFileSync(`${procRoot}/${pid}/cgroup`, 'utf8').split('\n')) {
      if (line.startsWith('0::')) return line.slice(3) || '/';
    }
  } catch {
    // exited already
  }
  return undefined;
}

/** Where the cgroup2 hierarchy is mounted (hybrid systems use .../unified). */
export function findCgroup2Mount(mountinfo = '/proc/self/mountinfo'): string {
  try {
    for (const line of readFileSync(mountinfo, 'utf8').split('\n')) {
      const [pre, post] = line.split(' - ');
      if (post?.startsWith('cgroup2 ')) return pre.split(' ')[4];
    }
  } catch {
    // fall through to the conventional location
  }
  return '/sys/fs/cgroup';
}

export interface CgroupResolverOptions {
  root?: string;
  /** /proc, for the cgroup of the process behind an unknown id. */
  procRoot?: string;
  /** Minimum time between two rescans triggered by misses. */
  minRescanMs?: number;
  /** Stop walking after this many directories (a runaway tree must not stall us). */
  maxDirs?: number;
  clock?: () => number;
}

export class CgroupResolver {
  readonly root: string;
  rescans = 0;
  private byId = new Map<string, string>();
  private lastScanMs = -Infinity;
  /** Ids resolved from the process's own /proc/<pid>/cgroup, without a tree walk. */
  byProcess = 0;
  private readonly minRescanMs: number;
  private readonly maxDirs: number;
  private readonly clock: () => number;
  private readonly procRoot: string;

  constructor(opts: CgroupResolverOptions = {}) {
    this.root = opts.root ?? findCgroup2Mount();
    this.procRoot = opts.procRoot ?? '/proc';
    this.minRescanMs = opts.minRescanMs ?? 2000;
    this.maxDirs = opts.maxDirs ?? 100_000;
    this.clock = opts.clock ?? Date.now;
  }

  /** cgroup v2 id (decimal string) -> path relative to the hierarchy ("/..."). */
  resolve(cgroupId: string): string | undefined {
    const hit = this.byId.get(cgroupId);
    if (hit !== undefined) return hit;
    const now = this.clock();
    if (now - this.lastScanMs < this.minRescanMs) return undefined;
    this.scan(now);
    return this.byId.get(cgroupId);
  }

  /**
   * resolve(), first asking the process that carries the id: a new
   * container's first exec is resolved at once, whatever the rescan rate
   * limit (another new cgroup a moment earlier used to leave it unknown for
   * up to 2 s). The path counts only if its inode is the id.
   */
  resolveFor(cgroupId: string, pid: number): string | undefined {
    const hit = this.byId.get(cgroupId);
    if (hit !== undefined) return hit;
    const own = this.ownCgroup(pid);
    if (own !== undefined) {
      try {
        if (statSync(own === '/' ? this.root : this.root + own, { bigint: true }).ino.toString() === cgroupId) {
          this.byId.set(cgroupId, own);
          this.byProcess++;
          return own;
        }
      } catch {
        // the cgroup is already gone
      }
    }
    return this.resolve(cgroupId);
  }

  private ownCgroup(pid: number): string | undefined {
    return cgroupV2Of(pid, this.procRoot);
  }

  container(cgroupId: string): ContainerInfo | undefined {
    const path = this.resolve(cgroupId);
    return path === undefined ? undefined : containerFromCgroupPath(path);
  }

  private scan(now: number): void {
    this.lastScanMs = now;
    this.rescans++;
    const next = new Map<string, string>();
    const stack = ['/'];
    while (stack.length && next.size < this.maxDirs) {
      const rel = stack.pop() as string;
      const abs = rel === '/' ? this.root : this.root + rel;
      try {
        next.set(statSync(abs, { bigint: true }).ino.toString(), rel);
        for (const d of readdirSync(abs, { withFileTypes: true })) {
          if (d.isDirectory()) stack.push(rel === '/' ? `/${d.name}` : `${rel}/${d.name}`);
        }
      } catch {
        // cgroup removed while walking: skip it
      }
    }
    this.byId = next;
  }
}
