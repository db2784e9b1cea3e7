// Every response goes through here, whoever asks (a rule, the baseline, the
// CLI): the protected set is checked, the action carried out (or only
// recorded, in dry-run mode), and an audit row written. Isolation needs the
// loader, so it exists once the loader is attached.
import { statSync } from 'node:fs';
import type { Logger } from 'pino';
import type { EcsEvent } from '../model/ecs-event';
import type { ResponseAction } from '../rules/types';
import { NetworkIsolator, type IsolationControl } from './isolation';
import { ExecHashCache, Quarantine, DEFAULT_QUARANTINE_DIR } from './quarantine';
import { execBlockOf, execKey, resolveExecBlock, type ExecBlock } from '../agent/exec-block';
import type { ActionRequest, ActionResult } from '../../../proto/src';
import { ProtectedTargetError, agentAncestors, protectedReason } from './protected';
import { agentAlert } from '../alerts/agent-alert';
import type { AlertEvent } from '../alerts/types';
import { pidTarget, Responder, type ResponseRecord } from './responder';
import type { KernelExecResponse } from '../normalize/process';
import type { ResponseDb, ResponseRequest } from './response-db';

export interface ResponseServiceOptions {
  logger: Logger;
  db?: ResponseDb;
  /** Record what would be done, do nothing. */
  dryRun?: boolean;
  responder?: Responder;
  /** How often the CLI's requests are picked up. */
  inboxMs?: number;
  quarantineDir?: string;
  host?: string;
  /** Endpoints an isolated tree may still reach (port 0: any port); loopback always may. */
  isolationAllow?: { ip: string; port: number }[];
  /** Is the control plane reachable now? undefined: there is none. */
  controlPlaneUp?: () => boolean | undefined;
  /** Isolations end by themselves once the control plane has been unreachable this long. */
  isolationFailsafeMs?: number;
  /** At most this many automatic responses per rule (or the baseline) per minute; default 30. */
  maxPerMinute?: number;
  /** Executables no response acts on (--response-allow); spared inside trees too. */
  allow?: readonly ExecBlock[];
}

const RATE_WINDOW_MS = 60_000;
export const DEFAULT_RESPONSES_PER_MINUTE = 30;
const ALLOW_LISTED = 'its executable is on the response allow-list (--response-allow)';

const FAILSAFE_TICK_MS = 1000;

export interface LoaderActions extends IsolationControl {
  blockExec(blocks: readonly ExecBlock[]): void;
  unblockExec(blocks: readonly ExecBlock[]): void;
  killTree(tgid: number, on: boolean): void;
}

/** How long the kernel keeps killing a tree's members that fork or exec after a kill-tree. */
const KILL_TREE_ARMED_MS = 10_000;
const TREE_ACTIONS: ReadonlySet<ResponseAction> = new Set(['kill-tree', 'suspend-tree', 'isolate-tree']);

const INBOX_MS = 100;

export class ResponseService {
  private readonly responder: Responder;
  private isolator?: NetworkIsolator;
  private loader?: LoaderActions;
  private loaderPids: () => number[] = () => [];
  private timer?: NodeJS.Timeout;
  private failsafeTimer?: NodeJS.Timeout;
  private downSince?: number;
  private readonly recentBy = new Map<string, number[]>();
  private busy = false;
  private readonly quarantine?: Quarantine;
  private quarantined = new Set<string>();
  /** In-kernel blocks added per quarantined hash, lifted on restore. */
  private readonly blocksByHash = new Map<string, ExecBlock[]>();
  private readonly hashes = new ExecHashCache();

  private readonly allowed: ReadonlySet<string>;

  constructor(private readonly opts: ResponseServiceOptions) {
    this.allowed = new Set((opts.allow ?? []).map((f) => execKey(f.ino, f.major, f.minor)));
    this.responder = opts.responder ?? new Responder({ spared: (pid) => this.onAllowList(pid) });
    if (opts.db) {
      this.quarantine = new Quarantine(opts.db.db, opts.quarantineDir ?? DEFAULT_QUARANTINE_DIR,
        (p) => (p === process.execPath ? 'it is the agent\'s own runtime' : undefined));
      this.quarantined = this.quarantine.hashes();
    }
  }

