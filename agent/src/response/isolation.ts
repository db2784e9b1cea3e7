// Network isolation of a process tree: the tree moves into a cgroup of its
// own, and the loader attaches the isolation programs to that cgroup
// (bpf/isolate.bpf.c) before anyone is moved, so no packet slips out between
// the two. Children forked later inherit the cgroup. Release moves the
// survivors back where they came from and detaches. If the agent dies, the
// loader's links close and the isolation ends with it: never a bricked host.
// The whole host is isolated by attaching the same programs to the root
// cgroup: every process, the agent included, reaches only loopback and the
// allow-listed endpoints (the control plane, DNS if configured).
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { ControlResult, IsolationCommand } from '../agent/loader-process';
import { cgroupV2Of, findCgroup2Mount } from '../process/container';
import { descendantsOf } from '../process/descendants';
import { ProtectedTargetError, protectedReason } from './protected';

export interface IsolationControl {
  isolation(cmd: IsolationCommand): Promise<ControlResult>;
}

export interface Isolation {
  id: string;
  /** 0 for the whole host. */
  rootPid: number;
  host?: true;
  cgroup: string;
  /** Processes moved in, with the cgroup each came from. */
  moved: { pid: number; from: string }[];
  since: number;
  expiresAt?: number;
  reason: string;
}

export interface IsolationResult {
  ok: boolean;
  id?: string;
  pids: number[];
  error?: string;
  latency_ms: number;
}

const DIR = 'vigil-isolate';
const MAX_ROUNDS = 8;

export class NetworkIsolator {
  private readonly root: string;
  private readonly procRoot: string;
  private readonly live = new Map<string, Isolation>();
  private timer?: NodeJS.Timeout;

  /** `spared`: a descendant it says yes to stays out of an isolated tree (the response allow-list). */
  constructor(private readonly control: IsolationControl, opts: { cgroupRoot?: string; procRoot?: string; protectedPids?: () => number[]; spared?: (pid: number) => boolean } = {}) {
    this.root = opts.cgroupRoot ?? findCgroup2Mount();
    this.procRoot = opts.procRoot ?? '/proc';
    this.protectedPids = opts.protectedPids ?? (() => []);
    this.spared = opts.spared ?? (() => false);
  }

  private readonly protectedPids: () => number[];
  private readonly spared: (pid: number) => boolean;

  list(): Isolation[] {
    return [...this.live.values()];
  }

