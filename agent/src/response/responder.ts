// Acts on a rule's `response:` the moment it matches: SIGKILL the process,
// or kill it and every descendant, or stop them for forensics. kill-tree
// moves the tree into a frozen cgroup of its own and writes cgroup.kill:
// a child forked meanwhile is born inside (frozen) and dies with the rest,
// and no round has to catch up with a fork bomb. Without a usable cgroup2
// it falls back to SIGSTOP rounds, then SIGKILL.
// Never the wrong process: a pid is acted on only if its start time in
// /proc matches the event's process (pids are reused). Descendants are found
// in /proc by parent pid, and the tree is stopped before it is killed, in
// rounds, so a child forked meanwhile is caught too.
import { mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { findCgroup2Mount } from '../process/container';
import { descendantsOf } from '../process/descendants';
import { parseStat } from '../process/proc-parse';
import type { EcsEvent } from '../model/ecs-event';
import type { ResponseAction } from '../rules/types';

export interface ResponseRecord {
  action: ResponseAction;
  /** Processes signalled, the matching one first. */
  pids: number[];
  ok: boolean;
  /** Why nothing or not everything was done. */
  error?: string;
  /** Kernel event time to the last signal sent (isolation: to the loader's confirmation). */
  latency_ms: number;
  /** The isolation this created, for `vigil respond release --id`. */
  id?: string;
  /** Time spent acting (finding the tree, signalling); the rest of latency_ms is the wait for the event. */
  work_ms?: number;
  /** The kernel carried it out at exec (bpf/lib/respond.h): processes it signalled, and how long that took. */
  kernel?: { signalled: number; latency_us: number };
}

/** A target given only by pid (manual actions): no start time to check it against. */
export const pidTarget = (pid: number): EcsEvent => ({ '@timestamp': new Date().toISOString(), process: { pid } } as unknown as EcsEvent);

export interface ResponderOptions {
  procRoot?: string;
  /** Clock ticks per second of /proc/<pid>/stat starttime (USER_HZ). */
  ticksPerSecond?: number;
  /** Rounds of "find descendants, stop them" before the kill. */
  maxRounds?: number;
  signal?: (pid: number, sig: NodeJS.Signals) => void;
  /** cgroup2 mount for kill-tree; false: signals only. */
  cgroupRoot?: string | false;
  /** A descendant this says yes to is left out of every tree action (the response allow-list). */
  spared?: (pid: number) => boolean;
}

const SLACK_NS = 20_000_000n; // starttime has USER_HZ (10 ms) resolution

export class Responder {
  private readonly procRoot: string;
  private readonly hz: bigint;
  private readonly rounds: number;
  private readonly signal: (pid: number, sig: NodeJS.Signals) => void;
  private readonly spared: (pid: number) => boolean;

  constructor(opts: ResponderOptions = {}) {
    this.procRoot = opts.procRoot ?? '/proc';
    this.hz = BigInt(opts.ticksPerSecond ?? 100);
    this.rounds = opts.maxRounds ?? 8;
    this.signal = opts.signal ?? ((pid, sig) => process.kill(pid, sig));
    this.spared = opts.spared ?? (() => false);
    this.cgroupRoot = opts.cgroupRoot === false ? undefined : opts.cgroupRoot ?? (opts.signal ? undefined : findCgroup2Mount());
  }

  private readonly cgroupRoot?: string;

  /**
   * `kernelArmed`: the kernel kills the tree's members that fork or exec
   * (bpf/process.bpf.c kill_tree), so stopping the tree in rounds converges
   * at once and no cgroup migration (milliseconds each) is needed. The
   * caller checked the pid's identity before arming, and the kernel may have
   * killed the root since: that is the kill, not a vanished target.
   */
  respond(action: ResponseAction, ev: EcsEvent, opts: { kernelArmed?: boolean } = {}): ResponseRecord {
    const t0 = Date.parse(ev['@timestamp']);
    const started = performance.now();
    const pid = ev.process?.pid;
    const done = (r: Omit<ResponseRecord, 'action' | 'latency_ms'>): ResponseRecord =>
      ({ action, ...r, latency_ms: Number.isFinite(t0) ? Math.max(0, Date.now() - t0) : -1, work_ms: Math.round((performance.now() - started) * 10) / 10 });
    if (typeof pid !== 'number' || pid <= 1 || pid === process.pid) return done({ pids: [], ok: false, error: 'no process to act on (pid 0/1 or the agent itself)' });
    if (!opts.kernelArmed && !this.sameProcess(pid, ev.vigil?.start_boottime_ns)) return done({ pids: [], ok: false, error: `pid ${pid} has exited or is another process now` });
    try {
      if (action === 'kill') {
        this.signal(pid, 'SIGKILL');
        return done({ pids: [pid], ok: true });
      }
      if (action === 'isolate-tree') return done({ pids: [pid], ok: false, error: 'isolate-tree goes through the ResponseService (it needs the loader)' });
      if (action === 'kill-tree' && !opts.kernelArmed) {
        const killed = this.killTreeByCgroup(pid);
        if (killed) return done({ pids: killed, ok: true });
      }
      const tree = this.stopTree(pid, opts.kernelArmed === true);
      if (action === 'kill-tree') for (const p of tree) this.quiet(p, 'SIGKILL');
      return done({ pids: tree, ok: true });
    } catch (err) {
      return done({ pids: [pid], ok: false, error: (err as Error).message });
    }
  }

  /**
   * After the kernel killed root and the tree it found: SIGKILL any
   * descendant still without one (stopped first, in rounds, so none forks
   * away meanwhile). The root, which has its SIGKILL, is only stopped. The
   * caller checked that root is still the process the kernel killed.
   * Returns the descendants signalled.
   */
  killStragglers(root: number): number[] {
    return this.stopTree(root, true).slice(1).map((p) => (this.quiet(p, 'SIGKILL'), p));
  }

  /** SIGCONT to a stopped tree (after suspend-tree): the root first, then every descendant. */
  resumeTree(root: number): number[] {
    const tree = [root, ...this.descendants(root)];
    this.signal(root, 'SIGCONT');
    for (const p of tree.slice(1)) this.quiet(p, 'SIGCONT');
    return tree;
  }

  /**
   * Freeze, gather, kill: undefined when cgroup2 cannot be used here (the
   * caller falls back to signals). The cgroup is removed once empty.
   */
  private killTreeByCgroup(root: number): number[] | undefined {
    if (!this.cgroupRoot) return undefined;
    const dir = join(this.cgroupRoot, 'vigil-kill', `${root}-${randomBytes(3).toString('hex')}`);
    try {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'cgroup.freeze'), '1');
      writeFileSync(join(dir, 'cgroup.procs'), String(root));
    } catch {
      this.removeCgroup(dir);
      return undefined;
    }
    const moved = new Set<number>([root]);
    for (let round = 0; round < this.rounds * 4; round++) {
      // Everything moved is frozen and forks no more; only the rest can still grow.
      const fresh = this.descendants(root).filter((p) => !moved.has(p));
      if (!fresh.length) break;
      for (const p of fresh) {
        moved.add(p);
        try {
          writeFileSync(join(dir, 'cgroup.procs'), String(p));
        } catch {
          // exited meanwhile
        }
      }
    }
    try {
      writeFileSync(join(dir, 'cgroup.kill'), '1');
    } catch {
      for (const p of moved) this.quiet(p, 'SIGKILL');
    }
    this.removeCgroup(dir);
    return [...moved];
  }

  /** rmdir once the killed members are gone (they leave within milliseconds). */
  private removeCgroup(dir: string, tries = 50): void {
    try {
      rmdirSync(dir);
    } catch {
      if (tries > 0) setTimeout(() => this.removeCgroup(dir, tries - 1), 20).unref();
    }
  }

  /**
   * SIGSTOP the root, then its descendants, round after round until no new
   * one appears. `kernelArmed`: see respond; a member the kernel already sent
   * SIGKILL to runs no more user code and is left alone, so the result lists
   * only what this sweep had to signal.
   */
  private stopTree(root: number, kernelArmed = false): number[] {
    const stopped = new Set<number>();
    if (kernelArmed) this.quiet(root, 'SIGSTOP');
    else this.signal(root, 'SIGSTOP');
    stopped.add(root);
    for (let round = 0; round < this.rounds; round++) {
      const fresh = this.descendants(root).filter((p) => !stopped.has(p) && !(kernelArmed && this.dying(p)));
      if (!fresh.length) break;
      for (const p of fresh) {
        this.quiet(p, 'SIGSTOP');
        stopped.add(p);
      }
    }
    return [...stopped];
  }

  /** A zombie, SIGKILL (bit 9) already pending for the process or its main thread (/proc/<pid>/status), or gone. */
  private dying(pid: number): boolean {
    try {
      const status = readFileSync(`${this.procRoot}/${pid}/status`, 'utf8');
      if (/\nState:\s*[ZX]/.test(status)) return true;
      return [/\nShdPnd:\s*([0-9a-f]+)/, /\nSigPnd:\s*([0-9a-f]+)/].some((re) => {
        const m = re.exec(status);
        return m !== null && (BigInt(`0x${m[1]}`) & 0x100n) !== 0n;
      });
    } catch {
      return true;
    }
  }

  private descendants(root: number): number[] {
    return descendantsOf(root, this.procRoot).filter((p) => !this.spared(p));
  }

  /** True when pid is still the process that started at startNs (pids are reused); no start time: any. */
  sameProcess(pid: number, startNs: unknown): boolean {
    let st;
    try {
      st = parseStat(readFileSync(`${this.procRoot}/${pid}/stat`, 'utf8'));
    } catch {
      return false;
    }
    if (!st) return false;
    if (typeof startNs !== 'string' || !/^\d+$/.test(startNs)) return true; // nothing to compare with
    const ns = (st.startTicks * 1_000_000_000n) / this.hz;
    const d = ns - BigInt(startNs);
    return d < SLACK_NS && d > -SLACK_NS;
  }

  private quiet(pid: number, sig: NodeJS.Signals): void {
    try {
      this.signal(pid, sig);
    } catch {
      // gone already
    }
  }
}
