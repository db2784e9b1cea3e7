// Every response goes through here, whoever asks (a rule, the baseline, the
// CLI): the protected set is checked, the action carried out (or only
// recorded, in dry-run mode), and an audit row written. Isolation needs the
// loader, so it exists once the loader is attached.
import type { Logger } from 'pino';
import type { EcsEvent } from '../model/ecs-event';
import type { ResponseAction } from '../rules/types';
import { NetworkIsolator, type IsolationControl } from './isolation';
import { Responder, type ResponseRecord } from './responder';
import type { ResponseDb, ResponseRequest } from './response-db';

export interface ResponseServiceOptions {
  logger: Logger;
  db?: ResponseDb;
  /** Record what would be done, do nothing. */
  dryRun?: boolean;
  responder?: Responder;
  /** How often the CLI's requests are picked up. */
  inboxMs?: number;
}

const INBOX_MS = 100;

export class ResponseService {
  private readonly responder: Responder;
  private isolator?: NetworkIsolator;
  private timer?: NodeJS.Timeout;
  private busy = false;

  constructor(private readonly opts: ResponseServiceOptions) {
    this.responder = opts.responder ?? new Responder();
  }

  attachLoader(control: IsolationControl, loaderPids: () => number[]): void {
    this.isolator = new NetworkIsolator(control, { protectedPids: loaderPids });
  }

  start(): void {
    if (!this.opts.db) return;
    this.timer = setInterval(() => void this.drain(), this.opts.inboxMs ?? INBOX_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.isolator?.releaseAll();
  }

  /** A rule's or the baseline's action on the process of `ev`. Sync unless it needs the loader. */
  act(action: ResponseAction, ev: EcsEvent, requestedBy: string, reason: string): ResponseRecord | Promise<ResponseRecord> {
    const pid = ev.process?.pid;
    if (this.opts.dryRun) {
      return this.record({ action, pids: typeof pid === 'number' ? [pid] : [], ok: false, error: 'dry run: recorded, not carried out', latency_ms: 0 }, requestedBy, `${reason} (dry run)`);
    }
    if (action !== 'isolate-tree') return this.record(this.responder.respond(action, ev), requestedBy, reason);
    const t0 = Date.parse(ev['@timestamp']);
    return this.isolate(typeof pid === 'number' ? pid : 0, reason, undefined).then((r) => this.record({
      action, pids: r.pids, ok: r.ok, error: r.error, id: r.id,
      latency_ms: Number.isFinite(t0) ? Math.max(0, Date.now() - t0) : r.latency_ms,
    }, requestedBy, reason));
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
      case 'isolations':
        return { ok: true, isolations: this.isolator?.list() ?? [] };
      default:
        return { ok: false, error: `unknown action '${req.action}' (isolate-tree, release, isolations)` };
    }
  }
}

const pidEvent = (pid: unknown): EcsEvent => ({ '@timestamp': new Date().toISOString(), process: { pid } } as unknown as EcsEvent);