  attachLoader(control: LoaderActions, loaderPids: () => number[]): void {
    this.loader = control;
    this.loaderPids = loaderPids;
    this.isolator = new NetworkIsolator(control, { protectedPids: loaderPids, spared: (pid) => this.onAllowList(pid) });
    for (const a of this.opts.isolationAllow ?? []) void this.allow(a);
  }

  /** One more endpoint an isolated tree may reach (the control plane, once resolved). */
  async allow(a: { ip: string; port: number }): Promise<boolean> {
    if (!this.loader) return false;
    const r = await this.loader.isolation({ op: 'isolate-allow', id: `allow-${a.ip}-${a.port}`, ip: a.ip, port: a.port });
    if (r.ok) this.opts.logger.info({ ip: a.ip, port: a.port }, 'isolated trees may still reach this endpoint');
    else this.opts.logger.error({ ip: a.ip, port: a.port, error: r.error }, 'could not allow-list an endpoint for isolated trees');
    return r.ok;
  }

  /**
   * Every exec: content quarantined -> SIGKILL now, the inode blocked in the
   * kernel for the next time, and an alert. Nothing to do (and no hashing)
   * while the quarantine is empty.
   */
  onExec(ev: EcsEvent): AlertEvent | undefined {
    if (this.quarantined.size === 0 || ev.event?.action !== 'exec' || ev.event.outcome === 'failure') return undefined;
    const pid = ev.process?.pid;
    if (typeof pid !== 'number') return undefined;
    const h = this.hashes.hashOf(`/proc/${pid}/exe`);
    if (!h || !this.quarantined.has(h.sha256)) return undefined;
    // A copy of an allowed binary was quarantined: its original (allow-listed) still runs, unblocked.
    const spared = this.onAllowList(pid);
    const r = this.record(this.opts.dryRun ? { action: 'kill', pids: [pid], ok: false, error: 'dry run: recorded, not carried out', latency_ms: 0 }
      : spared ? { action: 'kill', pids: [], ok: false, error: new ProtectedTargetError(pid, ALLOW_LISTED).message, latency_ms: 0 }
        : this.responder.respond('kill', ev), 'quarantine', `exec of quarantined content ${h.sha256}`);
    if (!this.opts.dryRun && !spared && this.loader) {
      const block = execBlockOf(ev.process.executable ?? `/proc/${pid}/exe`, h.ino, h.dev);
      this.loader.blockExec([block]);
      this.blocksByHash.set(h.sha256, [...(this.blocksByHash.get(h.sha256) ?? []), block]);
    }
    const alert = agentAlert({ id: 'vigil-quarantined-exec', name: 'Quarantined file executed', action: 'exec', tags: ['attack.execution', 'attack.t1204.002'], level: 'high' },
      `${ev.process.executable ?? `pid ${pid}`} has the content of a quarantined file (sha256 ${h.sha256}); the process was ${r.ok ? 'killed' : `not killed: ${r.error}`}${spared ? '' : ' and the file is blocked in the kernel from now on'}`,
      { sha256: h.sha256, executable: ev.process.executable, events: [ev] }, { host: this.opts.host });
    alert.process = ev.process;
    alert.vigil.response = [r];
    return alert;
  }

  start(): void {
    if (this.opts.controlPlaneUp && this.opts.isolationFailsafeMs !== undefined) {
      this.failsafeTimer = setInterval(() => void this.failsafe(), FAILSAFE_TICK_MS);
      this.failsafeTimer.unref();
    }
    if (!this.opts.db) return;
    this.timer = setInterval(() => void this.drain(), this.opts.inboxMs ?? INBOX_MS);
    this.timer.unref();
  }