  async isolateTree(rootPid: number, reason: string, expiresInMs?: number): Promise<IsolationResult> {
    const t0 = Date.now();
    const fail = (error: string, id?: string): IsolationResult => ({ ok: false, id, pids: [], error, latency_ms: Date.now() - t0 });
    const why = protectedReason(rootPid, this.protectedPids(), this.procRoot);
    if (why) return fail(new ProtectedTargetError(rootPid, why).message);
    if (!existsSync(`${this.procRoot}/${rootPid}`)) return fail(`pid ${rootPid} is gone`);
    const id = `iso-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
    const cgroup = join(this.root, DIR, id);
    try {
      mkdirSync(cgroup, { recursive: true });
    } catch (err) {
      return fail(`cannot create cgroup ${cgroup}: ${(err as Error).message}`, id);
    }
    // Programs first, then the processes: nothing runs unisolated in between.
    const r = await this.control.isolation({ op: 'isolate', id, cgroup });
    if (!r.ok) {
      this.removeDir(cgroup);
      return fail(r.error ?? 'the loader refused', id);
    }
    const iso: Isolation = { id, rootPid, cgroup, moved: [], since: Date.now(), reason, expiresAt: expiresInMs ? Date.now() + expiresInMs : undefined };
    this.live.set(id, iso);
    const moved = new Set<number>();
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const fresh = [rootPid, ...descendantsOf(rootPid, this.procRoot).filter((p) => !this.spared(p))]
        .filter((p) => !moved.has(p) && !protectedReason(p, this.protectedPids(), this.procRoot));
      if (!fresh.length) break;
      for (const pid of fresh) {
        moved.add(pid);
        const from = cgroupV2Of(pid, this.procRoot);
        try {
          writeFileSync(join(cgroup, 'cgroup.procs'), String(pid));
          iso.moved.push({ pid, from: from ?? '/' });
        } catch {
          // exited meanwhile
        }
      }
    }
    if (!iso.moved.some((m) => m.pid === rootPid)) {
      await this.release(id);
      return fail(`pid ${rootPid} exited before it could be isolated`, id);
    }
    this.schedule();
    return { ok: true, id, pids: iso.moved.map((m) => m.pid), latency_ms: Date.now() - t0 };
  }

  /** Every process of the host, from now on, until release (or expiry, or the agent's end). */
  async isolateHost(reason: string, expiresInMs?: number): Promise<IsolationResult> {
    const t0 = Date.now();
    const held = [...this.live.values()].find((i) => i.host);
    if (held) return { ok: false, id: held.id, pids: [], error: `the host is isolated already (${held.id}); release it first`, latency_ms: 0 };
    const id = `iso-host-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
    const r = await this.control.isolation({ op: 'isolate', id, cgroup: this.root });
    if (!r.ok) return { ok: false, id, pids: [], error: r.error ?? 'the loader refused', latency_ms: Date.now() - t0 };
    this.live.set(id, { id, rootPid: 0, host: true, cgroup: this.root, moved: [], since: Date.now(), reason, expiresAt: expiresInMs ? Date.now() + expiresInMs : undefined });
    this.schedule();
    return { ok: true, id, pids: [], latency_ms: Date.now() - t0 };
  }

  async release(id: string): Promise<IsolationResult> {
    const t0 = Date.now();
    const iso = this.live.get(id);
    if (!iso) return { ok: false, pids: [], error: `no live isolation ${id}`, latency_ms: 0 };
    if (iso.host) {
      const r = await this.control.isolation({ op: 'release', id });
      if (r.ok) this.live.delete(id);
      return r.ok ? { ok: true, id, pids: [], latency_ms: Date.now() - t0 } : { ok: false, id, pids: [], error: r.error, latency_ms: Date.now() - t0 };
    }
    const back = new Map(iso.moved.map((m) => [m.pid, m.from]));
    const pids: number[] = [];
    for (const pid of this.members(iso.cgroup)) {
      // Children born inside go where their oldest isolated ancestor came from.
      const to = back.get(pid) ?? iso.moved[0]?.from ?? '/';
      try {
        writeFileSync(join(this.root, to, 'cgroup.procs'), String(pid));
      } catch {
        writeFileSync(join(this.root, 'cgroup.procs'), String(pid));
      }
      pids.push(pid);
    }
    const r = await this.control.isolation({ op: 'release', id });
    this.live.delete(id);
    this.removeDir(iso.cgroup);
    return r.ok ? { ok: true, id, pids, latency_ms: Date.now() - t0 } : { ok: false, id, pids, error: r.error, latency_ms: Date.now() - t0 };
  }

  async releaseAll(): Promise<void> {
    for (const id of [...this.live.keys()]) await this.release(id);
  }

  /** Expired isolations end by themselves. */
  private schedule(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      const now = Date.now();
      for (const iso of this.live.values()) if (iso.expiresAt !== undefined && iso.expiresAt <= now) void this.release(iso.id);
      if (this.live.size === 0 && this.timer) {
        clearInterval(this.timer);
        this.timer = undefined;
      }
    }, 1000);
    this.timer.unref();
  }

  private members(cgroup: string): number[] {
    try {
      return readFileSync(join(cgroup, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
    } catch {
      return [];
    }
  }

  private removeDir(cgroup: string): void {
    try {
      rmdirSync(cgroup);
    } catch {
      // still populated by a process that refused to move: left for the next release
    }
  }
}