  /** A host must never stay cut off because nobody can reach it to release it. */
  private async failsafe(now = Date.now()): Promise<void> {
    const up = this.opts.controlPlaneUp?.();
    if (up !== false) {
      this.downSince = undefined;
      return;
    }
    this.downSince ??= now;
    const live = this.isolator?.list() ?? [];
    if (!live.length || now - this.downSince < (this.opts.isolationFailsafeMs ?? Infinity)) return;
    const reason = `control plane unreachable for ${Math.round((now - this.downSince) / 1000)} s (failsafe)`;
    for (const iso of live) {
      const r = await this.isolator!.release(iso.id);
      this.opts.db?.audit({ action: 'release', target: { id: iso.id }, requestedBy: 'failsafe', reason, ok: r.ok, error: r.error, pids: r.pids, ref: iso.id });
      this.opts.logger.warn({ id: iso.id, ok: r.ok }, `isolation released: ${reason}`);
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.failsafeTimer) clearInterval(this.failsafeTimer);
    await this.isolator?.releaseAll();
  }

  /** True when `by` (a rule, the baseline) has used up its responses for this minute. */
  private limited(by: string, now = Date.now()): boolean {
    if (by.startsWith('cli:') || by.startsWith('control-plane:')) return false; // people are not rate limited
    const max = this.opts.maxPerMinute ?? DEFAULT_RESPONSES_PER_MINUTE;
    const recent = (this.recentBy.get(by) ?? []).filter((t) => now - t < RATE_WINDOW_MS);
    if (recent.length >= max) {
      this.recentBy.set(by, recent);
      return true;
    }
    recent.push(now);
    this.recentBy.set(by, recent);
    return false;
  }

  /** Is pid running an executable on the response allow-list (its /proc/<pid>/exe by inode and device)? */
  private onAllowList(pid: number): boolean {
    if (this.allowed.size === 0) return false;
    try {
      const st = statSync(`/proc/${pid}/exe`, { bigint: true });
      const b = execBlockOf('', st.ino, st.dev);
      return this.allowed.has(execKey(b.ino, b.major, b.minor));
    } catch {
      return false; // gone, or a kernel thread: judged elsewhere
    }
  }

  /** Why no action may touch pid, or undefined: the hard-coded protected set, then the allow-list. */
  private protectedWhy(pid: number): string | undefined {
    return protectedReason(pid, this.loaderPids()) ?? (this.onAllowList(pid) ? ALLOW_LISTED : undefined);
  }

  /** A rule's or the baseline's action on the process of `ev`. Sync unless it needs the loader. */
  act(action: ResponseAction, ev: EcsEvent, requestedBy: string, reason: string): ResponseRecord | Promise<ResponseRecord> {
    const pid = ev.process?.pid;
    const k = ev.vigil?.response as KernelExecResponse | undefined;
    if (typeof pid === 'number' && k?.by !== 'kernel' && this.onAllowList(pid)) {
      return this.record({ action, pids: [], ok: false, error: new ProtectedTargetError(pid, ALLOW_LISTED).message, latency_ms: 0 }, requestedBy, reason);
    }
    if (k?.by === 'kernel' && (action === 'kill' || action === 'kill-tree')) return this.afterKernel(action, ev, k, requestedBy, reason);
    if (this.limited(requestedBy)) {
      return this.record({ action, pids: [], ok: false, error: `rate limited: ${requestedBy} asked for more than ${this.opts.maxPerMinute ?? DEFAULT_RESPONSES_PER_MINUTE} responses in a minute; not carried out`, latency_ms: 0 }, requestedBy, reason);
    }
    if (this.opts.dryRun) {
      return this.record({ action, pids: typeof pid === 'number' ? [pid] : [], ok: false, error: 'dry run: recorded, not carried out', latency_ms: 0 }, requestedBy, `${reason} (dry run)`);
    }
    if (typeof pid === 'number' && TREE_ACTIONS.has(action) && agentAncestors().includes(pid)) {
      return this.record({ action, pids: [], ok: false, error: new ProtectedTargetError(pid, 'its tree holds the agent').message, latency_ms: 0 }, requestedBy, reason);
    }
    const kernelArmed = action === 'kill-tree' && typeof pid === 'number' && this.armKernelKill(pid, ev);
    if (action !== 'isolate-tree') return this.record(this.responder.respond(action, ev, { kernelArmed }), requestedBy, reason);
    const t0 = Date.parse(ev['@timestamp']);
    return this.isolate(typeof pid === 'number' ? pid : 0, reason, undefined).then((r) => this.record({
      action, pids: r.pids, ok: r.ok, error: r.error, id: r.id,
      latency_ms: Number.isFinite(t0) ? Math.max(0, Date.now() - t0) : r.latency_ms,
    }, requestedBy, reason));
  }

  /**
   * The kernel already carried the rule out at exec (or refused to: rate
   * limit, a tree that holds the agent, the allow-list). What is left is the
   * audit, and for a tree a sweep for a member the kernel's walk could not
   * reach (over 32 levels down): only while the root is still the process it killed,
   * since once the root is reaped its pid may be another's and its children
   * have a new parent. If the sweep signals one, the latency is the sweep's.
   */
  private afterKernel(action: 'kill' | 'kill-tree', ev: EcsEvent, k: KernelExecResponse, requestedBy: string, reason: string): ResponseRecord {
    const t0 = Date.parse(ev['@timestamp']);
    const started = performance.now();
    const pid = ev.process?.pid;
    const kernel = { signalled: k.signalled, latency_us: k.latency_us };
    if (k.refused) return this.record({ action, pids: [], ok: false, error: `not carried out: the kernel refused (${k.refused})`, latency_ms: 0, kernel }, requestedBy, reason);
    this.limited(requestedBy); // counted, as the kernel counted it
    const root = typeof pid === 'number' ? [pid] : [];
    const swept = action === 'kill-tree' && typeof pid === 'number' && this.responder.sameProcess(pid, ev.vigil?.start_boottime_ns) ? this.responder.killStragglers(pid) : [];
    return this.record({
      action, pids: [...root, ...swept], ok: true, kernel,
      latency_ms: swept.length && Number.isFinite(t0) ? Math.max(0, Date.now() - t0) : k.latency_us / 1000,
      work_ms: Math.round((performance.now() - started) * 10) / 10,
    }, requestedBy, reason);
  }

  /**
   * The kernel's half of kill-tree (bpf/process.bpf.c): from now on a member
   * that forks or execs dies there, so a fork bomb cannot outgrow the
   * responder's rounds. Only once the pid is known to be the event's process.
   */
  private armKernelKill(pid: number, ev: EcsEvent): boolean {
    const loader = this.loader;
    if (!loader || pid <= 1 || !this.responder.sameProcess(pid, ev.vigil?.start_boottime_ns)) return false;
    loader.killTree(pid, true);
    setTimeout(() => loader.killTree(pid, false), KILL_TREE_ARMED_MS).unref();
    return true;
  }

  private isolate(pid: number, reason: string, expiresMs: number | undefined) {
    if (!this.isolator) return Promise.resolve({ ok: false, pids: [] as number[], error: 'network isolation needs the loader, which is not attached', latency_ms: 0, id: undefined as string | undefined });
    return this.isolator.isolateTree(pid, reason, expiresMs);
  }

  private record(r: ResponseRecord, requestedBy: string, reason: string): ResponseRecord {
    try {
      this.opts.db?.audit({ action: r.action, target: { pid: r.pids[0] }, requestedBy, reason, ok: r.ok, error: r.error, pids: r.pids, latencyMs: r.latency_ms, ref: r.id });
    } catch (err) {
      this.opts.logger.error({ err: (err as Error).message }, 'could not write the response audit row');
    }
    this.opts.logger.warn({ action: r.action, ok: r.ok, pids: r.pids, error: r.error, by: requestedBy, id: r.id }, 'response');
    return r;
  }

  private quarantineAction(action: 'quarantine-file' | 'restore-file', target: { path?: string; id?: number }, by: string, reason: string, t0: number): Record<string, unknown> & { ok: boolean } {
    const q = this.quarantine;
    let out: Record<string, unknown> & { ok: boolean };
    if (!q) out = { ok: false, error: 'quarantine needs the agent\'s database (--db)' };
    else if (this.opts.dryRun) out = { ok: false, error: 'dry run: recorded, not carried out' };
    else {
      try {
        const e = action === 'quarantine-file' ? q.add(String(target.path), reason) : q.restore(Number(target.id));
        this.quarantined = q.hashes();
        if (action === 'restore-file' && !this.quarantined.has(e.sha256)) {
          const blocks = this.blocksByHash.get(e.sha256) ?? [];
          if (blocks.length) this.loader?.unblockExec(blocks);
          this.blocksByHash.delete(e.sha256);
        }
        out = { ok: true, entry: e };
      } catch (err) {
        out = { ok: false, error: (err as Error).message };
      }
    }
    this.opts.db?.audit({ action, target, requestedBy: by, reason, ok: out.ok, error: out.error as string | undefined, latencyMs: Date.now() - t0,
      ref: (out.entry as { sha256?: string } | undefined)?.sha256 });
    return out;
  }

  /** An action the control plane asked for (POST /v1/agents/:id/actions): done and confirmed, or failed. */
  async remote(req: ActionRequest): Promise<Omit<ActionResult, 'action_id'>> {
    const t0 = Date.now();
    const by = `control-plane:${req.requested_by || 'unknown'}`;
    const reason = [req.comment, req.alert_ids.length ? `alerts ${req.alert_ids.join(', ')}` : ''].filter(Boolean).join('; ') || 'manual';
    const out = (r: { ok: boolean; error?: string; pids?: number[]; ref?: string }) =>
      ({ ok: r.ok, error: r.ok ? '' : r.error ?? 'failed', pids: r.pids ?? [], ref: r.ref ?? '', latency_ms: Date.now() - t0 });
    const pidActions: Record<string, ResponseAction> = { 'kill-process': 'kill', 'kill-tree': 'kill-tree', 'suspend-tree': 'suspend-tree' };
    if (['kill-process', 'kill-tree', 'suspend-tree', 'resume-tree', 'isolate-process'].includes(req.action)) {
      const why = this.protectedWhy(req.pid);
      if (why) {
        this.opts.db?.audit({ action: req.action, target: { pid: req.pid }, requestedBy: by, reason, ok: false, error: why });
        return out({ ok: false, error: new ProtectedTargetError(req.pid, why).message });
      }
    }
    switch (req.action) {
      case 'kill-process':
      case 'kill-tree':
      case 'suspend-tree': {
        const r = this.act(pidActions[req.action], pidEvent(req.pid), by, reason) as ResponseRecord;
        return out(r);
      }
      case 'resume-tree': {
        let r: { ok: boolean; pids: number[]; error?: string };
        try {
          r = { ok: true, pids: this.responder.resumeTree(req.pid) };
        } catch (err) {
          r = { ok: false, pids: [], error: (err as Error).message };
        }
        this.opts.db?.audit({ action: 'resume-tree', target: { pid: req.pid }, requestedBy: by, reason, ok: r.ok, error: r.error, pids: r.pids });
        return out(r);
      }
      case 'isolate-process': {
        if (this.opts.dryRun) return out(this.act('isolate-tree', pidEvent(req.pid), by, reason) as ResponseRecord);
        const r = await this.isolate(req.pid, reason, req.expires_ms || undefined);
        this.record({ action: 'isolate-tree', pids: r.pids, ok: r.ok, error: r.error, id: r.id, latency_ms: r.latency_ms }, by, reason);
        return out({ ...r, ref: r.id });
      }
      case 'isolate-host': {
        if (this.opts.dryRun) {
          this.opts.db?.audit({ action: 'isolate-host', target: {}, requestedBy: by, reason, ok: false, error: 'dry run' });
          return out({ ok: false, error: 'dry run: recorded, not carried out' });
        }
        const r = this.isolator ? await this.isolator.isolateHost(reason, req.expires_ms || undefined) : { ok: false, pids: [] as number[], error: 'network isolation needs the loader, which is not attached', id: undefined };
        this.opts.db?.audit({ action: 'isolate-host', target: {}, requestedBy: by, reason, ok: r.ok, error: r.error, pids: [], latencyMs: Date.now() - t0, ref: r.id });
        return out({ ...r, ref: r.id });
      }
      case 'release': {
        const r = this.isolator ? await this.isolator.release(req.isolation_id) : { ok: false, pids: [] as number[], error: 'no loader attached' };
        this.opts.db?.audit({ action: 'release', target: { id: req.isolation_id }, requestedBy: by, reason, ok: r.ok, error: r.error, pids: r.pids, latencyMs: Date.now() - t0, ref: req.isolation_id });
        return out({ ...r, ref: req.isolation_id });
      }
      case 'quarantine-file':
      case 'restore-file': {
        const id = req.action === 'restore-file' ? this.quarantine?.list().filter((e) => e.original_path === req.path).pop()?.id : undefined;
        if (req.action === 'restore-file' && id === undefined) return out({ ok: false, error: `no file from ${req.path} is in quarantine` });
        const r = this.quarantineAction(req.action, req.action === 'restore-file' ? { id } : { path: req.path }, by, reason, t0);
        return out({ ok: r.ok, error: r.error as string | undefined, ref: (r.entry as { sha256?: string } | undefined)?.sha256 });
      }
      case 'block-exec': {
        try {
          const block = resolveExecBlock(req.path);
          if (!this.loader) throw new Error('the loader is not attached');
          if (!this.opts.dryRun) this.loader.blockExec([block]);
          this.opts.db?.audit({ action: 'block-exec', target: { path: req.path }, requestedBy: by, reason, ok: !this.opts.dryRun, error: this.opts.dryRun ? 'dry run' : undefined });
          return out({ ok: !this.opts.dryRun, error: this.opts.dryRun ? 'dry run: recorded, not carried out' : undefined, ref: `${block.ino}` });
        } catch (err) {
          return out({ ok: false, error: (err as Error).message });
        }
      }
      default:
        return out({ ok: false, error: `unknown action '${req.action}'` });
    }
  }

  /** Requests from `vigil respond`, oldest first. */
  private async drain(): Promise<void> {
    const db = this.opts.db;
    if (!db || this.busy) return;
    this.busy = true;
    try {
      for (const req of db.pending()) {
        const result = await this.handle(req).catch((err: Error) => ({ ok: false, error: err.message }));
        db.finish(req.id, result.ok, result);
      }
    } catch (err) {
      this.opts.logger.debug({ err: (err as Error).message }, 'response inbox busy; next round');
    } finally {
      this.busy = false;
    }
  }

  private async handle(req: ResponseRequest): Promise<Record<string, unknown> & { ok: boolean }> {
    const target = JSON.parse(req.target) as { pid?: number; id?: string; expires_ms?: number };
    const by = `cli:${req.requested_by}`;
    const reason = req.comment ?? 'manual';
    const t0 = Date.now();
    switch (req.action) {
      case 'isolate-tree': {
        if (this.opts.dryRun) return { ...this.act('isolate-tree', pidEvent(target.pid), by, reason) as ResponseRecord };
        const r = await this.isolate(Number(target.pid), reason, target.expires_ms);
        this.record({ action: 'isolate-tree', pids: r.pids, ok: r.ok, error: r.error, id: r.id, latency_ms: r.latency_ms }, by, reason);
        return { ...r };
      }
      case 'release': {
        const r = this.isolator ? await this.isolator.release(String(target.id)) : { ok: false, pids: [], error: 'no loader attached', latency_ms: 0 };
        this.opts.db?.audit({ action: 'release', target: { id: target.id }, requestedBy: by, reason, ok: r.ok, error: r.error, pids: r.pids, latencyMs: Date.now() - t0, ref: target.id });
        return { ...r };
      }
      case 'isolate-host': {
        if (this.opts.dryRun) return { ok: false, error: 'dry run: recorded, not carried out' };
        const r = this.isolator ? await this.isolator.isolateHost(reason, target.expires_ms) : { ok: false, pids: [], error: 'no loader attached', latency_ms: 0 };
        this.opts.db?.audit({ action: 'isolate-host', target: {}, requestedBy: by, reason, ok: r.ok, error: r.error, pids: [], latencyMs: Date.now() - t0, ref: r.id });
        return { ...r };
      }
      case 'isolations':
        return { ok: true, isolations: this.isolator?.list() ?? [] };
      case 'quarantine-file':
      case 'restore-file':
        return this.quarantineAction(req.action, target as { path?: string; id?: number }, by, reason, t0);
      case 'quarantined':
        return { ok: true, files: this.quarantine?.list() ?? [] };
      default:
        return { ok: false, error: `unknown action '${req.action}' (isolate-tree, isolate-host, release, isolations, quarantine-file, restore-file, quarantined)` };
    }
  }
}

const pidEvent = (pid: unknown): EcsEvent => pidTarget(Number(pid));
